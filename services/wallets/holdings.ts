// What a wallet holds: exchange balances (one account per exchange wallet, one holding per
// asset, free + locked) and the assets a user records in a manual wallet. Every change is
// announced as `wallet.holdings.changed`, which the portfolio actors rebuild from.
import { randomUUID } from 'node:crypto';
import type { ServiceBroker } from 'moleculer';
import type { Exchange } from '@finexia/contracts/api.ts';
import { Account, Holding, type AccountRecord, type HoldingRecord } from '../../infra/models/wallet.model.ts';
import { emitEvent } from '../../infra/events.ts';
import { markPositionsChanged } from '../../infra/position-stamps.ts';
import { Decimal } from '../../domain/money.ts';
import type { ExchangeBalance } from '../../domain/providers.ts';

const EXCHANGE_ACCOUNT: Record<Exchange, { key: string; name: string }> = {
  binance: { key: 'spot', name: 'Spot' },
  coinbase: { key: 'portfolio', name: 'Portfolio' },
};

/** Sums an exchange's balances per asset (an asset may sit in several of its wallets). */
export function totalsByAsset(
  balances: ExchangeBalance[],
): Map<string, { quantity: Decimal; locked: Decimal }> {
  const totals = new Map<string, { quantity: Decimal; locked: Decimal }>();
  for (const b of balances) {
    const t = totals.get(b.asset) ?? { quantity: Decimal.ZERO, locked: Decimal.ZERO };
    t.quantity = t.quantity.add(Decimal.parse(b.free)).add(Decimal.parse(b.locked));
    t.locked = t.locked.add(Decimal.parse(b.locked));
    totals.set(b.asset, t);
  }
  for (const [asset, t] of totals) if (t.quantity.isZero()) totals.delete(asset);
  return totals;
}

export async function replaceExchangeHoldings(
  broker: ServiceBroker,
  userId: string,
  walletId: string,
  exchange: Exchange,
  balances: ExchangeBalance[],
): Promise<void> {
  const { key, name } = EXCHANGE_ACCOUNT[exchange];
  await replaceHeldBalances(broker, userId, walletId, { key, name, subtype: 'crypto exchange' }, balances);
}

/** The account a provider's holdings are kept in (made the first time, with a public id of its own). */
export async function heldAccount(
  userId: string,
  walletId: string,
  { key, name, subtype }: { key: string; name: string; subtype: string },
): Promise<AccountRecord> {
  await Account.updateOne(
    { walletId, providerAccountId: key },
    {
      $setOnInsert: {
        publicId: randomUUID(),
        userId,
        walletId,
        providerAccountId: key,
        name,
        type: 'investment',
        subtype,
        currency: 'USD',
      },
    },
    { upsert: true },
  );
  const account = await Account.findOne({ walletId, providerAccountId: key }).lean<AccountRecord>();
  if (!account) throw new Error(`the account of wallet ${walletId} vanished`);
  return account;
}

/**
 * A wallet valued by what it holds (an exchange, a wallet on chain): its one account, and a
 * holding per asset replaced by `balances` (assets no longer held are removed).
 */
export async function replaceHeldBalances(
  broker: ServiceBroker,
  userId: string,
  walletId: string,
  held: { key: string; name: string; subtype: string },
  balances: ExchangeBalance[],
): Promise<void> {
  const account = await heldAccount(userId, walletId, held);
  const totals = totalsByAsset(balances);
  for (const [asset, t] of totals) {
    await Holding.updateOne(
      { accountId: account.publicId, asset },
      {
        $set: { quantity: t.quantity.toString(), locked: t.locked.toString() },
        $setOnInsert: { userId, walletId, accountId: account.publicId, asset },
      },
      { upsert: true },
    );
  }
  await Holding.deleteMany({ walletId, asset: { $nin: [...totals.keys()] } });
  await announceHoldings(broker, userId, walletId);
}

export async function setManualHolding(
  broker: ServiceBroker,
  wallet: { userId: string; walletId: string; accountId: string },
  asset: string,
  quantity: string,
): Promise<void> {
  await Holding.updateOne(
    { accountId: wallet.accountId, asset },
    {
      $set: { quantity },
      $setOnInsert: { userId: wallet.userId, walletId: wallet.walletId, accountId: wallet.accountId, asset },
    },
    { upsert: true },
  );
  await announceHoldings(broker, wallet.userId, wallet.walletId);
}

/** False when the wallet did not hold the asset. */
export async function deleteManualHolding(
  broker: ServiceBroker,
  wallet: { userId: string; walletId: string },
  asset: string,
): Promise<boolean> {
  const res = await Holding.deleteOne({ walletId: wallet.walletId, asset });
  if (!res.deletedCount) return false;
  await announceHoldings(broker, wallet.userId, wallet.walletId);
  return true;
}

export async function announceHoldings(
  broker: ServiceBroker,
  userId: string,
  walletId: string,
): Promise<void> {
  await markPositionsChanged(userId);
  const holdings = await Holding.find({ walletId }).lean<HoldingRecord[]>();
  emitEvent(broker, 'wallet.holdings.changed', {
    userId,
    walletId,
    holdings: holdings.map((h) => ({ accountId: h.accountId, asset: h.asset, quantity: h.quantity })),
  });
}
