import { describe, expect, it } from 'vitest';
import { applyDelta, diffView, type PortfolioView } from './portfolio.ts';

const base: PortfolioView = {
  userId: 'u1',
  epoch: 'e1',
  seq: 3,
  currency: 'USD',
  netWorth: '150.00',
  netWorthUsd: '150',
  dayChange: '0.00',
  dayOpen: '150.00',
  byAccount: { a1: '100.00', a2: '50.00' },
  byAsset: { BTC: '100.00', USD: '50.00' },
  byClass: { crypto: '100.00', cash: '50.00', stablecoin: '0.00' },
  prices: { BTC: '100', USD: '1' },
  unpriced: [],
  pegged: [],
  asOf: '2026-11-25T00:00:00.000Z',
};

describe('portfolio views and deltas', () => {
  it('a delta carries only what changed and rebuilds the next view exactly', () => {
    const next: PortfolioView = {
      ...base,
      seq: 4,
      netWorth: '160.00',
      netWorthUsd: '160',
      dayChange: '10.00',
      byAccount: { a1: '110.00' },
      byAsset: { BTC: '110.00', USD: '50.00' },
      byClass: { ...base.byClass, crypto: '110.00' },
      prices: { BTC: '110', USD: '1' },
    };
    const delta = diffView(base, next);
    expect(delta.changed).toEqual({
      byAccount: { a1: '110.00' },
      byAsset: { BTC: '110.00' },
      byClass: { crypto: '110.00' },
      prices: { BTC: '110' },
    });
    expect(delta.removed).toEqual({ byAccount: ['a2'] });
    expect(delta.prevSeq).toBe(3);
    expect(applyDelta(base, delta)).toEqual({ ok: true, view: next });
  });

  it('carries the unpriced and pegged lists only when they change, and applies them', () => {
    const unpriced = [
      { asset: 'NEWCOIN', quantity: '12', accountId: 'a1', since: '2026-11-25T00:00:00.000Z' },
    ];
    const next: PortfolioView = { ...base, seq: 4, unpriced, pegged: ['USDT'] };
    const delta = diffView(base, next);
    expect(delta).toMatchObject({ unpriced, pegged: ['USDT'] });
    expect(applyDelta(base, delta)).toEqual({ ok: true, view: next });
    const same = diffView(next, { ...next, seq: 5 });
    expect('unpriced' in same || 'pegged' in same).toBe(false);
    expect(applyDelta(next, same)).toEqual({ ok: true, view: { ...next, seq: 5 } });
  });

  it('refuses a delta from another epoch or with a gap, so the client asks for a snapshot', () => {
    const next = { ...base, seq: 5 };
    const delta = diffView({ ...base, seq: 4 }, next);
    expect(applyDelta(base, delta)).toEqual({ ok: false, reason: 'gap' });
    expect(applyDelta(base, { ...diffView(base, { ...base, seq: 4 }), epoch: 'e2' })).toEqual({
      ok: false,
      reason: 'epoch',
    });
  });
});
