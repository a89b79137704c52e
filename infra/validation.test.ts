import { describe, expect, it } from 'vitest';
import { createValidator } from './validation.ts';

const check = (schema: Record<string, unknown>, value: Record<string, unknown>) =>
  createValidator().compile({ $$strict: true, ...schema })(value);

describe("Finexia's validator rules", () => {
  it('isoDate: a day that exists, and with past: true not after today', () => {
    expect(check({ date: 'isoDate' }, { date: '2024-02-29' })).toBe(true);
    expect(check({ date: 'isoDate' }, { date: '2024-02-30' })).toEqual([
      expect.objectContaining({ type: 'isoDate', field: 'date' }),
    ]);
    expect(check({ date: { type: 'isoDate', past: true } }, { date: '2999-01-01' })).toEqual([
      expect.objectContaining({ type: 'dateInFuture', field: 'date' }),
    ]);
    expect(check({ date: { type: 'isoDate', optional: true } }, {})).toBe(true);
    expect(check({ date: 'isoDate' }, { date: 20240229 })).toEqual([
      expect.objectContaining({ type: 'string' }),
    ]);
  });

  it('currencyCode: ISO 4217 codes only', () => {
    expect(check({ c: 'currencyCode' }, { c: 'EUR' })).toBe(true);
    expect(check({ c: 'currencyCode' }, { c: 'EUX' })).toEqual([
      expect.objectContaining({ type: 'currencyCode' }),
    ]);
  });

  it('decimal: says which limit a value broke', () => {
    expect(check({ d: { type: 'decimal', scale: 2 } }, { d: '-12.50' })).toBe(true);
    expect(check({ d: { type: 'decimal', scale: 2 } }, { d: '1.005' })).toEqual([
      expect.objectContaining({ message: "The 'd' field has more than 2 decimal places." }),
    ]);
    expect(check({ d: { type: 'decimal', nonNegative: true } }, { d: '-1' })).toEqual([
      expect.objectContaining({ type: 'decimal', expected: 'must not be negative' }),
    ]);
  });

  it('locale is made canonical; time zones are IANA names', () => {
    const value = { l: 'de-de', tz: 'Europe/Berlin' };
    expect(check({ l: 'locale', tz: 'timeZone' }, value)).toBe(true);
    expect(value.l).toBe('de-DE');
    expect(check({ tz: 'timeZone' }, { tz: 'Mars/Olympus' })).toEqual([
      expect.objectContaining({ type: 'timeZone' }),
    ]);
  });
});
