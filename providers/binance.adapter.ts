// Exchange balances through Binance's official SDK (@binance/spot).
import { Spot, SpotRestAPI } from '@binance/spot';
import { ProviderError, type ProviderErrorCode } from '../domain/providers.ts';
import { codeForStatus, parseRetryAfter } from './errors.ts';
import { resilientCaller, type ResilienceOptions } from './resilience.ts';
import type {
  ExchangeBalance,
  ExchangeCredentials,
  ExchangeProvider,
  PriceQuote,
} from '../domain/providers.ts';
import { Decimal } from '../domain/money.ts';

export interface BinanceAdapterOptions {
  basePath: string;
  wsURL?: string;
  resilience?: Partial<ResilienceOptions>;
}

const BINANCE_CODES: Record<number, ProviderErrorCode> = {
  [-1021]: 'INVALID_REQUEST',
  [-1022]: 'INVALID_CREDENTIALS',
  [-2014]: 'INVALID_CREDENTIALS',
  [-2015]: 'INVALID_CREDENTIALS',
  [-1003]: 'RATE_LIMITED',
  [-1121]: 'INVALID_REQUEST',
};

interface SdkError {
  name?: string;
  message?: string;
  code?: number;
  statusCode?: number;
  response?: { status?: number; headers?: Record<string, unknown> };
}

export function binanceErrorFrom(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = (err ?? {}) as SdkError;
  // @binance/common throws typed errors: TooManyRequestsError (429), RateLimitBanError (418), ServerError, …
  if (e.name === 'TooManyRequestsError')
    return new ProviderError('binance', 'RATE_LIMITED', e.message ?? 'rate limited', { status: 429 });
  if (e.name === 'RateLimitBanError')
    return new ProviderError('binance', 'BANNED', e.message ?? 'banned', {
      status: 418,
      retryAfterMs: 120_000,
    });
  if (e.name === 'ServerError' || e.name === 'NetworkError' || e.name === 'ConnectorClientError')
    return new ProviderError('binance', 'UNAVAILABLE', e.message ?? 'unavailable', {
      ...(e.statusCode ? { status: e.statusCode } : {}),
    });
  if (typeof e.code === 'number' && BINANCE_CODES[e.code])
    return new ProviderError(
      'binance',
      BINANCE_CODES[e.code] as ProviderErrorCode,
      `binance ${e.code}: ${e.message}`,
      {
        providerCode: e.code,
        ...(e.code === -1021
          ? {
              userMessage:
                'Your computer clock and Binance disagree; the request was refused. We will retry.',
            }
          : {}),
      },
    );
  if (e.name === 'UnauthorizedError' || e.name === 'ForbiddenError')
    return new ProviderError('binance', 'INVALID_CREDENTIALS', e.message ?? 'unauthorized');
  if (e.name === 'BadRequestError')
    return new ProviderError('binance', 'INVALID_REQUEST', e.message ?? 'bad request');
  const status = e.response?.status ?? e.statusCode;
  return new ProviderError(
    'binance',
    status ? codeForStatus(status) : 'UNAVAILABLE',
    e.message ?? String(err),
    {
      ...(status ? { status } : {}),
      retryAfterMs: parseRetryAfter(e.response?.headers?.['retry-after']),
    },
  );
}

export class BinanceAdapter implements ExchangeProvider {
  readonly name = 'binance' as const;
  private readonly call;

  constructor(private readonly options: BinanceAdapterOptions) {
    this.call = resilientCaller('binance', options.resilience, binanceErrorFrom);
  }

  private client(credentials: ExchangeCredentials) {
    return new Spot({
      configurationRestAPI: {
        apiKey: credentials.apiKey,
        apiSecret: credentials.apiSecret,
        basePath: this.options.basePath,
        timeout: 10_000,
        retries: 0,
      },
    });
  }

  async getBalances(credentials: ExchangeCredentials): Promise<ExchangeBalance[]> {
    const client = this.client(credentials);
    const data = await this.call('getAccount', async () =>
      (await client.restAPI.getAccount({ omitZeroBalances: true })).data(),
    );
    return (data.balances ?? [])
      .filter((b) => b.asset && (b.free !== undefined || b.locked !== undefined))
      .map((b) => ({
        providerAccountId: b.asset as string,
        asset: b.asset as string,
        free: Decimal.parse(b.free ?? '0').toString(),
        locked: Decimal.parse(b.locked ?? '0').toString(),
      }));
  }

  /**
   * The all-market mini-ticker stream (every changed symbol once a second) through the SDK.
   * The SDK reconnects a dropped stream after `reconnectDelayMs`; `onReconnect` lets the
   * caller fill the gap from REST.
   */
  async streamMiniTickers(
    handlers: {
      onTickers(tickers: { pair: string; price: string; ts: number }[]): void;
      onReconnect(): void;
      onError(err: Error): void;
    },
    reconnectDelayMs = 1_000,
  ): Promise<{ stop(): Promise<void> }> {
    if (!this.options.wsURL)
      throw new ProviderError(
        'binance',
        'UNAVAILABLE',
        'binance streams are not configured (BINANCE_WS_URL)',
      );
    const client = new Spot({
      configurationWebsocketStreams: { wsURL: this.options.wsURL, reconnectDelay: reconnectDelayMs },
    });
    const connection = await client.websocketStreams.connect();
    let opened = 0;
    connection.on('open', () => {
      opened += 1;
      if (opened > 1) handlers.onReconnect();
    });
    connection.on('error', (err: unknown) =>
      handlers.onError(err instanceof Error ? err : new Error(String(err))),
    );
    const stream = connection.allMiniTicker();
    stream.on('message', (data: unknown) => {
      if (!Array.isArray(data)) return;
      const tickers: { pair: string; price: string; ts: number }[] = [];
      for (const t of data as { s?: unknown; c?: unknown; E?: unknown }[]) {
        if (typeof t.s === 'string' && typeof t.c === 'string' && typeof t.E === 'number')
          tickers.push({ pair: t.s, price: t.c, ts: t.E });
      }
      handlers.onTickers(tickers);
    });
    return { stop: () => connection.disconnect() };
  }

  /** Last prices for symbols such as BTCUSDT (public endpoint). */
  async tickerPrices(symbols: string[]): Promise<PriceQuote[]> {
    const client = this.client({ apiKey: '', apiSecret: '' });
    const data = await this.call('tickerPrice', async () =>
      // no symbols: every symbol (an empty list would ask for none)
      (await client.restAPI.tickerPrice(symbols.length ? { symbols } : {})).data(),
    );
    const list = Array.isArray(data) ? data : [data];
    return list.map((t) => ({
      id: String(t.symbol),
      currency: 'USDT',
      price: Decimal.parse(String(t.price)).toString(),
      change24hPercent: null,
      updatedAt: Date.now(),
    }));
  }

  /**
   * Daily closes of a pair (USDT quote) between two UTC days, by day: the exchange's 1d klines,
   * up to 1,000 a request.
   */
  async dailyCloses(pair: string, from: string, to: string): Promise<Map<string, string>> {
    const client = this.client({ apiKey: '', apiSecret: '' });
    const day = 86_400_000;
    const end = Date.parse(`${to}T00:00:00Z`);
    const closes = new Map<string, string>();
    for (let start = Date.parse(`${from}T00:00:00Z`); start <= end; start += 1000 * day) {
      const rows = await this.call('klines', async () =>
        (
          await client.restAPI.klines({
            symbol: pair,
            interval: SpotRestAPI.KlinesIntervalEnum.INTERVAL_1d,
            startTime: start,
            endTime: Math.min(end, start + 999 * day),
            limit: 1000,
          })
        ).data(),
      );
      for (const row of rows as unknown[][])
        closes.set(
          new Date(Number(row[0])).toISOString().slice(0, 10),
          Decimal.parse(String(row[4])).toString(),
        );
    }
    return closes;
  }
}
