// Following EVM chains live: at each new block of a configured chain, the addresses this node's
// users watch there are read again, and a wallet whose holdings moved is stored (the portfolio
// reloads and the dashboard moves within a block). Blocks that come while a pass runs are one
// more pass, not a queue: the next read is at the newest block anyway.
import type { ServiceBroker } from 'moleculer';
import { Holding, Wallet, type HoldingRecord, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { providersOf } from '../../infra/providers.ts';
import { chainsOf, chainWatch, readChain, storeChain, heldBalances } from './chain.ts';
import type { WalletCredentials } from './credentials.ts';

export class ChainFollower {
  private readonly stops: (() => void)[] = [];
  private readonly passes = new Map<string, { running: boolean; again: boolean }>();
  /** blocks seen, passes run, wallets stored (for tests and the operators' REPL) */
  readonly stats = { blocks: 0, passes: 0, stored: 0 };

  constructor(
    private readonly broker: ServiceBroker,
    private readonly credentials: WalletCredentials,
    private readonly isMine: (userId: string) => boolean,
  ) {}

  start(pollMs = 1_000): void {
    const providers = providersOf(this.broker);
    for (const name of providers.evmChains())
      this.stops.push(
        providers.evm(name).watchBlocks(
          () => {
            this.stats.blocks += 1;
            void this.pass(name);
          },
          (err) => this.broker.logger.warn({ chain: name, err: err.message }, 'following the chain failed'),
          pollMs,
        ),
      );
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private async pass(chain: string): Promise<void> {
    const state = this.passes.get(chain) ?? { running: false, again: false };
    this.passes.set(chain, state);
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    try {
      do {
        state.again = false;
        this.stats.passes += 1;
        await this.readWallets(chain);
      } while (state.again);
    } catch (err) {
      this.broker.logger.warn(
        { chain, err: (err as Error).message },
        'a block pass failed; the next block tries again',
      );
    } finally {
      state.running = false;
    }
  }

  private async readWallets(chain: string): Promise<void> {
    const wallets = (
      await Wallet.find({ kind: 'chain', provider: 'evm', chain, archivedAt: null })
        .select('+credentials')
        .lean<WalletRecord[]>()
    ).filter((w) => this.isMine(w.userId));
    const chains = chainsOf(this.broker);
    for (const wallet of wallets) {
      const watch = chainWatch(chains, chain, this.credentials.chain(wallet).watch);
      if ('problem' in watch) continue;
      const holdings = await readChain(this.broker, watch);
      const now = heldBalances(this.broker, holdings);
      const stored = await Holding.find({ walletId: wallet.publicId }).lean<HoldingRecord[]>();
      const same =
        stored.length === now.length &&
        now.every((b) => stored.some((h) => h.asset === b.asset && h.quantity === b.free));
      if (same) continue;
      await storeChain(this.broker, { userId: wallet.userId, walletId: wallet.publicId }, holdings);
      this.stats.stored += 1;
    }
  }
}
