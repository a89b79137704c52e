// Wallets on chain, watch-only: what a Bitcoin address or extended public key holds, read from
// the chain (Esplora), as the wallet's holding of BTC (confirmed funds only: a payment still in
// the mempool counts once a block confirms it); what an EVM address holds (its native asset and
// the configured tokens, read at one block), as its holdings by symbol.
import type { ServiceBroker } from 'moleculer';
import type { EsploraAdapter } from '../../providers/esplora.adapter.ts';
import type { EvmWalletRead } from '../../providers/evm.adapter.ts';
import type { ChainName } from '@finexia/contracts/api.ts';
import { bitcoinWatch } from '../../domain/chain/bitcoin.ts';
import { evmWatch } from '../../domain/chain/evm.ts';
import { providersOf } from '../../infra/providers.ts';
import { scanWallet, type BitcoinWatch } from '../../domain/chain/bitcoin.ts';
import { Decimal } from '../../domain/money.ts';
import { replaceHeldBalances } from './holdings.ts';

export interface ChainRead {
  /** confirmed satoshis */
  sats: number;
  /** satoshis waiting in the mempool (shown, not counted) */
  pendingSats: number;
  /** addresses with history */
  addresses: number;
}

export async function readBitcoin(chain: EsploraAdapter, watch: BitcoinWatch): Promise<ChainRead> {
  if (watch.kind === 'address') {
    const s = await chain.addressSummary(watch.address);
    return { sats: s.confirmedSats, pendingSats: s.unconfirmedSats, addresses: s.txCount ? 1 : 0 };
  }
  const read: ChainRead = { sats: 0, pendingSats: 0, addresses: 0 };
  await scanWallet(watch.key, async (address) => {
    const s = await chain.addressSummary(address);
    read.sats += s.confirmedSats;
    read.pendingSats += s.unconfirmedSats;
    if (s.txCount) read.addresses += 1;
    return s.txCount > 0;
  });
  return read;
}

/** The wallet's BTC holding, as read. */
export function storeBitcoin(
  broker: ServiceBroker,
  wallet: { userId: string; walletId: string },
  read: ChainRead,
): Promise<void> {
  const btc = Decimal.fromMinor(read.sats, 8).toString();
  return replaceHeldBalances(
    broker,
    wallet.userId,
    wallet.walletId,
    { key: 'bitcoin', name: 'Bitcoin', subtype: 'bitcoin wallet' },
    [{ providerAccountId: 'bitcoin', asset: 'BTC', free: btc, locked: '0' }],
  );
}

/** What is watched on a chain: a Bitcoin address or extended public key, or an EVM address. */
export type ChainWatch =
  | { chain: 'bitcoin'; watch: BitcoinWatch }
  | { chain: 'ethereum'; address: `0x${string}` };

/** The watch in `text` for `chain`, or why it cannot be watched (a secret is refused first). */
export function chainWatch(chain: ChainName, text: string): ChainWatch | { problem: string } {
  if (chain === 'ethereum') {
    const w = evmWatch(text);
    return 'problem' in w ? w : { chain, address: w.address };
  }
  const w = bitcoinWatch(text);
  return 'problem' in w ? w : { chain, watch: w };
}

export type ChainHoldings = { chain: 'bitcoin'; read: ChainRead } | { chain: 'ethereum'; read: EvmWalletRead };

/** What the wallet holds on its chain now. */
export async function readChain(broker: ServiceBroker, w: ChainWatch): Promise<ChainHoldings> {
  const providers = providersOf(broker);
  if (w.chain === 'ethereum') return { chain: w.chain, read: await providers.evm(w.chain).readWallet(w.address) };
  return { chain: w.chain, read: await readBitcoin(providers.esplora(), w.watch) };
}

/** The wallet's holdings, as read. */
export function storeChain(
  broker: ServiceBroker,
  wallet: { userId: string; walletId: string },
  holdings: ChainHoldings,
): Promise<void> {
  if (holdings.chain === 'bitcoin') return storeBitcoin(broker, wallet, holdings.read);
  return storeEvm(broker, wallet, providersOf(broker).evm(holdings.chain).chain, holdings.read);
}

/**
 * The wallet's holdings, as read: the native asset and every listed token it holds, by symbol
 * (a token the market does not price is listed as unpriced by the portfolio, never valued at 0).
 */
export function storeEvm(
  broker: ServiceBroker,
  wallet: { userId: string; walletId: string },
  chain: { name: string; nativeSymbol: string; nativeDecimals: number },
  read: EvmWalletRead,
): Promise<void> {
  const quantity = (units: bigint, decimals: number) => Decimal.fromMinor(units, decimals).toString();
  return replaceHeldBalances(
    broker,
    wallet.userId,
    wallet.walletId,
    {
      key: chain.name,
      name: chain.name[0]!.toUpperCase() + chain.name.slice(1),
      subtype: `${chain.name} address`,
    },
    [
      {
        providerAccountId: chain.name,
        asset: chain.nativeSymbol,
        free: quantity(read.native, chain.nativeDecimals),
        locked: '0',
      },
      ...read.tokens
        .filter((t) => t.balance !== 0n)
        .map((t) => ({
          providerAccountId: chain.name,
          asset: t.token.symbol,
          free: quantity(t.balance, t.token.decimals),
          locked: '0',
        })),
    ],
  );
}
