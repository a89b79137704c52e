// Three real node processes host the portfolio actors; a gateway (this process) serves
// HTTP/ws and the market feed. Ticks stream in; one node is SIGKILLed: every user's net
// worth resumes updating on the survivors and equals a full recompute (qty × price).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import type { SessionResponse } from '@finexia/contracts/api.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { startWorker } from '../helpers/worker.ts';
import { waitFor } from '../helpers/wait.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Decimal } from '../../domain/money.ts';
import type { PortfolioInspection, PortfolioView } from '@finexia/contracts/portfolio.ts';
import type { ActorStats } from '@finexia/contracts/internal.ts';

const namespace = testNamespace('ck');
const NODES = ['n1', 'n2', 'n3'].map((n) => `${namespace}-${n}`);
let sims: Simulators;
let gateway: TestNode;
/** when the gateway had seen all three portfolio nodes (it re-snapshots their users 0.5 and 5 s later) */
let gatewayUpAt = 0;
const workers = new Map<string, ChildProcess>();
const users: { session: SessionResponse; qty: string; ws: TestSocket }[] = [];

beforeAll(async () => {
  sims = await startSimulators({ seed: 64, bankVolume: 0.04, ticksPerSecond: 0, today: '2026-11-25' });
  for (const name of NODES)
    workers.set(
      name,
      startWorker({ name, namespace, services: 'auth,users,wallets,portfolio', env: sims.env }),
    );
  gateway = await startNode({
    ...sims.env,
    NAMESPACE: namespace,
    TRANSPORTER: 'nats',
    SERVICES: 'api,ws,market',
  });
  await gateway.broker.waitForServices(['auth', 'wallets', 'portfolio'], 60_000);
  await waitFor(
    async () =>
      (gateway.broker.registry.getServiceList({ onlyAvailable: true }) as { name: string }[]).filter(
        (s) => s.name === 'portfolio',
      ).length === 3
        ? true
        : undefined,
    60_000,
    'three portfolio nodes',
  );
  // (once all three are seen: the gateway re-snapshots each one's users 0.5 and 5 s after it joined)
  gatewayUpAt = Date.now();
  await waitForRoutes(gateway, '/api/v1/wallets/exchange');
  for (let i = 0; i < 6; i += 1) {
    const session = await register(gateway.baseUrl);
    const qty = `${i + 1}.5`;
    const res = await request(gateway.baseUrl, 'POST', '/api/v1/wallets/exchange', {
      token: session.accessToken,
      body: { provider: 'binance', ...sims.binance.createAccount({ BTC: qty }) },
    });
    expect(res.status).toBe(201);
    users.push({ session, qty, ws: TestSocket.connect(gateway.wsUrl, { token: session.accessToken }) });
  }
}, 120_000);

afterAll(async () => {
  for (const u of users) u.ws.socket.terminate();
  for (const w of workers.values()) if (w.exitCode === null) w.kill('SIGKILL');
  await gateway?.stop();
  await sims?.stop();
});

/** The latest net worth a user's socket has seen (snapshot and the deltas after it). */
function latest(ws: TestSocket): PortfolioView | undefined {
  return ws.view();
}

/** Streams BTC ticks (a new price each time) until every user's socket shows the latest one; returns it. */
async function tickUntilAllCurrent(base: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (let k = 1; ; k += 1) {
    const price = Decimal.parse(base)
      .add(Decimal.parse('0.01').mul(Decimal.parse(String(k))))
      .toString();
    await gateway.broker.call('market.ingest', {
      ticks: [{ symbol: 'BTC', price, ts: Date.now(), source: 'test' }],
    });
    // each price gets up to 5 s to reach every socket (a busy machine is slow, not wrong); a
    // price that lands while an actor is moving may never reach it, so the next one is sent
    const settle = Math.min(Date.now() + 5_000, deadline);
    const behindNow = () => users.filter((u) => latest(u.ws)?.prices.BTC !== price);
    while (Date.now() < settle) {
      if (!behindNow().length) return price;
      await new Promise((r) => setTimeout(r, 100));
    }
    const behind = behindNow();
    if (!behind.length) return price;
    if (Date.now() >= deadline)
      throw new Error(`${behind.length} of ${users.length} users not current at ${price}`);
  }
}

describe('a 3-node cluster losing a node', () => {
  it('keeps every user’s net worth updating on the survivors, equal to a full recompute', async () => {
    await tickUntilAllCurrent('90000', 30_000);
    const owners = new Map<string, string>();
    for (const u of users) {
      const state = await gateway.broker.call<PortfolioInspection, { userId: string }>('portfolio.inspect', {
        userId: u.session.user.id,
      });
      owners.set(u.session.user.id, state.owner);
    }
    // kill a node that hosts at least one user's actor
    const victim = [...new Set(owners.values())][0] as string;
    const snapshotsSeen = (ws: TestSocket) => ws.frames.filter((f) => f.type === 'snapshot').length;
    // the gateway's own start is over (it re-snapshots each portfolio node's users 0.5 and 5 s
    // after it sees the node join)
    await waitFor(
      async () => (Date.now() - gatewayUpAt > 8_000 ? true : undefined),
      15_000,
      'gateway settled',
    );
    const snapshotsBefore = users.map((u) => snapshotsSeen(u.ws));
    workers.get(victim)?.kill('SIGKILL');
    const started = Date.now();
    const price = await tickUntilAllCurrent('91000', 60_000);
    const resumedAfterMs = Date.now() - started;
    // only the users whose actors were on the victim start over from a snapshot; the others'
    // streams went on (counted once the gateway's second pass, 5 s after it noticed, is done)
    await waitFor(async () => (Date.now() - started > 8_000 ? true : undefined), 15_000, 'second pass');
    users.forEach((u, i) => {
      const snapshots = snapshotsSeen(u.ws) - (snapshotsBefore[i] as number);
      if (owners.get(u.session.user.id) === victim) expect(snapshots).toBeGreaterThan(0);
      else expect(snapshots, `user ${i} (not on ${victim}) was sent a snapshot`).toBe(0);
    });
    for (const u of users) {
      const seen = latest(u.ws) as PortfolioView;
      expect(seen.netWorthUsd).toBe(Decimal.parse(u.qty).mul(Decimal.parse(price)).toString());
      const state = await gateway.broker.call<PortfolioInspection, { userId: string }>('portfolio.inspect', {
        userId: u.session.user.id,
      });
      expect(state.owner).not.toBe(victim);
    }
    console.error(
      `cluster-kill: all ${users.length} users updating again ${resumedAfterMs} ms after ${victim} was killed`,
    );

    // the node comes back: the ring is the same as before the kill, so its users move back to it
    workers.set(
      victim,
      startWorker({ name: victim, namespace, services: 'auth,users,wallets,portfolio', env: sims.env }),
    );
    await waitFor(
      async () => (nodesRunning(gateway.broker, 'portfolio').includes(victim) ? true : undefined),
      60_000,
      `${victim} back in the cluster`,
    );
    const backAt = Date.now();
    const finalPrice = await tickUntilAllCurrent('92000', 60_000);
    for (const u of users) {
      const seen = latest(u.ws) as PortfolioView;
      expect(seen.netWorthUsd).toBe(Decimal.parse(u.qty).mul(Decimal.parse(finalPrice)).toString());
      const state = await gateway.broker.call<PortfolioInspection, { userId: string }>('portfolio.inspect', {
        userId: u.session.user.id,
      });
      expect(state.owner).toBe(owners.get(u.session.user.id));
    }
    // no user is left with two live actors: each actor lives only on its owner
    const stats = await Promise.all(
      nodesRunning(gateway.broker, 'portfolio').map((nodeID) =>
        gateway.broker.call<ActorStats, object>('portfolio.actorStats', {}, { nodeID }),
      ),
    );
    const hosted = Object.fromEntries(stats.map((s) => [s.node, s.actors]));
    const expected: Record<string, number> = {};
    for (const owner of owners.values()) expected[owner] = (expected[owner] ?? 0) + 1;
    await waitFor(
      async () => {
        const now = await Promise.all(
          nodesRunning(gateway.broker, 'portfolio').map((nodeID) =>
            gateway.broker.call<ActorStats, object>('portfolio.actorStats', {}, { nodeID }),
          ),
        );
        return now.every((s) => s.actors === (expected[s.node] ?? 0)) ? true : undefined;
      },
      30_000,
      `one actor per user, on its owner (now ${JSON.stringify(hosted)}, expected ${JSON.stringify(expected)})`,
    );
    console.error(
      `cluster-kill: ${victim} back; its users moved back and updated within ${Date.now() - backAt} ms`,
    );
  }, 240_000);
});
