// Net worth history in MongoDB: points written by the portfolio actors' owners, pruned by
// retention, read by range or at an instant. See domain/history.ts for the rules.
import { NetWorthPoint, type NetWorthPointRecord } from '../../infra/models/history.model.ts';
import { insertNew } from '../../infra/db.ts';
import { resolutionOf, retentionCutoffs } from '../../domain/history.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';

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
