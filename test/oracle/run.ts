// One run of the truth oracle against a running Finexia and its simulators: people of every kind
// set up through the public API while the market ticks, then the market stops, everything
// settles, and every figure is compared with the providers' truth.
import type { Tick } from '@finexia/contracts/api.ts';
import { exact, FIAT, ONE, type Exact } from './exact.ts';
import { ProviderTruth } from './providers.ts';
import { people, PublicApi, setUp, type Person } from './people.ts';
import { checkHistory, checkLive, historyDays, pricesNow, settle, type Mismatch } from './oracle.ts';

export interface OracleRun {
  seed: number;
  people: number;
  figures: number;
  /** history days compared (part of figures) */
  historyFigures: number;
  mismatches: Mismatch[];
  ms: number;
}

export interface OracleOptions {
  baseUrl: string;
  providers: ProviderTruth;
  seed: number;
  count: number;
  /** people set up and checked at once */
  concurrency?: number;
  /** past days compared per person */
  historySamples?: number;
  /** per person: its wallets synced and its history steady */
  settleTimeoutMs?: number;
  log?: (line: string) => void;
}

async function inTurn<T, R>(
  items: readonly T[],
  atOnce: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(atOnce, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * Stops the exchange's price walk and waits until the product shows the providers' last prices:
 * the exchange's for what it lists, the price API's for the rest (polled by the product).
 */
async function freezeMarket(api: PublicApi, providers: ProviderTruth): Promise<void> {
  await fetch(`${providers.urls.binance}/__sim/tick-rate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticksPerSecond: 0 }),
  });
  await fetch(`${providers.urls.securitiesFeed.url}/__sim/trade-rate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tradesPerSecond: 0 }),
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const exchange = await providers.exchangePrices();
    const { prices } = await api.call<{ prices: Tick[] }>('GET', '/market/prices', null);
    const behind: string[] = [];
    const feedSymbols = prices.flatMap((t) =>
      /^[A-Z]+\.(STOCK|ETF)$/.test(t.symbol) ? [t.symbol.split('.')[0]!] : [],
    );
    const feed = await providers.feedPrices(feedSymbols);
    for (const t of prices) {
      if (FIAT.has(t.symbol)) continue;
      const truth = t.symbol.includes('.')
        ? feed.get(t.symbol.split('.')[0]!)
        : (exchange.get(t.symbol) ?? (await providers.priceApiPrice(t.symbol)));
      if (truth && !exact(t.price).eq(truth)) behind.push(t.symbol);
    }
    if (!behind.length) return;
    if (Date.now() > deadline)
      throw new Error(`the product's prices did not catch up: ${behind.slice(0, 5).join(', ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runOracle(options: OracleOptions): Promise<OracleRun> {
  const started = Date.now();
  const { providers, seed } = options;
  const log = options.log ?? (() => undefined);
  const api = new PublicApi(options.baseUrl);
  const today = new Date().toISOString().slice(0, 10);
  const listed = [...(await providers.exchangePrices()).keys()].filter(
    (a) => /^[A-Z]+$/.test(a) && !a.startsWith('X'),
  );
  const specs = people(seed, options.count, today, listed);
  const atOnce = options.concurrency ?? 6;
  log(`seed ${seed}: setting up ${specs.length} people`);
  const persons: Person[] = await inTurn(specs, atOnce, (spec) => setUp(api, providers, spec));
  const checked = await checkPersons(api, providers, persons, {
    ...options,
    log: (line) => log(`seed ${seed}: ${line}`),
  });
  return { seed, people: persons.length, ...checked, ms: Date.now() - started };
}

/**
 * People already set up (by the oracle, or the demo's seed): once their wallets synced and their
 * history is steady, the market stops and every figure is compared.
 */
export async function checkPersons(
  api: PublicApi,
  providers: ProviderTruth,
  persons: readonly Person[],
  options: Pick<OracleOptions, 'concurrency' | 'historySamples' | 'settleTimeoutMs' | 'log'> = {},
): Promise<{ figures: number; historyFigures: number; mismatches: Mismatch[] }> {
  const log = options.log ?? (() => undefined);
  const atOnce = options.concurrency ?? 6;
  const today = new Date().toISOString().slice(0, 10);
  const days = new Map<Person, string[]>();
  await inTurn(persons, atOnce, async (person) => {
    days.set(person, await historyDays(providers, person, today, options.historySamples ?? 4));
    await settle(api, person, days.get(person) ?? [], options.settleTimeoutMs ?? 120_000);
  });
  log('synced; freezing the market');
  await freezeMarket(api, providers);

  const assets = new Set<string>();
  for (const p of persons) {
    for (const h of Object.keys({ ...p.spec.binance, ...p.spec.coinbase })) assets.add(h);
    for (const m of p.spec.manual) assets.add(m.currency);
    for (const l of p.spec.loans) assets.add(l.currency);
    for (const o of p.spec.owned) assets.add(o.currency);
    if (p.spec.bitcoin) assets.add('BTC');
    if (p.spec.ethereum) for (const t of ['ETH', ...Object.keys(p.spec.ethereum.tokens)]) assets.add(t);
  }
  if (persons.some((p) => p.binance))
    for (const a of Object.keys(await binanceAssets(providers, persons))) assets.add(a);
  const prices = await pricesNow(providers, assets);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const fixingYesterday = await providers.fxOn(yesterday);
  const closesBefore = async (asset: string): Promise<Exact | undefined> =>
    asset === 'USD'
      ? ONE
      : FIAT.has(asset)
        ? ProviderTruth.usdPer(asset, fixingYesterday)
        : (await providers.dailyCloses(asset, yesterday, yesterday)).get(yesterday);

  let figures = 0;
  let historyFigures = 0;
  const mismatches: Mismatch[] = [];
  await inTurn(persons, atOnce, async (person) => {
    const live = await checkLive(api, providers, person, prices, closesBefore);
    const history = await checkHistory(api, providers, person, days.get(person) ?? []);
    figures += live.figures + history.figures;
    historyFigures += history.figures;
    mismatches.push(...live.mismatches, ...history.mismatches);
  });
  // the market walks again for whatever runs next
  await fetch(`${providers.urls.binance}/__sim/tick-rate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticksPerSecond: 20 }),
  });
  await fetch(`${providers.urls.securitiesFeed.url}/__sim/trade-rate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tradesPerSecond: 5 }),
  });
  return { figures, historyFigures, mismatches };
}

/** What the people's exchange accounts hold, whoever chose it (the demo's were drawn by the simulators). */
async function binanceAssets(
  providers: ProviderTruth,
  persons: readonly Person[],
): Promise<Record<string, true>> {
  const out: Record<string, true> = {};
  for (const p of persons) {
    if (p.binance)
      for (const a of Object.keys(await providers.binanceHoldings(p.binance.apiKey))) out[a] = true;
    if (p.coinbase)
      for (const a of Object.keys(await providers.coinbaseHoldings(p.coinbase.keyName))) out[a] = true;
  }
  return out;
}

/** One line per mismatch: who, which figure, expected and got. */
export function describeMismatches(mismatches: readonly Mismatch[], limit = 50): string {
  return mismatches
    .slice(0, limit)
    .map((m) => `  ${m.user}  ${m.figure}: expected ${m.expected}, got ${m.got}`)
    .join('\n');
}
