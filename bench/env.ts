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
      LOG_LEVEL: 'error',
      JWT_SECRET: randomBytes(32).toString('hex'),
      CREDENTIALS_KEYS: `b:${randomBytes(32).toString('base64')}`,
      SYNC_INTERVAL: '0s',
    },
  };
}
