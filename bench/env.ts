// What every benchmark run starts from: a cluster of its own (namespace, database on the
// bench's FerretDB), the simulators' endpoints, throwaway secrets and quiet logs.
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { dropNamespaceLeftovers, freePort, type Infra } from '../scripts/infra.ts';
import type { Simulators } from '../providers/simulators/index.ts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceBroker } from 'moleculer';
import { loadConfig } from '../config/index.ts';
import { createBroker } from '../services/index.ts';

export function benchEnv(
  infra: Infra,
  sims: Simulators,
  prefix: string,
): { namespace: string; env: Record<string, string> } {
  const namespace = `${prefix}${randomBytes(3).toString('hex')}`;
  return {
    namespace,
    env: {
      ...sims.env,
      NODE_ENV: 'test',
      NAMESPACE: namespace,
      NATS_URL: infra.natsUrl,
      REDIS_URL: infra.redisUrl,
      MONGO_URL: infra.mongoUrl.replace(/\/[^/]*$/, `/${namespace}`),
      METRICS: 'false',
      // as in production: the nodes do not check what they send against the contracts. Left to
      // NODE_ENV=test, scripts/start.ts turned the check on, and bench:realtime's pushes each paid
      // a validation of their frame (4.9 % of a 1-node run's profile, more than building them)
      CONTRACT_CHECK: 'false',
      // quiet, unless BENCH_LOG_LEVEL asks for more (to see what a node does during a run)
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      JWT_SECRET: randomBytes(32).toString('hex'),
      CREDENTIALS_KEYS: `b:${randomBytes(32).toString('base64')}`,
      SYNC_INTERVAL: '0s',
    },
  };
}

/** Removes what a run left in the shared servers: its database, its Redis keys and its JetStream streams. */
export async function dropBenchState(infra: Infra, namespace: string): Promise<void> {
  const { default: mongoose } = await import('mongoose');
  await mongoose.connection.db?.dropDatabase().catch(() => undefined);
  await dropNamespaceLeftovers(infra, namespace);
}

/** A Finexia node running in the benchmark's own process, with its API's address. */
export interface InProcessNode {
  broker: ServiceBroker;
  base: string;
  stop(): Promise<void>;
}

/**
 * One node in this process on a namespace and database of its own: `services` (default: all),
 * `extra` environment over the bench's. Stopping it drops what it left.
 */
export async function startInProcessNode(
  infra: Infra,
  sims: Simulators,
  prefix: string,
  extra: Record<string, string> = {},
): Promise<InProcessNode> {
  const { namespace, env } = benchEnv(infra, sims, prefix);
  const cfg = loadConfig({ ...process.env, ...env, PORT: '0', ...extra });
  cfg.providerRetry = { baseDelayMs: 20, maxDelayMs: 500, timeoutMs: 5_000, maxAttempts: 6 };
  const broker = await createBroker(cfg, { logger: false });
  await broker.start();
  const api = broker.getLocalService('api') as { server?: Server } | undefined;
  const address = api?.server?.address() as AddressInfo | null | undefined;
  if (!address) throw new Error('the node serves no API');
  // moleculer-web builds its REST aliases as services appear: wait until sign-in answers
  const base = `http://127.0.0.1:${address.port}`;
  for (let tries = 0; ; tries += 1) {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (res.status !== 404) break;
    if (tries > 300) throw new Error('the API routes did not appear');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    broker,
    base,
    async stop() {
      await dropBenchState(infra, namespace);
      await broker.stop();
    },
  };
}

/** A Finexia node the benchmark started as a process of its own (as an operator would). */
export interface NodeProcess {
  name: string;
  child: ChildProcess;
  /** the HTTP port of a node that hosts the gateway */
  port: number;
}

/** Every node a run started, so that an interrupted run kills them all. */
export const benchChildren = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const child of benchChildren) child.kill('SIGKILL');
    process.exit(130);
  });

export async function startNodeProcess(
  env: Record<string, string>,
  name: string,
  services: string,
): Promise<NodeProcess> {
  const port = await freePort();
  // BENCH_PROFILE=<dir>: each node writes a CPU profile there when it stops (open in Chrome's DevTools)
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'scripts/start.ts'], {
    env: {
      ...process.env,
      ...env,
      NODE_ID: `${env.NAMESPACE}-${name}`,
      SERVICES: services,
      PORT: String(port),
    },
    // BENCH_LOGS=<dir>: each node's log lines go to <dir>/<name>.log (otherwise nowhere)
    stdio: [
      'ignore',
      process.env.BENCH_LOGS ? openSync(join(process.env.BENCH_LOGS, `${name}.log`), 'a') : 'ignore',
      'inherit',
    ],
  });
  benchChildren.add(child);
  child.once('exit', () => benchChildren.delete(child));
  return { name, child, port };
}

/** How long a stopping node is given before it is killed. */
const STOP_WAIT_MS = 180_000;

/** SIGTERM (a graceful stop), SIGKILL after STOP_WAIT_MS; resolves with how long it took. */
export async function stopNodeProcess(node: NodeProcess): Promise<number> {
  const began = Date.now();
  if (node.child.exitCode !== null || node.child.signalCode !== null) return 0;
  const exited = new Promise((r) => node.child.once('exit', r));
  node.child.kill('SIGTERM');
  // a node writes every live portfolio's last history point as it stops: after a 100,000-user run
  // that waited 30 s, the bench's dropped database came back holding history points only (most
  // likely the insert of a node killed under way, landing in FerretDB after the drop)
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
  clearTimeout(timer);
  if (node.child.exitCode === null && node.child.signalCode === null) {
    console.warn(`${node.name} did not stop within ${STOP_WAIT_MS / 1000} s: killed`);
    node.child.kill('SIGKILL');
    await exited;
  }
  return Date.now() - began;
}
