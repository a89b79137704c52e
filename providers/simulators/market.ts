// The simulated crypto market shared by the Binance, Coinbase and CoinGecko simulators,
// and the simulated FX market: prices are random walks with occasional jumps,
// deterministic from a seed. Prices are kept as integers of 1e-8 so that the decimal
// strings the simulators print are exact.
import { SeededRandom } from './random.ts';

export interface Asset {
  /** exchange ticker, e.g. BTC */
  symbol: string;
  /** CoinGecko id, e.g. bitcoin */
  id: string;
  name: string;
  /** price in USD, units of 1e-8 */
  priceE8: bigint;
  /** the price 24 h ago (for 24 h change), units of 1e-8 */
  openE8: bigint;
  /** ms timestamp of the last change */
  updatedAt: number;
  /** annualised volatility used by the walk */
  volatility: number;
}

const KNOWN: [string, string, string, number][] = [
  ['BTC', 'bitcoin', 'Bitcoin', 97_000],
  ['ETH', 'ethereum', 'Ethereum', 3_400],
  ['SOL', 'solana', 'Solana', 190],
  ['BNB', 'binancecoin', 'BNB', 640],
  ['XRP', 'ripple', 'XRP', 2.2],
  ['ADA', 'cardano', 'Cardano', 0.95],
  ['DOGE', 'dogecoin', 'Dogecoin', 0.36],
  ['AVAX', 'avalanche-2', 'Avalanche', 38],
  ['DOT', 'polkadot', 'Polkadot', 7.4],
  ['LINK', 'chainlink', 'Chainlink', 22],
  ['MATIC', 'matic-network', 'Polygon', 0.52],
  ['LTC', 'litecoin', 'Litecoin', 105],
  ['ATOM', 'cosmos', 'Cosmos', 6.8],
  ['UNI', 'uniswap', 'Uniswap', 13],
  ['XLM', 'stellar', 'Stellar', 0.42],
  ['USDC', 'usd-coin', 'USDC', 1],
  ['USDT', 'tether', 'Tether', 1],
  ['DAI', 'dai', 'Dai', 1],
];
/** Dollar stablecoins: they barely move, and never jump. */
const PEGGED_TO_USD = new Set(['USDC', 'USDT', 'DAI']);

export const E8 = 100_000_000n;

/** 1e-8 integer → decimal string with up to 8 places, trailing zeros trimmed ("97000.5"). */
export function e8ToDecimal(value: bigint, places = 8): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / E8;
  let frac = (abs % E8).toString().padStart(8, '0').slice(0, places);
  frac = frac.replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** 1e-8 integer → fixed 8-place decimal string, as Binance prints ("97000.00000000"). */
export function e8ToFixed(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? '-' : ''}${abs / E8}.${(abs % E8).toString().padStart(8, '0')}`;
}

export function numberToE8(value: number): bigint {
  return BigInt(Math.round(value * 1e8));
}

export interface MarketOptions {
  seed: number;
  /** how many assets (the first 18 are real names; the rest synthetic) */
  assets?: number;
}

export class CryptoMarket {
  readonly assets: Asset[];
  private readonly bySymbol = new Map<string, Asset>();
  private readonly byId = new Map<string, Asset>();
  private readonly rng: SeededRandom;
  /** a monotonically increasing trade id per asset (Binance `t`) */
  private tradeId = 1;
  /** the UTC day the market opened (its history ends the day before) */
  readonly startDay: string;
  private readonly seed: number;
  /** per asset, its close k days before startDay (index k − 1), walked back as far as asked */
  private readonly closes = new Map<string, bigint[]>();

  constructor(options: MarketOptions) {
    this.rng = new SeededRandom(options.seed).fork('market');
    this.seed = options.seed;
    this.startDay = new Date().toISOString().slice(0, 10);
    const count = Math.max(1, options.assets ?? 50);
    const setup = this.rng.fork('setup');
    const now = Date.now();
    this.assets = Array.from({ length: count }, (_, i) => {
      const known = KNOWN[i];
      const price = known ? known[3] : 10 ** setup.int(-3, 3) * (1 + setup.next() * 9);
      const priceE8 = numberToE8(price) > 0n ? numberToE8(price) : 1n;
      const symbol = known ? known[0] : `X${String(i).padStart(4, '0')}`;
      const asset: Asset = {
        symbol,
        id: known ? known[1] : `synthetic-coin-${i}`,
        name: known ? known[2] : `Synthetic Coin ${i}`,
        priceE8,
        openE8: priceE8,
        updatedAt: now,
        volatility: PEGGED_TO_USD.has(symbol) ? 0.001 : 0.4 + setup.next() * 0.8,
      };
      this.bySymbol.set(asset.symbol, asset);
      this.byId.set(asset.id, asset);
      return asset;
    });
  }

  /**
   * The asset's close (USD, 1e-8) at the end of a past UTC day: a daily walk back from its
   * opening price, drawn from the seed alone, so every simulator of one seed (and every run)
   * tells the same history whatever the live walk did since. Today and later: the live price.
   */
  dailyClose(asset: Asset, day: string): bigint {
    const back = Math.round(
      (Date.parse(`${this.startDay}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / 86_400_000,
    );
    if (back <= 0) return asset.priceE8;
    let walk = this.closes.get(asset.symbol);
    if (!walk) this.closes.set(asset.symbol, (walk = []));
    const dailyVol = asset.volatility / Math.sqrt(365);
    // yesterday closed at the price the market opened with; each day before, one step back
    if (!walk.length) walk.push(asset.openE8);
    while (walk.length < back) {
      const k = walk.length + 1;
      const z = new SeededRandom(this.seed).fork(`history:${asset.symbol}:${k}`).normal();
      walk.push(BigInt(Math.max(1, Math.round(Number(walk[k - 2] as bigint) / Math.exp(dailyVol * z)))));
    }
    return walk[back - 1] as bigint;
  }

  asset(symbol: string): Asset | undefined {
    return this.bySymbol.get(symbol);
  }

  assetById(id: string): Asset | undefined {
    return this.byId.get(id);
  }

  /**
   * One step of the walk for each asset picked with probability `share`; returns the
   * assets that changed. dt is the step length in seconds (volatility scales with √dt).
   */
  step(share = 1, dtSeconds = 1): Asset[] {
    const changed: Asset[] = [];
    const sqrtYearShare = Math.sqrt(dtSeconds / (365 * 86_400));
    const now = Date.now();
    for (const asset of this.assets) {
      if (share < 1 && !this.rng.chance(share)) continue;
      let factor = Math.exp(asset.volatility * sqrtYearShare * this.rng.normal());
      // rare jumps: news, liquidations
      if (!PEGGED_TO_USD.has(asset.symbol) && this.rng.chance(0.0005))
        factor *= this.rng.chance(0.5) ? 1.08 : 0.92;
      const next = BigInt(Math.max(1, Math.round(Number(asset.priceE8) * factor)));
      if (next === asset.priceE8) continue;
      asset.priceE8 = next;
      asset.updatedAt = now;
      changed.push(asset);
    }
    return changed;
  }

  nextTradeId(): number {
    this.tradeId += 1;
    return this.tradeId;
  }

  /** Sets a price directly (tests and demos). */
  setPrice(symbol: string, priceE8: bigint): void {
    const asset = this.bySymbol.get(symbol);
    if (!asset) throw new Error(`unknown asset ${symbol}`);
    asset.priceE8 = priceE8;
    asset.updatedAt = Date.now();
  }
}

export const FIAT = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'PLN'] as const;
const FIAT_PER_USD: Record<(typeof FIAT)[number], number> = {
  USD: 1,
  EUR: 0.93,
  GBP: 0.79,
  JPY: 151,
  CHF: 0.89,
  CAD: 1.37,
  AUD: 1.52,
  SEK: 10.6,
  NOK: 10.9,
  PLN: 4.02,
};

/** Daily FX rates (units of currency per 1 USD), a deterministic walk per currency from a seed. */
export class FxMarket {
  private readonly rng: SeededRandom;
  private readonly cache = new Map<string, Record<string, number>>();

  constructor(
    seed: number,
    readonly anchorDate: string,
  ) {
    this.rng = new SeededRandom(seed).fork('fx');
  }

  /** Rates per USD on a date; days before/after the anchor walk away from today's levels. */
  ratesOn(date: string): Record<string, number> {
    const cached = this.cache.get(date);
    if (cached) return cached;
    const days = Math.round(
      (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${this.anchorDate}T00:00:00Z`)) / 86_400_000,
    );
    const log = this.logMoves(days);
    const rates: Record<string, number> = {};
    for (const currency of FIAT) {
      rates[currency] =
        currency === 'USD'
          ? 1
          : Number((FIAT_PER_USD[currency] * Math.exp(log[currency] ?? 0)).toPrecision(6));
    }
    this.cache.set(date, rates);
    return rates;
  }

  // Cumulative log moves per day offset from the anchor; each day's shock is a pure
  // function of (seed, currency, day), so any date gives the same rate in any order.
  private readonly moves = new Map<number, Record<string, number>>([[0, {}]]);

  private logMoves(days: number): Record<string, number> {
    const step = days >= 0 ? 1 : -1;
    let d = 0;
    while (this.moves.has(d + step) && Math.abs(d) < Math.abs(days)) d += step;
    while (Math.abs(d) < Math.abs(days)) {
      const previous = this.moves.get(d) ?? {};
      d += step;
      const next: Record<string, number> = {};
      for (const currency of FIAT)
        next[currency] = (previous[currency] ?? 0) + 0.004 * this.rng.fork(`${currency}:${d}`).normal();
      this.moves.set(d, next);
    }
    return this.moves.get(days) ?? {};
  }

  /** Rate to convert 1 unit of `from` into `to` on a date. */
  rate(from: string, to: string, date: string): number | undefined {
    const rates = this.ratesOn(date);
    const a = rates[from];
    const b = rates[to];
    if (a === undefined || b === undefined) return undefined;
    return Number((b / a).toPrecision(6));
  }
}
