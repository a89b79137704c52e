import { describe, expect, it } from 'vitest';
import {
  isEarlyClose,
  isTradingDay,
  marketHolidays,
  previousTradingDay,
  sessionInstants,
} from './market-calendar.ts';

// NYSE's published tables (nyse.com/markets/hours-calendars), typed in by hand.
const PUBLISHED: Record<number, { holidays: string[]; earlyCloses: string[] }> = {
  2024: {
    holidays: [
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-12-25',
    ],
    earlyCloses: ['2024-07-03', '2024-11-29', '2024-12-24'],
  },
  2025: {
    holidays: [
      '2025-01-01',
      '2025-01-09',
      '2025-01-20',
      '2025-02-17',
      '2025-04-18',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ],
    earlyCloses: ['2025-07-03', '2025-11-28', '2025-12-24'],
  },
  2026: {
    holidays: [
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ],
    earlyCloses: ['2026-11-27', '2026-12-24'],
  },
  2027: {
    holidays: [
      '2027-01-01',
      '2027-01-18',
      '2027-02-15',
      '2027-03-26',
      '2027-05-31',
      '2027-06-18',
      '2027-07-05',
      '2027-09-06',
      '2027-11-25',
      '2027-12-24',
    ],
    earlyCloses: ['2027-11-26'],
  },
};

describe('the US market calendar', () => {
  for (const [year, published] of Object.entries(PUBLISHED))
    it(`has ${year}'s published holidays and early closes, and no others`, () => {
      expect([...marketHolidays(Number(year))].sort()).toEqual(published.holidays);
      const early: string[] = [];
      for (let t = Date.UTC(Number(year), 0, 1); t < Date.UTC(Number(year) + 1, 0, 1); t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        if (isEarlyClose(day)) early.push(day);
      }
      expect(early).toEqual(published.earlyCloses);
    });

  it('does not observe a Saturday New Year (2022: the Friday before traded)', () => {
    expect(isTradingDay('2021-12-31')).toBe(true);
    expect(marketHolidays(2022).has('2021-12-31')).toBe(false);
  });

  it('closes for Juneteenth from 2022 (a Sunday, observed on the Monday), not before', () => {
    expect(isTradingDay('2022-06-20')).toBe(false);
    expect(isTradingDay('2021-06-18')).toBe(true);
  });

  it('finds the session before a long weekend and times sessions in New York time', () => {
    expect(previousTradingDay('2026-01-20')).toBe('2026-01-16'); // Tuesday after MLK Day
    expect(previousTradingDay('2026-04-06')).toBe('2026-04-02'); // Monday after Good Friday
    // 09:30 EST is 14:30 UTC; 16:00 EDT is 20:00 UTC; 13:00 EST on the day after Thanksgiving
    expect(new Date(sessionInstants('2026-01-16')!.openMs).toISOString()).toBe('2026-01-16T14:30:00.000Z');
    expect(new Date(sessionInstants('2026-07-02')!.closeMs).toISOString()).toBe('2026-07-02T20:00:00.000Z');
    expect(new Date(sessionInstants('2026-11-27')!.closeMs).toISOString()).toBe('2026-11-27T18:00:00.000Z');
    expect(sessionInstants('2026-12-25')).toBeUndefined();
  });
});
