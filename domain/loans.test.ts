// The schedule against closed forms and hand computations (never against itself).
import { describe, expect, it } from 'vitest';
import {
  amortize,
  balanceOn,
  monthlyPayment,
  paymentDate,
  scheduleSummary,
  type LoanTerms,
} from './loans.ts';

const mortgage: LoanTerms = {
  principal: '300000',
  annualRatePercent: '6',
  termMonths: 360,
  startDate: '2024-01-15',
  paymentDay: 1,
};

/** The balance after k level payments M, in closed form: P(1+r)^k − M((1+r)^k − 1)/r (floats). */
const closedBalance = (p: number, annualPercent: number, m: number, k: number) => {
  const r = annualPercent / 1200;
  const g = (1 + r) ** k;
  return p * g - (m * (g - 1)) / r;
};

describe('monthlyPayment', () => {
  it('is the annuity payment, to the cent', () => {
    // 300,000 at 6% over 30 years: 1,798.65 (P·r/(1−(1+r)^−n) = 1798.6515…)
    expect(monthlyPayment(mortgage).toFixed(2)).toBe('1798.65');
    // by hand: 1,200 at 12% a year (1% a month) over 12 months = 12/(1 − 1.01^−12) = 106.6185…
    expect(
      monthlyPayment({ ...mortgage, principal: '1200', annualRatePercent: '12', termMonths: 12 }).toFixed(2),
    ).toBe('106.62');
    // no interest: the principal in equal parts
    expect(
      monthlyPayment({ ...mortgage, principal: '12000', annualRatePercent: '0', termMonths: 48 }).toFixed(2),
    ).toBe('250.00');
  });
});

describe('amortize', () => {
  it('splits each payment into interest and principal, by hand for the first months', () => {
    const rows = amortize({ ...mortgage, principal: '1200', annualRatePercent: '12', termMonths: 12 });
    // month 1: interest 1% of 1,200 = 12.00, principal 106.62 − 12.00 = 94.62, balance 1,105.38
    expect(rows[0]).toEqual({
      number: 1,
      date: '2024-02-01',
      payment: '106.62',
      interest: '12.00',
      principal: '94.62',
      balance: '1105.38',
    });
    // month 2: interest 11.0538 → 11.05, principal 95.57, balance 1,009.81
    expect(rows[1]).toMatchObject({ interest: '11.05', principal: '95.57', balance: '1009.81' });
    expect(rows).toHaveLength(12);
    expect(rows.at(-1)?.balance).toBe('0.00');
    // every payment but the last is the level one; the principal repaid is what was borrowed
    expect(rows.slice(0, -1).every((row) => row.payment === '106.62')).toBe(true);
    const repaid = rows.reduce((s, row) => s + Math.round(Number(row.principal) * 100), 0);
    expect(repaid).toBe(120_000);
  });

  it('follows the closed-form balance of a 30-year mortgage to within cents of rounding', () => {
    const rows = amortize(mortgage);
    expect(rows).toHaveLength(360);
    for (const k of [1, 12, 60, 120, 240, 359]) {
      const closed = closedBalance(300_000, 6, 1798.65, k);
      // each month's interest is rounded to the cent: at most half a cent a month, compounding
      expect(Math.abs(Number(rows[k - 1]!.balance) - closed)).toBeLessThan(
        0.005 * k * 1.06 ** (k / 12) + 0.01,
      );
    }
    // total interest: 360 payments of 1,798.65 less what was borrowed, give or take the last one's rounding
    const summary = scheduleSummary(rows);
    expect(Math.abs(Number(summary.totalInterest) - (360 * 1798.65 - 300_000))).toBeLessThan(5);
    expect(summary.endsOn).toBe('2054-01-01');
  });

  it('ends sooner with extra payments, and pays less interest', () => {
    const base = scheduleSummary(amortize(mortgage));
    const extra = amortize({ ...mortgage, extraMonthly: '200' });
    const withExtra = scheduleSummary(extra);
    expect(extra.length).toBeLessThan(360);
    expect(Number(withExtra.totalInterest)).toBeLessThan(Number(base.totalInterest));
    // the closed form of the term with payment 1,998.65: n = −ln(1 − rP/M)/ln(1+r) = 303.6… months
    const r = 0.005;
    expect(extra.length).toBe(Math.ceil(-Math.log(1 - (r * 300_000) / 1998.65) / Math.log(1 + r)));
    // a one-off payment comes off the principal in the month it was paid
    const lump = amortize({ ...mortgage, extraPayments: [{ date: '2024-03-20', amount: '10000' }] });
    expect(Number(lump[2]!.principal) - Number(amortize(mortgage)[2]!.principal)).toBeCloseTo(10_000, 0);
  });

  it('continues from a balance the person recorded, at the same rate and payment', () => {
    const rows = amortize(mortgage, { date: '2026-06-10', balance: '250000' });
    // the first payment after the record: interest 0.5% of 250,000 = 1,250.00
    expect(rows[0]).toMatchObject({
      date: '2026-07-01',
      interest: '1250.00',
      principal: '548.65',
      balance: '249451.35',
    });
    expect(balanceOn(mortgage, '2026-06-30', { date: '2026-06-10', balance: '250000' }).toFixed(2)).toBe(
      '250000.00',
    );
    expect(balanceOn(mortgage, '2026-07-01', { date: '2026-06-10', balance: '250000' }).toFixed(2)).toBe(
      '249451.35',
    );
  });

  it('owes the principal until the first payment, and nothing after the last', () => {
    expect(balanceOn(mortgage, '2024-01-31').toFixed(2)).toBe('300000.00');
    expect(balanceOn(mortgage, '2024-02-01').toFixed(2)).toBe(amortize(mortgage)[0]!.balance);
    expect(balanceOn(mortgage, '2060-01-01').toFixed(2)).toBe('0.00');
  });
});

describe('paymentDate', () => {
  it('is the payment day of each month after the start, across years', () => {
    expect([1, 11, 12, 13].map((n) => paymentDate({ ...mortgage, paymentDay: 28 }, n))).toEqual([
      '2024-02-28',
      '2024-12-28',
      '2025-01-28',
      '2025-02-28',
    ]);
  });
});
