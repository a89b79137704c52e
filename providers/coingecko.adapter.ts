// Prices for assets the exchange streams lack, through CoinGecko's official SDK.
import Coingecko from '@coingecko/coingecko-typescript';
import { Decimal } from '../domain/money.ts';
import { ProviderError } from '../domain/providers.ts';
import { codeForStatus, parseRetryAfter } from './errors.ts';
import { resilientCaller, type ResilienceOptions } from './resilience.ts';
import type { PriceFeed, PriceQuote } from '../domain/providers.ts';

export interface CoinGeckoAdapterOptions {
  baseURL: string;
  demoApiKey: string;
  resilience?: Partial<ResilienceOptions>;
}

export function coingeckoErrorFrom(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { status?: number; headers?: Headers | Record<string, string>; message?: string };
  const retryAfter = e.headers instanceof Headers ? e.headers.get('retry-after') : e.headers?.['retry-after'];
  return new ProviderError(
    'coingecko',
    codeForStatus(e.status),
    `coingecko ${e.status ?? ''}: ${e.message ?? String(err)}`,
    {
      ...(e.status ? { status: e.status } : {}),
      retryAfterMs: parseRetryAfter(retryAfter),
    },
  );
}

export class CoinGeckoAdapter implements PriceFeed {
  private readonly client: Coingecko;
  private readonly call;

  constructor(options: CoinGeckoAdapterOptions) {
    // Our retry policy (with the circuit breaker) replaces the SDK's own.
    this.client = new Coingecko({
      baseURL: options.baseURL,
      demoAPIKey: options.demoApiKey,
      maxRetries: 0,
      timeout: 10_000,
    });
    this.call = resilientCaller('coingecko', options.resilience, coingeckoErrorFrom);
  }

  /** Every coin's id and ticker symbol (upper case); several coins may share a symbol. */
  async listCoins(): Promise<{ id: string; symbol: string }[]> {
    const list = await this.call('coinsList', () => this.client.coins.list.get());
    return (list as { id: string; symbol: string }[]).map((c) => ({
      id: c.id,
      symbol: c.symbol.toUpperCase(),
    }));
  }

  /**
   * A coin's close in `currency` on each UTC day from `from` to `to` (past days), by day: the
   * point at a midnight is the close of the day before it.
   */
  async dailyCloses(id: string, currency: string, from: string, to: string): Promise<Map<string, string>> {
    const data = await this.call('marketChartRange', () =>
      this.client.coins.marketChart.getRange(id, rangeOf(currency, from, to)),
    );
    return closesOf(data.prices);
  }

  /** A token's daily closes, found by its contract on a platform (CoinGecko's asset platform id). */
  async tokenDailyCloses(
    platform: string,
    address: string,
    currency: string,
    from: string,
    to: string,
  ): Promise<Map<string, string>> {
    const data = await this.call('contractMarketChartRange', () =>
      this.client.coins.contract.marketChart.getRange(address, {
        id: platform,
        ...rangeOf(currency, from, to),
      }),
    );
    return closesOf(data.prices);
  }

  /**
   * Tokens' prices by contract address on a platform (CoinGecko's asset platform id: `ethereum`,
   * `polygon-pos`, `base`): one quote per address it knows, `id` the address in lower case; an
   * address it does not know is left out.
   */
  async getTokenPrices(platform: string, addresses: string[], currencies: string[]): Promise<PriceQuote[]> {
    if (!addresses.length) return [];
    const data = await this.call('tokenPrice', () =>
      this.client.simple.tokenPrice.getID(platform, {
        contract_addresses: addresses.join(','),
        vs_currencies: currencies.map((c) => c.toLowerCase()).join(','),
        include_24hr_change: true,
        include_last_updated_at: true,
      }),
    );
    const byAddress = Object.fromEntries(
      Object.entries(data as Record<string, Record<string, number>>).map(([a, e]) => [a.toLowerCase(), e]),
    );
    return quotesOf(byAddress, currencies);
  }

  async getPrices(ids: string[], currencies: string[]): Promise<PriceQuote[]> {
    if (!ids.length) return [];
    const data = await this.call('simplePrice', () =>
      this.client.simple.price.get({
        ids: ids.join(','),
        vs_currencies: currencies.map((c) => c.toLowerCase()).join(','),
        include_24hr_change: true,
        include_last_updated_at: true,
      }),
    );
    return quotesOf(data as Record<string, Record<string, number>>, currencies);
  }
}

/** The SDK's range query for a market chart: unix seconds, a day after each UTC day (its close). */
function rangeOf(currency: string, from: string, to: string) {
  return {
    vs_currency: currency.toLowerCase(),
    from: String(Date.parse(`${from}T00:00:00Z`) / 1000 + 86_400),
    to: String(Date.parse(`${to}T00:00:00Z`) / 1000 + 86_400),
  };
}

/** A market chart's midnight points, as each UTC day's close by day. */
function closesOf(prices: unknown[]): Map<string, string> {
  const day = 86_400_000;
  const closes = new Map<string, string>();
  for (const point of prices) {
    const [t, price] = point as [number, number];
    if (t % day !== 0 || typeof price !== 'number') continue;
    closes.set(new Date(t - day).toISOString().slice(0, 10), Decimal.fromJsonNumber(price).toString());
  }
  return closes;
}

/** A simple price answer (entries by coin id or contract address) as quotes in `currencies`. */
function quotesOf(data: Record<string, Record<string, number>>, currencies: string[]): PriceQuote[] {
  const out: PriceQuote[] = [];
  for (const [id, entry] of Object.entries(data)) {
    for (const currency of currencies) {
      const price = entry[currency.toLowerCase()];
      if (typeof price !== 'number') continue;
      const change = entry[`${currency.toLowerCase()}_24h_change`];
      out.push({
        id,
        currency: currency.toUpperCase(),
        price: Decimal.fromJsonNumber(price).toString(),
        change24hPercent: typeof change === 'number' ? Decimal.fromJsonNumber(change).toString() : null,
        updatedAt: typeof entry.last_updated_at === 'number' ? entry.last_updated_at * 1000 : null,
      });
    }
  }
  return out;
}
