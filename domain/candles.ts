// OHLC candles per symbol at 1 m, 1 h and 1 d, folded tick by tick. A candle closes when a
// tick of a later bucket arrives; closed candles are handed out once for storage.
import { Decimal } from './money.ts';
import { CANDLE_INTERVALS, type CandleInterval } from '@finexia/contracts/api.ts';

export const INTERVAL_MS: Record<CandleInterval, number> = {
  '1m': 60_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

/** How long stored candles are kept (null: forever). */
export const CANDLE_RETENTION_MS: Record<CandleInterval, number | null> = {
  '1m': 7 * 86_400_000,
  '1h': 366 * 86_400_000,
  '1d': null,
};

export interface Candle {
  symbol: string;
  interval: CandleInterval;
  /** bucket start (ms) */
  t: number;
  open: string;
  high: string;
  low: string;
  close: string;
  /** ticks folded in */
  ticks: number;
}

interface OpenCandle {
  t: number;
  open: bigint;
  high: bigint;
  low: bigint;
  close: bigint;
  ticks: number;
}

const text = (units: bigint) => Decimal.fromUnits(units).toString();

export class CandleBook {
  private readonly open = new Map<CandleInterval, Map<string, OpenCandle>>(
    CANDLE_INTERVALS.map((i) => [i, new Map()]),
  );
  private closed: Candle[] = [];

  /** Folds a tick (price as Decimal units) into the symbol's open candles. */
  add(symbol: string, price: bigint, ts: number): void {
    for (const interval of CANDLE_INTERVALS) {
      const t = ts - (ts % INTERVAL_MS[interval]);
      const candles = this.open.get(interval) as Map<string, OpenCandle>;
      const c = candles.get(symbol);
      if (c && c.t === t) {
        if (price > c.high) c.high = price;
        if (price < c.low) c.low = price;
        c.close = price;
        c.ticks += 1;
        continue;
      }
      // a tick older than the open candle (ticks are ordered per symbol upstream) is ignored here
      if (c && t < c.t) continue;
      if (c) this.closed.push(toCandle(symbol, interval, c));
      candles.set(symbol, { t, open: price, high: price, low: price, close: price, ticks: 1 });
    }
  }

  /** Candles that closed since the last call (each once). */
  drainClosed(): Candle[] {
    const out = this.closed;
    this.closed = [];
    return out;
  }

  /** Puts candles back (their storage failed; they go out with the next drain). */
  restore(candles: Candle[]): void {
    this.closed.unshift(...candles);
  }

  /** The open candle of a symbol at an interval, if any. */
  current(symbol: string, interval: CandleInterval): Candle | undefined {
    const c = this.open.get(interval)?.get(symbol);
    return c ? toCandle(symbol, interval, c) : undefined;
  }
}

function toCandle(symbol: string, interval: CandleInterval, c: OpenCandle): Candle {
  return {
    symbol,
    interval,
    t: c.t,
    open: text(c.open),
    high: text(c.high),
    low: text(c.low),
    close: text(c.close),
    ticks: c.ticks,
  };
}
