// Numbers and dates for the user's locale, currency and time zone. Amounts arrive as exact
// decimal strings; Intl formats those strings without turning them into floats first.

type Intlable = Parameters<Intl.NumberFormat['format']>[0];
/** Intl.NumberFormat takes decimal strings exactly (ES2023); the cast is for older typings. */
const exact = (value: string) => value as unknown as Intlable;

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

export interface Locale {
  locale: string;
  currency: string;
  timeZone: string;
}

/** 12,345.67 $ in the user's currency; `compact` for axis labels (12K). */
export function money(
  value: string | null | undefined,
  l: Locale,
  opts: { compact?: boolean; sign?: boolean } = {},
): string {
  if (value === null || value === undefined || value === '') return '—';
  return numberFormat(l.locale, {
    style: 'currency',
    currency: l.currency,
    notation: opts.compact ? 'compact' : 'standard',
    signDisplay: opts.sign ? 'exceptZero' : 'auto',
    maximumFractionDigits: opts.compact ? 1 : undefined,
  }).format(exact(value));
}

/** A market price: enough digits for a small coin, never more than 8. */
export function price(value: string | null | undefined, l: Locale): string {
  if (value === null || value === undefined || value === '') return '—';
  const abs = Math.abs(Number(value));
  const digits = abs >= 1000 ? 2 : abs >= 1 ? 4 : 8;
  return numberFormat(l.locale, { style: 'currency', currency: 'USD', maximumFractionDigits: digits }).format(
    exact(value),
  );
}

export function quantity(value: string, l: Locale): string {
  return numberFormat(l.locale, { maximumFractionDigits: 8 }).format(exact(value));
}

/** A count and its noun, in the user's number format: "1 account", "1,204 transactions". */
export function counted(n: number, noun: string, l: Locale, plural = `${noun}s`): string {
  return `${numberFormat(l.locale, { maximumFractionDigits: 0 }).format(n)} ${n === 1 ? noun : plural}`;
}

/** part / whole as a percentage; ratios are for display only, so a float is fine here. */
export function percent(part: string, whole: string, l: Locale, opts: { sign?: boolean } = {}): string {
  const w = Number(whole);
  if (!Number.isFinite(w) || w === 0) return '—';
  return numberFormat(l.locale, {
    style: 'percent',
    maximumFractionDigits: 2,
    signDisplay: opts.sign ? 'exceptZero' : 'auto',
  }).format(Number(part) / w);
}

export function date(iso: string, l: Locale, style: 'date' | 'datetime' | 'time' = 'date'): string {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00Z`) : new Date(iso);
  const options: Intl.DateTimeFormatOptions =
    style === 'date'
      ? { dateStyle: 'medium', timeZone: /^\d{4}-\d{2}-\d{2}$/.test(iso) ? 'UTC' : l.timeZone }
      : style === 'time'
        ? { timeStyle: 'short', timeZone: l.timeZone }
        : { dateStyle: 'medium', timeStyle: 'short', timeZone: l.timeZone };
  return new Intl.DateTimeFormat(l.locale, options).format(d);
}

/** "3 minutes ago" */
export function relative(iso: string, l: Locale, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(l.locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

/** Sign of a decimal string: -1, 0 or 1 (no float rounding). */
export function signOf(value: string): -1 | 0 | 1 {
  if (/^-/.test(value) && /[1-9]/.test(value)) return -1;
  return /[1-9]/.test(value) ? 1 : 0;
}

/** Today's UTC date (YYYY-MM-DD): where a date input starts, and its latest allowed value. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);
