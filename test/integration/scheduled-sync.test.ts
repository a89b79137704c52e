// Scheduled syncs: a node queues the due wallets of the users it owns, without anyone asking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { waitFor } from '../helpers/wait.ts';
import { register, request } from '../helpers/http.ts';
import type { SessionResponse, WalletView } from '@finexia/contracts/api.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';

let sims: Simulators;
let node: TestNode;
let user: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 91, bankVolume: 0.1, ticksPerSecond: 0, today: '2026-11-25' });
  node = await startNode({ ...sims.env, SYNC_INTERVAL: '1s', SERVICES: 'api,auth,users,wallets' });
  user = await register(node.baseUrl);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

describe('scheduled sync', () => {
  it('syncs a wallet again once its interval has passed', async () => {
    const creds = sims.binance.createAccount({ BTC: '1' });
    const created = await request<WalletView>(node.baseUrl, 'POST', '/api/v1/wallets/exchange', {
      token: user.accessToken,
      body: { provider: 'binance', ...creds },
    });
    expect(created.status).toBe(201);
    const first = created.body.sync.lastSyncedAt;
    expect(first).not.toBeNull();
    // the schedule syncs it again on its own (generous: CI shares 2 cores)
    const latest = await waitFor(
      async () => {
        const wallet = await request<WalletView>(node.baseUrl, 'GET', `/api/v1/wallets/${created.body.id}`, {
          token: user.accessToken,
        });
        const at = wallet.body.sync.lastSyncedAt;
        return at && at !== first ? at : undefined;
      },
      60_000,
      'the scheduled sync',
    );
    expect(Date.parse(latest ?? '')).toBeGreaterThan(Date.parse(first ?? ''));
  });
});
