import { describe, expect, it } from 'vitest';
import { forEachInSlices, YIELD_EVERY } from './concurrency.ts';
import { LatencySample } from './latency.ts';

describe('work in slices', () => {
  it('lets the event loop turn between slices and records each slice', async () => {
    const items = Array.from({ length: YIELD_EVERY * 3 + 10 }, (_, i) => i);
    const seen: number[] = [];
    // a callback queued before the pass runs while the pass is under way, not after it
    let turnedAt: number | undefined;
    setImmediate(() => (turnedAt = seen.length));
    const holds = new LatencySample(100);
    await forEachInSlices(items, (i) => seen.push(i), holds);
    expect(seen).toEqual(items);
    expect(turnedAt).toBe(YIELD_EVERY);
    expect(holds.summary().count).toBe(4);
  });
});
