// Latency figures kept in a bounded reservoir: the most recent samples, with quantiles on
// demand. Used by the portfolio service (tick → actor) and the benchmarks (tick → ws).

import type { LatencySummary } from '@finexia/contracts/internal.ts';

export class LatencySample {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;
  /** every sample ever recorded since the last reset, including those the reservoir let go */
  private total = 0;
  private maxSeen = 0;

  constructor(capacity = 100_000) {
    this.samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.filled = Math.min(this.filled + 1, this.samples.length);
    this.total += 1;
    if (ms > this.maxSeen) this.maxSeen = ms;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.filled).sort();
    const at = (q: number) =>
      sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) : 0;
    return { count: this.total, p50: at(0.5), p99: at(0.99), max: this.maxSeen };
  }

  reset(): void {
    this.next = 0;
    this.filled = 0;
    this.total = 0;
    this.maxSeen = 0;
  }
}
