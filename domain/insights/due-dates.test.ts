import { describe, expect, it } from 'vitest';
import { dueDatesKept } from './due-dates.ts';

/** A card used through the month and paid `paidDay` of each month, from December 2025. */
function card(paidDay: (month: number) => number | null) {
  const flows: { date: string; positive: boolean }[] = [];
  for (let m = 0; m < 12; m += 1) {
    const month = `${2025 + Math.floor((11 + m) / 12)}-${String(((11 + m) % 12) + 1).padStart(2, '0')}`;
    flows.push({ date: `${month}-05`, positive: false }, { date: `${month}-18`, positive: false });
    const day = paidDay(m);
    if (day !== null) flows.push({ date: `${month}-${String(day).padStart(2, '0')}`, positive: true });
  }
  return flows;
}

describe('due dates kept', () => {
  it('counts a due date kept when a payment reached the account since the one before', () => {
    // due on the 25th; paid on the 22nd every month, December 2025 to November 2026
    const kept = dueDatesKept({
      nextDue: '2026-12-25',
      kind: 'credit',
      flows: card(() => 22),
      since: '2025-12-01',
      until: '2026-12-07',
      months: 12,
    });
    // judged: due dates whose window and the month before it are known (from 25 December 2025):
    // 2026-02-25 … 2026-11-25, ten of them
    expect(kept).toEqual({ checked: 10, missed: [] });
  });

  it('names a due date no payment reached in time (paid on the 27th of August: after the 25th)', () => {
    const kept = dueDatesKept({
      nextDue: '2026-12-25',
      kind: 'credit',
      flows: card((m) => (m === 8 ? 27 : 22)),
      since: '2025-12-01',
      until: '2026-12-07',
      months: 12,
    });
    expect(kept.missed).toEqual(['2026-08-25']);
  });

  it('does not judge a card unused in the month before, nor a window it cannot see; a loan is always owed', () => {
    const flows = [
      { date: '2026-03-10', positive: false },
      { date: '2026-04-20', positive: true },
    ];
    // only the April due date had charges before it (March), and a payment by it
    expect(
      dueDatesKept({
        nextDue: '2026-12-25',
        kind: 'credit',
        flows,
        since: '2026-01-01',
        until: '2026-12-07',
        months: 12,
      }),
    ).toEqual({ checked: 1, missed: [] });
    // a loan with one payment in April: every due date since February is judged, April's kept
    const loan = dueDatesKept({
      nextDue: '2026-07-25',
      kind: 'loan',
      flows,
      since: '2026-01-01',
      until: '2026-07-07',
      months: 12,
    });
    expect(loan).toEqual({ checked: 5, missed: ['2026-02-25', '2026-03-25', '2026-05-25', '2026-06-25'] });
  });
});
