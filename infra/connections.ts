// Process-wide connections: one mongoose connection and one Redis client per process,
// shared by every service on the node, opened on first use and closed by the last user.
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { config } from '../config/index.ts';

let mongoUsers = 0;
let mongoOpening: Promise<typeof mongoose> | undefined;

/** Opens (once per process) the shared mongoose connection; call releaseMongo when done. */
export async function acquireMongo(): Promise<typeof mongoose> {
  mongoUsers += 1;
  const url = config().mongoUrl;
  if (!url) throw new Error('MONGO_URL is not set: start through scripts/start.ts or set MONGO_URL');
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
    throw err;
  }
}

export async function releaseMongo(): Promise<void> {
  mongoUsers = Math.max(0, mongoUsers - 1);
  if (mongoUsers === 0 && mongoOpening) {
    mongoOpening = undefined;
    await mongoose.disconnect();
  }
}

let redis: Redis | undefined;
let redisUsers = 0;

/** The shared Redis client (rate limits, readiness). Fails fast instead of queueing when Redis is down. */
export function acquireRedis(): Redis {
  redisUsers += 1;
  redis ??= new Redis(config().redisUrl, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Without a listener ioredis prints every reconnect failure as an unhandled error.
  redis.on('error', () => undefined);
  return redis;
}

export async function releaseRedis(): Promise<void> {
  redisUsers = Math.max(0, redisUsers - 1);
  if (redisUsers === 0 && redis) {
    const client = redis;
    redis = undefined;
    await client.quit().catch(() => client.disconnect());
  }
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
export async function probeMongo(timeoutMs = 2_000): Promise<ProbeResult> {
  return timed(async () => {
    const conn = await withTimeout(acquireMongo(), timeoutMs, 'MongoDB');
    try {
      const db = conn.connection.db;
      if (!db) throw new Error('MongoDB connection has no database');
      await withTimeout(db.admin().ping(), timeoutMs, 'MongoDB');
    } finally {
      await releaseMongo();
    }
  });
}

export async function probeRedis(timeoutMs = 2_000): Promise<ProbeResult> {
  return timed(async () => {
    const client = acquireRedis();
    try {
      await withTimeout(client.ping(), timeoutMs, 'Redis');
    } finally {
      await releaseRedis();
    }
  });
}
