// `npm run cluster`: three broker nodes over NATS on this machine, sharing one FerretDB,
// Redis and the in-process provider simulators. n1 also hosts the market feed; the
// portfolio and wallet actors spread over all three by consistent hashing.
//   http://127.0.0.1:3000, :3001, :3002 — each node serves the API and WebSockets.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInfra } from './infra.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { loadConfig } from '../config/index.ts';
import { seedDemoUsers } from './seed.ts';
import { developmentSecrets } from './dev-secrets.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const infra = await ensureInfra({ storage: 'persistent', requireNats: true });
// the simulators as the embedded default runs them (seed, a household's anomaly rate)
const { simulators } = loadConfig(process.env);
const sims = await startSimulators({ seed: simulators.seed, bankAnomalyRate: simulators.bankAnomalyRate });
const shared: Record<string, string> = {
  ...sims.env,
  TRANSPORTER: 'nats',
  CACHER: 'redis',
  MONGO_URL: infra.mongoUrl,
  NATS_URL: infra.natsUrl,
  REDIS_URL: infra.redisUrl,
  NAMESPACE: process.env.NAMESPACE ?? 'cluster',
  ...developmentSecrets(),
  PLAID_WEBHOOK_URL: 'http://127.0.0.1:3000/api/v1/wallets/webhooks/plaid',
};
const config = loadConfig({ ...process.env, ...shared });
await seedDemoUsers(config);

// every service but the market feed (one node holds the exchange stream)
const everything = 'api,ws,auth,users,wallets,transactions,portfolio,notifications,anomalies,insights';
const nodes = [
  { id: 'n1', port: 3000, metrics: 3030, services: `${everything},market` },
  { id: 'n2', port: 3001, metrics: 3031, services: everything },
  { id: 'n3', port: 3002, metrics: 3032, services: everything },
];
const children: ChildProcess[] = nodes.map((n) =>
  spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts')], {
    env: {
      ...process.env,
      ...shared,
      NODE_ID: n.id,
      PORT: String(n.port),
      METRICS_PORT: String(n.metrics),
      SERVICES: n.services,
    },
    stdio: 'inherit',
  }),
);
console.log(
  `cluster: 3 nodes over NATS (namespace ${shared.NAMESPACE}); API on :3000 :3001 :3002; Ctrl-C stops all`,
);
const stop = async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r(undefined) : c.once('exit', r)))),
  );
  await sims.stop();
  await infra.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
