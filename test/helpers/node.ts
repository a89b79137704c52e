// The one way tests start Finexia: a real broker built by services/index.ts from a real
// config, on the real FerretDB / NATS / Redis provided by test/global-setup.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ServiceBroker } from 'moleculer';
import { inject } from 'vitest';
import { loadConfig, setConfig, type Config } from '../../config/index.ts';
import { createBroker } from '../../services/index.ts';

export const TEST_JWT_SECRET = 'test-secret-' + 'x'.repeat(40);

/** One database and one namespace per test file, so files run in parallel without sharing state. */
const RUN = randomBytes(4).toString('hex');
export const testDatabaseUrl = () => {
  const url = new URL(inject('mongoUrl'));
  url.pathname = `/finexia_test_${RUN}`;
  return url.toString();
};

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
    NAMESPACE: `t${RUN}`,
    MONGO_URL: testDatabaseUrl(),
    NATS_URL: inject('natsUrl'),
    REDIS_URL: inject('redisUrl'),
    PORT: '0',
    METRICS: 'false',
    LOG_LEVEL: 'warn',
    JWT_SECRET: TEST_JWT_SECRET,
    ...env,
  });
}

export async function startNode(env: Record<string, string> = {}): Promise<TestNode> {
  const config = testConfig({ NODE_ID: `test-${randomUUID().slice(0, 8)}`, ...env });
  setConfig(config);
  const broker = await createBroker(config, { logger: env.LOG_LEVEL ? undefined : false });
  await broker.start();
  const api = broker.getLocalService('api') as { server?: Server } | undefined;
  const address = api?.server?.address() as AddressInfo | null | undefined;
  const baseUrl = address ? `http://127.0.0.1:${address.port}` : '';
  return {
    broker,
    config,
    baseUrl,
    wsUrl: baseUrl.replace('http', 'ws') + '/ws',
    stop: () => broker.stop(),
  };
}
