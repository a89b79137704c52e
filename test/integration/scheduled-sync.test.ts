// Scheduled syncs: a node queues the due wallets of the users it owns, without anyone asking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
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
    const deadline = Date.now() + 15_000;
    let latest = first;
    while (latest === first && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      latest = (
        await request<WalletView>(node.baseUrl, 'GET', `/api/v1/wallets/${created.body.id}`, {
          token: user.accessToken,
        })
      ).body.sync.lastSyncedAt;
    }
    expect(Date.parse(latest ?? '')).toBeGreaterThan(Date.parse(first ?? ''));
  });
});
