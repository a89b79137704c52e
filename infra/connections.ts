// Process-wide connections: one mongoose connection per process (mongoose's models live on its
// default connection) and one Redis client per URL, shared by every service of every broker in
// the process, opened on first use and closed by the last user. The URLs come from each broker's
// config (configOf), passed in by the caller.
import mongoose from 'mongoose';
import { Redis } from 'ioredis';

let mongoUsers = 0;
let mongoOpening: Promise<typeof mongoose> | undefined;
let mongoOpenedFor: string | undefined;

/** Opens (once per process) the shared mongoose connection; call releaseMongo when done. */
export async function acquireMongo(url: string | undefined): Promise<typeof mongoose> {
  if (!url) throw new Error('MONGO_URL is not set: start through scripts/start.ts or set MONGO_URL');
  if (mongoOpening && mongoOpenedFor !== url)
    throw new Error('one database per process: this process is already connected to another MONGO_URL');
  mongoUsers += 1;
  mongoOpenedFor = url;
  mongoOpening ??= mongoose.connect(url, {
    serverSelectionTimeoutMS: 5_000,
    // Indexes are created explicitly by the db mixin at service start.
    autoIndex: false,
  });
  try {
    return await mongoOpening;
  } catch (err) {
    mongoUsers -= 1;
    mongoOpening = undefined;
    mongoOpenedFor = undefined;
    throw err;
  }
}

export async function releaseMongo(): Promise<void> {
  mongoUsers = Math.max(0, mongoUsers - 1);
  if (mongoUsers === 0 && mongoOpening) {
    mongoOpening = undefined;
    mongoOpenedFor = undefined;
    await mongoose.disconnect();
  }
}

const redisByUrl = new Map<string, { client: Redis; users: number }>();

/** The shared Redis client of `url` (rate limits, readiness). Fails fast instead of queueing when Redis is down. */
export function acquireRedis(url: string): Redis {
  let shared = redisByUrl.get(url);
  if (!shared) {
    const client = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      connectTimeout: 3_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Without a listener ioredis prints every reconnect failure as an unhandled error.
    client.on('error', () => undefined);
    redisByUrl.set(url, (shared = { client, users: 0 }));
  }
  shared.users += 1;
  return shared.client;
}

/** Gives back a client from acquireRedis; the last user of a URL closes it. */
export async function releaseRedis(url: string): Promise<void> {
  const shared = redisByUrl.get(url);
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  redisByUrl.delete(url);
  await shared.client.quit().catch(() => shared.client.disconnect());
}

export type ProbeResult = { ok: true; latencyMs: number } | { ok: false; error: string };

async function timed(probe: () => Promise<unknown>): Promise<ProbeResult> {
  const start = performance.now();
  try {
    await probe();
    return { ok: true, latencyMs: Math.round((performance.now() - start) * 10) / 10 };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Pings MongoDB over the shared connection (opening it if this node has none yet). */
export async function probeMongo(url: string | undefined, timeoutMs = 2_000): Promise<ProbeResult> {
  return timed(async () => {
    const conn = await withTimeout(acquireMongo(url), timeoutMs, 'MongoDB');
    try {
      const db = conn.connection.db;
      if (!db) throw new Error('MongoDB connection has no database');
      await withTimeout(db.admin().ping(), timeoutMs, 'MongoDB');
    } finally {
      await releaseMongo();
    }
  });
}

export async function probeRedis(url: string, timeoutMs = 2_000): Promise<ProbeResult> {
  return timed(async () => {
    const client = acquireRedis(url);
    try {
      await withTimeout(client.ping(), timeoutMs, 'Redis');
    } finally {
      await releaseRedis(url);
    }
  });
}
