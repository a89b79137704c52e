import { describe, expect, it } from 'vitest';
import { canonicalLocale, isCurrencyCode, isTimeZone } from './preferences.ts';

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
});
