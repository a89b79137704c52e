// Expensive calls have a budget per user, counted in Redis and shared by every node: two nodes
// of one cluster (each with the services, so each request is served where it arrives) take turns,
// and the call past the budget is answered 429 with Retry-After in the one error body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import type { SessionResponse, WalletView } from '@finexia/contracts/api.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

let sims: Simulators;
let a: TestNode;
let b: TestNode;
let user: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 61, bankVolume: 0.04, bankMonths: 2, ticksPerSecond: 0 });
  const cluster = {
    ...sims.env,
    TRANSPORTER: 'nats',
    CACHER: 'redis',
    NAMESPACE: testNamespace('budget'),
    BUDGETS: 'projection=2/1m,syncNow=1/1h,csvPreview=1/1h',
  };
  a = await startNode(cluster);
  b = await startNode(cluster);
  for (const node of [a, b]) {
    await node.broker.waitForServices(['insights', 'wallets', 'transactions'], 30_000);
    await waitForRoutes(node);
  }
  user = await register(a.baseUrl);
}, 120_000);

afterAll(async () => {
  await Promise.all([b?.stop(), a?.stop()]);
  await sims?.stop();
});

const as = () => ({ token: user.accessToken });

function expectRateLimited(res: { status: number; headers: Headers; body: unknown }, what: string) {
  expect(res.status, what).toBe(429);
  expect(Number(res.headers.get('retry-after')), what).toBeGreaterThan(0);
  expect((res.body as ErrorBody).error.code).toBe('RATE_LIMITED');
}

describe('budgets of expensive calls', () => {
  it('projections: two a minute over both nodes, the third refused on either', async () => {
    const project = (node: TestNode) =>
      request(node.baseUrl, 'POST', '/api/v1/insights/projection', { ...as(), body: { paths: 100 } });
    expect((await project(a)).status).toBe(200);
    expect((await project(b)).status).toBe(200);
    expectRateLimited(await project(a), 'a third projection on the first node');
    expectRateLimited(await project(b), 'and on the second');
  });

  it('sync now and CSV previews each have theirs (and another user is not touched)', async () => {
    const bank = await request<WalletView>(a.baseUrl, 'POST', '/api/v1/wallets/bank', {
      ...as(),
      body: { institutionId: 'ins_109508' },
    });
    expect(bank.status).toBe(201);
    await waitFor(
      async () => {
        const w = await request<WalletView>(a.baseUrl, 'GET', `/api/v1/wallets/${bank.body.id}`, as());
        return w.body.sync.state === 'ok' ? true : undefined;
      },
      60_000,
      'the first sync',
    );
    const syncNow = (node: TestNode) =>
      request(node.baseUrl, 'POST', `/api/v1/wallets/${bank.body.id}/sync`, as());
    expect((await syncNow(b)).status).toBe(202);
    expectRateLimited(await syncNow(a), 'a second sync now');

    const cash = await request<WalletView>(a.baseUrl, 'POST', '/api/v1/wallets/manual', {
      ...as(),
      body: { name: 'Cash', manualType: 'cash', currency: 'USD', balance: '10' },
    });
    const preview = (node: TestNode) =>
      request(node.baseUrl, 'POST', '/api/v1/transactions/import/preview', {
        ...as(),
        body: { walletId: cash.body.id, csv: 'Date,Description,Amount\n2026-11-02,Coffee,-3.50\n' },
      });
    expect((await preview(a)).status).toBe(201);
    expectRateLimited(await preview(b), 'a second preview');

    const other = await register(b.baseUrl);
    const theirs = await request(b.baseUrl, 'POST', '/api/v1/insights/projection', {
      token: other.accessToken,
      body: { paths: 100 },
    });
    expect(theirs.status).toBe(200);
  });
});
