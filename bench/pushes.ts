// Push-building benchmark (prints figures; not a test). Pure, in one process: what a portfolio
// node spends per watched user after a burst of ticks, building the `portfolio.updated` delta —
//   the incremental push (PushedView.next: only what the burst moved, written as JSON directly)
//   vs a full view built and diffed against the last one (buildView + diffView + JSON.stringify),
// side by side on the same portfolios and the same bursts, in USD and in another base currency;
// then the floor (issue 32): one `ws` send of a ready buffer of a typical delta's size to a
// loopback socket and one serialization of a typical delta, beside what one push costs today
// (update + diff + serialization fused in PushedView.next, then the gateway's send of the text).
// Loopback only; every loop is bounded.
// Run: scripts/finexia bench:pushes [-- --users 1000 --holdings 25 --accounts 4 --rounds 200 --sockets 1000]
import { parseArgs } from 'node:util';
import { Decimal } from '../domain/money.ts';
import { PortfolioState, PriceBook } from '../domain/portfolio.ts';
import { buildView, PushedView, type Valued } from '../domain/portfolio-views.ts';
import { diffView } from '@finexia/contracts/portfolio.ts';
import { publicPayload } from '@finexia/contracts/events.ts';
import { SeededRandom } from '../providers/simulators/random.ts';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    users: { type: 'string', default: '1000' },
    holdings: { type: 'string', default: '25' },
    accounts: { type: 'string', default: '4' },
    symbols: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '200' },
    sockets: { type: 'string', default: '1000' },
  },
});
const SOCKETS = Number(args.sockets);
const [USERS, HOLDINGS, ACCOUNTS, SYMBOLS, ROUNDS] = [
  args.users,
  args.holdings,
  args.accounts,
  args.symbols,
  args.rounds,
].map(Number) as [number, number, number, number, number];

/** Reseeded for each way of building, so both get the same portfolios and the same bursts. */
let rng = new SeededRandom(11);
const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${i}`);
const price = () => BigInt(rng.int(1, 5_000_000_000)) * 10n ** 10n; // up to 8 dp
/** Each burst moves ~70 % of the symbols, as a second of the all-market stream does for held assets. */
const burst = (book: PriceBook) => {
  for (const s of symbols) if (rng.chance(0.7)) book.tick(s, price());
};

function setUp(currency: string): { book: PriceBook; users: Valued[] } {
  const book = new PriceBook();
  for (const s of [...symbols, 'EUR']) book.tick(s, price());
  book.tick('EUR', Decimal.parse('1.08').units);
  const users = Array.from({ length: USERS }, (_, u): Valued => {
    const state = new PortfolioState(undefined, book.prices);
    const held = new Set<string>();
    while (held.size < HOLDINGS) held.add(rng.pick(symbols));
    const list = [...held];
    for (let a = 0; a < ACCOUNTS; a += 1) {
      const accountId = `account-${u}-${a}`;
      state.setAccountPositions(
        accountId,
        list
          .filter((_, i) => i % ACCOUNTS === a)
          .map((asset) => ({ accountId, asset, quantity: Decimal.fromUnits(price() / 1000n).toString() })),
      );
    }
    book.attach(state);
    return {
      userId: `user-${u}`,
      state,
      epoch: '6f1c2b9e-0000-4000-8000-000000000000',
      dayStart: Date.now() - 3_600_000,
      openPrices: new Map(list.map((a) => [a, book.prices.get(a) ?? 0n])),
      base: {
        currency,
        perUsd: Decimal.parse(currency === 'USD' ? '1' : '0.925925925925925926'),
        priceUnits: book.prices.get(currency),
        timeZone: 'UTC',
        dropPercent: 5,
        movePercent: 10,
      },
    };
  });
  return { book, users };
}

/** µs per push and bytes per push of one way of building them, over ROUNDS bursts. */
function measure(
  currency: string,
  way: 'incremental' | 'full view + diff',
): { us: number; bytes: number; sample: string } {
  rng = new SeededRandom(11);
  const { book, users } = setUp(currency);
  const pushed = users.map((p) => new PushedView(p.state, buildView(p, book.prices, 1)));
  const last = users.map((p) => buildView(p, book.prices, 1));
  let ms = 0;
  let bytes = 0;
  let sample = '';
  for (let round = 0; round < ROUNDS; round += 1) {
    burst(book);
    const started = performance.now();
    users.forEach((p, i) => {
      if (way === 'incremental') {
        const { json } = (pushed[i] as PushedView).next(p, book.prices);
        bytes += json.length;
        if (i === 0) sample = json;
      } else {
        const view = buildView(p, book.prices, round + 2);
        const json = JSON.stringify(
          publicPayload('portfolio.updated', diffView(last[i] as typeof view, view)),
        );
        last[i] = view;
        bytes += json.length;
      }
    });
    // the first tenth warms the JIT up and is not counted
    if (round >= ROUNDS / 10) ms += performance.now() - started;
    else bytes = 0;
  }
  const counted = USERS * (ROUNDS - Math.ceil(ROUNDS / 10));
  return { us: (ms * 1000) / counted, bytes: bytes / counted, sample };
}

/** Waits (bounded) until `done` holds, turning the event loop meanwhile. */
async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * µs per socket of the gateway's write of one frame, over SOCKETS loopback sockets and 40
 * bursts (the first 4 not counted): a ready Buffer (the floor) and the text as the gateway sends
 * it today. Only the synchronous send is timed (where the event loop is held); the clients, in
 * this process, read every frame before the next burst.
 */
async function writeCosts(frame: string): Promise<{ buffer: number; text: number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const serverSide: WebSocket[] = [];
  server.on('connection', (ws) => serverSide.push(ws));
  const clients: WebSocket[] = [];
  let received = 0;
  for (let i = 0; i < SOCKETS; i += 1) {
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    client.on('message', () => (received += 1));
    clients.push(client);
  }
  await until(() => serverSide.length === SOCKETS, `${SOCKETS} sockets`);
  const buffer = Buffer.from(frame);
  const time = async (send: (ws: WebSocket) => void) => {
    const rounds = 40;
    let ms = 0;
    for (let r = 0; r < rounds; r += 1) {
      const expected = received + SOCKETS;
      const started = performance.now();
      for (const ws of serverSide) send(ws);
      if (r >= rounds / 10) ms += performance.now() - started;
      await until(() => received >= expected, 'the frames to arrive');
    }
    return (ms * 1000) / (SOCKETS * (rounds - rounds / 10));
  };
  const result = {
    buffer: await time((ws) => ws.send(buffer)),
    text: await time((ws) => ws.send(frame)),
  };
  for (const c of clients) c.terminate();
  await new Promise((r) => server.close(r));
  return result;
}

console.log(
  `Push building: ${USERS} watched users × ${HOLDINGS} holdings in ${ACCOUNTS} accounts over ${SYMBOLS} symbols, ~70 % of them moved per burst, ${ROUNDS} bursts`,
);
let typical = '';
let pushUs = 0;
for (const currency of ['USD', 'EUR']) {
  const incremental = measure(currency, 'incremental');
  if (currency === 'USD') [typical, pushUs] = [incremental.sample, incremental.us];
  const full = measure(currency, 'full view + diff');
  console.log(
    `  base ${currency}: incremental ${incremental.us.toFixed(1)} µs per push (${incremental.bytes.toFixed(0)} bytes); ` +
      `full view + diff ${full.us.toFixed(1)} µs (${full.bytes.toFixed(0)} bytes) → ${(full.us / incremental.us).toFixed(1)}×; ` +
      `a burst's ${USERS} pushes ${((incremental.us * USERS) / 1000).toFixed(1)} ms vs ${((full.us * USERS) / 1000).toFixed(1)} ms`,
  );
}

// ---- the floor, beside today's push ------------------------------------------------------------
const delta: unknown = JSON.parse(typical);
const serializations = 20_000;
for (let i = 0; i < 2_000; i += 1) JSON.stringify(delta); // warm the JIT
const started = performance.now();
for (let i = 0; i < serializations; i += 1) JSON.stringify(delta);
const serializeUs = ((performance.now() - started) * 1000) / serializations;
const writes = await writeCosts(typical);
const floor = serializeUs + writes.buffer;
const today = pushUs + writes.text;
console.log(
  `\nThe floor on this machine (${SOCKETS} loopback sockets, a typical delta of ${Buffer.byteLength(typical)} bytes):`,
);
console.log(
  `  one serialization of a typical delta ${serializeUs.toFixed(2)} µs; one ws send of a ready buffer ${writes.buffer.toFixed(2)} µs → floor ${floor.toFixed(2)} µs per push`,
);
console.log(
  `  one push today: view update + diff + serialization (PushedView.next, fused) ${pushUs.toFixed(2)} µs; write (ws send of the text) ${writes.text.toFixed(2)} µs → ${today.toFixed(2)} µs, ${(today / floor).toFixed(1)}× the floor (goal: within 2×)`,
);
process.exit(0);
