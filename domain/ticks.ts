// Ticks: normalised price updates {symbol, price, ts, source}. Bad ticks are rejected with
// a reason (counted by the market service) and change nothing; under load, ticks are
// conflated per symbol — the next one supersedes the last — so no queue grows without bound.
import { Decimal } from './money.ts';
import { ASSET_SYMBOL, TICK_SOURCES, type Tick } from '@finexia/contracts/api.ts';

import type { TickRejection } from '@finexia/contracts/internal.ts';
export type { TickRejection };

export interface TickCheckOptions {
  now: number;
  /** ticks older than this are stale */
  maxAgeMs: number;
  /** clocks disagree a little; more than this in the future is refused */
  maxSkewMs: number;
}

const SYMBOL = ASSET_SYMBOL;

/** Checks one raw tick against the last accepted timestamp of its symbol. */
export function checkTick(
  raw: unknown,
  lastTs: number | undefined,
  options: TickCheckOptions,
): { ok: true; tick: Tick } | { ok: false; reason: TickRejection } {
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'malformed' };
  const t = raw as Record<string, unknown>;
  if (
    typeof t.symbol !== 'string' ||
    !SYMBOL.test(t.symbol) ||
    typeof t.price !== 'string' ||
    typeof t.ts !== 'number' ||
    !Number.isFinite(t.ts)
  )
    return { ok: false, reason: 'malformed' };
  const price = Decimal.tryParse(t.price);
  if (!price) return { ok: false, reason: 'malformed' };
  if (price.isNegative() || price.isZero()) return { ok: false, reason: 'non-positive' };
  if (t.ts < options.now - options.maxAgeMs) return { ok: false, reason: 'stale' };
  if (t.ts > options.now + options.maxSkewMs) return { ok: false, reason: 'future' };
  if (lastTs !== undefined && t.ts < lastTs) return { ok: false, reason: 'out-of-order' };
  const source = TICK_SOURCES.find((s) => s === t.source) ?? 'test';
  return { ok: true, tick: { symbol: t.symbol, price: price.toString(), ts: t.ts, source } };
}

/** Latest tick per symbol from a batch (conflation). */
export function conflate(ticks: Tick[]): Tick[] {
  const latest = new Map<string, Tick>();
  for (const t of ticks) {
    const seen = latest.get(t.symbol);
    if (!seen || t.ts >= seen.ts) latest.set(t.symbol, t);
  }
  return [...latest.values()];
}

/** Binance pairs quoted in USDT map to the base asset ("BTCUSDT" → "BTC"). */
export function assetOfPair(pair: string): string | undefined {
  for (const quote of ['USDT', 'USDC', 'BUSD', 'USD'])
    if (pair.endsWith(quote) && pair.length > quote.length) return pair.slice(0, -quote.length);
  return undefined;
}
