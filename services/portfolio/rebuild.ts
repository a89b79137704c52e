// A user's net worth history rebuilt back to the first transaction, after a sync or an import
// brought the past in (domain/reconstruction.ts does the arithmetic): one point per past day, at
// the following UTC midnight, stored beside the live ones. A later rebuild replaces the rebuilt
// points (relinking or importing again doubles nothing); a live point is never replaced.
import { preferencesOf } from '../../infra/user-preferences.ts';
import { callAction } from '../../infra/actions.ts';
import type { ServiceBroker } from 'moleculer';
import {
  Account,
  BalancePoint,
  Holding,
  InvestmentTransaction,
  ChainTransaction,
  type AccountRecord,
} from '../../infra/models/wallet.model.ts';
import { NetWorthPoint } from '../../infra/models/history.model.ts';
import { callJsonLines } from '../../infra/streams.ts';
import { HISTORY_READ_MS, insertNew } from '../../infra/db.ts';
import { emitEvent } from '../../infra/events.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { providersOf } from '../../infra/providers.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';
import { AppError } from '../../domain/errors.ts';
import { addDays, carriedForward, todayUtc } from '../../domain/dates.ts';
import { FIAT_CURRENCIES } from '../../domain/portfolio.ts';
import {
  daysBetween,
  firstKnownDay,
  rebuildDaily,
  type RebuildAccount,
} from '../../domain/reconstruction.ts';

/** How far back a history is rebuilt at most. */
const MAX_DAYS = 3 * 366;
const DAY_MS = 86_400_000;
const ONE = Decimal.parse('1');

export interface RebuildResult {
  days: number;
  estimated: number;
  from: string | null;
  to: string | null;
}

type Logger = ServiceBroker['logger'];

/**
 * `mayWrite`: false once the node has stopped hosting (the rebuild ran past its stop's drain): its
 * points are then not written — in tests the database may be gone, and a write would recreate it.
 */
export async function rebuildHistory(
  broker: ServiceBroker,
  logger: Logger,
  userId: string,
  mayWrite: () => boolean,
): Promise<RebuildResult> {
  const yesterday = addDays(todayUtc(), -1);
  const [prefs, accountRecords, holdingRecords, recorded, activity, onChain, rows] = await Promise.all([
    preferencesOf(userId),
    Account.find({ userId }).lean<AccountRecord[]>(),
    Holding.find({ userId }).lean(),
    BalancePoint.find({ userId }).lean(),
    InvestmentTransaction.find({ userId })
      .select({ accountId: 1, asset: 1, date: 1, quantity: 1, amount: 1, currency: 1 })
      .lean(),
    ChainTransaction.find({ userId }).select({ accountId: 1, asset: 1, date: 1, quantity: 1 }).lean(),
    callJsonLines(
      broker,
      'transactions.cashflowOf',
      { userId, from: addDays(yesterday, -MAX_DAYS) },
      HISTORY_READ_MS,
    ),
  ]);
  const base = prefs?.baseCurrency ?? 'USD';
  const recordedByWallet = new Map<string, { date: string; balance: Decimal }[]>();
  for (const r of recorded)
    recordedByWallet.set(r.walletId, [
      ...(recordedByWallet.get(r.walletId) ?? []),
      { date: r.date, balance: Decimal.parse(r.balance) },
    ]);
  const accounts: RebuildAccount[] = accountRecords.map((a) => ({
    publicId: a.publicId,
    type: a.type,
    currency: a.currency,
    current: a.current ?? null,
    ...(a.providerAccountId === 'manual' && recordedByWallet.has(a.walletId)
      ? { recorded: recordedByWallet.get(a.walletId) }
      : {}),
  }));
  const flows = rows
    .filter((r) => !r.pending)
    .map((r) => ({
      accountId: r.accountId,
      date: r.date,
      amount: Decimal.parse(r.amount),
      currency: r.currency,
    }));
  // a brokerage's activity: each trade moves units of its security, and every transaction its cash
  // (Plaid's amount is what left the account)
  const brokerageMovements = activity.flatMap((t) => {
    const cash = {
      accountId: t.accountId,
      asset: t.currency,
      date: t.date,
      quantity: Decimal.parse(t.amount).neg(),
    };
    const units = t.asset ? Decimal.parse(t.quantity) : Decimal.ZERO;
    return units.isZero()
      ? [cash]
      : [cash, { accountId: t.accountId, asset: t.asset as string, date: t.date, quantity: units }];
  });
  // a wallet on chain's transactions: each moves its asset in or out (its fee included)
  const movements = [
    ...brokerageMovements,
    ...onChain.map((t) => ({
      accountId: t.accountId,
      asset: t.asset,
      date: t.date,
      quantity: Decimal.parse(t.quantity),
    })),
  ];
  const first = firstKnownDay(accounts, [...flows, ...movements]);
  if (!first || first > yesterday) return { days: 0, estimated: 0, from: null, to: null };
  const from = first < addDays(yesterday, -MAX_DAYS) ? addDays(yesterday, -MAX_DAYS) : first;
  const days = daysBetween(from, yesterday);
  const holdings = holdingRecords.map((h) => ({
    accountId: h.accountId,
    asset: h.asset,
    quantity: h.quantity,
  }));

  // prices: FX fixings for every currency held (carried over weekends), daily closes for assets
  const currencies = [
    ...new Set([...accounts.map((a) => a.currency), ...holdings.map((h) => h.asset), base]),
  ].filter((c) => c !== 'USD' && FIAT_CURRENCIES.has(c));
  const fixings = currencies.length
    ? await providersOf(broker).fx().range(addDays(from, -7), yesterday, 'USD', currencies)
    : {};
  const assets = [...new Set(holdings.map((h) => h.asset))].filter((a) => !FIAT_CURRENCIES.has(a));
  const closes =
    assets.length && nodesRunning(broker, 'market').length
      ? (await callAction(broker, 'market.dailyCloses', { symbols: assets, from, to: yesterday })).closes
      : {};
  const perUsdOn = carriedForward(new Map(Object.entries(fixings)), days);
  const usdPer = (symbol: string, day: string): Decimal | undefined => {
    if (symbol === 'USD') return ONE;
    const close = closes[symbol]?.[day];
    if (close !== undefined) return Decimal.parse(close);
    const perUsd = perUsdOn.get(day)?.[symbol];
    return perUsd ? ONE.div(Decimal.parse(perUsd)) : undefined;
  };
  const rebuilt = rebuildDaily({ accounts, flows, holdings, movements, days, usdPer, fiat: FIAT_CURRENCIES });

  const digits = currencyDigits(base);
  const points = rebuilt.map((d) => {
    const t = Date.parse(`${d.day}T00:00:00Z`) + DAY_MS;
    const perUsd = base === 'USD' ? ONE : Decimal.parse(perUsdOn.get(d.day)?.[base] ?? '1');
    return {
      _id: `${userId}:${t}`,
      userId,
      t: new Date(t),
      res: 'd' as const,
      usd: d.usd.toString(),
      value: d.usd.mul(perUsd).round(digits).toString(),
      currency: base,
      rebuilt: true,
      estimated: d.estimated,
    };
  });
  if (!mayWrite())
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      'This node stopped before the rebuilt history could be written; the next sync rebuilds it.',
    );
  // the previous rebuild's points go; live points stay (an insert never replaces one)
  await NetWorthPoint.deleteMany({ userId, rebuilt: true });
  await insertNew(NetWorthPoint, points);
  const estimated = rebuilt.filter((d) => d.estimated).length;
  emitEvent(broker, 'portfolio.history.rebuilt', { userId, days: rebuilt.length, estimated });
  logger.info({ userId, days: rebuilt.length, estimated, from, to: yesterday }, 'net worth history rebuilt');
  return { days: rebuilt.length, estimated, from, to: yesterday };
}
