import { describe, expect, it } from 'vitest';
import { LatencySample } from './latency.ts';

describe('LatencySample', () => {
  it('reports p50, p99 and max of what it recorded', () => {
    const s = new LatencySample();
    for (let i = 1; i <= 1000; i += 1) s.record(i);
    expect(s.summary()).toEqual({ count: 1000, p50: 501, p99: 991, max: 1000 });
    s.reset();
    expect(s.summary()).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });

  it('keeps only the latest samples for quantiles but counts and maxes all', () => {
    const s = new LatencySample(10);
    s.record(5000);
    for (let i = 0; i < 10; i += 1) s.record(1);
    expect(s.summary()).toEqual({ count: 11, p50: 1, p99: 1, max: 5000 });
  });
});
