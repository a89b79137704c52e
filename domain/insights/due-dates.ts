// Bills paid on time, from the due dates the lender states (Plaid Liabilities' next payment due
// date, a day of the month) and the payments the account's own transactions show. A due date is
// kept when a payment reached the account after the due date before it and on or before it. A
// card's due date counts only when something was owed (charges in the month before the due date
// before it: a card unused all month has no bill); a loan's always does.
import { monthsAfter } from '../owned-assets.ts';

export interface DueDateInput {
  /** the next payment due date the lender states (YYYY-MM-DD) */
  nextDue: string;
  kind: 'credit' | 'loan';
  /** the account's posted transactions: negative charges, positive payments (dates YYYY-MM-DD) */
  flows: readonly { date: string; positive: boolean }[];
  /** the first day whose transactions are known (the window before it is not judged) */
  since: string;
  /** due dates on or before this day are judged */
  until: string;
  /** how many due dates back at most */
  months: number;
}

export interface DueDatesKept {
  /** due dates judged */
  checked: number;
  /** those no payment reached in time, oldest first */
  missed: string[];
}

export function dueDatesKept(input: DueDateInput): DueDatesKept {
  const out: DueDatesKept = { checked: 0, missed: [] };
  for (let k = input.months; k >= 0; k -= 1) {
    const due = monthsAfter(input.nextDue, -k);
    const before = monthsAfter(input.nextDue, -k - 1);
    // judged when past, and its whole window (and, for a card, the month before it) is known
    const known = input.kind === 'credit' ? monthsAfter(before, -1) : before;
    if (due > input.until || known < input.since) continue;
    if (input.kind === 'credit') {
      const charged = input.flows.some((f) => !f.positive && f.date > known && f.date <= before);
      if (!charged) continue;
    }
    out.checked += 1;
    const paid = input.flows.some((f) => f.positive && f.date > before && f.date <= due);
    if (!paid) out.missed.push(due);
  }
  return out;
}
