// The demo as a visitor meets it (the same seed, simulators and rate as `scripts/finexia start`):
// its numbers match what the providers hold, its history runs into today without a seam, and it
// tells a true story — a household that saves, owes a modest card, pays by card a few times a
// day, had a few real surprises lately (one notified), and aims at one goal. Its start sends no
// job to the dead letters (the node's stop checks).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { DEMO_USERS, seedDemoUsers, seedDemoWallets, type DemoWallets } from '../../scripts/seed.ts';
import { ProviderTruth, providerUrls } from '../oracle/providers.ts';
import { checkPersons, describeMismatches } from '../oracle/run.ts';
import { PublicApi, type Person } from '../oracle/people.ts';
import { exact, ZERO } from '../oracle/exact.ts';
import type {
  AnomalyPage,
  GoalList,
  HealthScoreView,
  NotificationList,
  ProjectionView,
  SessionResponse,
  TransactionPage,
  ValueAtResponse,
  WalletList,
} from '@finexia/contracts/api.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';

let sims: Simulators;
let node: TestNode;
let demo: DemoWallets;
let session: SessionResponse;
const providers = () => new ProviderTruth(providerUrls(sims.env));
const get = async <T>(path: string) => {
  const res = await request<T>(node.baseUrl, 'GET', `/api/v1${path}`, { token: session.accessToken });
  expect(res.status, path).toBe(200);
  return res.body;
};

beforeAll(async () => {
  // as scripts/start.ts starts them: seed 42, a household's anomaly rate, the market walking
  sims = await startSimulators({
    seed: 42,
    bankAnomalyRate: 0.004,
    ticksPerSecond: 20,
    ethereumRpcUrl: inject('ethereumRpcUrl'),
  });
  node = await startNode({ ...sims.env, COINGECKO_POLL_INTERVAL: '2s' });
  await seedDemoUsers(node.config);
  const made = await seedDemoWallets(node.broker, sims);
  if (!made) throw new Error('no demo user');
  demo = made;
  const { email, password } = DEMO_USERS[0];
  const login = await request<SessionResponse>(node.baseUrl, 'POST', '/api/v1/auth/login', {
    body: { email, password },
  });
  session = login.body;
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

describe('the demo', () => {
  it('shows what the providers hold: every figure, and its history a year back', async () => {
    const person: Person = {
      spec: {
        label: 'demo',
        kind: 'everything',
        baseCurrency: 'USD',
        banks: ['ins_109508'],
        brokerages: ['ins_109509'],
        binance: null,
        coinbase: null,
        manual: demo.manual,
        loans: [],
        owned: demo.owned,
        // set up by the seed, not by the oracle: the spec is not used to set it up again
        ethereum: null,
        bitcoin: null,
      },
      session,
      banks: [demo.bank],
      brokerages: [demo.brokerage],
      binance: demo.binance,
      coinbase: demo.coinbase,
      manual: demo.manual.map((m) => ({ walletId: m.walletId, spec: m })),
      loans: [],
      owned: demo.owned.map((o) => ({ walletId: o.walletId, spec: o })),
      ethereum: demo.ethereum,
      bitcoin: null,
    };
    const run = await checkPersons(new PublicApi(node.baseUrl), providers(), [person], {
      historySamples: 8,
      settleTimeoutMs: 150_000,
    });
    expect(run.historyFigures).toBeGreaterThanOrEqual(8);
    expect(run.mismatches, `mismatches:\n${describeMismatches(run.mismatches)}`).toEqual([]);

    // no seam: the day opened where the history's last day ended, but for the manual balances
    // recorded today (each wallet's latest is dated today)
    const view = await get<PortfolioView>('/portfolio');
    const midnight = new Date(Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`));
    const point = await get<ValueAtResponse>(`/portfolio/history/at?t=${midnight.toISOString()}`);
    expect(point.t).toBe(midnight.toISOString());
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const fixing = await providers().fxOn(yesterday);
    let recordedToday = ZERO;
    for (const m of demo.manual) {
      const [before, today] = m.balances.slice(-2);
      recordedToday = recordedToday.plus(
        exact(today!.balance).minus(exact(before!.balance)).times(ProviderTruth.usdPer(m.currency, fixing)!),
      );
    }
    expect(exact(view.dayOpen).minus(exact(point.value)).minus(recordedToday).abs().lte(exact('0.02'))).toBe(
      true,
    );
  }, 300_000);

  it('is a household that saves, owes a modest card and pays by card a few times a day', async () => {
    const score = await get<HealthScoreView>('/insights/score');
    const spend = score.indicators.find((i) => i.id === 'spend_less_than_income')!;
    const saved = 1 - Number(spend.figures.monthlySpending) / Number(spend.figures.monthlyIncome);
    expect(saved).toBeGreaterThanOrEqual(0.05);
    expect(saved).toBeLessThanOrEqual(0.3);
    const debt = score.indicators.find((i) => i.id === 'manageable_debt')!;
    expect(Number(debt.figures.owed)).toBeGreaterThan(0);
    expect(debt.explanation).not.toMatch(/owe nothing/);
    const { wallets } = await get<WalletList>('/wallets');
    const card = wallets.flatMap((w) => w.accounts).find((a) => a.type === 'credit')!;
    expect(card.liability).toBe(true);
    expect(Number(card.value)).toBeLessThan(0);
    expect(Number(card.value)).toBeGreaterThan(-5_000);
    // the card's purchases over the last 30 posted days
    const to = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
    const from = new Date(Date.now() - 35 * 86_400_000).toISOString().slice(0, 10);
    let purchases = 0;
    let cursor: string | null = null;
    do {
      const page: TransactionPage = await get<TransactionPage>(
        `/transactions?accountId=${card.id}&from=${from}&to=${to}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      );
      purchases += page.transactions.filter((t) => Number(t.amount) < 0).length;
      cursor = page.nextCursor;
    } while (cursor);
    expect(purchases / 31).toBeGreaterThanOrEqual(1.5);
    expect(purchases / 31).toBeLessThanOrEqual(4.5);
  });

  it('had a few real surprises in the last weeks, one of them notified, and aims at a goal', async () => {
    const recent = await waitFor(
      async () => {
        const page = await get<AnomalyPage>('/anomalies?limit=100');
        const found = page.anomalies.filter((a) => !a.historical);
        return found.some((a) => a.type === 'new_merchant_large') ? found : undefined;
      },
      60_000,
      'the demo’s recent anomalies',
    );
    expect(recent.map((a) => a.type)).toEqual(
      expect.arrayContaining(['duplicate_charge', 'new_merchant_large']),
    );
    const alerts = await waitFor(
      async () => {
        const list = await get<NotificationList>('/notifications?limit=50');
        const found = list.items.filter((n) => n.kind === 'anomaly');
        return found.length ? found : undefined;
      },
      60_000,
      'an alert',
    );
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    const { goals } = await get<GoalList>('/insights/goals');
    expect(goals).toHaveLength(1);
    const projection = await request<ProjectionView>(node.baseUrl, 'POST', '/api/v1/insights/projection', {
      token: session.accessToken,
      body: {},
    });
    expect(projection.status).toBe(200);
    expect(projection.body.goals).toHaveLength(1);
    // a household that saves is not projected into debt
    const last = projection.body.points.at(-1)!;
    expect(Number(last.p50)).toBeGreaterThan(Number((await get<PortfolioView>('/portfolio')).netWorth));
  });
});
