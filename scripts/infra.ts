// Makes sure the infrastructure Finexia needs is there, and says what it uses.
//   MongoDB wire protocol: MONGO_URL if set; otherwise FerretDB v1.24.2 built from source
//     with Go into .cache/ and run on SQLite (or PostgreSQL); where Go is missing,
//     mongodb-memory-server (a real mongod, downloaded on machines with internet).
//   NATS (JetStream) at NATS_URL and Redis at REDIS_URL: checked, with a clear message.
// Run alone (`scripts/finexia infra`) it keeps FerretDB up for a cluster of nodes and prints MONGO_URL.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { connect as connectNats } from 'nats';

const execFileAsync = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const FERRETDB_BIN = join(ROOT, '.cache', 'ferretdb', FERRETDB_VERSION, 'ferretdb');

export class InfraError extends Error {
  override name = 'InfraError';
}

export interface InfraOptions {
  /** 'persistent' keeps data in .data/ferretdb; 'ephemeral' uses a temp dir removed on stop. */
  storage: 'persistent' | 'ephemeral';
  /** Check NATS (needed by clusters and by tests); Redis is always checked. */
  requireNats: boolean;
  log?: (line: string) => void;
}

export interface Infra {
  mongoUrl: string;
  natsUrl: string;
  redisUrl: string;
  /** What provides MongoDB, for the start banner. */
  mongoProvider: string;
  stop(): Promise<void>;
}

const env = (name: string, fallback: string) => process.env[name] || fallback;

export async function ensureInfra(options: InfraOptions): Promise<Infra> {
  const log = options.log ?? ((line: string) => console.error(line));
  const natsUrl = env('NATS_URL', 'nats://127.0.0.1:4222');
  const redisUrl = env('REDIS_URL', 'redis://127.0.0.1:6379');

  const checks = [checkRedis(redisUrl)];
  if (options.requireNats) checks.push(checkNats(natsUrl));
  const problems = (await Promise.allSettled(checks)).flatMap((r) =>
    r.status === 'rejected' ? [String(r.reason.message)] : [],
  );
  if (problems.length) throw new InfraError(problems.join('\n'));

  const mongo = await ensureMongo(options, log);
  log(
    `infra: MongoDB ${redactUrl(mongo.url)} (${mongo.provider}); Redis ${redactUrl(redisUrl)}${options.requireNats ? `; NATS ${redactUrl(natsUrl)}` : ''}`,
  );
  return { mongoUrl: mongo.url, natsUrl, redisUrl, mongoProvider: mongo.provider, stop: mongo.stop };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function checkRedis(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new InfraError(
      `Redis is not reachable at ${redactUrl(url)} (${(err as Error).message}). Start it or set REDIS_URL.`,
    );
  } finally {
    client.disconnect();
  }
}

async function checkNats(url: string): Promise<void> {
  let nc;
  try {
    nc = await connectNats({ servers: url, timeout: 2_000, reconnect: false });
  } catch (err) {
    throw new InfraError(
      `NATS is not reachable at ${redactUrl(url)} (${(err as Error).message}). Start it or set NATS_URL.`,
    );
  }
  try {
    await (await nc.jetstreamManager()).getAccountInfo();
  } catch (err) {
    throw new InfraError(
      `NATS at ${redactUrl(url)} has no JetStream (${(err as Error).message}). Start nats-server with -js.`,
    );
  } finally {
    await nc.close();
  }
}

async function pingMongo(url: string, timeoutMs: number): Promise<void> {
  const conn = mongoose.createConnection(url, { serverSelectionTimeoutMS: timeoutMs });
  try {
    await conn.asPromise();
    await conn.db?.admin().ping();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

async function ensureMongo(options: InfraOptions, log: (line: string) => void) {
  const given = process.env.MONGO_URL;
  if (given) {
    try {
      await pingMongo(given, 3_000);
    } catch (err) {
      throw new InfraError(
        `MongoDB is not reachable at MONGO_URL=${redactUrl(given)} (${(err as Error).message}).`,
      );
    }
    return { url: given, provider: 'MONGO_URL', stop: async () => undefined };
  }
  if (await hasGo()) return startFerretDb(options, log);
  return startMemoryServer(log);
}

async function hasGo(): Promise<boolean> {
  try {
    await execFileAsync('go', ['version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * `go install .../ferretdb@v1.24.2` produces a binary that panics at start: the module
 * zip lacks the generated build/version/version.txt. So the module is downloaded with
 * the same toolchain, that one file is written, and the command is built from it.
 */
async function buildFerretDb(log: (line: string) => void): Promise<string> {
  if (existsSync(FERRETDB_BIN)) return FERRETDB_BIN;
  log(`infra: building FerretDB ${FERRETDB_VERSION} with Go (once; about a minute)…`);
  const { stdout } = await execFileAsync(
    'go',
    ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
    {
      maxBuffer: 1 << 24,
    },
  );
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new InfraError(`go mod download gave no directory for ${FERRETDB_MODULE}`);
  const src = join(ROOT, '.cache', 'ferretdb', 'src');
  rmSync(src, { recursive: true, force: true });
  cpSync(moduleDir, src, { recursive: true });
  chmodRecursive(src);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  const out = `${FERRETDB_BIN}.tmp-${process.pid}`;
  try {
    await execFileAsync('go', ['build', '-o', out, './cmd/ferretdb'], { cwd: src, maxBuffer: 1 << 24 });
  } catch (err) {
    throw new InfraError(
      `building FerretDB failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`,
    );
  }
  // Rename is atomic, so concurrent first runs never see half a binary.
  renameSync(out, FERRETDB_BIN);
  rmSync(src, { recursive: true, force: true });
  return FERRETDB_BIN;
}

function chmodRecursive(dir: string): void {
  // The Go module cache is read-only; the copy must be writable to add version.txt and remove it later.
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) chmodRecursive(path);
    else chmodSync(path, 0o644);
  }
}

/**
 * Removes what a namespace (a test file's, a benchmark run's) left in the shared servers: its
 * Redis keys (`finexia:<namespace>:*`: last prices, rate limits) and its JetStream streams
 * (`<namespace>_*`). With `prefix`, every namespace that starts with it (a test run's files). Its
 * database is the caller's to drop. No namespace: nothing is removed (the default one is a real
 * cluster's).
 */
export async function dropNamespaceLeftovers(
  /** natsUrl: none when the namespace used no JetStream (the service test tier) */
  urls: { redisUrl: string; natsUrl?: string },
  namespace: string,
  { prefix = false }: { prefix?: boolean } = {},
): Promise<void> {
  if (!namespace) return;
  const any = prefix ? '*' : '';
  const redis = new Redis(urls.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `finexia:${namespace}${any}:*`, count: 500 }))
      keys.push(...(batch as string[]));
    if (keys.length) await redis.del(...keys);
  } catch {
    // no Redis: nothing was left there
  } finally {
    redis.disconnect();
  }
  if (!urls.natsUrl) return;
  const nc = await connectNats({ servers: urls.natsUrl }).catch(() => undefined);
  if (!nc) return;
  try {
    const jsm = await nc.jetstreamManager();
    const ours = (name: string) => (prefix ? name.startsWith(namespace) : name.startsWith(`${namespace}_`));
    for await (const stream of jsm.streams.list())
      if (ours(stream.config.name)) await jsm.streams.delete(stream.config.name);
  } finally {
    await nc.close();
  }
}
/** A job that exhausted its retries, as a namespace's dead-letter stream holds it. */
export interface StoredDeadLetter {
  stream: string;
  channel: string;
  job: string;
}

/** The dead letters of one namespace (a test run's), read from JetStream. */
export async function deadLettersIn(natsUrl: string, namespace: string): Promise<StoredDeadLetter[]> {
  const nc = await connectNats({ servers: natsUrl }).catch(() => undefined);
  if (!nc) return [];
  const found: StoredDeadLetter[] = [];
  try {
    const jsm = await nc.jetstreamManager();
    for await (const stream of jsm.streams.list()) {
      const name = stream.config.name;
      if (!name.startsWith(`${namespace}_`) || !name.endsWith('DEAD_LETTER')) continue;
      for (let seq = stream.state.first_seq; seq <= stream.state.last_seq; seq += 1) {
        const message = await jsm.streams.getMessage(name, { seq }).catch(() => undefined);
        if (!message) continue;
        found.push({
          stream: name,
          channel: message.header?.get('x-original-channel') ?? '?',
          job: new TextDecoder().decode(message.data).slice(0, 500),
        });
      }
    }
  } finally {
    await nc.close();
  }
  return found;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** True when something accepts a TCP connection at host:port within the timeout. */
function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 1_500): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolveAnswer(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolveAnswer(true);
    });
    socket.once('error', () => resolveAnswer(false));
  });
}

/**
 * PostgreSQL when the local server answers, SQLite otherwise. Measured here: FerretDB's
 * SQLite backend makes each upsert scan the collection (500 upserts: 2.8 s, then 7.7 s
 * once the table had 500 rows) while PostgreSQL takes ~0.3 s for the same batch.
 */
async function chooseBackend(log: (line: string) => void): Promise<'postgresql' | 'sqlite'> {
  const wanted = process.env.FERRETDB_BACKEND;
  if (wanted === 'sqlite') return 'sqlite';
  const pg = new URL(env('FERRETDB_POSTGRESQL_URL', 'postgres://127.0.0.1:5432/postgres'));
  if (await portAnswers(Number(pg.port || 5432), pg.hostname)) return 'postgresql';
  if (wanted === 'postgresql')
    throw new InfraError(
      `PostgreSQL is not reachable at ${redactUrl(pg.toString())} (FERRETDB_BACKEND=postgresql)`,
    );
  log('infra: PostgreSQL is not reachable; FerretDB runs on SQLite (slower upserts)');
  return 'sqlite';
}

/**
 * FerretDB opens up to 50 PostgreSQL connections by default; the test run starts two (one for
 * the integration tests, one for the browser tests) against a server that allows 100 (97 for
 * clients). 40 each keeps both under it; 20 starved the integration tests under load (requests
 * queued for a connection until they timed out).
 */
function postgresUrl(): string {
  const url = new URL(env('FERRETDB_POSTGRESQL_URL', 'postgres://127.0.0.1:5432/postgres'));
  if (!url.searchParams.has('pool_max_conns'))
    url.searchParams.set('pool_max_conns', env('FERRETDB_POOL_MAX_CONNS', '40'));
  return url.toString();
}

async function startFerretDb(options: InfraOptions, log: (line: string) => void) {
  const bin = await buildFerretDb(log);
  const backend = await chooseBackend(log);
  const persistent = options.storage === 'persistent';
  const dataDir = persistent
    ? join(ROOT, '.data', 'ferretdb')
    : mkdtempSync(join(tmpdir(), 'finexia-ferretdb-'));
  mkdirSync(dataDir, { recursive: true });
  // The persistent instance has a fixed port so several nodes on this machine share it.
  const port = persistent ? Number(env('FERRETDB_PORT', '27027')) : await freePort();
  const url = `mongodb://127.0.0.1:${port}/${env('MONGO_DB', 'finexia')}`;
  if (persistent && (await portAnswers(port))) {
    await pingMongo(url, 3_000).catch((err: Error) => {
      throw new InfraError(
        `port ${port} is taken by something that is not MongoDB-compatible (${err.message}); set FERRETDB_PORT`,
      );
    });
    return {
      url,
      provider: `FerretDB ${FERRETDB_VERSION} already running on :${port}`,
      stop: async () => undefined,
    };
  }
  const args = [
    `--listen-addr=127.0.0.1:${port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=error',
    `--state-dir=${dataDir}`,
    `--handler=${backend === 'postgresql' ? 'postgresql' : 'sqlite'}`,
    backend === 'postgresql' ? `--postgresql-url=${postgresUrl()}` : `--sqlite-url=file:${dataDir}/`,
  ];
  const server = await startServerProcess({
    name: 'FerretDB',
    bin,
    args,
    logPath: join(dataDir, 'ferretdb.log'),
    ready: () => portAnswers(port),
    readyMeans: `start listening on :${port}`,
    timeoutMs: 20_000,
  });
  await pingMongo(url, 5_000);
  return {
    url,
    provider: `FerretDB ${FERRETDB_VERSION} on ${backend}, pid ${server.pid}, data ${persistent ? dataDir : 'temporary'}`,
    stop: async () => {
      await server.stop();
      if (!persistent) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A server process of ours (FerretDB, geth): started with its output in `logPath`, waited for
 * until `ready` answers (it failing to start, or not being ready in time, is an InfraError that
 * says where its log is), killed if this process exits first, stopped by `stop`.
 */
export async function startServerProcess(options: {
  name: string;
  bin: string;
  args: string[];
  logPath: string;
  ready: () => Promise<boolean>;
  /** what ready means, for the error ("start listening on :27027") */
  readyMeans: string;
  timeoutMs: number;
}): Promise<{ pid: number | undefined; stop(): Promise<void> }> {
  const { name, logPath } = options;
  const logFd = openSync(logPath, 'a');
  const child: ChildProcess = spawn(options.bin, options.args, { stdio: ['ignore', logFd, logFd] });
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const early = await Promise.race([
      exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 100)),
    ]);
    if (early !== 'running') throw new InfraError(`${name} exited with code ${early}; see ${logPath}`);
    if (await options.ready()) break;
    if (Date.now() > deadline) {
      killChild();
      throw new InfraError(
        `${name} did not ${options.readyMeans} within ${options.timeoutMs / 1000} s; see ${logPath}`,
      );
    }
  }
  return {
    pid: child.pid,
    stop: async () => {
      process.off('exit', killChild);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function startMemoryServer(log: (line: string) => void) {
  log('infra: Go is not installed; trying mongodb-memory-server (downloads mongod, needs internet)…');
  let mod: { MongoMemoryServer: { create(): Promise<{ getUri(): string; stop(): Promise<unknown> }> } };
  try {
    mod = (await import('mongodb-memory-server-core' as string)) as typeof mod;
  } catch {
    throw new InfraError(
      'No MongoDB: MONGO_URL is unset, Go is missing (needed to build FerretDB) and mongodb-memory-server-core is not installed. Set MONGO_URL or install Go.',
    );
  }
  const server = await mod.MongoMemoryServer.create();
  return {
    url: `${server.getUri()}finexia`,
    provider: 'mongodb-memory-server',
    stop: async () => void (await server.stop()),
  };
}

// CLI: keep the infrastructure up (FerretDB for a cluster of nodes) until Ctrl-C.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const infra = await ensureInfra({ storage: 'persistent', requireNats: true });
    console.log(`MONGO_URL=${infra.mongoUrl}`);
    console.log(`NATS_URL=${infra.natsUrl}`);
    console.log(`REDIS_URL=${infra.redisUrl}`);
    console.log('Infrastructure is up; press Ctrl-C to stop FerretDB.');
    const stop = async () => {
      await infra.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    console.error(err instanceof InfraError ? `infra: ${err.message}` : err);
    process.exit(1);
  }
}
