// Paying debts off: month by month, each debt accrues its interest (its rate over twelve, to the
// cent), every debt gets its minimum, and what the budget has left goes to one debt at a time,
// in the chosen order: the most expensive first ("avalanche": the least interest) or the
// smallest first ("snowball": the first debt gone soonest). A debt paid off frees its minimum for
// the next. The budget is the minimums plus an extra the person can add.
import { Decimal } from '../money.ts';

export interface PayoffDebt {
  name: string;
  owed: Decimal;
  /** yearly rate in percent */
  aprPercent: number;
  /** what must be paid each month (its loan payment, a card's minimum) */
  minimum: Decimal;
}

export type PayoffOrder = 'avalanche' | 'snowball' | 'minimums';

export interface PayoffPlan {
  order: PayoffOrder;
  /** the debts by the month each is paid off */
  sequence: string[];
  /** months until nothing is owed (or the horizon, when `finished` is false) */
  months: number;
  totalInterest: Decimal;
  /** false when the payments never outgrow the interest within the horizon */
  finished: boolean;
}

const HUNDRED_TWENTY = Decimal.parse('1200');
/** fifty years: a plan that has not ended by then never will at these payments */
const HORIZON_MONTHS = 600;

const byOrder: Record<Exclude<PayoffOrder, 'minimums'>, (a: PayoffDebt, b: PayoffDebt) => number> = {
  avalanche: (a, b) => b.aprPercent - a.aprPercent || a.owed.cmp(b.owed),
  snowball: (a, b) => a.owed.cmp(b.owed) || b.aprPercent - a.aprPercent,
};

/**
 * The plan for `order`. "minimums": each debt gets its own minimum and nothing more (what is
 * freed is not passed on): the baseline a plan saves against.
 */
export function payoffPlan(
  debts: readonly PayoffDebt[],
  extraMonthly: Decimal,
  order: PayoffOrder,
): PayoffPlan {
  const targets = order === 'minimums' ? [...debts] : [...debts].sort(byOrder[order]);
  const owed = new Map(targets.map((d) => [d.name, d.owed]));
  const budget = order === 'minimums' ? undefined : debts.reduce((s, d) => s.add(d.minimum), extraMonthly);
  const rates = new Map(
    targets.map((d) => [d.name, Decimal.parse(String(d.aprPercent)).div(HUNDRED_TWENTY)]),
  );
  const sequence: string[] = [];
  let interest = Decimal.ZERO;
  let month = 0;
  while ([...owed.values()].some((o) => o.cmp(Decimal.ZERO) > 0) && month < HORIZON_MONTHS) {
    month += 1;
    let left = budget ?? Decimal.ZERO;
    for (const d of targets) {
      const o = owed.get(d.name) as Decimal;
      if (o.cmp(Decimal.ZERO) <= 0) continue;
      const charged = o.mul(rates.get(d.name) as Decimal).round(2);
      interest = interest.add(charged);
      const due = o.add(charged);
      const paid = due.cmp(d.minimum) < 0 ? due : d.minimum;
      owed.set(d.name, due.sub(paid));
      left = left.sub(paid);
    }
    // what the budget has left, to the first debt in the order still owed (then the next)
    for (const d of budget ? targets : []) {
      if (left.cmp(Decimal.ZERO) <= 0) break;
      const o = owed.get(d.name) as Decimal;
      if (o.cmp(Decimal.ZERO) <= 0) continue;
      const paid = o.cmp(left) < 0 ? o : left;
      owed.set(d.name, o.sub(paid));
      left = left.sub(paid);
    }
    for (const d of targets)
      if ((owed.get(d.name) as Decimal).cmp(Decimal.ZERO) <= 0 && !sequence.includes(d.name))
        sequence.push(d.name);
  }
  return {
    order,
    sequence,
    months: month,
    totalInterest: interest,
    finished: sequence.length === targets.length,
  };
}
