// A sync worker killed half-way (SIGKILL, a real process) loses nothing and duplicates
// nothing: JetStream redelivers the unacked job to the next worker, which resumes from the
// last saved cursor; provider-keyed writes make the replayed pages harmless.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  startNode,
  testConfig,
  waitForRoutes,
  TEST_CREDENTIALS_KEYS,
  TEST_JWT_SECRET,
  type TestNode,
} from '../helpers/node.ts';
import { register, request, type SessionBody } from '../helpers/http.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Transaction } from '../../mixins/models/transaction.model.ts';
import { Wallet } from '../../mixins/models/wallet.model.ts';

const namespace = `kill${randomBytes(3).toString('hex')}`;
let sims: Simulators;
let gateway: TestNode;
let user: SessionBody;
const workers: ChildProcess[] = [];

/** A wallets worker in its own process, as an operator would start one. */
function startWorker(name: string): ChildProcess {
  const cfg = testConfig();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: {
      ...process.env,
      ...sims.env,
      NODE_ENV: 'test',
      NODE_ID: name,
      NAMESPACE: namespace,
      TRANSPORTER: 'nats',
      SERVICES: 'wallets',
      MONGO_URL: cfg.mongoUrl ?? '',
      NATS_URL: cfg.natsUrl,
      REDIS_URL: cfg.redisUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      CREDENTIALS_KEYS: TEST_CREDENTIALS_KEYS,
      SYNC_ACK_WAIT: '2s',
      SYNC_INTERVAL: '0s',
      METRICS: 'false',
      LOG_LEVEL: process.env.FINEXIA_DEBUG_WORKERS ? 'debug' : 'warn',
      PORT: '0',
    },
    stdio: [
      'ignore',
      process.env.FINEXIA_DEBUG_WORKERS ? openSync(`/tmp/finexia-${name}.log`, 'w') : 'ignore',
      'pipe',
    ],
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
    if (process.env.FINEXIA_DEBUG_WORKERS) process.stderr.write(chunk);
  });
  child.once('exit', (code, signal) => {
    if (code && code !== 0) console.error(`worker ${name} exited with ${code ?? signal}:\n${tail}`);
  });
  workers.push(child);
  return child;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  // slow pages, so that there is a "half-way" to kill the worker at
  sims = await startSimulators({
    seed: 77,
    bankVolume: 1,
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
    const first = startWorker(`${namespace}-w1`);
    await gateway.broker.waitForServices(['wallets'], 30_000);
    await waitForRoutes(gateway, '/api/v1/wallets/bank');
    const linked = await request<{ id: string }>(gateway.baseUrl, 'POST', '/api/v1/wallets/bank', {
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

    startWorker(`${namespace}-w2`);
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
