// Net worth history in MongoDB: a point per live portfolio each minute (written by its
// owner, when it changed, and always on hour and day boundaries), pruned by retention, read by
// range (downsampled, ending with the live value) or at an instant. See domain/history.ts.
import type { HistoryRange, HistoryResponse, ValueAtResponse } from '@finexia/contracts/api.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import { NetWorthPoint, type NetWorthPointRecord } from '../../infra/models/history.model.ts';
import { insertNew } from '../../infra/db.ts';
import { forEachInSlices } from '../../infra/concurrency.ts';
import type { LatencySample } from '../../infra/latency.ts';
import { downsample, minuteOf, rangeBounds, resolutionOf, retentionCutoffs } from '../../domain/history.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';
import { notFound } from '../../domain/errors.ts';
import type { LivePortfolio } from './host.ts';
import type { Valuation } from './valuation.ts';

export interface PointInput {
  userId: string;
  /** a minute boundary */
  t: number;
  usd: string;
  value: string;
  currency: string;
}

/** Stores points; one already stored for that user and instant is kept as it is. */
export async function recordPoints(points: PointInput[]): Promise<number> {
  const docs = points.map((p) => ({
    _id: `${p.userId}:${p.t}`,
    userId: p.userId,
    t: new Date(p.t),
    res: resolutionOf(p.t),
    usd: p.usd,
    value: p.value,
    currency: p.currency,
  }));
  const { duplicates } = await insertNew(NetWorthPoint, docs);
  return docs.length - duplicates.length;
}

/** Drops points past their resolution's retention; idempotent, any node may run it. */
export async function pruneHistory(now: number): Promise<number> {
  let deleted = 0;
  for (const { res, before } of retentionCutoffs(now)) {
    const result = await NetWorthPoint.deleteMany({ res, t: { $lt: new Date(before) } });
    deleted += result.deletedCount;
  }
  return deleted;
}

/** A user's points in [from, to], oldest first. */
export async function loadPoints(userId: string, from: number, to: number): Promise<NetWorthPointRecord[]> {
  return NetWorthPoint.find({ userId, t: { $gte: new Date(from), $lte: new Date(to) } })
    .sort({ t: 1 })
    .lean<NetWorthPointRecord[]>();
}

/** A point's value in `currency`: as recorded, or (recorded in another base currency) its exact USD value at `perUsd`. */
export function pointValue(point: NetWorthPointRecord, currency: string, perUsd: Decimal): string {
  if (point.currency === currency) return point.value;
  return Decimal.parse(point.usd).mul(perUsd).round(currencyDigits(currency)).toString();
}

/** The latest point at or before `t` (the net worth the user had then). */
export async function pointAt(userId: string, t: number): Promise<NetWorthPointRecord | null> {
  return NetWorthPoint.findOne({ userId, t: { $lte: new Date(t) } })
    .sort({ t: -1 })
    .lean<NetWorthPointRecord>();
}

/** A live portfolio's point for the minute starting at `minute`. */
function pointOf(portfolio: LivePortfolio, minute: number): PointInput {
  const usd = portfolio.state.netWorth();
  return {
    userId: portfolio.userId,
    t: minute,
    usd: usd.toString(),
    value: usd.mul(portfolio.base.perUsd).round(currencyDigits(portfolio.base.currency)).toString(),
    currency: portfolio.base.currency,
  };
}

/**
 * One point per live portfolio for the minute starting at `now`: when its value changed
 * since the last point, and always on an hour or day boundary (those outlive minutes). `holds`
 * records how long each slice of the pass held the event loop.
 */
export async function recordHistory(
  portfolios: Iterable<LivePortfolio>,
  now: number,
  holds?: LatencySample,
): Promise<number> {
  const minute = minuteOf(now);
  const boundary = resolutionOf(minute) !== 'm';
  const due: { portfolio: LivePortfolio; point: PointInput }[] = [];
  // in slices: a node's 10,000 points in one turn held its event loop ~25 ms (bench:realtime)
  await forEachInSlices(
    portfolios,
    (portfolio) => {
      const point = pointOf(portfolio, minute);
      if (boundary || point.usd !== portfolio.recordedUsd) due.push({ portfolio, point });
    },
    holds,
  );
  const written = await recordPoints(due.map((d) => d.point));
  for (const d of due) d.portfolio.recordedUsd = d.point.usd;
  if (minute % 3_600_000 === 0) await pruneHistory(now);
  return written;
}

export interface HistoryQuery {
  range?: HistoryRange;
  from?: Date;
  to?: Date;
  points?: number;
}

/** Net worth over a named range or between `from` and `to`, at most `points` points, ending with the live value. */
export async function historyOf(
  live: PortfolioView,
  query: HistoryQuery,
  valuation: Valuation,
): Promise<HistoryResponse> {
  const now = Date.now();
  const named = rangeBounds(query.range ?? '1M', now);
  const to = Math.min(query.to?.getTime() ?? now, now);
  const records = await loadPoints(live.userId, query.from?.getTime() ?? named.from, to);
  // ALL starts at the first point (its slices then span the history, not the years before it)
  const from =
    query.from?.getTime() ?? (query.range === 'ALL' ? (records[0]?.t.getTime() ?? named.from) : named.from);
  const perUsd = await valuation.rateFor(
    live.userId,
    live.currency,
    records.map((p) => p.currency),
  );
  const points = records.map((p) => ({
    t: p.t.getTime(),
    value: pointValue(p, live.currency, perUsd),
    ...(p.estimated ? { estimated: true } : {}),
  }));
  const sampled = downsample(points, from, to, (query.points ?? 300) - 1);
  if (to >= now - 60_000) sampled.push({ t: now, value: live.netWorth });
  return {
    currency: live.currency,
    range: query.from || query.to ? null : (query.range ?? '1M'),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    points: sampled.map((p) => ({
      t: new Date(p.t).toISOString(),
      value: p.value,
      ...(p.estimated ? { estimated: true } : {}),
    })),
  };
}

/** The net worth the user had at instant `t`: live now (to the second), else the latest point at or before it. */
export async function valueAt(live: PortfolioView, at: Date, valuation: Valuation): Promise<ValueAtResponse> {
  const t = Math.min(at.getTime(), Date.now());
  if (t >= Date.now() - 1_000)
    return {
      t: new Date(t).toISOString(),
      value: live.netWorth,
      currency: live.currency,
      recordedAt: live.asOf,
    };
  const point = await pointAt(live.userId, t);
  if (!point) throw notFound('Net worth history at that time');
  const perUsd = await valuation.rateFor(live.userId, live.currency, [point.currency]);
  return {
    t: new Date(t).toISOString(),
    value: pointValue(point, live.currency, perUsd),
    currency: live.currency,
    recordedAt: point.t.toISOString(),
  };
}
