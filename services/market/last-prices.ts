// Last prices outlive a market node in a cluster: kept in Redis (one hash per namespace, so
// clusters sharing a Redis never mix prices), read back at start, so a restarted node prices at
// once. One process keeps them in memory only.
import type { Redis } from 'ioredis';
import type { Tick } from '@finexia/contracts/api.ts';
import { Decimal } from '../../domain/money.ts';

export class LastPricesStore {
  /** published since the last write: the latest per symbol */
  private readonly unsaved = new Map<string, Tick>();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  /** Ticks just published, written at the next `flush`. */
  remember(ticks: Tick[]): void {
    for (const t of ticks) this.unsaved.set(t.symbol, t);
  }

  /**
   * Writes what was published since the last write, every few seconds (per burst, encoding
   * ~1,400 of them took ~16 ms of a gateway's burst in bench:realtime); what a failed write held
   * is kept for the next.
   */
  async flush(): Promise<void> {
    if (!this.unsaved.size) return;
    const ticks = [...this.unsaved.values()];
    this.unsaved.clear();
    try {
      await this.redis.hset(this.key, Object.fromEntries(ticks.map((t) => [t.symbol, JSON.stringify(t)])));
    } catch (err) {
      for (const t of ticks) if (!this.unsaved.has(t.symbol)) this.unsaved.set(t.symbol, t);
      throw err;
    }
  }

  /** Every price kept (those whose price does not parse are skipped). */
  async load(): Promise<Tick[]> {
    const stored = await this.redis.hgetall(this.key);
    return Object.values(stored)
      .map((json) => JSON.parse(json) as Tick)
      .filter((tick) => Decimal.tryParse(tick.price) !== undefined);
  }
}
