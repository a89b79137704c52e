// The WebSocket clients of bench:realtime, in a process of their own (as browsers would be):
// C sockets to the gateway, each applying what it is pushed, and one connection to the
// exchange simulator's stream to learn when each (symbol, price) was sent. Each socket keeps its
// view as the dashboard does (its snapshot, then every delta applied), so the bench can check
// the views against the server's at the end (0 drift). Driven by the bench over IPC: connect,
// reset, half, summary, views. Not started by hand.
import WebSocket from 'ws';
import { assetOfPair } from '../domain/ticks.ts';
import { Decimal } from '../domain/money.ts';
import { LatencySample } from '../infra/latency.ts';
import type { LatencySummary } from '@finexia/contracts/internal.ts';
import { processStats, type ProcessStats } from '../infra/process-stats.ts';
import { applyDelta, type PortfolioDelta, type PortfolioView } from '@finexia/contracts/portfolio.ts';
import type { ServerFrame } from '@finexia/contracts/ws.ts';

export type ClientCommand =
  | { type: 'connect'; url: string; tokens: string[] }
  | { type: 'exchange'; url: string }
  /** prices about to be sent by another feed (the securities feed's open), and when */
  | { type: 'expect'; keys: string[]; at: number }
  | { type: 'reset' }
  | { type: 'half'; index: 0 | 1 }
  | { type: 'summary' }
  | { type: 'mark' }
  | { type: 'recovery' }
  /** each socket's view, for the drift check */
  | { type: 'views' }
  | { type: 'disconnect' }
  | { type: 'close' };

export interface ClientSummary {
  sockets: number;
  open: number;
  frames: number;
  snapshots: number;
  tickToWs: LatencySummary;
  tickToPush: LatencySummary;
  pushToWs: LatencySummary;
  halves: [LatencySummary, LatencySummary];
  /** the seconds whose slowest tick → ws was the worst of the run, worst first */
  slowestSeconds: SlowSecond[];
  process: ProcessStats;
}

/** One second of the run (by the clients' clock): its slowest tick → ws and how many it had. */
export interface SlowSecond {
  /** second of the minute, 0–59 (minute boundaries are when the nodes write history) */
  secondOfMinute: number;
  maxMs: number;
  count: number;
}

export type ClientReply =
  | { type: 'connected'; sockets: number; ms: number }
  | { type: 'ready' }
  | { type: 'summary'; summary: ClientSummary }
  /** per socket (in the order of the tokens), ms from the mark to its first portfolio frame after it; -1: none yet */
  | { type: 'recovery'; firstFrameMs: number[] }
  /** per socket (in the order of the tokens): its view, null before its snapshot; deltas refused (epoch or gap) */
  | { type: 'views'; views: (PortfolioView | null)[]; refused: number };

const sentAt = new Map<string, number>();
const tickToWs = new LatencySample(1_000_000);
const tickToPush = new LatencySample(1_000_000);
const pushToWs = new LatencySample(1_000_000);
const halves = [new LatencySample(500_000), new LatencySample(500_000)] as const;
let half: 0 | 1 = 0;
/** per second since the epoch: the slowest tick → ws received in it, and how many */
const bySecond = new Map<number, { maxMs: number; count: number }>();
const SLOWEST_SHOWN = 5;
let frames = 0;
let snapshots = 0;
const sockets: WebSocket[] = [];
/** each socket's view: its snapshot with every delta since applied */
const views: (PortfolioView | null)[] = [];
/** deltas a socket could not apply (another epoch, or a skipped sequence number) */
let refused = 0;
let exchange: WebSocket | undefined;
/** after a mark (a node killed): when each socket got its first snapshot or delta */
let markAt = 0;
let firstAfterMark: number[] = [];

const reply = (message: ClientReply) => process.send?.(message);

function onFrame(index: number, raw: Buffer): void {
  const now = Date.now();
  const frame = JSON.parse(raw.toString()) as ServerFrame;
  frames += 1;
  if (frame.type === 'snapshot') {
    snapshots += 1;
    views[index] = frame.data;
  }
  const portfolioFrame =
    frame.type === 'snapshot' || (frame.type === 'event' && frame.event === 'portfolio.updated');
  if (markAt && portfolioFrame && firstAfterMark[index] === -1) firstAfterMark[index] = now - markAt;
  if (frame.type !== 'event' || frame.event !== 'portfolio.updated') return;
  const delta = frame.data as PortfolioDelta;
  const view = views[index];
  if (view) {
    const applied = applyDelta(view, delta);
    if (applied.ok) views[index] = applied.view;
    else refused += 1;
  }
  const builtAt = Date.parse(delta.asOf);
  pushToWs.record(now - builtAt);
  for (const [symbol, price] of Object.entries(delta.changed.prices ?? {})) {
    const sent = sentAt.get(`${symbol}:${price}`);
    if (sent === undefined) continue;
    tickToWs.record(now - sent);
    const second = Math.floor(now / 1000);
    const slot = bySecond.get(second) ?? { maxMs: 0, count: 0 };
    slot.maxMs = Math.max(slot.maxMs, now - sent);
    slot.count += 1;
    bySecond.set(second, slot);
    tickToPush.record(builtAt - sent);
    halves[half].record(now - sent);
  }
}

async function connect(url: string, tokens: string[]): Promise<void> {
  const started = Date.now();
  // a few at a time: the gateway answers each with a snapshot
  let next = 0;
  const one = async () => {
    while (next < tokens.length) {
      const index = next++;
      const token = tokens[index] as string;
      const ws = new WebSocket(url, ['finexia.v1', `bearer.${token}`]);
      ws.on('message', (raw: Buffer) => onFrame(index, raw));
      ws.on('error', () => undefined);
      sockets[index] = ws;
      await new Promise((resolve) => {
        ws.once('open', resolve);
        ws.once('close', resolve);
      });
    }
  };
  await Promise.all(Array.from({ length: 20 }, one));
  reply({ type: 'connected', sockets: sockets.length, ms: Date.now() - started });
}

/** The keys each of the last exchange frames added, so that sentAt forgets prices a minute old. */
const recentFrames: { at: number; sent: number; keys: string[] }[] = [];
const FORGET_AFTER_MS = 60_000;

function watchExchange(url: string): void {
  exchange = new WebSocket(`${url}/stream?streams=!miniTicker@arr`);
  exchange.on('message', (raw: Buffer) => {
    const frame = JSON.parse(raw.toString()) as { data?: { E: number; s: string; c: string }[] };
    const keys: string[] = [];
    const sent = frame.data?.[0]?.E ?? 0;
    for (const t of frame.data ?? []) {
      const symbol = assetOfPair(t.s);
      if (!symbol) continue;
      const key = `${symbol}:${Decimal.parse(t.c).toString()}`;
      sentAt.set(key, t.E);
      keys.push(key);
    }
    // (unbounded, the map grew by ~1,400 keys a second and its rehashing ran on the clients' clock)
    const now = Date.now();
    recentFrames.push({ at: now, sent, keys });
    while ((recentFrames[0]?.at ?? now) < now - FORGET_AFTER_MS) {
      const old = recentFrames.shift();
      // a price seen again later keeps its later time
      for (const key of old?.keys ?? []) if (sentAt.get(key) === old?.sent) sentAt.delete(key);
    }
  });
  exchange.once('open', () => reply({ type: 'ready' }));
}

process.on('message', (command: ClientCommand) => {
  switch (command.type) {
    case 'connect':
      void connect(command.url, command.tokens);
      return;
    case 'expect':
      for (const key of command.keys) sentAt.set(key, command.at);
      reply({ type: 'ready' });
      return;
    case 'exchange':
      watchExchange(command.url);
      return;
    case 'reset':
      for (const s of [tickToWs, tickToPush, pushToWs, ...halves]) s.reset();
      half = 0;
      bySecond.clear();
      frames = 0;
      snapshots = 0;
      processStats(true);
      reply({ type: 'ready' });
      return;
    case 'half':
      half = command.index;
      return;
    case 'summary':
      reply({
        type: 'summary',
        summary: {
          sockets: sockets.length,
          open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
          frames,
          snapshots,
          tickToWs: tickToWs.summary(),
          tickToPush: tickToPush.summary(),
          pushToWs: pushToWs.summary(),
          halves: [halves[0].summary(), halves[1].summary()],
          slowestSeconds: [...bySecond]
            .sort((a, b) => b[1].maxMs - a[1].maxMs)
            .slice(0, SLOWEST_SHOWN)
            .map(([second, slot]) => ({ secondOfMinute: second % 60, ...slot })),
          process: processStats(),
        },
      });
      return;
    case 'mark':
      markAt = Date.now();
      firstAfterMark = sockets.map(() => -1);
      reply({ type: 'ready' });
      return;
    case 'recovery':
      reply({ type: 'recovery', firstFrameMs: firstAfterMark });
      return;
    case 'views':
      reply({ type: 'views', views: sockets.map((_, i) => views[i] ?? null), refused });
      return;
    case 'disconnect':
      for (const s of sockets) s.terminate();
      sockets.length = 0;
      views.length = 0;
      refused = 0;
      markAt = 0;
      reply({ type: 'ready' });
      return;
    case 'close':
      for (const s of sockets) s.terminate();
      sockets.length = 0;
      exchange?.terminate();
      process.exit(0);
  }
});
// the bench went away: so do its clients
process.on('disconnect', () => process.exit(0));
