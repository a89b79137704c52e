// The US equity market's calendar (NYSE and Nasdaq keep the same one): which days trade, when a
// session opens and closes (13:00 on the three early-close days), and the day before a trading
// day. Securities move only inside a session; a day's change is against the previous session's
// close. Rules from NYSE Rule 7.2 and its published holiday tables: a Saturday holiday is
// observed the Friday before (except New Year's Day, which is then not observed), a Sunday one
// the Monday after; Juneteenth since 2022; plus the market's unscheduled closures.
import { addDays, dayOfWeek, instantAt } from './dates.ts';

/** Days the market closed outside its rules (national days of mourning). */
const UNSCHEDULED_CLOSURES: ReadonlySet<string> = new Set(['2018-12-05', '2025-01-09']);

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

/** The nth (1-based) weekday (0 = Sunday) of a month, or the last one when n is -1. */
function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  if (n > 0) {
    const first = dayOfWeek(ymd(year, month, 1));
    return ymd(year, month, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = dayOfWeek(ymd(year, month, lastDay));
  return ymd(year, month, lastDay - ((last - weekday + 7) % 7));
}

/** Easter Sunday (the anonymous Gregorian algorithm). */
function easter(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

/** A fixed-date holiday moved off the weekend. */
function observed(day: string): string {
  const weekday = dayOfWeek(day);
  if (weekday === 6) return addDays(day, -1);
  if (weekday === 0) return addDays(day, 1);
  return day;
}

const holidayCache = new Map<number, ReadonlySet<string>>();

/** The market's holidays of a year (the days it is closed on a weekday). */
export function marketHolidays(year: number): ReadonlySet<string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const days = new Set<string>();
  // New Year's Day on a Saturday is not observed (the Friday before is the old year's last session)
  const newYear = ymd(year, 1, 1);
  if (dayOfWeek(newYear) !== 6) days.add(observed(newYear));
  days.add(nthWeekday(year, 1, 1, 3)); // Martin Luther King Jr. Day
  days.add(nthWeekday(year, 2, 1, 3)); // Washington's Birthday
  days.add(addDays(easter(year), -2)); // Good Friday
  days.add(nthWeekday(year, 5, 1, -1)); // Memorial Day
  if (year >= 2022) days.add(observed(ymd(year, 6, 19))); // Juneteenth
  days.add(observed(ymd(year, 7, 4))); // Independence Day
  days.add(nthWeekday(year, 9, 1, 1)); // Labor Day
  days.add(nthWeekday(year, 11, 4, 4)); // Thanksgiving
  days.add(observed(ymd(year, 12, 25))); // Christmas
  for (const day of UNSCHEDULED_CLOSURES) if (day.startsWith(`${year}-`)) days.add(day);
  holidayCache.set(year, days);
  return days;
}

/** Whether the market holds a session on a day (YYYY-MM-DD). */
export function isTradingDay(day: string): boolean {
  const weekday = dayOfWeek(day);
  if (weekday === 0 || weekday === 6) return false;
  return !marketHolidays(Number(day.slice(0, 4))).has(day);
}

/** Whether a trading day closes at 13:00: July 3 before a weekday Independence Day, the day after Thanksgiving, Christmas Eve. */
export function isEarlyClose(day: string): boolean {
  if (!isTradingDay(day)) return false;
  const year = Number(day.slice(0, 4));
  if (day === ymd(year, 7, 3) && dayOfWeek(day) <= 4) return true;
  if (day === addDays(nthWeekday(year, 11, 4, 4), 1)) return true;
  return day === ymd(year, 12, 24);
}

/** A session's open and close as New York wall-clock times, or undefined when the market is closed that day. */
export function sessionOf(day: string): { open: '09:30'; close: '16:00' | '13:00' } | undefined {
  if (!isTradingDay(day)) return undefined;
  return { open: '09:30', close: isEarlyClose(day) ? '13:00' : '16:00' };
}

/** The last trading day strictly before a day. */
export function previousTradingDay(day: string): string {
  let d = addDays(day, -1);
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

/** The trading day on or before a day. */
export function tradingDayOnOrBefore(day: string): string {
  return isTradingDay(day) ? day : previousTradingDay(day);
}

/** Where the market's sessions are timed. */
export const MARKET_TIME_ZONE = 'America/New_York';

/** A session's open and close as instants (ms since the epoch), or undefined on a closed day. */
export function sessionInstants(day: string): { openMs: number; closeMs: number } | undefined {
  const session = sessionOf(day);
  if (!session) return undefined;
  return {
    openMs: instantAt(day, session.open, MARKET_TIME_ZONE),
    closeMs: instantAt(day, session.close, MARKET_TIME_ZONE),
  };
}
