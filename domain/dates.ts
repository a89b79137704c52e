// Calendar dates as the API speaks them: YYYY-MM-DD, a day that exists (no 30 February).
import { TZDate } from '@date-fns/tz';

/** True for a real calendar date written YYYY-MM-DD. */
export function isRealDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

/** Today's date (UTC) as YYYY-MM-DD. */
export function todayUtc(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The calendar date (YYYY-MM-DD) at instant `now` on the clock of `timeZone`. */
export function localDate(now: number, timeZone: string): string {
  const local = new TZDate(now, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
}

/** `date` moved by `days` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The day of the week of a date (0 = Sunday … 6 = Saturday). */
export function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The instant (ms) a wall-clock time (HH:MM) on a date is on the clock of `timeZone`. */
export function instantAt(date: string, hhmm: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  return new TZDate(y, m - 1, d, hh, mm, timeZone).getTime();
}

/**
 * Each of `days` (oldest first) with the value of the latest known day on or before it: a weekend
 * or a holiday carries the last value before it. Days before any known value are left out.
 */
export function carriedForward<T>(known: ReadonlyMap<string, T>, days: readonly string[]): Map<string, T> {
  const dates = [...known.keys()].sort();
  const out = new Map<string, T>();
  let i = 0;
  let last: T | undefined;
  let seen = false;
  for (const day of days) {
    while (i < dates.length && (dates[i] as string) <= day) {
      last = known.get(dates[i++] as string) as T;
      seen = true;
    }
    if (seen) out.set(day, last as T);
  }
  return out;
}
