// The one way tests start Finexia: a real broker built by services/index.ts from a real
// config, on the real FerretDB / NATS / Redis provided by test/global-setup.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { BrokerOptions, ServiceBroker } from 'moleculer';
import { inject } from 'vitest';
import { waitFor } from './wait.ts';
import { loadConfig, type Config, type ServiceName } from '../../config/index.ts';
import type { Role } from '@finexia/contracts/api.ts';
import { createBroker } from '../../services/index.ts';
import mongoose from 'mongoose';
import { deadLettersIn, dropNamespaceLeftovers } from '../../scripts/infra.ts';
import { contractViolations } from '../../infra/contract-check.ts';

export const TEST_JWT_SECRET = 'test-secret-' + 'x'.repeat(40);
export const TEST_CREDENTIALS_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;

/** One database and one namespace per test file, so files run in parallel without sharing state. */
const RUN = randomBytes(4).toString('hex');
const STARTED = Math.floor(Date.now() / 1000);
export const testDatabaseUrl = () => {
  const url = new URL(inject('mongoUrl'));
  url.pathname = `/finexia_test_${STARTED}_${inject('testRun')}_${RUN}`;
  return url.toString();
};

/**
 * Every namespace of this run starts with `t<testRun>`, so that the run's teardown
 * (test/global-setup.ts) finds whatever a file left, even if it could not stop its nodes.
 */
const inThisRun = (name: string) => `t${inject('testRun')}${name}`;

/** A namespace of its own for a test file's cluster (nodes over NATS, workers). */
export const testNamespace = (label: string) => inThisRun(`${label}${randomBytes(3).toString('hex')}`);

export interface TestNode {
  broker: ServiceBroker;
  config: Config;
  baseUrl: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    NAMESPACE: inThisRun(RUN),
    MONGO_URL: testDatabaseUrl(),
    NATS_URL: inject('natsUrl'),
    REDIS_URL: inject('redisUrl'),
    PORT: '0',
    METRICS: 'false',
    LOG_LEVEL: 'warn',
    JWT_SECRET: TEST_JWT_SECRET,
    CREDENTIALS_KEYS: TEST_CREDENTIALS_KEYS,
    SYNC_INTERVAL: '0s',
    SYNC_ACK_WAIT: '3s',
    CONTRACT_CHECK: 'true',
    ...env,
  });
}

const running = new Set<ServiceBroker>();
/** nodes whose stop is under way */
let stopping = 0;

/**
 * A normal run sends no job to the dead letters: a file's last node to stop fails its test run
 * if one did, naming them, unless the file provokes them on purpose (it calls this).
 */
let deadLettersExpected = false;
export function expectDeadLetters(): void {
  deadLettersExpected = true;
}

/** A body or frame a node of this file sent that broke its contract fails the file's run (each test that saw one failed already). */
function assertContractsKept(): void {
  if (!contractViolations.length) return;
  throw new Error(
    `${contractViolations.length} response(s) or frame(s) broke their contract:\n` +
      contractViolations
        .slice(0, 20)
        .map((v) => `  ${v.what}: ${v.problems}`)
        .join('\n'),
  );
}

async function assertNoDeadLetters(config: Config): Promise<void> {
  if (deadLettersExpected || config.durableChannels === 'memory') return;
  const letters = await deadLettersIn(inject('natsUrl'), config.namespace);
  if (letters.length)
    throw new Error(
      `${letters.length} job(s) reached the dead letters in a run that expects none:\n` +
        letters.map((l) => `  ${l.channel}: ${l.job}`).join('\n'),
    );
}

/**
 * Removes what a test file left in shared servers: its database, its Redis keys and its
 * JetStream streams. Run once the file's last node has stopped (a stopping portfolio node still
 * writes its last history points, a market node its last prices), over connections of its own.
 */
async function cleanUp(config: Config): Promise<void> {
  const db = await mongoose.createConnection(testDatabaseUrl()).asPromise();
  await db.dropDatabase().finally(() => db.close());
  await dropNamespaceLeftovers(
    {
      redisUrl: inject('redisUrl'),
      ...(config.durableChannels === 'jetstream' ? { natsUrl: inject('natsUrl') } : {}),
    },
    config.namespace,
  );
}

/**
 * The service tier (test/service/): `services` (the one under test and what it calls) on one
 * in-process broker, on the real database and Redis, with no NATS (no transporter; channels within
 * the process, DURABLE_CHANNELS=memory) and no HTTP edge unless `api` is among them. Its tests call actions as the gateway would (`callAs`). What
 * crosses nodes, survives a restart or needs JetStream's redelivery stays in test/integration/.
 */
export function startServices(
  services: readonly ServiceName[],
  env: Record<string, string> = {},
): Promise<TestNode> {
  return startNode({ ...env, SERVICES: services.join(','), DURABLE_CHANNELS: 'memory' });
}

/**
 * Calls an action as the gateway does for a signed-in user (their id and role in meta); `T` is
 * the route's response type in contracts/ (what the gateway would send).
 */
export function callAs<T>(
  node: TestNode,
  user: { id: string; role?: Role },
  action: string,
  params: object = {},
): Promise<T> {
  return node.broker.call<T, object>(action, params, {
    meta: { user: { id: user.id, role: user.role ?? 'user', sid: 'service-tier' } },
  });
}

/** `overrides`: broker options over moleculer.config.ts's, for a test about the broker itself (heartbeats). */
export async function startNode(
  env: Record<string, string> = {},
  overrides: Partial<BrokerOptions> = {},
): Promise<TestNode> {
  const config = testConfig({ NODE_ID: `test-${randomUUID().slice(0, 8)}`, ...env });
  config.providerRetry = { baseDelayMs: 5, maxDelayMs: 100, timeoutMs: 3_000 };
  const broker = await createBroker(config, { logger: env.LOG_LEVEL ? undefined : false, ...overrides });
  await broker.start();
  running.add(broker);
  const api = broker.getLocalService('api') as { server?: Server } | undefined;
  const address = api?.server?.address() as AddressInfo | null | undefined;
  const baseUrl = address ? `http://127.0.0.1:${address.port}` : '';
  const node: TestNode = {
    broker,
    config,
    baseUrl,
    wsUrl: baseUrl.replace('http', 'ws') + '/ws',
    async stop() {
      running.delete(broker);
      stopping += 1;
      const began = Date.now();
      try {
        await broker.stop();
      } finally {
        stopping -= 1;
      }
      const stopped = Date.now();
      // the file's last node to finish stopping cleans up (nodes stopped together: only the last)
      if (running.size === 0 && stopping === 0) {
        const deadLetters = assertNoDeadLetters(config);
        await deadLetters.catch(() => undefined);
        await cleanUp(config);
        await deadLetters;
        assertContractsKept();
      }
      // a slow stop is what makes an afterAll time out: say which part was slow
      if (Date.now() - began > 10_000)
        console.warn(
          `node ${config.nodeID} stopped in ${stopped - began} ms, cleaned up in ${Date.now() - stopped} ms`,
        );
    },
  };
  // moleculer-web builds REST aliases as services appear: wait until the auth routes answer
  if (config.services.includes('api') && config.services.includes('auth')) await waitForRoutes(node);
  return node;
}

/** With a transporter, moleculer-web builds its routes a moment after services appear. */
export async function waitForRoutes(node: TestNode, path = '/api/v1/auth/login'): Promise<void> {
  const answered = async () => {
    const res = await fetch(node.baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return res.status === 404 ? undefined : true;
  };
  await waitFor(answered, 15_000, `${path} to appear on the gateway`);
}

/**
 * Runs a user's anomaly detection now and waits for it: it queues behind whatever the user's
 * actor is doing (a first sync's analysis can take a while on a busy machine).
 */
export function analyzeNow(node: TestNode, userId: string): Promise<{ read: number; found: number }> {
  return node.broker.call('anomalies.analyzeNow', { userId }, { timeout: 180_000 });
}
