// Real-time benchmark (prints figures; not a test), on the service path end to end:
// Binance-compatible simulator (all-market WebSocket stream) → market service (validate,
// batch, conflate) → `market.ticks` over NATS → portfolio nodes (PriceBook, actors) →
// `portfolio.updated` deltas → ws gateway → C WebSocket clients in a process of their own.
//   (a) tick → actor and tick → ws latency, p50 / p99 / max, with its split (tick → push built,
//       push built → client) and each process's event-loop delay
//   (b) sustained or not (no growing backlog: the second half of a run against the first)
//   (e) memory and CPU per node
//   (f) equities: each user also holds E US stocks (of K synthetic ones) priced by the securities
//       feed (Alpaca's shape), and the market's open is a surge: every followed stock trades at
//       once; printed as tick → ws for that burst
//   (g) 0 drift: at the end each socket's view, built from its snapshot and deltas, equals the server's
// Layouts, side by side in one run: "1 node" (one process: gateway, market and portfolio) and
// "3 nodes" (a gateway process with the market service, and three portfolio processes). The
// bench process holds the simulators and seeds the database; every Finexia node and the clients
// are processes of their own, all on this machine.
// U users with H holdings each over S Zipf-popular symbols, seeded straight into MongoDB.
// Run: scripts/finexia bench:realtime [-- --users 10000 --clients 1000 --rates 2000 --seconds 60 --nodes 1,3 --equities 5 --stocks 2000]
// (--clients 250,500,1000 measures each count in turn on the same nodes: what a node carries)
// (--activation-only stops after the activations: cold, then after every node restarted)
// (BENCH_PROFILE=<dir> writes each node's CPU profile there)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { ensureInfra } from '../scripts/infra.ts';
import {
  benchChildren,
  benchEnv,
  dropBenchState,
  startNodeProcess,
  stopNodeProcess,
  type NodeProcess,
} from './env.ts';
import { loadConfig } from '../config/index.ts';
import { createBroker } from '../services/index.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { User } from '../infra/models/user.model.ts';
import { Account, Holding } from '../infra/models/wallet.model.ts';
import { PositionPack } from '../infra/models/position-pack.model.ts';
import { nodesRunning } from '../infra/registry.ts';
import { HashRing } from '../infra/hash-ring.ts';
import { acquireMongo, releaseMongo } from '../infra/connections.ts';
import { signAccessToken } from '../domain/auth/access-tokens.ts';
import { accessTokenSettings } from '../infra/tokens.ts';
import { Decimal } from '../domain/money.ts';
import type { LatencySummary } from '@finexia/contracts/internal.ts';
import { SeededRandom, zipfPicker } from '../providers/simulators/random.ts';
import type { MarketStats } from '@finexia/contracts/internal.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import { forEachConcurrently } from '../infra/concurrency.ts';
import type { PortfolioNodeStats } from '../services/portfolio/portfolio.service.ts';
import type { WsStats } from '../services/ws/ws.service.ts';
import type { ClientCommand, ClientReply } from './realtime-clients.ts';

const { values: args } = parseArgs({
  // npm passes the `--` that separates its own options along
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    users: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '1000' },
    symbols: { type: 'string', default: '2000' },
    holdings: { type: 'string', default: '25' },
    rates: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '60' },
    nodes: { type: 'string', default: '1,3' },
    equities: { type: 'string', default: '5' },
    stocks: { type: 'string', default: '2000' },
    // only the activations (cold, then after a restart), for working on them
    'activation-only': { type: 'boolean', default: false },
  },
});
const USERS = Number(args.users);
/** `--clients 250,500,1000`: each count in turn on the same nodes (fewest first, so those watched are those connected) */
const CLIENT_COUNTS = [
  ...new Set(
    String(args.clients)
      .split(',')
      .map((n) => Math.min(USERS, Number(n))),
  ),
].sort((a, b) => a - b);
const CLIENTS = CLIENT_COUNTS.at(-1) as number;
const SYMBOLS = Number(args.symbols);
const HOLDINGS = Number(args.holdings);
const RATES = String(args.rates).split(',').map(Number);
const SECONDS = Number(args.seconds);
const LAYOUTS = String(args.nodes).split(',').map(Number);
const EQUITIES = Number(args.equities);
const STOCKS = Number(args.stocks);

const log = (...parts: unknown[]) => console.log(...parts);
const ms = (n: number) => `${Math.round(n)} ms`;
const fmt = (s: LatencySummary) => `p50 ${ms(s.p50)} / p99 ${ms(s.p99)} / max ${ms(s.max)} (n=${s.count})`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

const infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: () => undefined });
const sims = await startSimulators({
  seed: 2026,
  assets: SYMBOLS,
  ticksPerSecond: 0,
  securityTradesPerSecond: 0,
  stocks: STOCKS,
  bankVolume: 0.02,
});
// the US market is open on the feed's clock (a Wednesday, 10:00 in New York): stocks trade
sims.securitiesFeed.now = () => Date.parse('2026-11-25T15:00:00Z');
const { namespace, env: common } = benchEnv(infra, sims, 'rt');
const env: Record<string, string> = {
  ...common,
  TRANSPORTER: 'nats',
  // CoinGecko polling is not what is measured
  COINGECKO_POLL_INTERVAL: '1h',
  FINEXIA_WEB: 'off',
};
const benchConfig = loadConfig({ ...env, NODE_ID: `${namespace}-bench`, SERVICES: 'api', PORT: '0' });
await acquireMongo(benchConfig.mongoUrl);
// the bench's own broker hosts nothing: it asks the nodes for their figures
const broker = await createBroker({ ...benchConfig, services: [] }, { logger: false });
await broker.start();

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
    const stocks = new Set<number>();
    while (stocks.size < Math.min(EQUITIES, STOCKS)) stocks.add(rng.int(0, STOCKS - 1));
    return [
      ...[...owned].map((s) => ({
        userId: id,
        walletId: `wallet-${id}`,
        accountId: `acct-${id}`,
        asset: symbols[s] as string,
        quantity: Decimal.fromUnits(BigInt(rng.int(1, 100_000_000)) * 10n ** 10n).toString(),
      })),
      // beside the crypto: a few US stocks, whole shares, as a brokerage holds them
      ...[...stocks].map((s) => ({
        userId: id,
        walletId: `wallet-${id}`,
        accountId: `acct-${id}`,
        asset: `S${s}.STOCK`,
        quantity: String(rng.int(1, 200)),
      })),
    ];
  });
  for (let h = 0; h < holdings.length; h += 5000)
    await Holding.insertMany(holdings.slice(h, h + 5000), { lean: true, ordered: false });
}
log(
  `Real-time path: ${USERS} users × ${HOLDINGS} holdings over ${SYMBOLS} Zipf-popular symbols and ${EQUITIES} of ${STOCKS} US stocks, ${CLIENT_COUNTS.join(', ')} ws clients in their own process (seeded in ${ms(Date.now() - t0)})`,
);

// prices for every symbol before anyone activates
sims.binance.setTickRate(SYMBOLS);
await sleep(2_500);
sims.binance.setTickRate(0);

// ── processes ────────────────────────────────────────────────────────────────────────
const children = benchChildren;
const startNode = (name: string, services: string) => startNodeProcess(env, name, services);
const stopNode = async (node: NodeProcess) => void (await stopNodeProcess(node));

const clients = fork('bench/realtime-clients.ts', [], {
  execArgv: [
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
    '--import',
    'tsx',
  ],
  stdio: 'inherit',
});
children.add(clients);
function ask<T extends ClientReply['type']>(
  command: ClientCommand,
  answer: T,
): Promise<Extract<ClientReply, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (message: ClientReply) => {
      if (message.type !== answer) return;
      clients.off('message', onMessage);
      resolve(message as Extract<ClientReply, { type: T }>);
    };
    clients.on('message', onMessage);
    clients.send(command);
  });
}
await ask({ type: 'exchange', url: sims.env.BINANCE_WS_URL as string }, 'ready');

const portfolioStats = (reset = false) =>
  Promise.all(
    nodesRunning(broker, 'portfolio').map((nodeID) =>
      broker.call<PortfolioNodeStats, { reset: boolean }>('portfolio.nodeStats', { reset }, { nodeID }),
    ),
  );
const gatewayStats = (reset = false) =>
  Promise.all(
    nodesRunning(broker, 'ws').map((nodeID) =>
      broker.call<WsStats, { reset: boolean }>('ws.stats', { reset }, { nodeID }),
    ),
  );

const tokens = userIds
  .slice(0, CLIENTS)
  .map(
    (sub) =>
      signAccessToken(
        { sub, role: 'user', sid: 'bench' },
        { ...accessTokenSettings(benchConfig.auth), ttlMs: 3_600_000 },
      ).token,
  );

// ── runs ─────────────────────────────────────────────────────────────────────────────
const results: string[] = [];
const short = (node: string) => node.replace(`${namespace}-`, '');

async function runRate(layout: string, rate: number): Promise<void> {
  sims.binance.setTickRate(rate);
  await sleep(3_000); // warm-up
  const before = await portfolioStats(true);
  const gwBefore = await gatewayStats(true);
  await ask({ type: 'reset' }, 'ready');
  const marketBefore = await broker.call<MarketStats, { reset: boolean }>('market.stats', { reset: true });
  await sleep((SECONDS * 1000) / 2);
  clients.send({ type: 'half', index: 1 } satisfies ClientCommand);
  await sleep((SECONDS * 1000) / 2);
  const [after, gwAfter, { summary }, marketAfter] = await Promise.all([
    portfolioStats(),
    gatewayStats(),
    ask({ type: 'summary' }, 'summary'),
    broker.call<MarketStats>('market.stats'),
  ]);
  sims.binance.setTickRate(0);
  const ticks = marketAfter.published - marketBefore.published;
  const perThousand = Math.max(1, ticks / 1000);
  const cpu = (now: { cpuMicros: { user: number; system: number } }, then?: typeof now) =>
    (now.cpuMicros.user + now.cpuMicros.system - (then ? then.cpuMicros.user + then.cpuMicros.system : 0)) /
    1000 /
    perThousand;
  const worstActor = after.reduce(
    (a, s) => (s.tickLagMs.p99 > a.p99 ? s.tickLagMs : a),
    after[0]?.tickLagMs as LatencySummary,
  );
  const [first, second] = summary.halves;
  // a growing backlog shows as latency that climbs from the first half of the run to the second
  const sustained = second.p50 <= first.p50 * 1.5 + 50 && second.p99 < 1_000;
  const loops = [
    ...gwAfter.map((g) => `${short(g.node)} ${g.eventLoopMs.p99} ms`),
    ...after
      .filter((p) => !gwAfter.some((g) => g.node === p.node))
      .map((p) => `${short(p.node)} ${p.eventLoopMs.p99} ms`),
    `clients ${summary.process.eventLoopMs.p99} ms`,
  ].join(', ');
  const line =
    `  ${layout}, R = ${rate}/s: ${(ticks / SECONDS).toFixed(0)} ticks/s published, ${summary.open} of ${summary.sockets} sockets open, ${summary.frames} frames\n` +
    `    (a) tick → published by the market service ${fmt(marketAfter.publishLagMs)}\n` +
    `    (a) tick → actor (worst node) ${fmt(worstActor)}\n` +
    after
      .map(
        (s) =>
          `        ${short(s.node)}: a burst's ticks applied in ${fmt(s.burstApplyMs)}; its pushes sent within ${fmt(s.burstPushedMs)} of that; the minute's work held the loop ${fmt(s.minuteHoldMs)} and was done ${fmt(s.minuteWorkMs)} after the minute began\n`,
      )
      .join('') +
    `    (a) tick → ws                 ${fmt(summary.tickToWs)}\n` +
    `        tick → push built ${fmt(summary.tickToPush)}; push built → client ${fmt(summary.pushToWs)}\n` +
    `        event-loop delay p99: ${loops}; frames dropped for slow clients: ${gwAfter.reduce((n, g) => n + g.dropped, 0) - gwBefore.reduce((n, g) => n + g.dropped, 0)}\n` +
    `        slowest seconds (second of the minute: max, ticks): ${summary.slowestSeconds.map((x) => `:${String(x.secondOfMinute).padStart(2, '0')} ${ms(x.maxMs)} (${x.count})`).join(', ')}\n` +
    `    (b) ${sustained ? 'sustained' : 'NOT sustained'}: tick → ws p50 ${ms(first.p50)} then ${ms(second.p50)}, p99 ${ms(first.p99)} then ${ms(second.p99)}\n` +
    `    (e) CPU per 1,000 ticks and memory: ` +
    [
      ...after.map(
        (s) =>
          `${short(s.node)} ${cpu(
            s,
            before.find((b) => b.node === s.node),
          ).toFixed(0)} ms, ${s.actors} actors, heap ${mb(s.heapUsed)}, rss ${mb(s.rss)}`,
      ),
      ...gwAfter
        .filter((g) => !after.some((p) => p.node === g.node))
        .map(
          (g) =>
            `${short(g.node)} (gateway) ${cpu(
              g,
              gwBefore.find((b) => b.node === g.node),
            ).toFixed(0)} ms, ${g.sockets} sockets, rss ${mb(g.rss)}`,
        ),
      `clients ${cpu(summary.process).toFixed(0)} ms (whole run)`,
    ].join('; ');
  log(line);
  results.push(line);
}

/**
 * 0 drift: with the stream stopped and the last pushes out, each socket's view (its snapshot with
 * every delta it was sent applied, as the dashboard does) equals its user's view on the server.
 */
async function checkDrift(layout: string, sockets: number): Promise<void> {
  sims.binance.setTickRate(0);
  await sleep(3_000); // the last burst's pushes (at most one per user per 250 ms) are out
  const { views, refused } = await ask({ type: 'views' }, 'views');
  let equal = 0;
  const differ: string[] = [];
  const missing: string[] = [];
  await forEachConcurrently([...userIds.slice(0, sockets).entries()], 32, async ([i, userId]) => {
    const client = views[i];
    if (!client) return missing.push(userId);
    const server = await broker.call<PortfolioView, { userId: string }>('portfolio.view', { userId });
    if (isDeepStrictEqual(client, server)) equal += 1;
    else differ.push(`${userId} (client seq ${client.seq}, server seq ${server.seq})`);
  });
  const line =
    `  ${layout}, drift: ${equal} of ${sockets} sockets' views equal the server's; ${differ.length} differ` +
    `${differ.length ? ` (e.g. ${differ.slice(0, 3).join(', ')})` : ''}; ${missing.length} without a snapshot; ${refused} deltas refused`;
  log(line);
  results.push(line);
}

/**
 * The market's open: every followed stock trades at once (the crypto stream quiet meanwhile), and
 * how long its pushes take to reach the sockets.
 */
async function surge(layout: string): Promise<void> {
  sims.binance.setTickRate(0);
  await sleep(1_000);
  await ask({ type: 'reset' }, 'ready');
  const marketBefore = await broker.call<MarketStats, { reset: boolean }>('market.stats', { reset: true });
  // the clients learn each print's price before it is made, and time it from the moment it is
  const plan = sims.securitiesFeed.planSurge();
  const started = Date.now();
  await ask(
    {
      type: 'expect',
      keys: [...plan].map(
        ([symbol, cents]) =>
          `${symbol}.STOCK:${Decimal.parse(String(cents)).div(Decimal.parse('100')).toString()}`,
      ),
      at: started,
    },
    'ready',
  );
  const traded = sims.securitiesFeed.surge(plan);
  await sleep(5_000);
  const [{ summary }, marketAfter] = await Promise.all([
    ask({ type: 'summary' }, 'summary'),
    broker.call<MarketStats>('market.stats'),
  ]);
  const line =
    `  ${layout}, the open: ${traded} stocks traded at once (${marketAfter.published - marketBefore.published} ticks published): ` +
    `tick → ws ${fmt(summary.tickToWs)}; tick → published ${fmt(marketAfter.publishLagMs)}; ${summary.frames} frames in ${ms(Date.now() - started)}`;
  log(line);
  results.push(line);
}

/**
 * A portfolio node SIGKILLed while the stream runs: how long until each of its users (with a
 * socket) gets portfolio frames again — the gateways re-snapshot them, their new owners load
 * them in bulk — and how late the gateway's event loop runs meanwhile.
 */
async function killOne(victim: NodeProcess, layout: string): Promise<void> {
  const rate = RATES.at(-1) as number;
  sims.binance.setTickRate(rate);
  await sleep(3_000);
  const ring = new HashRing(nodesRunning(broker, 'portfolio'));
  const victimId = `${namespace}-${victim.name}`;
  const affected = userIds.slice(0, CLIENTS).flatMap((id, i) => (ring.owner(id) === victimId ? [i] : []));
  await gatewayStats(true);
  await ask({ type: 'mark' }, 'ready');
  victim.child.kill('SIGKILL');
  t0 = Date.now();
  let first: number[] = [];
  while (Date.now() - t0 < 120_000) {
    first = (await ask({ type: 'recovery' }, 'recovery')).firstFrameMs;
    if (affected.every((i) => (first[i] as number) >= 0)) break;
    await sleep(250);
  }
  const gw = await gatewayStats();
  sims.binance.setTickRate(0);
  const times = affected
    .map((i) => first[i] as number)
    .filter((t) => t >= 0)
    .sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  const line =
    `  ${layout}, ${victim.name} SIGKILLed at R = ${rate}/s: ${times.length} of ${affected.length} of its users with a socket updating again; ` +
    `first frame after the kill p50 ${ms(at(0.5))} / max ${ms(times.at(-1) ?? NaN)}; ` +
    `gateway event-loop delay meanwhile p99 ${gw.map((g) => `${short(g.node)} ${g.eventLoopMs.p99} ms`).join(', ')} (max ${gw.map((g) => g.eventLoopMs.max).join(', ')} ms)`;
  log(line);
  results.push(line);
}

async function runLayout(portfolioNodes: number, restart: boolean): Promise<void> {
  const layout = portfolioNodes === 1 ? '1 node' : `${portfolioNodes} nodes + gateway`;
  const start = async () => {
    const started = await Promise.all(
      portfolioNodes === 1
        ? [startNode('n1', 'api,ws,market,portfolio')]
        : [
            startNode('gw', 'api,ws,market'),
            ...Array.from({ length: portfolioNodes }, (_, i) => startNode(`p${i + 1}`, 'portfolio')),
          ],
    );
    t0 = Date.now();
    const up = () =>
      nodesRunning(broker, 'portfolio').length >= portfolioNodes &&
      nodesRunning(broker, 'ws').length > 0 &&
      nodesRunning(broker, 'market').length > 0;
    while (Date.now() - t0 < 120_000 && !up()) await sleep(200);
    if (!up()) throw new Error(`${layout}: the nodes did not come up in 2 minutes`);
    await sleep(2_000); // rings settle
    return started;
  };
  const activateAll = async (how: string) => {
    const packs = await PositionPack.countDocuments();
    t0 = Date.now();
    // beyond ~25,000 ids a call exceeds NATS's 1 MB message limit: each node then reads the ids itself
    if (USERS <= 20_000) await broker.call('portfolio.activateUsers', { userIds }, { timeout: 900_000 });
    else await broker.call('portfolio.activateAll', {}, { timeout: 900_000 });
    const line = `  ${layout}: ${USERS} portfolios activated in ${ms(Date.now() - t0)} (${how}; ${packs} position packs stored before)`;
    log(line);
    results.push(line);
  };
  let nodes = await start();
  try {
    await activateAll('cold, from FerretDB');
    if (restart) {
      // every node stopped and started again: the users come back from their position packs
      await Promise.all(nodes.map(stopNode));
      nodes = await start();
      await activateAll('after all nodes restarted');
    }
    if (args['activation-only']) return;
    for (const count of CLIENT_COUNTS) {
      const { sockets, ms: connectMs } = await ask(
        {
          type: 'connect',
          url: `ws://127.0.0.1:${(nodes[0] as NodeProcess).port}/ws`,
          tokens: tokens.slice(0, count),
        },
        'connected',
      );
      const label = CLIENT_COUNTS.length > 1 ? `${layout}, ${count} sockets` : layout;
      log(`${label}: ${sockets} sockets connected (each with its snapshot) in ${ms(connectMs)}`);
      for (const rate of RATES) await runRate(label, rate);
      await checkDrift(label, count);
      if (EQUITIES > 0) await surge(label);
      // the next count starts over with more sockets (the kill below runs with the most)
      if (count !== CLIENTS) await ask({ type: 'disconnect' }, 'ready');
    }
    if (portfolioNodes > 1) await killOne(nodes.at(-1) as NodeProcess, layout);
  } finally {
    await ask({ type: 'disconnect' }, 'ready');
    await Promise.all(nodes.map(stopNode));
  }
}

try {
  for (const [i, n] of LAYOUTS.entries()) await runLayout(n, i === 0);
  log('\nSummary');
  for (const line of results) log(line);
} finally {
  clients.send({ type: 'close' } satisfies ClientCommand);
  // the clients exit by themselves (and write their CPU profile under BENCH_PROFILE); at most 5 s
  await Promise.race([once(clients, 'exit'), sleep(5_000)]);
  for (const child of children) child.kill('SIGKILL');
  await broker.stop();
  await dropBenchState(infra, namespace);
  await releaseMongo();
  await sims.stop();
  await infra.stop();
}
