import { describe, expect, it } from 'vitest';
import { Decimal } from '../money.ts';
import {
  addMonths,
  byRole,
  completeMonths,
  monthlyCashflow,
  roleOf,
  valuesAt,
  type CashflowTransaction,
  type Month,
} from './cashflow.ts';
import { healthScore, tierOf, type ScoreInputs } from './score.ts';
import { recommendations, subscriptionRises, type RecommendationInputs } from './recommendations.ts';

const d = (s: string) => Decimal.parse(s);
const same = (amount: Decimal) => amount;
const usd = (amount: Decimal) => `$${amount.round(2).toFixed(2)}`;
const tx = (
  date: string,
  amount: string,
  category: string | null,
  merchant = 'x',
  extra: Partial<CashflowTransaction> = {},
) => ({
  date,
  amount,
  currency: 'USD',
  category,
  merchant,
  pending: false,
  ...extra,
});

/** A month with the given income and spending (and what it spent on). */
function month(m: string, income: string, spending: string, byCategory: Record<string, string> = {}): Month {
  return {
    month: m,
    income: d(income),
    spending: d(spending),
    byCategory: new Map(Object.entries(byCategory).map(([k, v]) => [k, d(v)])),
    fees: 0,
    lateFees: 0,
  };
}

describe('monthly cashflow', () => {
  it('counts income and spending net of refunds, leaves transfers and card payments out, and counts late fees', () => {
    const months = monthlyCashflow(
      [
        tx('2026-10-01', '4000', 'INCOME', 'Acme Payroll'),
        tx('2026-10-02', '-1200', 'RENT_AND_UTILITIES'),
        tx('2026-10-03', '-80.50', 'FOOD_AND_DRINK'),
        tx('2026-10-05', '20.50', 'FOOD_AND_DRINK'), // a refund
        tx('2026-10-06', '-500', 'TRANSFER_OUT'),
        tx('2026-10-07', '-300', 'LOAN_PAYMENTS'),
        tx('2026-10-08', '-35', 'BANK_FEES', 'Late payment fee'),
        tx('2026-10-09', '-5', 'BANK_FEES', 'Foreign transaction fee'),
        tx('2026-10-10', '-999', 'TRAVEL', 'x', { pending: true }),
        tx('2026-11-01', '-100', 'TRAVEL', 'Hotel', { currency: 'EUR' }),
      ],
      (amount, currency) => (currency === 'EUR' ? amount.mul(d('1.1')) : amount),
    );
    expect(months.map((m) => m.month)).toEqual(['2026-10', '2026-11']);
    const [oct, nov] = months as [Month, Month];
    expect(oct.income.toString()).toBe('4000');
    expect(oct.spending.toString()).toBe('1300');
    expect(oct.byCategory.get('FOOD_AND_DRINK')?.toString()).toBe('60');
    expect([oct.fees, oct.lateFees]).toEqual([2, 1]);
    expect(nov.spending.toString()).toBe('110');
    expect(completeMonths(months, '2026-11-20', 6).map((m) => m.month)).toEqual(['2026-10']);
    expect(addMonths('2026-11', 3)).toBe('2027-02');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
  });
});

describe('the financial health score', () => {
  const base: ScoreInputs = {
    months: ['06', '07', '08', '09', '10', '11'].map((m) => month(`2026-${m}`, '4000', '2940')),
    year: ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) =>
      month(`2025-${m}`, '4000', '2940'),
    ),
    liquid: d('6762'),
    longTerm: d('20000'),
    debt: d('1500'),
    currency: 'USD',
    answers: { prime_credit: 3, planning_ahead: 4 },
    money: usd,
  };

  it('is the mean of what it can measure and what was answered, with each indicator explained (a worked example)', () => {
    const view = healthScore(base);
    const points = Object.fromEntries(view.indicators.map((i) => [i.id, i.points]));
    expect(points).toEqual({
      spend_less_than_income: 100, // 2,940 of 4,000 = 73.5 %: much less than income
      bills_on_time: 100, // no late fees in 12 months
      liquid_savings: 50, // 6,762 / 2,940 = 2.3 months: 1–3 months
      long_term_savings: 50, // 20,000 / 48,000 = 0.42 years of income: ≥ 0.25
      manageable_debt: 75, // 1,500 / 48,000 = 3 % of yearly income: ≤ 20 %
      prime_credit: 75, // answered "Very good"
      insurance: null, // skipped
      planning_ahead: 100, // answered "Agree strongly"
    });
    // (100 + 100 + 50 + 50 + 75 + 75 + 100) / 7 = 78.6
    expect(view).toMatchObject({ score: 79, tier: 'coping', partial: true, measured: 5, answered: 2 });
    expect(view.indicators.find((i) => i.id === 'liquid_savings')?.explanation).toBe(
      'Liquid savings of $6762.00 cover 2.3 months of your $2940.00 average monthly spending.',
    );
    expect(view.indicators.find((i) => i.id === 'insurance')?.source).toBe('skipped');
  });

  it('uses the answer only where the data cannot say, and has tiers at 40 and 80', () => {
    const none = healthScore({
      ...base,
      months: [],
      year: [],
      debt: d('10'),
      answers: { spend_less_than_income: 0 },
    });
    expect(none.indicators.find((i) => i.id === 'spend_less_than_income')).toMatchObject({
      source: 'answer',
      points: 0,
    });
    expect(none.indicators.find((i) => i.id === 'liquid_savings')?.source).toBe('skipped');
    const measured = healthScore({ ...base, answers: { spend_less_than_income: 0 } });
    expect(measured.indicators.find((i) => i.id === 'spend_less_than_income')?.source).toBe('data');
    expect([tierOf(39), tierOf(40), tierOf(79), tierOf(80)]).toEqual([
      'vulnerable',
      'coping',
      'coping',
      'healthy',
    ]);
    expect(healthScore({ ...base, months: [], year: [], debt: d('10'), answers: {} }).score).toBeNull();
  });

  it('scores overspending, late fees and heavy debt low', () => {
    const view = healthScore({
      ...base,
      months: base.months.map((m) => ({ ...m, spending: d('4800') })),
      year: base.year.map((m, i) => ({ ...m, lateFees: i < 5 ? 1 : 0 })),
      liquid: d('500'),
      debt: d('60000'),
    });
    const points = Object.fromEntries(view.indicators.map((i) => [i.id, i.points]));
    expect(points.spend_less_than_income).toBe(0); // 120 % of income
    expect(points.bills_on_time).toBe(0); // 5 late fees
    expect(points.liquid_savings).toBe(0); // 0.1 months
    expect(points.manageable_debt).toBe(0); // 125 % of yearly income
  });

  it('judges debt by what its payments take of income where they are known, and due dates missed as late bills', () => {
    // a mortgage of 200,000 at 1,199.10 a month and a card's 45.00: 1,244.10 of 4,000 = 31 %
    const view = healthScore({
      ...base,
      debt: d('201500'),
      debtPayments: d('1244.10'),
      dueDates: { checked: 24, missed: [{ name: 'Card', date: '2026-08-25' }], overdue: ['Student loan'] },
    });
    const debt = view.indicators.find((i) => i.id === 'manageable_debt')!;
    // ≤ 36 % (the lenders' back-end rule of thumb): 50 points
    expect(debt.points).toBe(50);
    expect(debt.figures).toEqual({ owed: '201500', monthlyPayments: '1244.1', monthlyIncome: '4000' });
    expect(debt.explanation).toBe(
      'You owe $201500.00; its payments of $1244.10 a month take 31 % of your $4000.00 monthly income.',
    );
    const bills = view.indicators.find((i) => i.id === 'bills_on_time')!;
    // one missed due date and one debt overdue now: two late bills
    expect(bills.points).toBe(50);
    expect(bills.explanation).toBe(
      'No late or overdraft fees in the last 12 months; 1 of 24 payments due arrived after their due date (Card, 2026-08-25); your lender says Student loan is overdue now.',
    );
    expect(
      healthScore({ ...base, debtPayments: d('400'), dueDates: { checked: 12, missed: [], overdue: [] } })
        .indicators.filter((i) => i.id === 'manageable_debt' || i.id === 'bills_on_time')
        .map((i) => i.points),
    ).toEqual([100, 100]);
  });
});

describe('recommendations', () => {
  const months = ['05', '06', '07', '08', '09', '10'].map((m) =>
    month(`2026-${m}`, '4000', '3500', {
      FOOD_AND_DRINK: m === '10' ? '900' : '400',
      RENT_AND_UTILITIES: '1500',
    }),
  );
  const inputs: RecommendationInputs = {
    currency: 'USD',
    money: usd,
    today: '2026-07-10',
    months,
    spendable: d('25000'),
    savings: d('1000'),
    debts: [
      // the car loan's terms are known; the card's rate and minimum are assumed
      {
        accountId: 'loan',
        name: 'Car loan',
        kind: 'loan',
        owed: d('8000'),
        aprPercent: 6.9,
        minimum: d('250'),
      },
      { accountId: 'card', name: 'Visa', kind: 'credit', owed: d('2000'), aprPercent: null, minimum: null },
    ],
    byAsset: new Map([
      ['BTC', d('60000')],
      ['USD', d('26000')],
    ]),
    fiat: new Set(['USD']),
    netWorth: d('76000'),
    transactions: [],
    toBase: same,
  };

  it('flags a single stock held too heavily, by its ticker, and not a fund', () => {
    const held = (asset: string) =>
      recommendations({
        ...inputs,
        byAsset: new Map([
          [asset, d('60000')],
          ['USD', d('16000')],
        ]),
      }).find((r) => r.id.startsWith('concentration:'));
    const apple = held('AAPL.STOCK')!;
    expect(apple.title).toBe('AAPL is 78.9 % of your net worth');
    expect(apple.rationale).toContain('as single stocks have within a year');
    expect(apple.impact).toBe('20500');
    expect(held('VTI.ETF')).toBeUndefined();
    expect(held('VTSAX.FUND')).toBeUndefined();
    expect(held('91282CLW9.BOND')).toBeUndefined();
  });

  it('finds each situation with its impact worked out, and ranks them by impact', () => {
    const list = recommendations(inputs);
    const impact = Object.fromEntries(list.map((r) => [r.id, r.impact]));
    expect(impact).toEqual({
      // 60,000 − 25 % × 76,000 = 41,000 above a quarter; half of it
      'concentration:BTC': '20500',
      // 4,000 × (20 % − 12.5 %) × 12
      savings_rate: '3600',
      // (900 − 400) × 12
      'category_over_usual:FOOD_AND_DRINK': '6000',
      // the interest saved against the minimums alone (checked below)
      debt_payoff: impact.debt_payoff,
      // cash beyond a month of spending (3,500) and the 3 × 3,500 − 1,000 savings = 9,500 still
      // needed for the emergency fund: 12,000 × 3.3 %
      idle_cash: '396',
    });
    expect(list.map((r) => r.id)).toEqual([
      'concentration:BTC',
      'category_over_usual:FOOD_AND_DRINK',
      'savings_rate',
      'debt_payoff',
      'idle_cash',
    ]);
    const payoff = list.find((r) => r.id === 'debt_payoff')!;
    expect(payoff.title).toBe('Pay off Visa first');
    // the minimums alone, each debt an annuity: n = −ln(1 − rB/M)/ln(1+r), interest ≈ n·M − B.
    // Visa: 21.5 % assumed, minimum 1 % + a month's interest = 55.83; the car: 6.9 %, 250
    const annuity = (b: number, apr: number, m: number) => {
      const r = apr / 1200;
      return (-Math.log(1 - (r * b) / m) / Math.log(1 + r)) * m - b;
    };
    const minimumsInterest = annuity(2000, 21.5, 55.83) + annuity(8000, 6.9, 250);
    expect(Math.abs(Number(payoff.data.minimumsInterest) - minimumsInterest)).toBeLessThan(3);
    // 250 a month extra (half the 500 kept each month); the saving is the difference
    expect(payoff.data.extraMonthly).toBe('250');
    expect(Number(payoff.impact)).toBeCloseTo(
      Number(payoff.data.minimumsInterest) - Number(payoff.data.avalancheInterest),
      2,
    );
    expect(Number(payoff.impact)).toBeGreaterThan(minimumsInterest / 2);
    expect(payoff.rationale).toContain('(Car loan 6.9 %, Visa 21.5 % (assumed))');
    // the minimums alone end with the card: 57.8 months of 55.83 from July 2026 is May 2031
    expect(payoff.rationale).toContain('than the minimums alone (debt-free by 2031-05');
    expect(payoff.rationale).toMatch(
      /most expensive first \(Visa, then Car loan\): debt-free by 20\d\d-\d\d/,
    );
  });

  it('keeps to its data contract when a plan never ends, and scales a card’s minimum with what it owes', () => {
    const list = recommendations({
      ...inputs,
      debts: [
        // the bank's minimum was its last statement's (25), the card now owes 9,000 at 12.5 %: a
        // fixed 25 would never outgrow the interest (93.75 a month); 1 % plus interest is 183.75
        {
          accountId: 'card',
          name: 'Visa',
          kind: 'credit',
          owed: d('9000'),
          aprPercent: 12.5,
          minimum: d('25'),
        },
        // a loan whose payment is below its interest: it never ends
        {
          accountId: 'loan',
          name: 'Payday',
          kind: 'loan',
          owed: d('1000'),
          aprPercent: 300,
          minimum: d('20'),
        },
      ],
    });
    const payoff = list.find((r) => r.id === 'debt_payoff')!;
    for (const value of Object.values(payoff.data)) expect(['string', 'number']).toContain(typeof value);
    expect(payoff.data.minimumsMonths).toBe('never');
    expect(payoff.rationale).toContain('not debt-free within 50 years');
  });

  it('asks for an emergency fund when liquid savings are short, and finds subscriptions that rose', () => {
    const short = recommendations({
      ...inputs,
      spendable: d('1000'),
      savings: d('500'),
      debts: [],
      byAsset: new Map(),
    });
    expect(short.find((r) => r.type === 'emergency_fund')?.impact).toBe('9000'); // 3 × 3,500 − 1,500
    const charges = ['2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05', '2026-05-05'].map((date, i) =>
      tx(date, i < 3 ? '-9.99' : '-12.99', 'ENTERTAINMENT', 'Streamly'),
    );
    expect(subscriptionRises(charges, same)).toEqual([
      { merchant: 'Streamly', merchantKey: 'streamly', before: d('9.99'), after: d('12.99'), months: 4 },
    ]);
    const rose = recommendations({ ...inputs, transactions: charges });
    expect(rose.find((r) => r.type === 'subscription_rise')?.impact).toBe('36');
    // an irregular merchant is not a subscription
    expect(
      subscriptionRises([...charges, tx('2026-05-20', '-15', 'ENTERTAINMENT', 'Streamly')], same),
    ).toEqual([]);
  });

  it('has nothing to say about a healthy, diversified user', () => {
    const healthy = recommendations({
      ...inputs,
      months: months.map((m) => ({ ...m, spending: d('2500'), byCategory: new Map() })),
      spendable: d('3000'),
      savings: d('9000'),
      debts: [],
      byAsset: new Map([['BTC', d('5000')]]),
    });
    expect(healthy).toEqual([]);
  });
});

describe('balances walked back', () => {
  it('takes back what each account moved after the day (a card purchase raises what was owed), and sums by role', () => {
    const accounts = [
      { accountId: 'chk', role: 'spendable' as const, value: d('1000') },
      { accountId: 'card', role: 'debt' as const, value: d('-300') },
      { accountId: 'btc', role: 'longTerm' as const, value: d('5000') },
    ];
    const flows = [
      { accountId: 'chk', date: '2026-11-02', amount: d('4000') }, // salary after the day
      { accountId: 'chk', date: '2026-10-30', amount: d('-50') }, // before: already in the balance then
      { accountId: 'card', date: '2026-11-03', amount: d('-120') }, // a purchase after the day
    ];
    const then = valuesAt(accounts, flows, '2026-10-31');
    expect(then.map((a) => a.value.toString())).toEqual(['-3000', '-180', '5000']);
    const roles = byRole(then);
    expect([roles.spendable, roles.debt, roles.longTerm, roles.savings].map(String)).toEqual([
      '-3000',
      '180',
      '5000',
      '0',
    ]);
    expect([
      roleOf('depository', 'savings'),
      roleOf('savings', null),
      roleOf('credit', 'credit card'),
      roleOf('cash', null),
      roleOf('property', null),
      roleOf('vehicle', null),
      roleOf('loan', 'mortgage'),
    ]).toEqual(['savings', 'savings', 'debt', 'spendable', 'owned', 'owned', 'debt']);
  });
});
