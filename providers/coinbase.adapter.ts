// Exchange balances through Coinbase's Advanced Trade SDK (coinbase-api), paging the cursor.
import { CBAdvancedTradeClient } from 'coinbase-api';
import { Decimal } from '../domain/money.ts';
import { ProviderError } from '../domain/providers.ts';
import { codeForStatus, parseRetryAfter } from './errors.ts';
import { resilientCaller, type ResilienceOptions } from './resilience.ts';
import type { ExchangeBalance, ExchangeCredentials, ExchangeProvider } from '../domain/providers.ts';

export interface CoinbaseAdapterOptions {
  baseUrl: string;
  resilience?: Partial<ResilienceOptions>;
}

interface SdkError {
  code?: number;
  message?: string;
  body?: unknown;
  headers?: Record<string, unknown>;
}

export function coinbaseErrorFrom(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = (err ?? {}) as SdkError;
  const status = typeof e.code === 'number' ? e.code : undefined;
  if (status === undefined)
    return new ProviderError('coinbase', 'UNAVAILABLE', e.message ?? 'coinbase request failed');
  return new ProviderError(
    'coinbase',
    codeForStatus(status),
    `coinbase ${status}: ${JSON.stringify(e.body ?? e.message ?? '').slice(0, 200)}`,
    {
      status,
      retryAfterMs: parseRetryAfter(e.headers?.['retry-after']),
    },
  );
}

export class CoinbaseAdapter implements ExchangeProvider {
  readonly name = 'coinbase' as const;
  private readonly call;

  constructor(private readonly options: CoinbaseAdapterOptions) {
    this.call = resilientCaller('coinbase', options.resilience, coinbaseErrorFrom);
  }

  async getBalances(credentials: ExchangeCredentials): Promise<ExchangeBalance[]> {
    const client = new CBAdvancedTradeClient({
      apiKey: credentials.apiKey,
      apiSecret: credentials.apiSecret,
      baseUrl: this.options.baseUrl,
    });
    const out: ExchangeBalance[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const res = await this.call('getAccounts', () =>
        client.getAccounts({ limit: 250, ...(cursor ? { cursor } : {}) }),
      );
      for (const a of res.accounts) {
        out.push({
          providerAccountId: a.uuid,
          asset: a.currency,
          free: Decimal.parse(a.available_balance.value).toString(),
          locked: Decimal.parse(a.hold?.value ?? '0').toString(),
        });
      }
      if (!res.has_next || !res.cursor) return out;
      cursor = res.cursor;
    }
    throw new ProviderError('coinbase', 'UNKNOWN', 'coinbase pagination did not end after 100 pages');
  }
}
