// A sync worker killed half-way (SIGKILL, a real process) loses nothing and duplicates
// nothing: JetStream redelivers the unacked job to the next worker, which resumes from the
// last saved cursor; provider-keyed writes make the replayed pages harmless.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { startWorker } from '../helpers/worker.ts';
import { waitFor } from '../helpers/wait.ts';
import { register, request } from '../helpers/http.ts';
import type { SessionResponse, WalletView } from '@finexia/contracts/api.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Transaction } from '../../infra/models/transaction.model.ts';
import { Wallet } from '../../infra/models/wallet.model.ts';

const namespace = testNamespace('kill');
let sims: Simulators;
let gateway: TestNode;
let user: SessionResponse;
const workers: ChildProcess[] = [];

const startSyncWorker = (name: string): ChildProcess => {
  const child = startWorker({
    name,
    namespace,
    services: 'wallets',
    env: { ...sims.env, SYNC_ACK_WAIT: '2s' },
  });
  workers.push(child);
  return child;
};

beforeAll(async () => {
  // slow pages, so that there is a "half-way" to kill the worker at
  sims = await startSimulators({
    seed: 77,
    bankVolume: 2,
    ticksPerSecond: 0,
    today: '2026-11-25',
    faults: { latencyMs: 150 },
  });
  gateway = await startNode({
    ...sims.env,
    NAMESPACE: namespace,
    TRANSPORTER: 'nats',
    SERVICES: 'api,auth,users,transactions',
  });
  await waitForRoutes(gateway);
  user = await register(gateway.baseUrl);
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await gateway?.stop();
  await sims?.stop();
});

describe('a sync worker killed mid-sync', () => {
  it('resumes on another worker with no duplicates and no gaps', async () => {
    const first = startSyncWorker(`${namespace}-w1`);
    await gateway.broker.waitForServices(['wallets'], 30_000);
    await waitForRoutes(gateway, '/api/v1/wallets/bank');
    const linked = await request<WalletView>(gateway.baseUrl, 'POST', '/api/v1/wallets/bank', {
      token: user.accessToken,
      body: { institutionId: 'ins_109508' },
    });
    expect(linked.status).toBe(201);
    const walletId = linked.body.id;

    // Kill the worker once some pages are stored but the loop has not finished.
    await waitFor(
      async () => {
        const w = await Wallet.findOne({ publicId: walletId }).lean();
        return (w?.sync?.progress?.pages ?? 0) >= 2 ? true : undefined;
      },
      60_000,
      'two pages applied',
    );
    first.kill('SIGKILL');
    const storedAtKill = await Transaction.countDocuments({ walletId });
    const itemId = (await Wallet.findOne({ publicId: walletId }).lean())?.providerItemId as string;
    const truth = sims.plaid.truth(itemId)!;
    expect(storedAtKill).toBeGreaterThan(0);
    expect(storedAtKill).toBeLessThan(truth.transactions.length);
    expect((await Wallet.findOne({ publicId: walletId }).lean())?.sync?.cursor ?? null).toBeNull();

    startSyncWorker(`${namespace}-w2`);
    await waitFor(
      async () => {
        const w = await Wallet.findOne({ publicId: walletId }).lean();
        return w?.sync?.state === 'ok' ? true : undefined;
      },
      90_000,
      'the sync to finish on the second worker',
    );
    const stored = await Transaction.find({ walletId }).select({ providerTransactionId: 1 }).lean();
    const ids = stored.map((t) => t.providerTransactionId);
    const truthIds = new Set(truth.transactions.map((t) => t.transaction_id));
    expect(ids.length - new Set(ids).size).toBe(0); // duplicates
    expect([...truthIds].filter((id) => !ids.includes(id))).toEqual([]); // gaps
    expect(ids.filter((id) => !truthIds.has(id))).toEqual([]);
    expect(ids.length).toBe(truth.transactions.length);
  }, 180_000);
});
