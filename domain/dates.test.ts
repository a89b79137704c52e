import { describe, expect, it } from 'vitest';
import { addDays, carriedForward, isRealDate, localDate, todayUtc } from './dates.ts';

describe('isRealDate', () => {
  it('accepts days that exist, leap days included', () => {
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2026-12-31')).toBe(true);
  });
  it('refuses days that do not exist and other spellings', () => {
    for (const text of ['2024-02-30', '2023-02-29', '2026-13-01', '2026-00-10', '2026-1-5', '05/12/2026', ''])
      expect(isRealDate(text)).toBe(false);
  });
  it('knows today in UTC', () => {
    expect(todayUtc(Date.UTC(2026, 11, 2, 23, 59))).toBe('2026-12-02');
  });
});

describe('localDate', () => {
  it('is the date on the user’s clock', () => {
    const t = Date.UTC(2026, 11, 2, 23, 30);
    expect(localDate(t, 'UTC')).toBe('2026-12-02');
    expect(localDate(t, 'Europe/Berlin')).toBe('2026-12-03');
    expect(localDate(t, 'America/Los_Angeles')).toBe('2026-12-02');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('carriedForward', () => {
  it('gives a weekend the Friday before, and leaves out the days before anything is known', () => {
    const known = new Map([
      ['2026-11-27', 'Fri'],
      ['2026-11-30', 'Mon'],
      ['2026-11-25', 'Wed'],
    ]);
    const days = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-28', '2026-11-29', '2026-11-30'];
    expect(Object.fromEntries(carriedForward(known, days))).toEqual({
      '2026-11-25': 'Wed',
      '2026-11-26': 'Wed',
      '2026-11-28': 'Fri',
      '2026-11-29': 'Fri',
      '2026-11-30': 'Mon',
    });
  });
});
