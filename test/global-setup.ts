// Real infrastructure for the integration tests: FerretDB on a temporary SQLite
// directory (unless MONGO_URL is set), the machine's NATS with JetStream, and Redis.
import type { TestProject } from 'vitest/node';
import { ensureInfra, type Infra } from '../scripts/infra.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    natsUrl: string;
    redisUrl: string;
  }
}

let infra: Infra | undefined;

export async function setup(project: TestProject): Promise<void> {
  infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: (line) => console.error(line) });
  project.provide('mongoUrl', infra.mongoUrl);
  project.provide('natsUrl', infra.natsUrl);
  project.provide('redisUrl', infra.redisUrl);
}

export async function teardown(): Promise<void> {
  await infra?.stop();
}
