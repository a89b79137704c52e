import { describe, expect, it } from 'vitest';
import { alertGroup, alertPreferences, decideAlert, highestSeverity, quietUntil } from './alerts.ts';

const at = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  const quiet = { enabled: true, start: '22:00', end: '07:00' };
  it('span midnight on the user’s clock and say when they end', () => {
    // 23:30 in Berlin (22:30 UTC in winter): quiet until 07:00 Berlin = 06:00 UTC next day
    expect(quietUntil(at('2026-12-02T22:30:00Z'), 'Europe/Berlin', quiet)).toBe(at('2026-12-03T06:00:00Z'));
    // 06:30 Berlin: quiet until 07:00 the same day
    expect(quietUntil(at('2026-12-03T05:30:00Z'), 'Europe/Berlin', quiet)).toBe(at('2026-12-03T06:00:00Z'));
    // 12:00 Berlin: not quiet
    expect(quietUntil(at('2026-12-03T11:00:00Z'), 'Europe/Berlin', quiet)).toBeNull();
    expect(quietUntil(at('2026-12-02T22:30:00Z'), 'Europe/Berlin', { ...quiet, enabled: false })).toBeNull();
  });
  it('also work within one day', () => {
    expect(
      quietUntil(at('2026-12-03T13:10:00Z'), 'UTC', { enabled: true, start: '13:00', end: '14:00' }),
    ).toBe(at('2026-12-03T14:00:00Z'));
  });
});

describe('alert decisions', () => {
  const prefs = alertPreferences({
    types: { market_move: { enabled: false }, unusual_amount: { minSeverity: 'high' } },
    quietHours: { enabled: true, start: '22:00', end: '07:00' },
  });
  const night = at('2026-12-02T23:00:00Z');
  const noon = at('2026-12-02T12:00:00Z');
  it('follow the user’s switches and minimum severity', () => {
    expect(
      decideAlert({ type: 'market_move', severity: 'high', historical: false }, prefs, noon, 'UTC'),
    ).toEqual({
      deliver: 'never',
      why: 'type-off',
    });
    expect(
      decideAlert({ type: 'unusual_amount', severity: 'medium', historical: false }, prefs, noon, 'UTC'),
    ).toEqual({
      deliver: 'never',
      why: 'below-severity',
    });
    expect(
      decideAlert({ type: 'unusual_amount', severity: 'high', historical: false }, prefs, noon, 'UTC'),
    ).toEqual({
      deliver: 'now',
    });
  });
  it('hold during quiet hours, except critical ones; history is never notified', () => {
    expect(
      decideAlert({ type: 'duplicate_charge', severity: 'medium', historical: false }, prefs, night, 'UTC'),
    ).toEqual({
      deliver: 'later',
      at: at('2026-12-03T07:00:00Z'),
    });
    expect(
      decideAlert({ type: 'low_balance', severity: 'critical', historical: false }, prefs, night, 'UTC'),
    ).toEqual({
      deliver: 'now',
    });
    expect(
      decideAlert({ type: 'duplicate_charge', severity: 'high', historical: true }, prefs, noon, 'UTC')
        .deliver,
    ).toBe('never');
  });
  it('fill defaults for types the stored preferences do not know', () => {
    expect(alertPreferences(null).types.income_missing).toEqual({ enabled: true, minSeverity: 'medium' });
  });
});

describe('groups', () => {
  it('make one alert of an hour of market moves, and one of each other anomaly', () => {
    const t = at('2026-12-02T10:15:00Z');
    expect(alertGroup({ id: 'a', type: 'market_move' }, t)).toBe(
      alertGroup({ id: 'b', type: 'market_move' }, t + 30 * 60_000),
    );
    expect(alertGroup({ id: 'a', type: 'duplicate_charge' }, t)).not.toBe(
      alertGroup({ id: 'b', type: 'duplicate_charge' }, t),
    );
    expect(highestSeverity(['low', 'high', 'medium'])).toBe('high');
  });
});
