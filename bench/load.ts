// Load and soak (prints figures; not a test), on loopback only, bounded and self-stopping:
// W WebSocket clients and R REST users (each a mix of the dashboard's reads and writes, and a
// bank resync every S seconds) against 2 gateway nodes and 2 back nodes over NATS, with the
// simulated exchange streaming T ticks/s, for M minutes. Half-way, back node n2 is stopped
// gracefully (SIGTERM) while it holds actors and sync jobs.
// Prints: errors (must be 0), latency per route, memory of every process over time, how the
// drain went, and whether any sync job or live message was lost (against the simulator's truth).
// Run: scripts/finexia bench:load [-- --minutes 2 --clients 300 --users 40 --ticks 200 --sync-every 60]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ensureInfra } from '../scripts/infra.ts';
import { benchEnv, dropBenchState, startNodeProcess, stopNodeProcess, type NodeProcess } from './env.ts';
import { compareWithTruth, sumComparisons } from './sync-truth.ts';
import { loadConfig } from '../config/index.ts';
import { acquireMongo, releaseMongo } from '../infra/connections.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { Wallet } from '../infra/models/wallet.model.ts';
import { LatencySample } from '../infra/latency.ts';
import { WS_SUBPROTOCOL } from '@finexia/contracts/ws.ts';
import type { SessionResponse, WalletView } from '@finexia/contracts/api.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    minutes: { type: 'string', default: '2' },
    clients: { type: 'string', default: '300' },
    users: { type: 'string', default: '40' },
    ticks: { type: 'string', default: '200' },
    rate: { type: 'string', default: '1' },
    // each bank user's "Sync now" every this many seconds (0: none during the run)
    'sync-every': { type: 'string', default: '60' },
  },
});
// bounded whatever is asked: at most 30 minutes, 5,000 sockets, 500 users
const MINUTES = Math.min(30, Math.max(0.5, Number(args.minutes)));
const CLIENTS = Math.min(5_000, Number(args.clients));
const USERS = Math.min(500, Number(args.users));
const TICKS = Number(args.ticks);
const RATE = Number(args.rate); // REST requests per second per user
const SYNC_EVERY_MS = Number(args['sync-every']) * 1000;
const PASSWORD = 'load test passphrase 2026';

const log = (...parts: unknown[]) => console.log(...parts);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const mb = (kb: number) => `${Math.round(kb / 1024)}`;

const infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: () => undefined });
const sims = await startSimulators({ seed: 2026, ticksPerSecond: TICKS, bankVolume: 0.1 });
const { namespace, env: common } = benchEnv(infra, sims, 'load');
const env: Record<string, string> = {
  ...common,
  TRANSPORTER: 'nats',
  CACHER: 'redis',
  FINEXIA_WEB: 'off',
  ACCESS_TOKEN_TTL: '1h',
  // the bench signs in from one address: the per-address limit is not what is measured
  LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
};
await acquireMongo(loadConfig({ ...env, SERVICES: 'users' }).mongoUrl);

// ── the cluster ─────────────────────────────────────────────────────────────────────
const back = 'auth,users,wallets,transactions,notifications,portfolio,anomalies,insights';
const nodes: NodeProcess[] = [
  await startNodeProcess(env, 'gw1', 'api,ws'),
  await startNodeProcess(env, 'gw2', 'api,ws'),
  await startNodeProcess(env, 'n1', `${back},market`),
  await startNodeProcess(env, 'n2', back),
];
const gateways = nodes.slice(0, 2).map((n) => `http://127.0.0.1:${n.port}`);
const n2 = nodes[3]!;

async function api<T>(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

// every gateway answers once the back nodes' routes are known
for (const base of gateways)
  for (let i = 0; ; i += 1) {
    const res = await api(base, 'POST', '/api/v1/auth/login', undefined, {}).catch(() => ({ status: 0 }));
    if (res.status === 422) break;
    if (i > 600) throw new Error(`gateway ${base} did not come up`);
    await sleep(200);
  }

// ── users and their wallets ─────────────────────────────────────────────────────────
interface LoadUser {
  session: SessionResponse;
  cashId: string;
  bankId: string | null;
  lastSyncAsked: number;
  syncedSeen: number;
}
const users: LoadUser[] = [];
log(`load: setting up ${USERS} users (manual, exchange and, for every other one, a bank wallet)…`);
for (let i = 0; i < USERS; i += 1) {
  const base = gateways[i % 2]!;
  const email = `load-${namespace}-${i}@example.com`;
  const reg = await api<SessionResponse>(base, 'POST', '/api/v1/auth/register', undefined, {
    email,
    password: PASSWORD,
    name: `Load ${i}`,
  });
  if (reg.status !== 201) throw new Error(`register ${reg.status}: ${JSON.stringify(reg.body)}`);
  const token = reg.body.accessToken;
  const cash = await api<WalletView>(base, 'POST', '/api/v1/wallets/manual', token, {
    name: 'Cash',
    manualType: 'cash',
    currency: 'USD',
    balance: '1000.00',
  });
  await api(base, 'POST', '/api/v1/wallets/exchange', token, {
    provider: 'binance',
    ...sims.binance.createAccount(),
  });
  let bankId: string | null = null;
  if (i % 2 === 0) {
    const bank = await api<WalletView>(base, 'POST', '/api/v1/wallets/bank', token, {
      institutionId: 'ins_109508',
    });
    bankId = bank.body.id;
  }
  users.push({ session: reg.body, cashId: cash.body.id, bankId, lastSyncAsked: 0, syncedSeen: 0 });
}
const banks = users.filter((u) => u.bankId);
async function allSynced(after: (u: LoadUser) => number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const wallets = await Wallet.find({ publicId: { $in: banks.map((u) => u.bankId!) } })
      .select({ publicId: 1, sync: 1 })
      .lean();
    const done = wallets.filter((w) => {
      const user = banks.find((u) => u.bankId === w.publicId)!;
      return w.sync?.state === 'ok' && (w.sync.lastSyncedAt?.getTime() ?? 0) > after(user);
    }).length;
    if (done === banks.length || Date.now() > deadline) return done;
    await sleep(500);
  }
}
await allSynced(() => 0, 300_000);

// ── WebSocket clients ───────────────────────────────────────────────────────────────
let running = true;
const wsStats = { frames: 0, opened: 0, unexpectedCloses: 0, reconnects: 0 };
const sockets: WebSocket[] = [];
function connect(index: number, reconnect = false): void {
  const user = users[index % users.length]!;
  const url = gateways[index % 2]!.replace('http', 'ws') + '/ws';
  const ws = new WebSocket(url, [WS_SUBPROTOCOL, `bearer.${user.session.accessToken}`]);
  sockets[index] = ws;
  if (reconnect) wsStats.reconnects += 1;
  ws.on('open', () => (wsStats.opened += 1));
  ws.on('message', (data) => {
    wsStats.frames += 1;
    const text = data.toString();
    if (user.bankId && text.includes('"wallet.synced"') && text.includes(user.bankId))
      user.syncedSeen = Date.now();
  });
  ws.on('error', () => undefined);
  ws.on('close', () => {
    if (!running) return;
    wsStats.unexpectedCloses += 1;
    setTimeout(() => running && connect(index, true), 1_000);
  });
}
for (let i = 0; i < CLIENTS; i += 1) {
  connect(i);
  if (i % 50 === 49) await sleep(100);
}

// ── REST users ──────────────────────────────────────────────────────────────────────
interface RouteStats {
  latency: LatencySample;
  errors: Map<string, number>;
}
const routes = new Map<string, RouteStats>();
function record(route: string, ms: number, status: number | string): void {
  let stats = routes.get(route);
  if (!stats) routes.set(route, (stats = { latency: new LatencySample(), errors: new Map() }));
  stats.latency.record(ms);
  const ok = typeof status === 'number' && status >= 200 && status < 300;
  if (!ok) stats.errors.set(String(status), (stats.errors.get(String(status)) ?? 0) + 1);
}
/** When each error happened (ms since the start), to see whether they cluster at the drain. */
const errorTimes: number[] = [];
const started = Date.now();
const deadline = started + MINUTES * 60_000;

async function timed(route: string, run: () => Promise<{ status: number }>): Promise<void> {
  const t0 = performance.now();
  const status = await run().then(
    (r) => r.status,
    (err: Error) => err.name,
  );
  record(route, performance.now() - t0, status);
  if (typeof status !== 'number' || status >= 300) errorTimes.push(Date.now() - started);
}

async function restUser(user: LoadUser, index: number): Promise<void> {
  const base = gateways[index % 2]!;
  const token = user.session.accessToken;
  let n = 0;
  // the users' syncs spread over the interval
  let nextSync = Date.now() + ((index * 7_919) % Math.max(1, SYNC_EVERY_MS));
  while (running && Date.now() < deadline) {
    const pick = n++ % 8;
    if (pick === 0) await timed('GET /portfolio', () => api(base, 'GET', '/api/v1/portfolio', token));
    else if (pick === 1) await timed('GET /wallets', () => api(base, 'GET', '/api/v1/wallets', token));
    else if (pick === 2)
      await timed('GET /transactions', () => api(base, 'GET', '/api/v1/transactions?limit=50', token));
    else if (pick === 3)
      await timed('GET /portfolio/history', () =>
        api(base, 'GET', '/api/v1/portfolio/history?range=1M', token),
      );
    else if (pick === 4)
      await timed('GET /notifications', () => api(base, 'GET', '/api/v1/notifications', token));
    else if (pick === 5)
      await timed('GET /insights/score', () => api(base, 'GET', '/api/v1/insights/score', token));
    else if (pick === 6)
      await timed('POST /transactions', () =>
        api(base, 'POST', '/api/v1/transactions', token, {
          walletId: user.cashId,
          amount: '-3.20',
          date: new Date().toISOString().slice(0, 10),
          name: 'Coffee',
        }),
      );
    else await timed('GET /market/prices', () => api(base, 'GET', '/api/v1/market/prices', token));
    if (user.bankId && SYNC_EVERY_MS > 0 && Date.now() >= nextSync) {
      user.lastSyncAsked = Date.now();
      await timed('POST /wallets/:id/sync', () =>
        api(base, 'POST', `/api/v1/wallets/${user.bankId}/sync`, token, {}),
      );
      nextSync = Date.now() + SYNC_EVERY_MS;
    }
    await sleep(1_000 / RATE);
  }
}

// ── memory over time ───────────────────────────────────────────────────────────────
const rss = (pid: number | undefined) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};
const memory: { at: number; kb: number[] }[] = [];
const sampler = setInterval(() => {
  memory.push({ at: Date.now() - started, kb: nodes.map((n) => rss(n.child.pid)) });
}, 10_000);

log(
  `load: ${MINUTES} min, ${CLIENTS} sockets, ${USERS} REST users at ${RATE} req/s each, ${TICKS} ticks/s; ` +
    `gw1, gw2 (api,ws), n1 (back + market), n2 (back; SIGTERM at ${(MINUTES / 2).toFixed(1)} min)`,
);
const drain = (async () => {
  await sleep((MINUTES / 2) * 60_000);
  const at = Date.now() - started;
  const ms = await stopNodeProcess(n2);
  return { at, ms, code: n2.child.exitCode, signal: n2.child.signalCode };
})();
await Promise.all(users.map((u, i) => restUser(u, i)));
const drained = await drain;
clearInterval(sampler);
memory.push({ at: Date.now() - started, kb: nodes.map((n) => rss(n.child.pid)) });

// nothing lost: every bank wallet synced after the last sync it was asked for, and its
// socket heard `wallet.synced` after that too
const finalAsk = (u: LoadUser) => u.lastSyncAsked;
const syncedAfter = await allSynced(finalAsk, 180_000);
await sleep(2_000);
running = false;
for (const ws of sockets) ws.close();
const heard = banks.filter((u) => u.syncedSeen > u.lastSyncAsked).length;
const comparisons = await Promise.all(banks.map((u) => compareWithTruth(sims, u.bankId!)));
const lost = sumComparisons(comparisons);

// ── figures ──────────────────────────────────────────────────────────────────────────
const pad = (s: string | number, n: number) => String(s).padStart(n);
let requests = 0;
let errors = 0;
log('\nroute                      count    p50    p99    max  errors');
for (const [route, stats] of [...routes.entries()].sort()) {
  const s = stats.latency.summary();
  const e = [...stats.errors.values()].reduce((a, b) => a + b, 0);
  requests += s.count;
  errors += e;
  log(
    `${route.padEnd(25)} ${pad(s.count, 6)} ${pad(Math.round(s.p50), 5)}ms ${pad(Math.round(s.p99), 5)}ms ${pad(Math.round(s.max), 5)}ms  ${e}${e ? ' ' + JSON.stringify(Object.fromEntries(stats.errors)) : ''}`,
  );
}
const seconds = (Date.now() - started) / 1000;
log(
  `total: ${requests} requests in ${seconds.toFixed(0)} s (${(requests / seconds).toFixed(0)}/s), errors ${errors}`,
);
if (errorTimes.length)
  log(`  errors at (s since start): ${errorTimes.map((t) => (t / 1000).toFixed(1)).join(', ')}`);
log('\nmemory (RSS, MB)   ' + nodes.map((n) => n.name.padStart(6)).join(''));
for (const m of memory)
  log(
    `  t=${pad((m.at / 1000).toFixed(0), 4)} s       ` + m.kb.map((kb) => pad(kb ? mb(kb) : '—', 6)).join(''),
  );
const firstFull = memory.find((m) => m.at >= 60_000) ?? memory[0]!;
const last = memory.at(-1)!;
log(
  '  growth from the first full minute to the end: ' +
    nodes
      .map((n, i) =>
        last.kb[i] && firstFull.kb[i]
          ? `${n.name} ${(((last.kb[i]! - firstFull.kb[i]!) / firstFull.kb[i]!) * 100).toFixed(0)}%`
          : `${n.name} stopped`,
      )
      .join(', '),
);
log(
  `\ndrain: n2 got SIGTERM at ${(drained.at / 1000).toFixed(0)} s and exited in ${(drained.ms / 1000).toFixed(1)} s ` +
    `(code ${drained.code ?? '—'}${drained.signal ? ', signal ' + drained.signal : ''})`,
);
log(
  `sync jobs: ${banks.length} bank wallets, each resynced every ${SYNC_EVERY_MS / 1000} s; ${syncedAfter}/${banks.length} synced after ` +
    `their last request; against the simulator: ${lost.total} transactions, duplicates ${lost.duplicates}, ` +
    `missing ${lost.missing}, extra ${lost.extra}`,
);
log(
  `ws: ${wsStats.opened} opened, ${wsStats.frames} frames, ${wsStats.unexpectedCloses} unexpected closes, ` +
    `${wsStats.reconnects} reconnects; wallet.synced heard after the last request by ${heard}/${banks.length} bank users`,
);

for (const node of nodes) await stopNodeProcess(node);
await dropBenchState(infra, namespace);
await releaseMongo();
await sims.stop();
await infra.stop();
process.exit(0);
