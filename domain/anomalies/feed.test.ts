import { describe, expect, it } from 'vitest';
import {
  advance,
  emptyFeed,
  firstIdOf,
  fromRuns,
  idSeconds,
  LATE_WINDOW_SECONDS,
  readFrom,
  toRuns,
  unseen,
} from './feed.ts';

// an ObjectId made at `seconds` by some node, the n-th of that second
const id = (seconds: number, n = 0) => firstIdOf(seconds).slice(0, 8) + n.toString(16).padStart(16, '0');
const T0 = 1_764_000_000;

describe('the detector feed cursor', () => {
  it('reads everything the first time, then from the late window before the newest id', () => {
    const feed = emptyFeed();
    expect(readFrom(feed)).toBeNull();
    const next = advance(feed, [id(T0, 1), id(T0 + 5), id(T0, 2)]);
    expect(next.last).toBe(id(T0 + 5));
    expect(idSeconds(readFrom(next)!)).toBe(T0 + 5 - LATE_WINDOW_SECONDS);
  });

  it('learns a late arrival (an older id stored after the cursor moved) once', () => {
    let feed = advance(emptyFeed(), [id(T0), id(T0 + 100)]);
    // another node, its clock 40 s behind, stores one now: its id sorts before the cursor
    const late = { seq: id(T0 + 60, 7) };
    const read = [{ seq: id(T0) }, late, { seq: id(T0 + 100) }].filter((t) => t.seq >= readFrom(feed)!);
    expect(unseen(feed, read)).toEqual([late]);
    feed = advance(feed, [late.seq]);
    expect(unseen(feed, read)).toEqual([]);
    expect(feed.last).toBe(id(T0 + 100));
  });

  it('forgets ids once they are older than the window, and never reads them again', () => {
    const feed = advance(advance(emptyFeed(), [id(T0), id(T0 + 1)]), [id(T0 + LATE_WINDOW_SECONDS + 2)]);
    expect(fromRuns(feed.recent)).toEqual([id(T0 + LATE_WINDOW_SECONDS + 2)]);
    expect(readFrom(feed)! > id(T0 + 1)).toBe(true);
  });

  it('keeps its place when a read brings nothing new', () => {
    const feed = advance(emptyFeed(), [id(T0)]);
    expect(advance(feed, [])).toEqual(feed);
    expect(advance(emptyFeed(), [])).toEqual(emptyFeed());
  });

  it('keeps a large insert (consecutive ids) as one run per second and process, exactly', () => {
    const ids = [
      ...Array.from({ length: 4000 }, (_, n) => id(T0, n + 10)),
      ...Array.from({ length: 400 }, (_, n) => id(T0 + 1, n + 4010)),
    ];
    const stray = id(T0 + 1, 99_999);
    const runs = toRuns([stray, ...ids.reverse()]);
    expect(runs).toHaveLength(3);
    expect(fromRuns(runs).sort()).toEqual([...ids, stray].sort());
    const feed = advance(emptyFeed(), ids);
    expect(unseen(feed, [{ seq: id(T0, 9) }, { seq: id(T0, 10) }, { seq: id(T0, 4010) }])).toEqual([
      { seq: id(T0, 9) },
      { seq: id(T0, 4010) },
    ]);
  });

  it('refuses what is not an ObjectId', () => {
    expect(() => idSeconds('zz')).toThrow(/ObjectId/);
  });
});
