// Payoff plans against closed forms (one debt is an annuity) and hand figures.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../money.ts';
import { payoffPlan, type PayoffDebt } from './debt-payoff.ts';

const d = (text: string) => Decimal.parse(text);

describe('payoffPlan', () => {
  it('of one debt is its annuity: months n = −ln(1 − rB/M)/ln(1+r), interest about n·M − B', () => {
    const card: PayoffDebt = { name: 'Visa', owed: d('5000'), aprPercent: 18, minimum: d('150') };
    const r = 0.015;
    for (const extra of ['0', '50', '250']) {
      const m = 150 + Number(extra);
      const n = -Math.log(1 - (r * 5000) / m) / Math.log(1 + r);
      for (const order of ['avalanche', 'snowball'] as const) {
        const plan = payoffPlan([card], d(extra), order);
        expect(plan.months).toBe(Math.ceil(n));
        // the last payment is smaller than M: interest = what was paid − 5,000, paid ≈ n·M
        expect(Math.abs(plan.totalInterest.toNumber() - (n * m - 5000))).toBeLessThan(1);
        expect(plan).toMatchObject({ finished: true, sequence: ['Visa'] });
      }
    }
  });

  it('minimums alone: each debt is its own annuity, nothing passed on', () => {
    const debts: PayoffDebt[] = [
      { name: 'Card', owed: d('3000'), aprPercent: 24, minimum: d('120') },
      { name: 'Car', owed: d('9000'), aprPercent: 6, minimum: d('300') },
    ];
    const plan = payoffPlan(debts, d('0'), 'minimums');
    const annuity = (b: number, r: number, m: number) => {
      const n = -Math.log(1 - (r * b) / m) / Math.log(1 + r);
      return { months: Math.ceil(n), interest: n * m - b };
    };
    const card = annuity(3000, 0.02, 120);
    const car = annuity(9000, 0.005, 300);
    expect(plan.months).toBe(Math.max(card.months, car.months));
    expect(Math.abs(plan.totalInterest.toNumber() - (card.interest + car.interest))).toBeLessThan(2);
  });

  it('the most expensive first pays the least interest; the smallest first clears one debt soonest', () => {
    const debts: PayoffDebt[] = [
      { name: 'Store card', owed: d('800'), aprPercent: 9.9, minimum: d('40') },
      { name: 'Visa', owed: d('6000'), aprPercent: 22.9, minimum: d('180') },
      { name: 'Car', owed: d('12000'), aprPercent: 5.5, minimum: d('350') },
    ];
    const extra = d('300');
    const avalanche = payoffPlan(debts, extra, 'avalanche');
    const snowball = payoffPlan(debts, extra, 'snowball');
    const minimums = payoffPlan(debts, extra, 'minimums');
    expect(avalanche.sequence[0]).toBe('Visa');
    expect(snowball.sequence[0]).toBe('Store card');
    expect(avalanche.totalInterest.cmp(snowball.totalInterest)).toBeLessThan(0);
    expect(snowball.totalInterest.cmp(minimums.totalInterest)).toBeLessThan(0);
    expect(avalanche.months).toBeLessThanOrEqual(minimums.months);
  });

  it('by hand: two small debts, 120 a month', () => {
    const debts: PayoffDebt[] = [
      { name: 'A', owed: d('90'), aprPercent: 12, minimum: d('10') },
      { name: 'B', owed: d('100'), aprPercent: 24, minimum: d('10') },
    ];
    // avalanche: month 1, A 90.90 − 10 = 80.90, B 102.00 − 10 = 92.00, the other 100 clears B and
    // leaves A 72.90; month 2, A 72.90 + 0.73 is paid. Interest 0.90 + 2.00 + 0.73 = 3.63
    expect(payoffPlan(debts, d('100'), 'avalanche')).toMatchObject({ months: 2, sequence: ['B', 'A'] });
    expect(payoffPlan(debts, d('100'), 'avalanche').totalInterest.toString()).toBe('3.63');
    // snowball: month 1 the 100 clears A (80.90) and 19.10 goes to B: 72.90; month 2, B 72.90 +
    // 1.46 is paid. Interest 0.90 + 2.00 + 1.46 = 4.36
    expect(payoffPlan(debts, d('100'), 'snowball')).toMatchObject({ months: 2, sequence: ['A', 'B'] });
    expect(payoffPlan(debts, d('100'), 'snowball').totalInterest.toString()).toBe('4.36');
  });

  it('says when the payments never outgrow the interest', () => {
    const plan = payoffPlan(
      [{ name: 'Payday', owed: d('1000'), aprPercent: 300, minimum: d('20') }],
      d('0'),
      'avalanche',
    );
    expect(plan.finished).toBe(false);
    expect(plan.months).toBe(600);
  });
});
