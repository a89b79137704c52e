// Real infrastructure for the integration and browser tests, and the dashboard build: FerretDB on a temporary SQLite
// directory (unless MONGO_URL is set), the machine's NATS with JetStream, and Redis.
import type { TestProject } from 'vitest/node';
import mongoose from 'mongoose';
import { ensureInfra, type Infra } from '../scripts/infra.ts';
import { ensureWebBuild } from '../scripts/web-build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    natsUrl: string;
    redisUrl: string;
  }
}

let infra: Infra | undefined;

export async function setup(project: TestProject): Promise<void> {
  // every node a test starts serves the dashboard from web/build: build it once, before any starts
  ensureWebBuild((line) => console.error(line));
  infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: (line) => console.error(line) });
  await dropLeftovers(infra.mongoUrl);
  project.provide('mongoUrl', infra.mongoUrl);
  project.provide('natsUrl', infra.natsUrl);
  project.provide('redisUrl', infra.redisUrl);
}

export async function teardown(): Promise<void> {
  await infra?.stop();
}

/**
 * On the PostgreSQL backend a "temporary" FerretDB still stores into the shared local
 * server, so databases of runs that were killed before cleaning up are dropped here.
 */
async function dropLeftovers(url: string): Promise<void> {
  const conn = await mongoose.createConnection(url).asPromise();
  try {
    const { databases } = await conn.db!.admin().listDatabases();
    for (const db of databases) {
      // test databases carry their creation time; only those over two hours old are left-overs
      const created = /^finexia_test_(\d+)_/.exec(db.name)?.[1];
      if (created && Date.now() / 1000 - Number(created) > 2 * 3600) await conn.useDb(db.name).dropDatabase();
    }
  } finally {
    await conn.close();
  }
}
