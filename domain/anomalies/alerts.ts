// When an anomaly becomes an alert: the user's per-type switch and minimum severity, quiet
// hours in the user's time zone (held until they end; critical ones go through), and how
// alerts are grouped so that a market crash is one alert, not one per position.
import { TZDate } from '@date-fns/tz';
import {
  ANOMALY_TYPES,
  SEVERITIES,
  type AlertPreferences,
  type AnomalyType,
  type PreferencesPatch,
  type QuietHours,
  type Severity,
} from '@finexia/contracts/api.ts';

/** Alerts a person wants by default: everything from medium up; quiet hours off. */
export const DEFAULT_ALERT_PREFERENCES: AlertPreferences = {
  types: Object.fromEntries(
    ANOMALY_TYPES.map((type) => [
      type,
      { enabled: true, minSeverity: type === 'subscription_price_rise' ? 'low' : 'medium' },
    ]),
  ) as AlertPreferences['types'],
  quietHours: { enabled: false, start: '22:00', end: '07:00' },
};

/** Stored preferences (possibly partial, possibly older than a new type) with the defaults filled in. */
export function alertPreferences(stored: PreferencesPatch['alerts'] | null | undefined): AlertPreferences {
  const types = { ...DEFAULT_ALERT_PREFERENCES.types };
  for (const type of ANOMALY_TYPES) types[type] = { ...types[type], ...(stored?.types?.[type] ?? {}) };
  return { types, quietHours: { ...DEFAULT_ALERT_PREFERENCES.quietHours, ...(stored?.quietHours ?? {}) } };
}

export function severityAtLeast(severity: Severity, minimum: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(minimum);
}

const minutesOf = (hhmm: string) => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/**
 * When the quiet period that contains `now` ends (epoch ms), or null when `now` is not quiet.
 * The period runs from `start` to `end` on the user's clock and may span midnight (22:00–07:00).
 */
export function quietUntil(now: number, timeZone: string, quiet: QuietHours): number | null {
  if (!quiet.enabled || quiet.start === quiet.end) return null;
  const local = new TZDate(now, timeZone);
  const minute = local.getHours() * 60 + local.getMinutes();
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return null;
  const endToday = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    Math.floor(end / 60),
    end % 60,
    0,
    timeZone,
  );
  // the end is later today, or (for a period spanning midnight, seen before midnight) tomorrow
  const endsAt = minute < end ? endToday : new TZDate(endToday.getTime() + 86_400_000, timeZone);
  return endsAt.getTime();
}

export type AlertDecision =
  | { deliver: 'now' }
  | { deliver: 'later'; at: number }
  | { deliver: 'never'; why: 'historical' | 'type-off' | 'below-severity' };

/** Whether (and when) one anomaly is notified. */
export function decideAlert(
  anomaly: { type: AnomalyType; severity: Severity; historical: boolean },
  preferences: AlertPreferences,
  now: number,
  timeZone: string,
): AlertDecision {
  if (anomaly.historical) return { deliver: 'never', why: 'historical' };
  const pref = preferences.types[anomaly.type];
  if (!pref.enabled) return { deliver: 'never', why: 'type-off' };
  if (!severityAtLeast(anomaly.severity, pref.minSeverity))
    return { deliver: 'never', why: 'below-severity' };
  if (anomaly.severity === 'critical') return { deliver: 'now' };
  const until = quietUntil(now, timeZone, preferences.quietHours);
  return until === null ? { deliver: 'now' } : { deliver: 'later', at: until };
}

/**
 * The notification an anomaly joins: each anomaly alone, except market moves, which join one
 * alert per hour (a crash of 200 positions is one alert).
 */
export function alertGroup(anomaly: { id: string; type: AnomalyType }, now: number): string {
  if (anomaly.type === 'market_move') return `market_move:${Math.floor(now / 3_600_000)}`;
  return `anomaly:${anomaly.id}`;
}

/** The highest severity among some anomalies. */
export function highestSeverity(severities: readonly Severity[]): Severity {
  return severities.reduce<Severity>((top, s) => (severityAtLeast(s, top) ? s : top), 'low');
}
