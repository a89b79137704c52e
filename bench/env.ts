// What every benchmark run starts from: a cluster of its own (namespace, database on the
// bench's FerretDB), the simulators' endpoints, throwaway secrets and quiet logs.
import { randomBytes } from 'node:crypto';
import type { Infra } from '../scripts/infra.ts';
import type { Simulators } from '../providers/simulators/index.ts';

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
      // quiet, unless BENCH_LOG_LEVEL asks for more (to see what a node does during a run)
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      JWT_SECRET: randomBytes(32).toString('hex'),
      CREDENTIALS_KEYS: `b:${randomBytes(32).toString('base64')}`,
      SYNC_INTERVAL: '0s',
    },
  };
}

/** Removes what a run left in the shared servers: its database and its JetStream streams. */
export async function dropBenchState(infra: Infra, namespace: string): Promise<void> {
  const { default: mongoose } = await import('mongoose');
  await mongoose.connection.db?.dropDatabase().catch(() => undefined);
  const { connect } = await import('nats');
  const nc = await connect({ servers: infra.natsUrl }).catch(() => undefined);
  if (!nc) return;
  try {
    const jsm = await nc.jetstreamManager();
    for await (const stream of jsm.streams.list())
      if (stream.config.name.startsWith(`${namespace}_`)) await jsm.streams.delete(stream.config.name);
  } finally {
    await nc.close();
  }
}
