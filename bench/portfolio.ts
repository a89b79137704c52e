// Portfolio engine benchmark (prints figures; not a test). Pure, in one process:
//   (c) incremental updates vs recomputing each affected user's whole portfolio on every tick
//   (d) exactness: after N random ticks, every entry of every user's incremental view equals a full recompute
//   (e) memory per portfolio and CPU per 1,000 ticks
// Setup as the real-time issue asks: U users with ~25 holdings each over S symbols with
// Zipf popularity; ticks spread over all symbols as the simulator's streams do. Run: scripts/finexia bench:portfolio [-- --users 10000 --ticks 1000000]
import { Decimal } from '../domain/money.ts';
import { PortfolioState, PriceBook } from '../domain/portfolio.ts';
import { SeededRandom, zipfPicker } from '../providers/simulators/random.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg('users', 10_000);
const SYMBOLS = arg('symbols', 2_000);
const HOLDINGS = arg('holdings', 25);
const TICKS = arg('ticks', 1_000_000);
const COMPARE_TICKS = arg('compare-ticks', 20_000);

const rng = new SeededRandom(7);
const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${i}`);
// Zipf(1): symbol i is picked with weight 1/(i+1)
const zipf = zipfPicker(rng, SYMBOLS);
const randomPrice = () => Decimal.fromUnits(BigInt(rng.int(1, 10_000_000)) * 10n ** 12n); // up to 6 dp
const prices = symbols.map(() => randomPrice());

// One price book per node, shared by its portfolios: a tick writes the price once and
// walks the symbol's holders.
const priceBook = new PriceBook();
const book = priceBook.prices;

function build(): { users: PortfolioState[]; holders: PortfolioState[][] } {
  const users: PortfolioState[] = [];
  const holders: PortfolioState[][] = symbols.map(() => []);
  symbols.forEach((symbol, i) => book.set(symbol, (prices[i] as Decimal).units));
  for (let u = 0; u < USERS; u += 1) {
    const state = new PortfolioState(undefined, book);
    const owned = new Set<number>();
    while (owned.size < HOLDINGS) owned.add(zipf());
    const accounts = ['exchange', 'wallet'];
    for (const account of accounts) {
      state.setAccountPositions(
        account,
        [...owned]
          .filter((_, i) => i % accounts.length === accounts.indexOf(account))
          .map((s) => ({
            accountId: account,
            asset: symbols[s] as string,
            quantity: Decimal.fromUnits(BigInt(rng.int(1, 100_000_000)) * 10n ** 10n).toString(),
          })),
      );
    }
    for (const s of owned) (holders[s] as PortfolioState[]).push(state);
    priceBook.attach(state);
    users.push(state);
  }
  return { users, holders };
}

// Ticks pick symbols uniformly, as the exchange simulator's all-market stream does (each
// changed symbol at most once a second); holdings are what follow Zipf popularity.
function ticks(n: number): { s: number; price: Decimal }[] {
  return Array.from({ length: n }, () => ({ s: rng.int(0, SYMBOLS - 1), price: randomPrice() }));
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const { users, holders } = build();
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed;
const avgHolders = holders.reduce((a, h) => a + h.length, 0) / SYMBOLS;
console.log(
  `Portfolio engine: ${USERS} users × ${HOLDINGS} holdings over ${SYMBOLS} Zipf-popular symbols (built in ${Math.round(performance.now() - t0)} ms)`,
);
console.log(
  `(e) memory: ${mb(heapAfter - heapBefore)} MB for ${USERS} portfolios = ${((heapAfter - heapBefore) / USERS / 1024).toFixed(1)} KB per portfolio${global.gc ? '' : ' (run with --expose-gc for a steadier figure)'}`,
);

// (c) incremental vs full recompute: the same ticks from the same prices, and the same output
// from both loops (each affected user's new net worth, in value units, summed into a checksum
// that must come out equal), in ROUNDS rounds so that one lucky or unlucky round shows.
const ROUNDS = arg('rounds', 3);
/** A node's tick: move the price in the book once, then each holder adds total qty × move. */
const tick = (s: number, price: bigint) => priceBook.tick(symbols[s] as string, price);
const ratios: number[] = [];
let incrementalCpuMs = 0;
// round 0 warms the JIT up for both loops and is not counted
for (let round = 0; round <= ROUNDS; round += 1) {
  const sample = ticks(COMPARE_TICKS);
  const startPrices = new Map(book);
  let incrementalSum = 0n;
  let touched = 0;
  let start = performance.now();
  const cpu = process.cpuUsage();
  for (const t of sample) {
    tick(t.s, t.price.units);
    for (const state of holders[t.s] as PortfolioState[]) incrementalSum += state.netWorthUnits();
    touched += (holders[t.s] as PortfolioState[]).length;
  }
  const incrementalMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  incrementalCpuMs = (used.user + used.system) / 1000;
  // the alternative from the same prices: on every tick, each affected user's whole portfolio
  const endPrices = new Map(book);
  for (const [symbol, price] of startPrices) book.set(symbol, price);
  let recomputeSum = 0n;
  start = performance.now();
  for (const t of sample) {
    book.set(symbols[t.s] as string, t.price.units);
    for (const state of holders[t.s] as PortfolioState[]) recomputeSum += state.recomputeNetWorthUnits();
  }
  const recomputeMs = performance.now() - start;
  for (const [symbol, price] of endPrices) book.set(symbol, price);
  if (incrementalSum !== recomputeSum) {
    console.error(`(c) round ${round}: the two loops disagree (${incrementalSum} vs ${recomputeSum})`);
    process.exit(1);
  }
  const incRate = COMPARE_TICKS / (incrementalMs / 1000);
  const recRate = COMPARE_TICKS / (recomputeMs / 1000);
  if (round === 0) continue;
  ratios.push(incRate / recRate);
  console.log(
    `(c) round ${round}: ${COMPARE_TICKS} ticks touching ${touched} portfolios (avg ${(touched / COMPARE_TICKS).toFixed(1)} per tick; ${avgHolders.toFixed(1)} holders per symbol): incremental ${Math.round(incRate)} ticks/s, full recompute ${Math.round(recRate)} ticks/s → ${(incRate / recRate).toFixed(1)}× (same checksum)`,
  );
}
console.log(
  `(c) incremental vs full recompute over ${ROUNDS} rounds: min ${Math.min(...ratios).toFixed(1)}×, max ${Math.max(...ratios).toFixed(1)}×`,
);
console.log(
  `(e) CPU per 1,000 ticks (incremental, last round): ${((incrementalCpuMs / COMPARE_TICKS) * 1000).toFixed(1)} ms`,
);

// (d) exactness after many ticks
const applyStart = performance.now();
const batch = 100_000;
for (let done = 0; done < TICKS; done += batch) {
  for (const t of ticks(Math.min(batch, TICKS - done))) tick(t.s, t.price.units);
}
const applyMs = performance.now() - applyStart;
// every entry of the view, not only the net worth: by account, by asset, by class
let mismatches = 0;
for (const state of users)
  if (JSON.stringify(state.breakdown()) !== JSON.stringify(state.recompute())) mismatches += 1;
console.log(
  `(d) ${TICKS} random ticks applied in ${Math.round(applyMs)} ms (${Math.round(TICKS / (applyMs / 1000))} ticks/s); users whose incremental view (net worth, by account, by asset, by class) ≠ full recompute: ${mismatches} of ${USERS}`,
);

// (f) a node walks only the portfolios someone watches (a socket is open); the others are
// valued when read (a snapshot, the minute's history point). With a tenth watched, as in
// bench:realtime (1,000 sockets for 10,000 users):
const WATCHED = arg('watched-share', 0.1);
users.forEach((state, i) => priceBook.attach(state, i >= USERS * WATCHED));
const walkedSample = ticks(COMPARE_TICKS * 5);
let start = performance.now();
for (const t of walkedSample) tick(t.s, t.price.units);
const lazyRate = walkedSample.length / ((performance.now() - start) / 1000);
start = performance.now();
for (const state of users) state.netWorthUnits();
const valueAllMs = performance.now() - start;
let lazyMismatches = 0;
for (const state of users)
  if (JSON.stringify(state.breakdown()) !== JSON.stringify(state.recompute())) lazyMismatches += 1;
console.log(
  `(f) ${Math.round(WATCHED * 100)} % of portfolios walked (the rest valued when read): ${Math.round(lazyRate)} ticks/s (all walked: ${Math.round(TICKS / (applyMs / 1000))}); valuing all ${USERS} once (a minute's history) ${Math.round(valueAllMs)} ms; ≠ full recompute: ${lazyMismatches} of ${USERS}`,
);
process.exit(mismatches === 0 && lazyMismatches === 0 ? 0 : 1);
