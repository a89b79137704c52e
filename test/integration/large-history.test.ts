// A history larger than one NATS message crosses nodes whole: a user with 10,000 transactions
// stored on one node (transactions) is read on another (anomalies, portfolio, insights) as a
// stream, where one message is at most 1 MiB. The detector learns through the newest row, and the
// cash flow the history and the insights read carries every row: its total equals the total of
// what was stored, summed here by hand from the generated rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { analyzeNow, startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Transaction } from '../../infra/models/transaction.model.ts';
import { DetectorStateModel } from '../../infra/models/anomaly.model.ts';
import { callJsonLines } from '../../infra/streams.ts';
import { Decimal } from '../../domain/money.ts';
import type { ImportedRow } from '@finexia/contracts/export.ts';
import type { HealthScoreView, SessionResponse, WalletView } from '@finexia/contracts/api.ts';

const ROWS = 10_000;
const MiB = 1024 * 1024;
const namespace = testNamespace('large');
let sims: Simulators;
let store: TestNode;
let reader: TestNode;
let user: SessionResponse;
let expectedTotal = Decimal.ZERO;

beforeAll(async () => {
  sims = await startSimulators({ seed: 77, ticksPerSecond: 0 });
  const cluster = { ...sims.env, NAMESPACE: namespace, TRANSPORTER: 'nats' };
  store = await startNode({ ...cluster, SERVICES: 'transactions' });
  reader = await startNode({
    ...cluster,
    SERVICES: 'api,auth,users,wallets,market,portfolio,anomalies,insights,notifications',
  });
  await waitForRoutes(reader);
  user = await register(reader.baseUrl);
  const wallet = await request<WalletView>(reader.baseUrl, 'POST', '/api/v1/wallets/manual', {
    token: user.accessToken,
    body: { name: 'Everyday', manualType: 'cash', currency: 'USD', balance: '25000' },
  });
  expect(wallet.status).toBe(201);
  const today = Date.UTC(2026, 11, 1);
  for (let start = 0; start < ROWS; start += 2_000) {
    const rows: ImportedRow[] = [];
    for (let i = start; i < start + 2_000; i += 1) {
      const amount =
        i % 50 === 0 ? `${(1800 + (i % 7)).toFixed(2)}` : `-${(3 + (i % 4_000) / 100).toFixed(2)}`;
      expectedTotal = expectedTotal.add(Decimal.parse(amount));
      rows.push({
        id: randomUUID(),
        walletId: wallet.body.id,
        date: new Date(today - (i % 700) * 86_400_000).toISOString().slice(0, 10),
        amount,
        currency: 'USD',
        name: `Neighbourhood grocery and household store, purchase ${i}`,
        merchant: `Neighbourhood Grocery ${i % 40}`,
        category: null,
        categorySource: 'none',
        notes: null,
        pending: false,
        source: 'manual',
      });
    }
    // from the reader's node to the store's, as an import sends them
    await reader.broker.call(
      'transactions.importRows',
      {
        userId: user.user.id,
        walletId: wallet.body.id,
        accountId: wallet.body.accounts[0]!.id,
        currency: 'USD',
        rows,
      },
      { timeout: 120_000 },
    );
  }
}, 300_000);

afterAll(async () => {
  await reader?.stop();
  await store?.stop();
  await sims?.stop();
});

describe('a history larger than one message', () => {
  it('reaches the detector on another node whole: it learns through the newest row', async () => {
    const newest = await Transaction.findOne({ userId: user.user.id }).sort({ _id: -1 }).lean();
    await analyzeNow(reader, user.user.id);
    const state = await DetectorStateModel.findById(user.user.id).lean();
    expect((JSON.parse(state!.feed!) as { last: string }).last).toBe(String(newest!._id));

    const stored = await callJsonLines(
      reader.broker,
      'transactions.storedSince',
      { userId: user.user.id },
      120_000,
    );
    expect(stored).toHaveLength(ROWS);
    expect(JSON.stringify(stored).length).toBeGreaterThan(2 * MiB);
  });

  it('reaches the insights and the history whole: every row, the total to the cent', async () => {
    const rows = await callJsonLines(
      reader.broker,
      'transactions.cashflowOf',
      { userId: user.user.id, from: '2020-01-01' },
      120_000,
    );
    expect(rows).toHaveLength(ROWS);
    expect(JSON.stringify(rows).length).toBeGreaterThan(MiB);
    expect(rows.reduce((sum, r) => sum.add(Decimal.parse(r.amount)), Decimal.ZERO).toFixed(2)).toBe(
      expectedTotal.toFixed(2),
    );

    const score = await request<HealthScoreView>(reader.baseUrl, 'GET', '/api/v1/insights/score', {
      token: user.accessToken,
    });
    expect(score.status).toBe(200);
    const rebuilt = await waitFor(
      async () => {
        const res = await request<{ points: { t: string }[] }>(
          reader.baseUrl,
          'GET',
          '/api/v1/portfolio/history?range=1Y',
          { token: user.accessToken },
        );
        return res.status === 200 && res.body.points.length > 30 ? res.body : undefined;
      },
      120_000,
      'the history rebuilt from the transactions',
    );
    expect(rebuilt.points.length).toBeGreaterThan(30);
  });
});
