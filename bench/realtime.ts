// Real-time benchmark (prints figures; not a test), on the service path end to end:
// Binance-compatible simulator (all-market WebSocket stream) → market service (validate,
// batch, conflate) → `market.ticks` over NATS → portfolio nodes (PriceBook, actors) →
// `portfolio.updated` deltas → ws gateway → C WebSocket clients.
//   (a) tick → actor and tick → ws latency, p50 / p99 / max, at each rate R
//   (b) sustained or not (no growing backlog) at each R, 1 node and 3 nodes
//   (e) memory and CPU per node
// U users with H holdings each over S Zipf-popular symbols, seeded straight into MongoDB.
// Run: scripts/finexia bench:realtime [-- --users 10000 --clients 1000 --rates 500,1000,2000 --seconds 15 --nodes 1,3]
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ensureInfra } from '../scripts/infra.ts';
import { benchEnv } from './env.ts';
import { loadConfig, setConfig } from '../config/index.ts';
import { createBroker } from '../services/index.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { User } from '../infra/models/user.model.ts';
import { Account, Holding } from '../infra/models/wallet.model.ts';
import { nodesRunning } from '../infra/registry.ts';
import { signAccessToken } from '../domain/auth/access-tokens.ts';
import { accessTokenSettings } from '../infra/tokens.ts';
import { Decimal } from '../domain/money.ts';
import { assetOfPair } from '../domain/ticks.ts';
import { LatencySample, type LatencySummary } from '../infra/latency.ts';
import type { PortfolioDelta } from '@finexia/contracts/portfolio.ts';
import { SeededRandom, zipfPicker } from '../providers/simulators/random.ts';
import type { MarketStats } from '../services/market.service.ts';

const { values: args } = parseArgs({
  // npm passes the `--` that separates its own options along
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    users: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '1000' },
    symbols: { type: 'string', default: '2000' },
    holdings: { type: 'string', default: '25' },
    rates: { type: 'string', default: '500,1000,2000' },
    seconds: { type: 'string', default: '15' },
    nodes: { type: 'string', default: '1,3' },
  },
});
const USERS = Number(args.users);
const CLIENTS = Math.min(USERS, Number(args.clients));
const SYMBOLS = Number(args.symbols);
const HOLDINGS = Number(args.holdings);
const RATES = String(args.rates).split(',').map(Number);
const SECONDS = Number(args.seconds);
const NODE_COUNTS = String(args.nodes).split(',').map(Number);

const log = (...parts: unknown[]) => console.log(...parts);
const ms = (n: number) => `${Math.round(n)} ms`;
const fmt = (s: LatencySummary) => `p50 ${ms(s.p50)} / p99 ${ms(s.p99)} / max ${ms(s.max)} (n=${s.count})`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

const infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: () => undefined });
const sims = await startSimulators({ seed: 2026, assets: SYMBOLS, ticksPerSecond: 0, bankVolume: 0.01 });
const { namespace, env: common } = benchEnv(infra, sims, 'rt');
const env: Record<string, string> = {
  ...common,
  TRANSPORTER: 'nats',
  // CoinGecko polling is not what is measured
  COINGECKO_POLL_INTERVAL: '1h',
};
const cfg = loadConfig({
  ...env,
  NODE_ID: `${namespace}-n1`,
  SERVICES: 'api,ws,market,portfolio',
  PORT: '0',
});
setConfig(cfg);
const broker = await createBroker(cfg, { logger: process.env.BENCH_LOG_LEVEL ? undefined : false });
await broker.start();
const api = broker.getLocalService('api') as unknown as { server: Server };
const port = (api.server.address() as AddressInfo).port;

// ── seed: U users, one exchange account each, H Zipf-popular holdings ───────────────
const rng = new SeededRandom(2026);
const symbols = sims.market.assets.slice(0, SYMBOLS).map((a) => a.symbol);
const zipf = zipfPicker(rng, symbols.length);
let t0 = Date.now();
const userIds = Array.from({ length: USERS }, () => randomUUID());
for (let start = 0; start < USERS; start += 1000) {
  const ids = userIds.slice(start, start + 1000);
  await User.insertMany(
    ids.map((id, i) => ({
      publicId: id,
      email: `u${start + i}@bench.test`,
      passwordHash: 'x',
      name: 'Bench',
    })),
    { lean: true },
  );
  await Account.insertMany(
    ids.map((id) => ({
      publicId: `acct-${id}`,
      userId: id,
      walletId: `wallet-${id}`,
      providerAccountId: 'spot',
      name: 'Spot',
      type: 'investment',
      currency: 'USD',
    })),
    { lean: true },
  );
  const holdings = ids.flatMap((id) => {
    const owned = new Set<number>();
    while (owned.size < Math.min(HOLDINGS, SYMBOLS)) owned.add(zipf());
    return [...owned].map((s) => ({
      userId: id,
      walletId: `wallet-${id}`,
      accountId: `acct-${id}`,
      asset: symbols[s] as string,
      quantity: Decimal.fromUnits(BigInt(rng.int(1, 100_000_000)) * 10n ** 10n).toString(),
    }));
  });
  for (let h = 0; h < holdings.length; h += 5000)
    await Holding.insertMany(holdings.slice(h, h + 5000), { lean: true, ordered: false });
}
log(
  `Real-time path: ${USERS} users × ${HOLDINGS} holdings over ${SYMBOLS} Zipf-popular symbols, ${CLIENTS} ws clients (seeded in ${ms(Date.now() - t0)})`,
);

// prices for every symbol before anyone activates
sims.binance.setTickRate(SYMBOLS);
await sleep(2_500);
sims.binance.setTickRate(0);

// ── the exchange as the bench sees it: when each (symbol, price) was sent ────────────
const sentAt = new Map<string, number>();
const exchange = new WebSocket(`${sims.env.BINANCE_WS_URL}/stream?streams=!miniTicker@arr`);
exchange.on('message', (raw: Buffer) => {
  const frame = JSON.parse(raw.toString()) as { data?: { E: number; s: string; c: string }[] };
  for (const t of frame.data ?? []) {
    const symbol = assetOfPair(t.s);
    if (symbol) sentAt.set(`${symbol}:${Decimal.parse(t.c).toString()}`, t.E);
  }
});
await new Promise((r) => exchange.once('open', r));

// ── nodes ────────────────────────────────────────────────────────────────────────────
const children: ChildProcess[] = [];
// an interrupted run takes its node processes with it
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const child of children) child.kill('SIGTERM');
    process.exit(130);
  });
function startPortfolioNode(name: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...process.env, ...env, NODE_ID: `${namespace}-${name}`, SERVICES: 'portfolio', PORT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function activateAll(): Promise<number> {
  const started = Date.now();
  await broker.call('portfolio.activateUsers', { userIds }, { timeout: 600_000 });
  return Date.now() - started;
}

interface NodeStats {
  node: string;
  actors: number;
  tickLagMs: LatencySummary;
  cpuMicros: { user: number; system: number };
  heapUsed: number;
  rss: number;
}
const nodeStats = async (reset = false): Promise<NodeStats[]> =>
  Promise.all(
    nodesRunning(broker, 'portfolio').map((nodeID) =>
      broker.call<NodeStats, { reset: boolean }>('portfolio.nodeStats', { reset }, { nodeID }),
    ),
  );

// ── clients ──────────────────────────────────────────────────────────────────────────
const tickToWs = new LatencySample(500_000);
// the two halves of it: until the push was built (asOf), and from there to the client
const tickToPush = new LatencySample(500_000);
const pushToWs = new LatencySample(500_000);
const halves = [new LatencySample(200_000), new LatencySample(200_000)];
let half = 0;
const sockets: WebSocket[] = [];
const tokens = userIds
  .slice(0, CLIENTS)
  .map(
    (sub) =>
      signAccessToken({ sub, role: 'user', sid: 'bench' }, { ...accessTokenSettings(), ttlMs: 3_600_000 })
        .token,
  );
async function connectClients() {
  for (const token of tokens) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['finexia.v1', `bearer.${token}`]);
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString()) as { type: string; event?: string; data?: PortfolioDelta };
      if (frame.type !== 'event' || frame.event !== 'portfolio.updated' || !frame.data) return;
      const now = Date.now();
      const builtAt = Date.parse(frame.data.asOf);
      pushToWs.record(now - builtAt);
      for (const [symbol, price] of Object.entries(frame.data.changed.prices ?? {})) {
        const sent = sentAt.get(`${symbol}:${price}`);
        if (sent === undefined) continue;
        tickToWs.record(now - sent);
        tickToPush.record(builtAt - sent);
        halves[half]?.record(now - sent);
      }
    });
    sockets.push(ws);
    await new Promise((r) => ws.once('open', r));
  }
}

// ── runs ─────────────────────────────────────────────────────────────────────────────
const results: string[] = [];
async function runRates(nodes: number) {
  for (const rate of RATES) {
    sims.binance.setTickRate(rate);
    await sleep(3_000); // warm-up
    await nodeStats(true);
    tickToWs.reset();
    tickToPush.reset();
    pushToWs.reset();
    for (const h of halves) h.reset();
    half = 0;
    const marketBefore = await broker.call<MarketStats>('market.stats');
    const statsBefore = await nodeStats();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    await sleep((SECONDS * 1000) / 2);
    half = 1;
    await sleep((SECONDS * 1000) / 2);
    loop.disable();
    const stats = await nodeStats();
    const marketAfter = await broker.call<MarketStats>('market.stats');
    sims.binance.setTickRate(0);
    const ticks = marketAfter.published - marketBefore.published;
    const perThousand = Math.max(1, ticks / 1000);
    const cpuOf = (s: NodeStats) => {
      const before = statsBefore.find((b) => b.node === s.node);
      const used =
        s.cpuMicros.user +
        s.cpuMicros.system -
        (before ? before.cpuMicros.user + before.cpuMicros.system : 0);
      return used / 1000 / perThousand;
    };
    const worstActor = stats.reduce(
      (a, s) => (s.tickLagMs.p99 > a.p99 ? s.tickLagMs : a),
      stats[0]?.tickLagMs as LatencySummary,
    );
    const [first, second] = halves.map((h) => h.summary()) as [LatencySummary, LatencySummary];
    // a growing backlog shows as latency that climbs from the first half of the run to the second
    const sustained = second.p50 <= first.p50 * 1.5 + 50 && second.p99 < 1_000;
    const line =
      `  ${nodes} node${nodes > 1 ? 's' : ''}, R = ${rate}/s: ${(ticks / SECONDS).toFixed(0)} ticks/s published\n` +
      `    (a) tick → actor (worst node) ${fmt(worstActor)}\n` +
      `    (a) tick → ws                 ${fmt(tickToWs.summary())}\n` +
      `        of which tick → push built ${fmt(tickToPush.summary())}; push built → client ${fmt(pushToWs.summary())}\n` +
      `    (b) ${sustained ? 'sustained' : 'NOT sustained'}: tick → ws p50 ${ms(first.p50)} then ${ms(second.p50)}, p99 ${ms(first.p99)} then ${ms(second.p99)}; gateway event-loop delay p99 ${ms(loop.percentile(99) / 1e6)}\n` +
      `    (e) per node, CPU per 1,000 ticks and memory (${namespace}-n1 also runs the gateway, the market service and the bench's own clients): ` +
      stats
        .map(
          (s) =>
            `${s.node.replace(`${namespace}-`, '')}: ${cpuOf(s).toFixed(0)} ms CPU, ${s.actors} actors, heap ${(s.heapUsed / 2 ** 20).toFixed(0)} MB, rss ${(s.rss / 2 ** 20).toFixed(0)} MB`,
        )
        .join('; ');
    log(line);
    results.push(line);
    await sleep(1_000);
  }
}

try {
  for (const nodes of NODE_COUNTS) {
    while (nodesRunning(broker, 'portfolio').length < nodes) {
      startPortfolioNode(`n${nodesRunning(broker, 'portfolio').length + 1}`);
      t0 = Date.now();
      while (Date.now() - t0 < 60_000 && nodesRunning(broker, 'portfolio').length < children.length + 1)
        await sleep(200);
    }
    await sleep(2_000); // rings settle
    log(`${nodes} portfolio node(s): ${USERS} actors activated in ${ms(await activateAll())}`);
    if (!sockets.length) await connectClients();
    await runRates(nodes);
  }
} finally {
  for (const ws of sockets) ws.terminate();
  exchange.terminate();
  for (const child of children) child.kill('SIGTERM');
  await broker.stop();
  await sims.stop();
  await infra.stop();
}
