// A brokerage wallet (a Plaid item linked for investments) read as what it holds: its accounts,
// and per account a holding per security (named by domain/securities.ts, so its class follows
// from its key) with the brokerage's price and cost basis; its cash is a holding in its currency.
// The brokerage's prices go to the market as quotes: a fund moves once a day at its NAV, and a
// security the live feed does not carry is valued at its last close.
import type { ServiceBroker } from 'moleculer';
import { callAction } from '../../infra/actions.ts';
import { Holding, InvestmentTransaction } from '../../infra/models/wallet.model.ts';
import { Decimal } from '../../domain/money.ts';
import { securityAsset } from '../../domain/securities.ts';
import type { BrokerageHoldings, BrokerageSecurity, BrokerageTransaction } from '../../domain/providers.ts';
import type { SecurityQuote } from '@finexia/contracts/internal.ts';
import { accountIdsFor, upsertBankAccounts } from './accounts.ts';
import { announceHoldings } from './holdings.ts';

interface Held {
  accountId: string;
  asset: string;
  quantity: Decimal;
  /** null when the brokerage did not report it for one of the lots */
  costBasis: Decimal | null;
  name: string | null;
  price: string | null;
  priceCurrency: string | null;
  priceAsOf: string | null;
}

/**
 * The brokerage's accounts stored (with their balances), and our account id for each provider
 * account its holdings and transactions name (one it did not report is an error, as for a bank).
 */
export async function storeBrokerageAccounts(
  wallet: { userId: string; walletId: string },
  accounts: BrokerageHoldings['accounts'],
  named: Iterable<string>,
): Promise<Map<string, string>> {
  await upsertBankAccounts(wallet.userId, wallet.walletId, accounts);
  return accountIdsFor(wallet.userId, wallet.walletId, named, accounts);
}

/**
 * Stores what a brokerage reports; holdings it no longer reports are removed. Returns the
 * securities it could not name (no ticker or CUSIP, a derivative), which are left out and said.
 */
export async function storeBrokerage(
  broker: ServiceBroker,
  wallet: { userId: string; walletId: string },
  reported: BrokerageHoldings,
  accountIds: ReadonlyMap<string, string>,
): Promise<{ unnamed: string[] }> {
  const { userId, walletId } = wallet;
  const securities = new Map(reported.securities.map((s) => [s.securityId, s]));
  const held = new Map<string, Held>();
  const unnamed: string[] = [];
  for (const h of reported.holdings) {
    const security = securities.get(h.securityId);
    const named = security ? securityAsset(security) : undefined;
    if (!named) {
      unnamed.push(security?.name ?? h.securityId);
      continue;
    }
    const isCash = named === 'cash';
    const asset = isCash ? h.currency : named;
    const accountId = accountIds.get(h.providerAccountId) as string;
    const key = `${accountId}\u0000${asset}`;
    const before = held.get(key);
    // a cash holding's quantity is its amount (at a price of 1)
    const quantity = Decimal.parse(h.quantity);
    const costBasis = isCash || h.costBasis === null ? null : Decimal.parse(h.costBasis);
    held.set(key, {
      accountId,
      asset,
      quantity: before ? before.quantity.add(quantity) : quantity,
      // two lots of one security in one account: one holding, their bases added (unknown if either is)
      costBasis: before
        ? before.costBasis && costBasis
          ? before.costBasis.add(costBasis)
          : null
        : costBasis,
      name: isCash ? null : (security?.name ?? null),
      price: isCash ? null : h.price,
      priceCurrency: isCash ? null : h.currency,
      priceAsOf: isCash ? null : h.priceAsOf,
    });
  }
  for (const h of held.values())
    await Holding.updateOne(
      { accountId: h.accountId, asset: h.asset },
      {
        $set: {
          quantity: h.quantity.toString(),
          locked: '0',
          name: h.name,
          costBasis: h.costBasis?.toString() ?? null,
          price: h.price,
          priceCurrency: h.priceCurrency,
          priceAsOf: h.priceAsOf,
        },
        $setOnInsert: { userId, walletId, accountId: h.accountId, asset: h.asset },
      },
      { upsert: true },
    );
  const kept = new Set(held.keys());
  const stored = await Holding.find({ walletId }).select({ accountId: 1, asset: 1 }).lean();
  const gone = stored.filter((h) => !kept.has(`${h.accountId}\u0000${h.asset}`)).map((h) => h._id);
  if (gone.length) await Holding.deleteMany({ _id: { $in: gone } });
  const quotes: SecurityQuote[] = [...held.values()].flatMap((h) =>
    h.price && h.priceCurrency
      ? [{ asset: h.asset, price: h.price, currency: h.priceCurrency, asOf: h.priceAsOf }]
      : [],
  );
  // priced before the portfolio hears of the holdings, so it values them at once
  if (quotes.length) await callAction(broker, 'market.quoteSecurities', { quotes });
  await announceHoldings(broker, userId, walletId);
  return { unnamed };
}

/**
 * Stores a brokerage's transactions (keyed by its ids: a repeat changes nothing), each naming its
 * security as holdings do. Returns how many were new.
 */
export async function storeInvestmentTransactions(
  wallet: { userId: string; walletId: string },
  reported: { transactions: BrokerageTransaction[]; securities: BrokerageSecurity[] },
  accountIds: ReadonlyMap<string, string>,
): Promise<number> {
  const { userId, walletId } = wallet;
  const securities = new Map(reported.securities.map((s) => [s.securityId, s]));
  let added = 0;
  for (const t of reported.transactions) {
    const security = t.securityId ? securities.get(t.securityId) : undefined;
    const named = security ? securityAsset(security) : undefined;
    const res = await InvestmentTransaction.updateOne(
      { walletId, providerTransactionId: t.providerTransactionId },
      {
        $set: {
          accountId: accountIds.get(t.providerAccountId) as string,
          date: t.date,
          name: t.name,
          asset: named && named !== 'cash' ? named : null,
          type: t.type,
          subtype: t.subtype,
          quantity: t.quantity,
          amount: t.amount,
          price: t.price,
          fees: t.fees,
          currency: t.currency,
        },
        $setOnInsert: { userId, walletId, providerTransactionId: t.providerTransactionId },
      },
      { upsert: true },
    );
    added += res.upsertedCount;
  }
  return added;
}
