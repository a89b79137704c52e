// Wallets on chain, watch-only: what a Bitcoin address or extended public key holds, read from
// the chain (Esplora), as the wallet's holding of BTC (confirmed funds only: a payment still in
// the mempool counts once a block confirms it), and what each of its transactions moved (the
// history is walked back through them); what an EVM address holds (its native asset and
// the configured tokens, read at one block), as its holdings by symbol.
import type { ServiceBroker } from 'moleculer';
import type { EsploraAdapter } from '../../providers/esplora.adapter.ts';
import type { EvmWalletRead } from '../../providers/evm.adapter.ts';
import type { ChainInfo } from '@finexia/contracts/api.ts';
import { configOf } from '../../config/index.ts';
import {
  bitcoinWatch,
  scanWallet,
  walletMovements,
  type BitcoinWatch,
  type WalletMovement,
} from '../../domain/chain/bitcoin.ts';
import { evmWatch } from '../../domain/chain/evm.ts';
import { providersOf } from '../../infra/providers.ts';
import { Decimal } from '../../domain/money.ts';
import type { ExchangeBalance } from '../../domain/providers.ts';
import { heldAccount, replaceHeldBalances } from './holdings.ts';
import { ChainTransaction } from '../../infra/models/wallet.model.ts';
import { insertNew } from '../../infra/db.ts';

export interface ChainRead {
  /** confirmed satoshis */
  sats: number;
  /** satoshis waiting in the mempool (shown, not counted) */
  pendingSats: number;
  /** addresses with history */
  addresses: number;
  /** what each confirmed transaction moved, oldest first (they add up to `sats`) */
  movements: WalletMovement[];
}

export async function readBitcoin(chain: EsploraAdapter, watch: BitcoinWatch): Promise<ChainRead> {
  const used: string[] = [];
  const read = { sats: 0, pendingSats: 0 };
  const look = async (address: string) => {
    const s = await chain.addressSummary(address);
    read.sats += s.confirmedSats;
    read.pendingSats += s.unconfirmedSats;
    if (s.txCount) used.push(address);
    return s.txCount > 0;
  };
  if (watch.kind === 'address') await look(watch.address);
  else await scanWallet(watch.key, look);
  const transactions = [];
  for (const address of used) transactions.push(...(await chain.addressTransactions(address)));
  return { ...read, addresses: used.length, movements: walletMovements(transactions, new Set(used)) };
}

/** A chain's name as people read it (`ethereum` → `Ethereum`). */
export const chainLabel = (name: string): string => name[0]!.toUpperCase() + name.slice(1);

/** The chains this server watches wallets on: Bitcoin, and each configured EVM chain. */
export function chainsOf(broker: ServiceBroker): ChainInfo[] {
  return [
    { name: 'bitcoin', kind: 'bitcoin', nativeSymbol: 'BTC', chainId: null },
    ...configOf(broker).providers.evm.map((c): ChainInfo => ({
      name: c.name,
      kind: 'evm',
      nativeSymbol: c.nativeSymbol,
      chainId: c.chainId,
    })),
  ];
}

/** What is watched on a chain: a Bitcoin address or extended public key, or an EVM chain's address. */
export type ChainWatch =
  | { kind: 'bitcoin'; chain: 'bitcoin'; watch: BitcoinWatch }
  | { kind: 'evm'; chain: string; address: `0x${string}` };

/**
 * The watch in `text` on `chain` (`bitcoin` or an EVM chain of `chains`), or why it cannot be
 * watched, by field (a secret is refused first, and never repeated back).
 */
export function chainWatch(
  chains: readonly ChainInfo[],
  chain: string,
  text: string,
): ChainWatch | { field: 'chain' | 'watch'; problem: string } {
  const known = chains.find((c) => c.name === chain);
  if (!known)
    return {
      field: 'chain',
      problem: `is not a chain this server watches (${chains.map((c) => c.name).join(', ')})`,
    };
  if (known.kind === 'evm') {
    const w = evmWatch(text);
    return 'problem' in w
      ? { field: 'watch', problem: w.problem }
      : { kind: 'evm', chain, address: w.address };
  }
  const w = bitcoinWatch(text);
  return 'problem' in w
    ? { field: 'watch', problem: w.problem }
    : { kind: 'bitcoin', chain: 'bitcoin', watch: w };
}

export type ChainHoldings =
  | { kind: 'bitcoin'; chain: 'bitcoin'; read: ChainRead }
  | { kind: 'evm'; chain: string; read: EvmWalletRead };

/** What the wallet holds on its chain now. */
export async function readChain(broker: ServiceBroker, w: ChainWatch): Promise<ChainHoldings> {
  const providers = providersOf(broker);
  if (w.kind === 'evm')
    return { kind: w.kind, chain: w.chain, read: await providers.evm(w.chain).readWallet(w.address) };
  return { kind: w.kind, chain: w.chain, read: await readBitcoin(providers.esplora(), w.watch) };
}

/** The account a chain's holdings are kept in, and the balances it holds, as read. */
function chainAccount(broker: ServiceBroker, holdings: ChainHoldings) {
  if (holdings.kind === 'bitcoin')
    return {
      account: { key: 'bitcoin', name: 'Bitcoin', subtype: 'bitcoin wallet' },
      nativeSymbol: 'BTC',
    };
  const chain = providersOf(broker).evm(holdings.chain).chain;
  return {
    account: {
      key: chain.name,
      name: chainLabel(chain.name),
      subtype: `${chain.name} address`,
    },
    nativeSymbol: chain.nativeSymbol,
  };
}

/**
 * What the wallet holds, as its holdings: Bitcoin's confirmed BTC; an EVM address's native asset
 * and every listed token it holds, by symbol (a token the market does not price is listed as
 * unpriced by the portfolio, never valued at 0). Quantities as canonical decimal text.
 */
export function heldBalances(broker: ServiceBroker, holdings: ChainHoldings): ExchangeBalance[] {
  const { account, nativeSymbol } = chainAccount(broker, holdings);
  const held = (asset: string, units: bigint, decimals: number): ExchangeBalance => ({
    providerAccountId: account.key,
    asset,
    free: Decimal.fromMinor(units, decimals).toString(),
    locked: '0',
  });
  if (holdings.kind === 'bitcoin') return [held(nativeSymbol, BigInt(holdings.read.sats), 8)];
  const decimals = providersOf(broker).evm(holdings.chain).chain.nativeDecimals;
  return [
    held(nativeSymbol, holdings.read.native, decimals),
    ...holdings.read.tokens
      .filter((t) => t.balance !== 0n)
      .map((t) => held(t.token.symbol, t.balance, t.token.decimals)),
  ];
}

/**
 * The wallet's holdings, as read, and (Bitcoin) what its transactions moved: stored before the
 * holdings are announced, so a history rebuilt on that news walks back through them. A
 * transaction no longer on the chain (reorganised away) goes.
 */
export async function storeChain(
  broker: ServiceBroker,
  wallet: { userId: string; walletId: string },
  holdings: ChainHoldings,
): Promise<void> {
  const { account, nativeSymbol } = chainAccount(broker, holdings);
  if (holdings.kind === 'bitcoin') {
    const { publicId: accountId } = await heldAccount(wallet.userId, wallet.walletId, account);
    const { movements } = holdings.read;
    // every read lists the wallet's whole history: only what is new, or moved to another block
    // (a reorganisation), is written
    const stored = new Map(
      (await ChainTransaction.find({ walletId: wallet.walletId }).select({ txid: 1, height: 1 }).lean()).map(
        (t) => [t.txid, t.height],
      ),
    );
    const row = (m: WalletMovement) => ({
      userId: wallet.userId,
      walletId: wallet.walletId,
      accountId,
      txid: m.txid,
      asset: nativeSymbol,
      quantity: Decimal.fromMinor(BigInt(m.sats), 8).toString(),
      date: new Date(m.blockTime * 1000).toISOString().slice(0, 10),
      blockTime: new Date(m.blockTime * 1000),
      height: m.height,
    });
    await insertNew(ChainTransaction, movements.filter((m) => !stored.has(m.txid)).map(row));
    for (const m of movements)
      if (stored.has(m.txid) && stored.get(m.txid) !== m.height)
        await ChainTransaction.updateOne(
          { walletId: wallet.walletId, txid: m.txid, asset: nativeSymbol },
          {
            $set: row(m),
          },
        );
    const onChain = new Set(movements.map((m) => m.txid));
    const gone = [...stored.keys()].filter((txid) => !onChain.has(txid));
    if (gone.length) await ChainTransaction.deleteMany({ walletId: wallet.walletId, txid: { $in: gone } });
  }
  await replaceHeldBalances(broker, wallet.userId, wallet.walletId, account, heldBalances(broker, holdings));
}
