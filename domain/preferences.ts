// User preferences that need checking against the runtime's own tables (ISO 4217
// currencies, IANA time zones, BCP 47 locales): no lists copied into our code.
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code);
}

export function isTimeZone(zone: string): boolean {
  return TIME_ZONES.has(zone);
}

/** Returns the canonical form of a supported locale tag, or undefined. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (!canonical) return undefined;
    return Intl.NumberFormat.supportedLocalesOf([canonical]).length ? canonical : undefined;
  } catch {
    return undefined;
  }
}
