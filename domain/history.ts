// Net worth history: points are the net worth at an instant t on a minute boundary. Every
// minute point is kept for a while; the points that fall on an hour (UTC) are kept longer,
// and the ones at midnight (UTC) forever — downsampling by keeping the boundary points
// instead of recomputing averages, so a stored point is always a value the user really had.
import { TZDate } from '@date-fns/tz';
import { startOfDay } from 'date-fns';
import type { HistoryRange } from '@finexia/contracts/api.ts';

export const RESOLUTIONS = ['m', 'h', 'd'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const BUCKET_MS: Record<Resolution, number> = { m: MINUTE, h: HOUR, d: DAY };

/** How long each resolution is kept (null: forever). */
export const RETENTION_MS: Record<Resolution, number | null> = { m: 2 * DAY, h: 90 * DAY, d: null };

const RANGE_MS: Record<Exclude<HistoryRange, 'ALL'>, number> = {
  '1D': DAY,
  '1W': 7 * DAY,
  '1M': 31 * DAY,
  '1Y': 366 * DAY,
};

/** The start of the minute containing `t`. */
export function minuteOf(t: number): number {
  return t - (((t % MINUTE) + MINUTE) % MINUTE);
}

/** The resolution a point at minute `t` is stored under: the coarsest boundary it falls on. */
export function resolutionOf(minute: number): Resolution {
  if (minute % DAY === 0) return 'd';
  if (minute % HOUR === 0) return 'h';
  return 'm';
}

/** The oldest instant still kept for each resolution at `now`. */
export function retentionCutoffs(now: number): { res: Resolution; before: number }[] {
  return RESOLUTIONS.flatMap((res) => {
    const keep = RETENTION_MS[res];
    return keep === null ? [] : [{ res, before: now - keep }];
  });
}

/** [from, to] of a named range ending at `now` (ALL starts at the epoch). */
export function rangeBounds(range: HistoryRange, now: number): { from: number; to: number } {
  return { from: range === 'ALL' ? 0 : now - RANGE_MS[range], to: now };
}

export interface HistoryPoint {
  t: number;
  /** net worth, a decimal string */
  value: string;
  /** rebuilt from the past with quantities assumed constant (or a price unknown) */
  estimated?: boolean;
}

/**
 * At most `maxPoints` points over [from, to]: one per bucket, the last in each (the value at
 * the end of the bucket), never fewer buckets than a minute apart. Input may mix resolutions
 * and hold the same instant twice; the output is sorted and has one point per instant.
 */
export function downsample<P extends HistoryPoint>(
  points: readonly P[],
  from: number,
  to: number,
  maxPoints: number,
): P[] {
  const span = Math.max(1, to - from);
  const bucket = Math.max(MINUTE, Math.ceil(span / Math.max(1, maxPoints) / MINUTE) * MINUTE);
  const sorted = [...points].filter((p) => p.t >= from && p.t <= to).sort((a, b) => a.t - b.t);
  const out: P[] = [];
  let currentBucket: number | undefined;
  for (const p of sorted) {
    const b = Math.floor((p.t - from) / bucket);
    if (b === currentBucket) out[out.length - 1] = p;
    else out.push(p);
    currentBucket = b;
  }
  return out;
}

/** The value at instant `t`: the latest point at or before it (undefined before the first). */
export function valueAt(points: readonly HistoryPoint[], t: number): HistoryPoint | undefined {
  let best: HistoryPoint | undefined;
  for (const p of points) if (p.t <= t && (!best || p.t > best.t)) best = p;
  return best;
}

/** Midnight of the day containing `now` in the user's time zone, as an instant. */
export function startOfLocalDay(now: number, timeZone: string): number {
  return startOfDay(new TZDate(now, timeZone)).getTime();
}
