// CACHER=redis: a cached answer is shared by every node of the cluster. The bank institutions
// list is asked of Plaid once; another node answers it from Redis even while Plaid fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import type { InstitutionList, SessionResponse } from '@finexia/contracts/api.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';

let sims: Simulators;
let first: TestNode;
let second: TestNode;
let user: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 9, bankVolume: 0.02, ticksPerSecond: 0 });
  const cluster = {
    ...sims.env,
    TRANSPORTER: 'nats',
    CACHER: 'redis',
    NAMESPACE: testNamespace('cache'),
  };
  first = await startNode({ ...cluster, SERVICES: 'api,auth,users,wallets' });
  second = await startNode({ ...cluster, SERVICES: 'api,wallets' });
  await waitForRoutes(first);
  await second.broker.waitForServices(['auth', 'users'], 30_000);
  await waitForRoutes(second);
  user = await register(first.baseUrl);
});

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await sims?.stop();
});

describe('the shared cache', () => {
  it('answers the institutions list from Redis on another node while Plaid fails', async () => {
    const path = '/api/v1/wallets/bank/institutions';
    const fresh = await request<InstitutionList>(first.baseUrl, 'GET', path, { token: user.accessToken });
    expect(fresh.status).toBe(200);
    expect(fresh.body.institutions.length).toBeGreaterThan(0);

    sims.plaid.faults.update({ serverErrorRate: 1 });
    const cached = await request<InstitutionList>(second.baseUrl, 'GET', path, { token: user.accessToken });
    expect(cached.status).toBe(200);
    expect(cached.body).toEqual(fresh.body);
    expect(sims.plaid.faults.counts.serverErrors).toBe(0); // Plaid was not asked
  });
});
