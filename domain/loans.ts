// Loans and mortgages: the amortization schedule that moves a debt's balance month by month.
// A fixed-rate, fully amortizing loan pays the same amount every month (the annuity formula,
// rounded to the cent); each month's interest is the balance times the monthly rate, rounded to
// the cent as lenders do, and the rest of the payment (plus any extra) repays principal. The
// last payment is what is left. A balance the person records replaces the schedule's from that
// day: the loan continues from it at the same rate and payment.
import { Decimal } from './money.ts';
import type { LoanPayment, LoanTerms, LoanView } from '@finexia/contracts/api.ts';

export type { LoanTerms };
export type ScheduleRow = LoanPayment;

const CENTS = 2;
const ONE = Decimal.parse('1');
const monthlyRate = (terms: LoanTerms) => Decimal.parse(terms.annualRatePercent).div(Decimal.parse('1200'));

/** The contractual monthly payment: P·r / (1 − (1 + r)^−n), to the cent (P / n with no interest). */
export function monthlyPayment(terms: LoanTerms): Decimal {
  return annuityPayment(
    Decimal.parse(terms.principal),
    Decimal.parse(terms.annualRatePercent),
    terms.termMonths,
  );
}

/** The level payment that repays `principal` in `months` at a yearly rate in percent, to the cent. */
export function annuityPayment(principal: Decimal, annualRatePercent: Decimal, months: number): Decimal {
  const r = annualRatePercent.div(Decimal.parse('1200'));
  if (r.isZero()) return principal.div(Decimal.parse(String(months))).round(CENTS);
  let growth = ONE;
  for (let i = 0; i < months; i += 1) growth = growth.mul(ONE.add(r));
  // P·r·g / (g − 1), the same as P·r / (1 − g^−1) without a second division
  return principal.mul(r).mul(growth).div(growth.sub(ONE)).round(CENTS);
}

/** The due date of payment `n` (1-based): the payment day of the n-th month after the start. */
export function paymentDate(terms: LoanTerms, n: number): string {
  const [y, m] = terms.startDate.split('-').map(Number) as [number, number];
  const month = m - 1 + n;
  const date = new Date(Date.UTC(y + Math.floor(month / 12), month % 12, terms.paymentDay));
  return date.toISOString().slice(0, 10);
}

/**
 * Every payment from the start (or, given a balance the person recorded, every one after that
 * day, from that balance) until the loan is repaid.
 */
export function amortize(terms: LoanTerms, recorded?: { date: string; balance: string }): ScheduleRow[] {
  const r = monthlyRate(terms);
  const payment = monthlyPayment(terms);
  const extra = Decimal.parse(terms.extraMonthly ?? '0');
  const oneOff = [...(terms.extraPayments ?? [])].sort((a, b) => a.date.localeCompare(b.date));
  let balance = Decimal.parse(recorded?.balance ?? terms.principal);
  const rows: ScheduleRow[] = [];
  // a loan ends by its term (what is left is due with the last payment); extra payments end it sooner
  for (let n = 1; n <= terms.termMonths && balance.cmp(Decimal.ZERO) > 0; n += 1) {
    const date = paymentDate(terms, n);
    const previous = n > 1 ? paymentDate(terms, n - 1) : terms.startDate;
    if (recorded && date <= recorded.date) continue;
    const interest = balance.mul(r).round(CENTS);
    const extras = oneOff
      .filter((e) => e.date > previous && e.date <= date)
      .reduce((sum, e) => sum.add(Decimal.parse(e.amount)), extra);
    let principal = payment.sub(interest).add(extras);
    // the last payment: what is left
    if (principal.cmp(balance) > 0 || n === terms.termMonths) principal = balance;
    balance = balance.sub(principal);
    rows.push({
      number: n,
      date,
      payment: interest.add(principal).toFixed(CENTS),
      interest: interest.toFixed(CENTS),
      principal: principal.toFixed(CENTS),
      balance: balance.toFixed(CENTS),
    });
  }
  return rows;
}

/** What is owed on `date`: the balance after the last payment due by then. */
export function balanceOn(
  terms: LoanTerms,
  date: string,
  recorded?: { date: string; balance: string },
): Decimal {
  const start = recorded ?? { date: terms.startDate, balance: terms.principal };
  if (date < start.date) return Decimal.parse(terms.principal);
  const paid = amortize(terms, recorded).filter((row) => row.date <= date);
  return Decimal.parse(paid.at(-1)?.balance ?? start.balance);
}

/** The total interest a schedule pays, and the day it ends (the debt-free date). */
export function scheduleSummary(rows: ScheduleRow[]): { totalInterest: string; endsOn: string | null } {
  const total = rows.reduce((sum, row) => sum.add(Decimal.parse(row.interest)), Decimal.ZERO);
  return { totalInterest: total.toFixed(CENTS), endsOn: rows.at(-1)?.date ?? null };
}

/** Where a loan stands on `today`: its payment, the next one due, the end and the interest left. */
export function loanStatus(
  terms: LoanTerms,
  recorded: { date: string; balance: string } | undefined,
  today: string,
): LoanView {
  const rows = amortize(terms, recorded);
  const ahead = rows.filter((row) => row.date > today);
  return {
    terms,
    monthlyPayment: monthlyPayment(terms).toFixed(CENTS),
    next: ahead[0] ?? null,
    endsOn: rows.at(-1)?.date ?? null,
    interestLeft: scheduleSummary(ahead).totalInterest,
  };
}
