// Real infrastructure for the integration and browser tests, and the dashboard build: FerretDB on a temporary SQLite
// directory (unless MONGO_URL is set), the machine's NATS with JetStream, and Redis.
import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { dropNamespaceLeftovers, ensureInfra, type Infra } from '../scripts/infra.ts';
import { ensureWebBuild } from '../scripts/web-build.ts';
import { ensureContractSchemas } from '../scripts/contract-schemas.ts';
import { ensureEthereumNode, type EthereumNode } from '../scripts/ethereum-node.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    natsUrl: string;
    redisUrl: string;
    /** a real Ethereum node (geth --dev) for the files that watch an address on it */
    ethereumRpcUrl: string;
    /** names this run's test databases (`finexia_test_<seconds>_<testRun>_<file>`) and namespaces (`t<testRun><file>`) */
    testRun: string;
  }
}

let infra: Infra | undefined;
let ethereum: EthereumNode | undefined;
const testRun = randomBytes(3).toString('hex');

export async function setup(project: TestProject): Promise<void> {
  // the service tier runs no HTTP edge and no NATS: it needs neither the dashboard nor JetStream
  const serviceTier = project.name === 'service';
  // every node a test starts serves the dashboard from web/build: build it once, before any starts
  if (!serviceTier) ensureWebBuild((line) => console.error(line));
  // every node a test starts checks what it sends against the contracts' schemas
  ensureContractSchemas((line) => console.error(line));
  infra = await ensureInfra({
    storage: 'ephemeral',
    requireNats: !serviceTier,
    log: (line) => console.error(line),
  });
  await dropLeftovers(infra.mongoUrl);
  if (!serviceTier) {
    ethereum = await ensureEthereumNode((line) => console.error(line));
    project.provide('ethereumRpcUrl', ethereum.rpcUrl);
  }
  project.provide('mongoUrl', infra.mongoUrl);
  project.provide('natsUrl', infra.natsUrl);
  project.provide('redisUrl', infra.redisUrl);
  project.provide('testRun', testRun);
}

export async function teardown(): Promise<void> {
  await ethereum?.stop();
  if (!infra) return;
  // every file dropped its database when its last node stopped; a write that was under way on a
  // node past its stop's drain could still land after that and create it again (a clean-clone
  // run left one holding a user's rebuilt history): every file has ended now
  await dropDatabases(infra.mongoUrl, (name) => name.includes(`_${testRun}_`));
  // and a file whose last node did not stop (its afterAll timed out) left its streams and keys
  await dropNamespaceLeftovers(infra, `t${testRun}`, { prefix: true });
  await infra.stop();
}

/**
 * On the PostgreSQL backend a "temporary" FerretDB still stores into the shared local
 * server, so databases of runs that were killed before cleaning up are dropped here.
 */
async function dropLeftovers(url: string): Promise<void> {
  // test databases carry their creation time; only those over two hours old are left-overs
  await dropDatabases(url, (name, createdSeconds) => Date.now() / 1000 - createdSeconds > 2 * 3600);
}

/** Drops the test databases (`finexia_test_<seconds>_…`) that `which` picks. */
async function dropDatabases(
  url: string,
  which: (name: string, createdSeconds: number) => boolean,
): Promise<void> {
  const conn = await mongoose.createConnection(url).asPromise();
  try {
    const { databases } = await conn.db!.admin().listDatabases();
    for (const db of databases) {
      const created = /^finexia_test_(\d+)_/.exec(db.name)?.[1];
      if (created && which(db.name, Number(created))) await conn.useDb(db.name).dropDatabase();
    }
  } finally {
    await conn.close();
  }
}
