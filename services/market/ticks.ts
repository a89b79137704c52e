// The tick pipeline: raw ticks from every feed are checked (a bad one is counted by reason and
// dropped), folded into candles (every accepted tick: highs and lows), conflated per symbol
// (RxJS, latest wins) within one turn of the event loop and broadcast as `market.ticks`, so no
// queue grows without bound. It keeps each symbol's last price.
import type { ServiceBroker } from 'moleculer';
import { Observable, Subject, filter, map, type OperatorFunction, type Subscription } from 'rxjs';
import type { Tick } from '@finexia/contracts/api.ts';
import type { MarketStats } from '@finexia/contracts/internal.ts';
import { checkTick, conflate, type TickRejection } from '../../domain/ticks.ts';
import { CandleBook } from '../../domain/candles.ts';
import { Decimal } from '../../domain/money.ts';
import { broadcastEvent } from '../../infra/events.ts';
import { METRICS } from '../../infra/metrics.ts';
import { LatencySample } from '../../infra/latency.ts';

const MAX_TICK_AGE_MS = 60_000;
const MAX_SKEW_MS = 5_000;

/**
 * Batches what arrives within one turn of the event loop: a frame of the all-market stream (one
 * a second, every changed symbol) is one batch the moment it is parsed, and ticks that arrive
 * together under load are conflated together. It replaced a 50 ms window, which was most of
 * tick → portfolio latency (p50 36 ms of it, bench:realtime) and held every burst back.
 */
export function bufferTurn<T>(): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let flush: NodeJS.Immediate | undefined;
      const subscription = source.subscribe({
        next(value) {
          batch.push(value);
          flush ??= setImmediate(() => {
            flush = undefined;
            const ready = batch;
            batch = [];
            subscriber.next(ready);
          });
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          if (flush) clearImmediate(flush);
          if (batch.length) subscriber.next(batch);
          subscriber.complete();
        },
      });
      return () => {
        if (flush) clearImmediate(flush);
        subscription.unsubscribe();
      };
    });
}

export class TickPipeline {
  /** the latest published tick of each symbol */
  readonly lastPrices = new Map<string, Tick>();
  /** every accepted tick, as 1 m / 1 h / 1 d candles (closed ones are stored by candles.ts) */
  readonly candles = new CandleBook();
  private readonly lastTs = new Map<string, number>();
  private readonly incoming = new Subject<unknown>();
  private subscription?: Subscription;
  private readonly counts = {
    accepted: 0,
    published: 0,
    batches: 0,
    rejected: { malformed: 0, 'non-positive': 0, stale: 0, future: 0, 'out-of-order': 0 } as Record<
      TickRejection,
      number
    >,
  };
  private readonly publishLag = new LatencySample();

  /** `onPublished`: what else wants each published batch (last prices kept in Redis). */
  constructor(
    private readonly broker: ServiceBroker,
    private readonly onPublished: (ticks: Tick[]) => void = () => undefined,
  ) {}

  /** A raw tick from any feed; checked on its way in. */
  push(raw: unknown): void {
    this.incoming.next(raw);
  }

  start(): void {
    this.subscription = this.incoming
      .pipe(
        map((raw) => this.accept(raw)),
        filter((t): t is Tick => t !== undefined),
        bufferTurn(),
        map((batch) => conflate(batch)),
      )
      .subscribe((ticks) => this.publish(ticks));
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  /** A price known from before (another node's, kept in Redis): used until a newer one comes. */
  remember(tick: Tick): void {
    if (this.lastPrices.has(tick.symbol)) return;
    this.lastPrices.set(tick.symbol, tick);
    this.lastTs.set(tick.symbol, tick.ts);
  }

  /** Ticks accepted, published and rejected (by reason) on this node; `reset` restarts the lag sample. */
  stats(reset = false): MarketStats {
    const publishLagMs = this.publishLag.summary();
    if (reset) this.publishLag.reset();
    // a copy: local callers must not hold the live counters
    return {
      node: this.broker.nodeID,
      symbols: this.lastPrices.size,
      ...this.counts,
      rejected: { ...this.counts.rejected },
      publishLagMs,
    };
  }

  private accept(raw: unknown): Tick | undefined {
    const symbol = typeof raw === 'object' && raw !== null ? (raw as { symbol?: unknown }).symbol : undefined;
    const result = checkTick(raw, typeof symbol === 'string' ? this.lastTs.get(symbol) : undefined, {
      now: Date.now(),
      maxAgeMs: MAX_TICK_AGE_MS,
      maxSkewMs: MAX_SKEW_MS,
    });
    if (!result.ok) {
      this.counts.rejected[result.reason] += 1;
      this.broker.metrics.increment(METRICS.ticksRejected, { reason: result.reason });
      return undefined;
    }
    this.lastTs.set(result.tick.symbol, result.tick.ts);
    this.broker.metrics.increment(METRICS.ticksAccepted);
    // candles see every accepted tick (highs and lows), before conflation keeps only the latest
    this.candles.add(result.tick.symbol, Decimal.parse(result.tick.price).units, result.tick.ts);
    this.counts.accepted += 1;
    return result.tick;
  }

  private publish(ticks: Tick[]): void {
    const now = Date.now();
    for (const t of ticks) {
      this.lastPrices.set(t.symbol, t);
      this.publishLag.record(now - t.ts);
    }
    this.counts.published += ticks.length;
    this.counts.batches += 1;
    this.onPublished(ticks);
    // every portfolio node needs every tick: its actors decide whether they hold the symbol
    broadcastEvent(this.broker, 'market.ticks', { ticks });
  }
}
