// Wallets on chain, watch-only: what a Bitcoin address or extended public key holds, read from
// the chain (Esplora), as the wallet's holding of BTC. Confirmed funds only: a payment still in
// the mempool counts once a block confirms it.
import type { ServiceBroker } from 'moleculer';
import type { EsploraAdapter } from '../../providers/esplora.adapter.ts';
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
