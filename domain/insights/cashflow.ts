// A user's money by month, from their transactions (bank, import, manual), in the base currency:
// income, spending (net of refunds) and spending per category, debt payments and bank fees.
// Moves between the user's own accounts are neither income nor spending: transfers, and
// credit card and loan payments (the card's purchases are the spending; paying the card is
// moving money). What the score, the recommendations and the projection's savings rate read.
import { Decimal } from '../money.ts';
import { isLiability } from '../valuation.ts';
import { isOwnedType } from '../owned-assets.ts';

export interface CashflowTransaction {
  date: string;
  /** signed decimal: negative = money out */
  amount: string;
  currency: string;
  /** the primary category (Plaid's taxonomy), null when unknown */
  category: string | null;
  merchant: string;
  pending: boolean;
}

export interface Month {
  /** YYYY-MM */
  month: string;
  income: Decimal;
  spending: Decimal;
  byCategory: Map<string, Decimal>;
  /** fees a bank charged (late, overdraft, returned payment…) */
  fees: number;
  /** of those, late or overdraft fees (a bill or a balance not paid on time) */
  lateFees: number;
}

const MOVES = new Set(['TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS']);
const LATE = /late|overdraft|nsf|insufficient|returned/i;

/** Monthly totals, oldest first; `toBase` converts an amount in a currency to the base currency. */
export function monthlyCashflow(
  transactions: readonly CashflowTransaction[],
  toBase: (amount: Decimal, currency: string) => Decimal,
): Month[] {
  const months = new Map<string, Month>();
  for (const t of transactions) {
    if (t.pending || MOVES.has(t.category ?? '')) continue;
    const key = t.date.slice(0, 7);
    let m = months.get(key);
    if (!m)
      months.set(
        key,
        (m = {
          month: key,
          income: Decimal.ZERO,
          spending: Decimal.ZERO,
          byCategory: new Map(),
          fees: 0,
          lateFees: 0,
        }),
      );
    const amount = toBase(Decimal.parse(t.amount), t.currency);
    if (t.category === 'INCOME') {
      m.income = m.income.add(amount);
      continue;
    }
    // money out is spending; a refund in a spending category takes it back
    m.spending = m.spending.sub(amount);
    const category = t.category ?? 'OTHER';
    m.byCategory.set(category, (m.byCategory.get(category) ?? Decimal.ZERO).sub(amount));
    if (category === 'BANK_FEES' && amount.isNegative()) {
      m.fees += 1;
      if (LATE.test(t.merchant)) m.lateFees += 1;
    }
  }
  return [...months.values()].sort((a, b) => (a.month < b.month ? -1 : 1));
}

/** The complete months before `today`'s month, at most `count`, newest last. */
export function completeMonths(months: readonly Month[], today: string, count: number): Month[] {
  const current = today.slice(0, 7);
  return months.filter((m) => m.month < current).slice(-count);
}

/** Average of a monthly figure over the given months (zero when there are none). */
export function monthlyAverage(months: readonly Month[], figure: (m: Month) => Decimal): Decimal {
  if (!months.length) return Decimal.ZERO;
  const total = months.reduce((sum, m) => sum.add(figure(m)), Decimal.ZERO);
  return total.div(Decimal.parse(String(months.length)));
}

/** YYYY-MM of the month `delta` months after `month`. */
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * What an account is to the score and the recommendations. A home, a car or valuables are
 * `owned`: worth something, but neither savings to spend nor investments.
 */
export type AccountRole = 'spendable' | 'savings' | 'longTerm' | 'debt' | 'owned';

/** By its type (Plaid's, or a manual wallet's) and subtype. */
export function roleOf(type: string, subtype: string | null | undefined): AccountRole {
  if (isLiability(type)) return 'debt';
  if (isOwnedType(type)) return 'owned';
  if (type === 'investment' || type === 'other') return 'longTerm';
  if (type === 'savings' || (type === 'depository' && subtype === 'savings')) return 'savings';
  return 'spendable';
}

export interface AccountValue {
  accountId: string;
  role: AccountRole;
  /** in the base currency, signed (what is owed is negative) */
  value: Decimal;
}

/** A transaction's amount in the base currency, by account and date. */
export interface AccountFlow {
  accountId: string;
  date: string;
  amount: Decimal;
}

/**
 * Each account's value at the end of `date`: today's value less what its transactions moved
 * after that day (a purchase on a card lowered its value; walking back raises it again).
 * Accounts without transactions (exchange holdings) keep today's value: an estimate.
 */
export function valuesAt(
  accounts: readonly AccountValue[],
  flows: readonly AccountFlow[],
  date: string,
): AccountValue[] {
  const after = new Map<string, Decimal>();
  for (const f of flows)
    if (f.date > date) after.set(f.accountId, (after.get(f.accountId) ?? Decimal.ZERO).add(f.amount));
  return accounts.map((a) => ({ ...a, value: a.value.sub(after.get(a.accountId) ?? Decimal.ZERO) }));
}

/** Sums by role: spendable, savings, long-term, and debt as a positive amount owed. */
export function byRole(values: readonly AccountValue[]): Record<AccountRole, Decimal> {
  const sums: Record<AccountRole, Decimal> = {
    spendable: Decimal.ZERO,
    savings: Decimal.ZERO,
    longTerm: Decimal.ZERO,
    debt: Decimal.ZERO,
    owned: Decimal.ZERO,
  };
  for (const v of values) sums[v.role] = sums[v.role].add(v.role === 'debt' ? v.value.neg() : v.value);
  return sums;
}
