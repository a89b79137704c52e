import { describe, expect, it } from 'vitest';
import {
  downsample,
  minuteOf,
  rangeBounds,
  resolutionOf,
  retentionCutoffs,
  startOfLocalDay,
  valueAt,
  type HistoryPoint,
} from './history.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 25); // midnight UTC

describe('net worth history', () => {
  it('stores a minute point under the coarsest boundary it falls on', () => {
    expect(resolutionOf(T0)).toBe('d');
    expect(resolutionOf(T0 + 3 * HOUR)).toBe('h');
    expect(resolutionOf(T0 + 3 * HOUR + MIN)).toBe('m');
    expect(minuteOf(T0 + 3 * HOUR + MIN + 59_999)).toBe(T0 + 3 * HOUR + MIN);
  });

  it('keeps minutes for two days, hours for ninety, days forever', () => {
    const cutoffs = retentionCutoffs(T0);
    expect(cutoffs).toEqual([
      { res: 'm', before: T0 - 2 * DAY },
      { res: 'h', before: T0 - 90 * DAY },
    ]);
  });

  it('downsamples to at most maxPoints, keeping the last value of each bucket', () => {
    const points: HistoryPoint[] = Array.from({ length: 1440 }, (_, i) => ({
      t: T0 + i * MIN,
      value: String(i),
    }));
    const out = downsample(points, T0, T0 + DAY, 96);
    expect(out.length).toBeLessThanOrEqual(96);
    expect(out.length).toBeGreaterThan(90);
    // 15-minute buckets: the last minute of the first bucket is minute 14
    expect(out[0]).toEqual({ t: T0 + 14 * MIN, value: '14' });
    expect(out.at(-1)).toEqual({ t: T0 + 1439 * MIN, value: '1439' });
    // sorted, one point per instant, even when resolutions overlap
    const mixed = downsample([...points.slice(0, 3), { t: T0, value: '0' }], T0, T0 + 2 * MIN, 10);
    expect(mixed.map((p) => p.t)).toEqual([T0, T0 + MIN, T0 + 2 * MIN]);
  });

  it('gives the value at any past instant: the latest point at or before it', () => {
    const points = [
      { t: T0 - DAY, value: '100' },
      { t: T0, value: '120' },
      { t: T0 + HOUR, value: '90' },
    ];
    expect(valueAt(points, T0 - DAY - 1)).toBeUndefined();
    expect(valueAt(points, T0 + 30 * MIN)?.value).toBe('120');
    expect(valueAt(points, T0 + HOUR)?.value).toBe('90');
  });

  it('names ranges and finds local midnight in the user time zone', () => {
    expect(rangeBounds('1W', T0)).toEqual({ from: T0 - 7 * DAY, to: T0 });
    expect(rangeBounds('ALL', T0).from).toBe(0);
    const now = T0 + 2 * HOUR; // 02:00 UTC
    expect(startOfLocalDay(now, 'UTC')).toBe(T0);
    // New York is UTC−5 in November: 02:00 UTC is still the 24th there, which began at 05:00 UTC on the 24th
    expect(startOfLocalDay(now, 'America/New_York')).toBe(T0 - DAY + 5 * HOUR);
    // Tokyo (UTC+9): the 25th began at 15:00 UTC on the 24th
    expect(startOfLocalDay(now, 'Asia/Tokyo')).toBe(T0 - 9 * HOUR);
  });
});
