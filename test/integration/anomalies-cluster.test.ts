// An anomaly across a cluster: injected at the (simulated) bank, synced and detected on one
// node, turned into an alert by the notifications service in its own process, pushed to a
// WebSocket client on the gateway node — and, with that process SIGKILLed before the alert is
// delivered, delivered exactly once by the next one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { startWorker } from '../helpers/worker.ts';
import { waitFor } from '../helpers/wait.ts';
import { register, request } from '../helpers/http.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Wallet } from '../../infra/models/wallet.model.ts';
import { Notification } from '../../infra/models/notification.model.ts';
import type { AnomalyPage, SessionResponse, WalletView } from '@finexia/contracts/api.ts';

const namespace = testNamespace('anom');
const TODAY = new Date().toISOString().slice(0, 10);
let sims: Simulators;
let gateway: TestNode;
let backend: TestNode;
let user: SessionResponse;
let walletId: string;
let itemId: string;
const workers: ChildProcess[] = [];

const startNotifier = (name: string) => {
  const child = startWorker({ name, namespace, services: 'notifications', env: { ...sims.env } });
  workers.push(child);
  return child;
};

const nodesRunningNotifications = () =>
  (gateway.broker.registry.getServiceList({ onlyAvailable: true }) as { name: string }[]).filter(
    (s) => s.name === 'notifications',
  ).length;

beforeAll(async () => {
  sims = await startSimulators({ seed: 515, bankVolume: 0.6, ticksPerSecond: 0, today: TODAY });
  const cluster = { ...sims.env, NAMESPACE: namespace, TRANSPORTER: 'nats' };
  gateway = await startNode({ ...cluster, SERVICES: 'api,ws,auth,users' });
  backend = await startNode({ ...cluster, SERVICES: 'wallets,transactions,anomalies' });
  startNotifier(`${namespace}-n1`);
  await waitForRoutes(gateway);
  await waitFor(
    async () => (nodesRunningNotifications() ? true : undefined),
    60_000,
    'the notifications node',
  );
  user = await register(gateway.baseUrl);
  const linked = await request<WalletView>(gateway.baseUrl, 'POST', '/api/v1/wallets/bank', {
    token: user.accessToken,
    body: { institutionId: 'ins_109508' },
  });
  walletId = linked.body.id;
  await waitForSync();
  itemId = (await Wallet.findOne({ publicId: walletId }).lean())?.providerItemId as string;
}, 180_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await backend?.stop();
  await gateway?.stop();
  await sims?.stop();
});

async function waitForSync(after = '') {
  await waitFor(
    async () => {
      const w = await request<WalletView>(gateway.baseUrl, 'GET', `/api/v1/wallets/${walletId}`, {
        token: user.accessToken,
      });
      return w.body.sync.state === 'ok' && (w.body.sync.lastSyncedAt ?? '') > after ? w.body : undefined;
    },
    90_000,
    'the sync',
  );
}

/** A large charge at a new merchant appears at the bank; the user syncs. */
async function chargeAtTheBank(merchant: string, cents: number): Promise<string> {
  const before = (
    await request<WalletView>(gateway.baseUrl, 'GET', `/api/v1/wallets/${walletId}`, {
      token: user.accessToken,
    })
  ).body.sync.lastSyncedAt;
  const providerId = sims.plaid.addTransaction(
    itemId,
    { name: merchant.toUpperCase(), merchant, amountCents: cents, category: 'GENERAL_MERCHANDISE' },
    'new_merchant_large',
  );
  const sync = await request(gateway.baseUrl, 'POST', `/api/v1/wallets/${walletId}/sync`, {
    token: user.accessToken,
  });
  expect(sync.status).toBe(202);
  await waitForSync(before ?? '');
  return providerId;
}

async function anomalyFor(merchant: string) {
  return waitFor(
    async () => {
      const page = await request<AnomalyPage>(
        gateway.baseUrl,
        'GET',
        '/api/v1/anomalies?type=new_merchant_large',
        {
          token: user.accessToken,
        },
      );
      // (merchants of our own: the simulated history has injected anomalies of its own)
      return page.body.anomalies.find((a) => a.evidence.merchant === merchant && !a.historical);
    },
    60_000,
    `the anomaly at ${merchant}`,
  );
}

describe('an anomaly across the cluster', () => {
  it('goes from the bank through sync and detection to a WebSocket client on another node', async () => {
    const ws = TestSocket.connect(gateway.wsUrl, { token: user.accessToken });
    await ws.next((f) => f.type === 'welcome');
    await chargeAtTheBank('Orbit Gadgets Co', 420_000);
    const anomaly = await anomalyFor('Orbit Gadgets Co');
    expect(anomaly.historical).toBe(false);
    const alert = await ws.next(
      (f) =>
        f.type === 'event' &&
        f.event === 'notification.created' &&
        f.data.notification.anomalyId === anomaly.id,
      60_000,
    );
    expect(
      alert.type === 'event' && alert.event === 'notification.created' && alert.data.notification.title,
    ).toBe('A large charge at a new merchant');
    await ws.close();
  }, 120_000);

  it('is delivered exactly once when the notifications node dies before delivering it', async () => {
    const ws = TestSocket.connect(gateway.wsUrl, { token: user.accessToken });
    await ws.next((f) => f.type === 'welcome');
    workers[0]!.kill('SIGKILL');
    await waitFor(
      async () => (nodesRunningNotifications() === 0 ? true : undefined),
      30_000,
      'the node to be gone',
    );
    // detected while nobody can deliver: the alert waits in JetStream
    await chargeAtTheBank('Nimbus Travel Desk', 250_000);
    const anomaly = await anomalyFor('Nimbus Travel Desk');
    expect(await Notification.countDocuments({ anomalyId: anomaly.id })).toBe(0);
    startNotifier(`${namespace}-n2`);
    const pushed = await ws.next(
      (f) =>
        f.type === 'event' &&
        f.event === 'notification.created' &&
        f.data.notification.anomalyId === anomaly.id,
      90_000,
    );
    expect(pushed.type).toBe('event');
    // once: one notification stored, one push — and a redelivered job changes nothing
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await Notification.countDocuments({ anomalyId: anomaly.id })).toBe(1);
    expect(
      ws.frames.filter(
        (f) =>
          f.type === 'event' &&
          f.event === 'notification.created' &&
          f.data.notification.anomalyId === anomaly.id,
      ),
    ).toHaveLength(1);
    await ws.close();
  }, 180_000);
});
