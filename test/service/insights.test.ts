// Insights over HTTP, on the service tier (the services it needs on one in-process broker, no
// NATS): the financial health score from a linked bank's two years of history (measured, then
// completed by the questionnaire), its monthly history, ranked recommendations and their
// dismissal, the projection with its assumptions and goals; every route validated and scoped to
// its owner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import type {
  GoalList,
  GoalView,
  HealthScoreView,
  ProjectionView,
  QuestionnaireView,
  RecommendationList,
  ScoreHistoryView,
  SessionResponse,
  WalletView,
} from '@finexia/contracts/api.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';
import { Account, Wallet } from '../../infra/models/wallet.model.ts';

const TODAY = new Date().toISOString().slice(0, 10);
/** the same day `n` months away */
const shiftMonth = (date: string, n: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
};
let sims: Simulators;
let node: TestNode;
let base: string;
let alice: SessionResponse;
let bob: SessionResponse;

const as = (user: SessionResponse) => ({ token: user.accessToken });
const inYears = (n: number) => `${Number(TODAY.slice(0, 4)) + n}${TODAY.slice(4, 8)}01`;

beforeAll(async () => {
  sims = await startSimulators({ seed: 2026, bankVolume: 0.6, ticksPerSecond: 0, today: TODAY });
  node = await startServices(
    ['api', 'auth', 'users', 'wallets', 'transactions', 'portfolio', 'insights'],
    sims.env,
  );
  base = node.baseUrl;
  [alice, bob] = await Promise.all([register(base), register(base)]);
  const bank = await request<WalletView>(base, 'POST', '/api/v1/wallets/bank', {
    ...as(alice),
    body: { institutionId: 'ins_109508' },
  });
  expect(bank.status).toBe(201);
  await waitFor(
    async () => {
      const w = await request<WalletView>(base, 'GET', `/api/v1/wallets/${bank.body.id}`, as(alice));
      return w.body.sync.state === 'ok' ? true : undefined;
    },
    90_000,
    'the bank sync to finish',
  );
}, 150_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

describe('the financial health score', () => {
  it('measures what the data can from two years of bank history, and says it is partial', async () => {
    const res = await request<HealthScoreView>(base, 'GET', '/api/v1/insights/score', as(alice));
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.indicators.map((i) => [i.id, i]));
    for (const id of [
      'spend_less_than_income',
      'bills_on_time',
      'liquid_savings',
      'manageable_debt',
    ] as const)
      expect(byId[id]?.source, id).toBe('data');
    expect(byId.liquid_savings?.explanation).toMatch(
      /cover \d+\.\d months of your \$[\d,.]+ average monthly spending/,
    );
    for (const id of ['prime_credit', 'insurance', 'planning_ahead'] as const)
      expect(byId[id]?.source).toBe('skipped');
    expect(res.body.partial).toBe(true);
    expect(res.body.score).toBeGreaterThanOrEqual(0);
    expect(res.body.score).toBeLessThanOrEqual(100);
    expect(res.body.tier).toBe(
      res.body.score! >= 80 ? 'healthy' : res.body.score! >= 40 ? 'coping' : 'vulnerable',
    );
  });

  it('takes questionnaire answers for what data cannot measure, and the score follows them', async () => {
    const q = await request<QuestionnaireView>(base, 'GET', '/api/v1/insights/questionnaire', as(alice));
    expect(q.body.questions).toHaveLength(8);
    expect(q.body.questions.find((x) => x.indicator === 'liquid_savings')?.measured).toBe(true);
    expect(q.body.questions.find((x) => x.indicator === 'prime_credit')).toMatchObject({
      measured: false,
      answer: null,
    });
    const best = await request<HealthScoreView>(base, 'PUT', '/api/v1/insights/questionnaire', {
      ...as(alice),
      body: { answers: { prime_credit: 4, insurance: 4, planning_ahead: 4 } },
    });
    const worst = await request<HealthScoreView>(base, 'PUT', '/api/v1/insights/questionnaire', {
      ...as(alice),
      body: { answers: { prime_credit: 0, insurance: 0, planning_ahead: 0 } },
    });
    expect(best.status).toBe(200);
    expect(best.body.partial).toBe(false);
    expect(best.body.answered).toBe(3);
    // three indicators of eight from 100 to 0 points: the mean moves by 37.5
    expect(Math.abs(best.body.score! - worst.body.score! - 37.5)).toBeLessThanOrEqual(1);
    // skipping again makes it partial again
    const skipped = await request<HealthScoreView>(base, 'PUT', '/api/v1/insights/questionnaire', {
      ...as(alice),
      body: { answers: { insurance: null } },
    });
    expect(skipped.body.partial).toBe(true);
    expect(skipped.body.indicators.find((i) => i.id === 'prime_credit')?.points).toBe(0);
  });

  it.each([
    ['an answer out of range', { answers: { prime_credit: 7 } }, 'answers.prime_credit'],
    ['an unknown indicator', { answers: { horoscope: 2 } }, 'answers.horoscope'],
    ['an operator object', { answers: { prime_credit: { $gt: 1 } } }, 'answers.prime_credit'],
  ])('refuses %s and changes nothing', async (_what, body, field) => {
    const before = await request<QuestionnaireView>(base, 'GET', '/api/v1/insights/questionnaire', as(alice));
    const res = await request<ErrorBody>(base, 'PUT', '/api/v1/insights/questionnaire', {
      ...as(alice),
      body,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields?.map((f) => f.field)).toContain(field);
    expect(
      (await request<QuestionnaireView>(base, 'GET', '/api/v1/insights/questionnaire', as(alice))).body,
    ).toEqual(before.body);
  });

  it('has a monthly history, computed for past months from the transactions', async () => {
    const res = await request<ScoreHistoryView>(
      base,
      'GET',
      '/api/v1/insights/score/history?months=12',
      as(alice),
    );
    expect(res.status).toBe(200);
    expect(res.body.months).toHaveLength(12);
    const scored = res.body.months.filter((m) => m.score !== null);
    expect(scored.length).toBeGreaterThanOrEqual(11);
    expect(scored.every((m) => m.estimated && m.score! >= 0 && m.score! <= 100)).toBe(true);
  });
});

describe('recommendations', () => {
  it('are ranked by impact, each explained with its numbers, and a dismissed one stays dismissed', async () => {
    const res = await request<RecommendationList>(base, 'GET', '/api/v1/insights/recommendations', as(alice));
    expect(res.status).toBe(200);
    const list = res.body.recommendations;
    expect(list.length).toBeGreaterThan(0);
    const impacts = list.map((r) => Number(r.impact));
    expect([...impacts].sort((a, b) => b - a)).toEqual(impacts);
    for (const r of list) {
      expect(r.rationale.length).toBeGreaterThan(40);
      expect(Object.keys(r.data).length).toBeGreaterThan(0);
      expect(r.currency).toBe('USD');
    }
    const first = list[0]!;
    const dismissed = await request<RecommendationList>(
      base,
      'POST',
      '/api/v1/insights/recommendations/dismiss',
      {
        ...as(alice),
        body: { id: first.id },
      },
    );
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.recommendations.map((r) => r.id)).not.toContain(first.id);
    const again = await request<RecommendationList>(
      base,
      'GET',
      '/api/v1/insights/recommendations',
      as(alice),
    );
    expect(again.body.recommendations.map((r) => r.id)).not.toContain(first.id);
    expect(again.body.dismissed).toBe(1);
    // someone else cannot dismiss it, nor one that does not exist
    expect(
      (
        await request(base, 'POST', '/api/v1/insights/recommendations/dismiss', {
          ...as(bob),
          body: { id: list[1]?.id ?? first.id },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await request(base, 'POST', '/api/v1/insights/recommendations/dismiss', {
          ...as(alice),
          body: { id: 'nothing' },
        })
      ).status,
    ).toBe(404);
  });

  it("take a linked card's APR and minimum from the bank (Plaid Liabilities), as its history shows them", async () => {
    const { wallets } = (await request<{ wallets: WalletView[] }>(base, 'GET', '/api/v1/wallets', as(alice)))
      .body;
    const card = wallets.flatMap((w) => w.accounts).find((a) => a.type === 'credit')!;
    // the bank's own history: the statement that closed the day before the last 20th
    const due = TODAY.slice(8) >= '20' ? `${TODAY.slice(0, 8)}20` : shiftMonth(`${TODAY.slice(0, 8)}20`, -1);
    const from = shiftMonth(due, -1);
    const itemId = (await Wallet.findOne({ publicId: wallets.find((w) => w.kind === 'bank')!.id }).lean())!
      .providerItemId as string;
    const cardAtTheBank = (await Account.findOne({ publicId: card.id }).lean())!.providerAccountId;
    const charged = sims.plaid
      .truth(itemId)!
      .transactions.filter(
        (t) =>
          !t.pending &&
          t.account_id === cardAtTheBank &&
          t.name !== 'PAYMENT THANK YOU' &&
          t.date >= from &&
          t.date < due,
      )
      .reduce((sum, t) => sum + Math.round(t.amount * 100), 0);
    expect(card.debt).toEqual({
      aprPercent: '12.5',
      minimumPayment: String(Math.min(charged, Math.max(2500, Math.round(charged / 100))) / 100),
      nextPaymentDueDate: shiftMonth(due, 1),
    });
  });

  it('judge bills on time by the card’s due dates, and debt by what its payments take of income', async () => {
    const score = async () =>
      Object.fromEntries(
        (
          await request<HealthScoreView>(base, 'GET', '/api/v1/insights/score', as(alice))
        ).body.indicators.map((i) => [i.id, i]),
      );
    const before = await score();
    // the bank's card is paid on its due day every month: each past due date with a bill is kept
    expect(Number(before.bills_on_time?.figures.dueDatesChecked)).toBeGreaterThanOrEqual(10);
    expect(before.bills_on_time?.figures).toMatchObject({ dueDatesMissed: '0', overdue: '0' });
    expect(before.bills_on_time?.explanation).toMatch(
      /all \d+ payments due on your cards and loans arrived by their due dates/,
    );
    // the card's payment: its minimum or 1 % of what is owed plus a month's interest at 12.5 %, at least 25
    const { wallets } = (await request<{ wallets: WalletView[] }>(base, 'GET', '/api/v1/wallets', as(alice)))
      .body;
    const card = wallets.flatMap((w) => w.accounts).find((a) => a.type === 'credit')!;
    const owed = -Number(card.value);
    const payment = Math.max(Number(card.debt!.minimumPayment), Math.max(25, owed * (0.01 + 0.125 / 12)));
    expect(Number(before.manageable_debt?.figures.monthlyPayments)).toBeCloseTo(payment, 2);
    expect(before.manageable_debt?.explanation).toMatch(
      /its payments of \$[\d,.]+ a month take \d+ % of your/,
    );

    // the bank says the card is overdue: after the next sync the score says so, one late bill more
    const bank = wallets.find((w) => w.kind === 'bank')!;
    const itemId = (await Wallet.findOne({ publicId: bank.id }).lean())!.providerItemId as string;
    const cardAtTheBank = (await Account.findOne({ publicId: card.id }).lean())!.providerAccountId;
    expect(sims.plaid.setOverdue(itemId, cardAtTheBank, true)).toBe(true);
    try {
      expect((await request(base, 'POST', `/api/v1/wallets/${bank.id}/sync`, as(alice))).status).toBe(202);
      const after = await waitFor(
        async () => {
          const s = await score();
          return s.bills_on_time?.figures.overdue === '1' ? s : undefined;
        },
        60_000,
        'the overdue card in the score',
      );
      expect(after.bills_on_time?.explanation).toContain(`your lender says ${card.name} is overdue now`);
      expect(after.bills_on_time!.points!).toBeLessThan(before.bills_on_time!.points!);
    } finally {
      sims.plaid.setOverdue(itemId, cardAtTheBank, false);
    }
  }, 90_000);

  it("read a loan's own terms: its rate, its payment, and when it ends on its minimum alone", async () => {
    const loan = await request<WalletView>(base, 'POST', '/api/v1/wallets/manual', {
      ...as(bob),
      body: {
        name: 'Student loan',
        manualType: 'loan',
        currency: 'USD',
        loan: {
          principal: '12000',
          annualRatePercent: '5',
          termMonths: 120,
          startDate: TODAY,
          paymentDay: 1,
        },
      },
    });
    expect(loan.status, JSON.stringify(loan.body)).toBe(201);
    const payoff = await waitFor(
      async () => {
        const res = await request<RecommendationList>(
          base,
          'GET',
          '/api/v1/insights/recommendations',
          as(bob),
        );
        return res.body.recommendations.find((r) => r.id === 'debt_payoff');
      },
      30_000,
      'the debt recommendation',
    );
    // its own rate, not an assumed one; 12,000 at 5 % over ten years is 127.28 a month, and on
    // that alone it pays 127.28 × 120 − 12,000 = 3,273.60 of interest (give or take the rounding)
    expect(payoff.rationale).toContain('Student loan 5 %)');
    expect(payoff.rationale).not.toContain('assumed');
    expect(Math.abs(Number(payoff.data.minimumsInterest) - 3273.6)).toBeLessThan(1);
    expect(payoff.data.minimumsMonths).toBe(120);
  });
});

describe('the projection', () => {
  let goal: GoalView;

  it('starts from today’s balances, states its assumptions, and is reproducible', async () => {
    const res = await request<ProjectionView>(base, 'POST', '/api/v1/insights/projection', {
      ...as(alice),
      body: { years: 20, paths: 2000 },
    });
    expect(res.status).toBe(200);
    const { points, assumptions } = res.body;
    expect(points).toHaveLength(21);
    expect(assumptions.classes.cash.source).toMatch(/Damodaran/);
    expect(assumptions.inflationSource).toMatch(/consumer prices/);
    expect(assumptions.savingsMeasuredOver).toBe(6);
    expect(assumptions.measuredMonthlySavings).toMatch(/^-?\d+(\.\d+)?$/);
    // today: the assets less what is owed (the bank's card among the debts, apart from the cash)
    const start = Object.values(assumptions.start).reduce((a, b) => a + Number(b), 0);
    const owed = assumptions.debts.reduce((a, d) => a + Number(d.owed), 0);
    expect(assumptions.debts.length).toBeGreaterThan(0);
    expect(Number(points[0]!.p50)).toBeCloseTo(start - owed, 1);
    for (const p of points.slice(1)) {
      expect(Number(p.p10)).toBeLessThanOrEqual(Number(p.p50));
      expect(Number(p.p50)).toBeLessThanOrEqual(Number(p.p90));
    }
    const again = await request<ProjectionView>(base, 'POST', '/api/v1/insights/projection', {
      ...as(alice),
      body: { years: 20, paths: 2000 },
    });
    expect(again.body.points).toEqual(points);
  });

  it('grows a home at its rate and a car by its own depreciation, with no savings put into either', async () => {
    const owned = (body: object) =>
      request<WalletView>(base, 'POST', '/api/v1/wallets/manual', { ...as(bob), body });
    const home = await owned({
      name: 'Flat',
      manualType: 'property',
      currency: 'USD',
      owned: { purchasePrice: '300000', purchaseDate: '2021-05-01' },
      balance: '320000',
    });
    const car = await owned({
      name: 'Van',
      manualType: 'vehicle',
      currency: 'USD',
      owned: { purchasePrice: '20000', purchaseDate: TODAY, depreciationPercent: '24' },
    });
    expect([home.status, car.status]).toEqual([201, 201]);
    const res = await waitFor(
      async () => {
        const r = await request<ProjectionView>(base, 'POST', '/api/v1/insights/projection', {
          ...as(bob),
          body: { years: 2, paths: 500, monthlySavings: '0', inflationAdjusted: false },
        });
        return r.body.assumptions?.start.vehicle === '20000' ? r : undefined;
      },
      20_000,
      'the home and the car in the projection',
    );
    const { assumptions, points } = res.body;
    expect(assumptions.start).toMatchObject({ property: '320000', vehicle: '20000' });
    expect(assumptions.savingsMix).toMatchObject({ property: 0, vehicle: 0 });
    expect(assumptions.classes.property.source).toMatch(/Case-Shiller/);
    // 2 % a month off the van: (0.98)^12 − 1 a year, stated as its own
    expect(assumptions.classes.vehicle.expectedReturn).toBeCloseTo(0.98 ** 12 - 1, 10);
    expect(assumptions.classes.vehicle.source).toMatch(
      /your vehicles' depreciation schedules: 2\.00 % of their value a month/,
    );
    // the line, by hand: bob holds nothing else; the flat grows 4.2 % a year, the van keeps 0.98 a
    // month, and what his debts (if any) are repaid in two years lies between nothing and all of it
    const others = Object.entries(assumptions.start)
      .filter(([c]) => c !== 'property' && c !== 'vehicle')
      .reduce((a, [, v]) => a + Number(v), 0);
    expect(others).toBe(0);
    const owed = assumptions.debts.reduce((a, d) => a + Number(d.owed), 0);
    expect(Number(points[0]!.deterministic)).toBeCloseTo(340_000 - owed, 1);
    const grown = 320_000 * (1.042 ** 2 - 1) + 20_000 * (0.98 ** 24 - 1);
    const repaid = Number(points[2]!.deterministic) - Number(points[0]!.deterministic) - grown;
    expect(repaid).toBeGreaterThanOrEqual(-0.01);
    expect(repaid).toBeLessThanOrEqual(owed + 0.01);
  });

  it('moves its band when an assumption changes', async () => {
    const calm = await request<ProjectionView>(base, 'POST', '/api/v1/insights/projection', {
      ...as(alice),
      body: { years: 10, paths: 2000, monthlySavings: '500', classes: { cash: { volatility: 0.01 } } },
    });
    const wild = await request<ProjectionView>(base, 'POST', '/api/v1/insights/projection', {
      ...as(alice),
      body: { years: 10, paths: 2000, monthlySavings: '500', classes: { cash: { volatility: 0.3 } } },
    });
    const width = (v: ProjectionView) => Number(v.points[10]!.p90) - Number(v.points[10]!.p10);
    expect(width(wild.body)).toBeGreaterThan(width(calm.body) * 3);
    expect(wild.body.assumptions.classes.cash.source).toMatch(/your assumption/);
  });

  it('keeps goals and tells each one’s chance and the monthly saving that reaches it', async () => {
    const created = await request<GoalView>(base, 'POST', '/api/v1/insights/goals', {
      ...as(alice),
      body: { name: 'House deposit', target: '60000', date: inYears(5) },
    });
    expect(created.status).toBe(201);
    goal = created.body;
    const res = await request<ProjectionView>(base, 'POST', '/api/v1/insights/projection', {
      ...as(alice),
      body: { years: 10, paths: 2000 },
    });
    const outcome = res.body.goals.find((g) => g.id === goal.id);
    expect(outcome?.probability).toBeGreaterThanOrEqual(0);
    expect(outcome?.probability).toBeLessThanOrEqual(1);
    expect(Number(outcome?.monthlyNeededP90)).toBeGreaterThanOrEqual(Number(outcome?.monthlyNeededP50));
    const updated = await request<GoalView>(base, 'PATCH', `/api/v1/insights/goals/${goal.id}`, {
      ...as(alice),
      body: { target: '65000' },
    });
    expect(updated.body.target).toBe('65000');
    expect(
      (await request<GoalList>(base, 'GET', '/api/v1/insights/goals', as(alice))).body.goals,
    ).toHaveLength(1);
  });

  it.each([
    ['a date in the past', { name: 'x', target: '100', date: '2020-01-01' }, 'date'],
    ['a target of zero', { name: 'x', target: '0', date: inYears(1) }, 'target'],
    ['no name', { name: '', target: '100', date: inYears(1) }, 'name'],
    ['a date that does not exist', { name: 'x', target: '100', date: '2030-02-30' }, 'date'],
  ])('refuses a goal with %s', async (_what, body, field) => {
    const res = await request<ErrorBody>(base, 'POST', '/api/v1/insights/goals', { ...as(alice), body });
    expect(res.status).toBe(422);
    expect(res.body.error.fields?.map((f) => f.field)).toContain(field);
    expect(
      (await request<GoalList>(base, 'GET', '/api/v1/insights/goals', as(alice))).body.goals,
    ).toHaveLength(1);
  });

  it.each([
    ['years beyond 30', { years: 31 }],
    ['a negative volatility', { classes: { crypto: { volatility: -1 } } }],
    ['an unknown class', { classes: { stocks: { volatility: 0.2 } } }],
    ['a savings amount that is not a decimal', { monthlySavings: '12,5' }],
  ])('refuses a projection with %s', async (_what, body) => {
    const res = await request<ErrorBody>(base, 'POST', '/api/v1/insights/projection', { ...as(alice), body });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('keeps each user’s goals their own', async () => {
    expect((await request<GoalList>(base, 'GET', '/api/v1/insights/goals', as(bob))).body.goals).toEqual([]);
    for (const [method, body] of [
      ['PATCH', { name: 'mine' }],
      ['DELETE', undefined],
    ] as const)
      expect(
        (await request(base, method, `/api/v1/insights/goals/${goal.id}`, { ...as(bob), body })).status,
      ).toBe(404);
    expect((await request(base, 'DELETE', `/api/v1/insights/goals/${goal.id}`, as(alice))).status).toBe(204);
    expect((await request<GoalList>(base, 'GET', '/api/v1/insights/goals', as(alice))).body.goals).toEqual(
      [],
    );
  });

  it('answers 401 without a token', async () => {
    expect((await request(base, 'GET', '/api/v1/insights/score')).status).toBe(401);
  });
});
