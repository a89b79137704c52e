import { describe, expect, it } from 'vitest';
import { canonicalLocale, isCurrencyCode, isDecimalAmount, isTimeZone } from './preferences.ts';

describe('preferences', () => {
  it('knows ISO 4217 currencies', () => {
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('eur')).toBe(false);
    expect(isCurrencyCode('XYZ')).toBe(false);
  });
  it('knows IANA time zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
  it('canonicalizes locales', () => {
    expect(canonicalLocale('en-us')).toBe('en-US');
    expect(canonicalLocale('not a locale!')).toBeUndefined();
  });
  it('accepts only plain non-negative decimals', () => {
    for (const ok of ['0', '1000', '99.5', '0.00000001']) expect(isDecimalAmount(ok)).toBe(true);
    for (const bad of ['-1', '1e5', '01', '1.', '.5', '1,000', 'NaN', '1.123456789'])
      expect(isDecimalAmount(bad)).toBe(false);
  });
});
