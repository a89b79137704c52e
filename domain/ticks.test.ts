import { describe, expect, it } from 'vitest';
import { assetOfPair, checkTick, conflate } from './ticks.ts';

const now = 1_800_000_000_000;
const options = { now, maxAgeMs: 60_000, maxSkewMs: 5_000 };

describe('checkTick', () => {
  it('accepts a well-formed tick and normalises its price', () => {
    expect(
      checkTick({ symbol: 'BTC', price: '97000.50000000', ts: now, source: 'binance' }, undefined, options),
    ).toEqual({
      ok: true,
      tick: { symbol: 'BTC', price: '97000.5', ts: now, source: 'binance' },
    });
  });
  it.each([
    ['a number price', { symbol: 'BTC', price: 1, ts: now }, 'malformed'],
    ['NaN', { symbol: 'BTC', price: 'NaN', ts: now }, 'malformed'],
    ['an exponent', { symbol: 'BTC', price: '1e5', ts: now }, 'malformed'],
    ['a bad symbol', { symbol: 'btc; drop', price: '1', ts: now }, 'malformed'],
    ['zero', { symbol: 'BTC', price: '0', ts: now }, 'non-positive'],
    ['negative', { symbol: 'BTC', price: '-5', ts: now }, 'non-positive'],
    ['stale', { symbol: 'BTC', price: '1', ts: now - 120_000 }, 'stale'],
    ['from the future', { symbol: 'BTC', price: '1', ts: now + 60_000 }, 'future'],
  ])('rejects %s', (_what, raw, reason) =>
    expect(checkTick(raw, undefined, options)).toEqual({ ok: false, reason }),
  );
  it('rejects out-of-order ticks per symbol', () =>
    expect(checkTick({ symbol: 'BTC', price: '1', ts: now - 10 }, now, options)).toEqual({
      ok: false,
      reason: 'out-of-order',
    }));
});

describe('conflate', () => {
  it('keeps the latest tick per symbol', () => {
    const out = conflate([
      { symbol: 'BTC', price: '1', ts: 1, source: 'test' },
      { symbol: 'ETH', price: '2', ts: 1, source: 'test' },
      { symbol: 'BTC', price: '3', ts: 2, source: 'test' },
    ]);
    expect(out.map((t) => [t.symbol, t.price])).toEqual([
      ['BTC', '3'],
      ['ETH', '2'],
    ]);
  });
  it('maps pairs to assets', () => {
    expect(assetOfPair('BTCUSDT')).toBe('BTC');
    expect(assetOfPair('USDT')).toBeUndefined();
  });
});
