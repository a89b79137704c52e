// US equities' live prices through Alpaca's official SDK (@alpacahq/alpaca-trade-api): snapshots
// (the last trade and the previous session's close), daily bars (past closes) and the real-time
// trade stream. Chosen over polling a quote API: one socket carries every held symbol's trades as
// they happen, the SDK keeps it alive (ping, reconnect with backoff, re-subscribe), and its REST
// side pages bars for history. Pointing at real Alpaca is configuration: the URLs and the keys.
import { marketData, streaming, errors } from '@alpacahq/alpaca-trade-api';
import { Decimal } from '../domain/money.ts';
import { ProviderError } from '../domain/providers.ts';
import { codeForStatus } from './errors.ts';
import { resilientCaller, type ResilienceOptions } from './resilience.ts';

export interface AlpacaAdapterOptions {
  /** the market-data REST host (https://data.alpaca.markets) */
  dataUrl: string;
  /** the stream (wss://stream.data.alpaca.markets/v2/iex) */
  streamUrl: string;
  keyId: string;
  secret: string;
  resilience?: Partial<ResilienceOptions>;
}

/** A symbol's price now and the close it is measured against (USD, decimal text). */
export interface SecuritySnapshot {
  symbol: string;
  price: string;
  ts: number;
  previousClose: string | null;
}

export interface SecurityTrade {
  symbol: string;
  price: string;
  ts: number;
}

export function alpacaErrorFrom(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof errors.ApiError)
    return new ProviderError('alpaca', codeForStatus(err.status), `alpaca ${err.status}: ${err.message}`, {
      status: err.status,
      ...(err.retryAfterMs ? { retryAfterMs: err.retryAfterMs } : {}),
    });
  return new ProviderError('alpaca', 'UNAVAILABLE', err instanceof Error ? err.message : String(err));
}

const decimal = (n: number) => Decimal.fromJsonNumber(n).toString();
const SNAPSHOT_BATCH = 100;

export class AlpacaAdapter {
  private readonly stocks: marketData.StockApi;
  private readonly call;

  constructor(private readonly options: AlpacaAdapterOptions) {
    this.stocks = new marketData.StockApi(
      new marketData.Configuration({
        basePath: options.dataUrl.replace(/\/+$/, ''),
        keyId: options.keyId,
        secret: options.secret,
        timeoutMs: 10_000,
      }),
    );
    this.call = resilientCaller('alpaca', options.resilience, alpacaErrorFrom);
  }

  async snapshots(symbols: string[]): Promise<SecuritySnapshot[]> {
    const out: SecuritySnapshot[] = [];
    // a hundred symbols a request: thousands (a market-open follow) would not fit in one URL
    for (let i = 0; i < symbols.length; i += SNAPSHOT_BATCH)
      out.push(...(await this.snapshotBatch(symbols.slice(i, i + SNAPSHOT_BATCH))));
    return out;
  }

  private async snapshotBatch(symbols: string[]): Promise<SecuritySnapshot[]> {
    const answer = await this.call('stockSnapshots', () =>
      this.stocks.stockSnapshots({ symbols: symbols.join(',') }),
    );
    return Object.entries(answer).flatMap(([symbol, s]) =>
      s.latestTrade
        ? [
            {
              symbol,
              price: decimal(s.latestTrade.p),
              ts: s.latestTrade.t.getTime(),
              previousClose: s.prevDailyBar ? decimal(s.prevDailyBar.c) : null,
            },
          ]
        : [],
    );
  }

  /** A symbol's close on each session from `from` to `to` (UTC days, YYYY-MM-DD). */
  async dailyCloses(symbol: string, from: string, to: string): Promise<Map<string, string>> {
    const closes = new Map<string, string>();
    let pageToken: string | undefined;
    do {
      const page = await this.call('stockBars', () =>
        this.stocks.stockBars({
          symbols: symbol,
          timeframe: '1Day',
          start: new Date(`${from}T00:00:00Z`),
          end: new Date(`${to}T23:59:59Z`),
          limit: 1000,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      // the SDK types a bar's time as a Date but hands over the JSON's text: read it either way
      for (const bar of page.bars[symbol] ?? [])
        closes.set(new Date(bar.t).toISOString().slice(0, 10), decimal(bar.c));
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return closes;
  }

  /** The trade stream for `symbols` (more can be added); each trade in USD. */
  streamTrades(handlers: {
    onTrade(trade: SecurityTrade): void;
    onReconnect(): void;
    onError(err: Error): void;
  }): { subscribe(symbols: string[]): void; stop(): void } {
    const stream = new streaming.StockDataStream({
      credentials: { keyId: this.options.keyId, secret: this.options.secret },
      url: this.options.streamUrl,
      reconnect: true,
      maxReconnectAttempts: -1,
    });
    stream.onTrade((t) =>
      handlers.onTrade({ symbol: t.symbol, price: decimal(t.price), ts: t.timestamp.getTime() }),
    );
    stream.onReconnected(() => handlers.onReconnect());
    stream.onError((message) => handlers.onError(new Error(String(message))));
    stream.connect();
    return {
      subscribe: (symbols) => {
        if (symbols.length) stream.subscribeForTrades(symbols);
      },
      stop: () => stream.disconnect(),
    };
  }
}
