// FX rates from an ECB-reference-style HTTP API (no official SDK exists for these: plain fetch).
import { Decimal } from '../domain/money.ts';
import { addDays } from '../domain/dates.ts';
import { ProviderError } from '../domain/providers.ts';
import { codeForStatus, parseRetryAfter } from './errors.ts';
import { resilientCaller, type ResilienceOptions } from './resilience.ts';
import type { FxProvider, FxRates } from '../domain/providers.ts';

export interface FxAdapterOptions {
  baseUrl: string;
  resilience?: Partial<ResilienceOptions>;
}

interface FxBody {
  base?: unknown;
  date?: unknown;
  rates?: unknown;
}

export class FxAdapter implements FxProvider {
  private readonly call;

  constructor(private readonly options: FxAdapterOptions) {
    this.call = resilientCaller('fx', options.resilience);
  }

  private async fetchBody(
    path: string,
    base: string,
    symbols?: string[],
  ): Promise<FxBody & Record<string, unknown>> {
    const query = new URLSearchParams({ base, ...(symbols?.length ? { symbols: symbols.join(',') } : {}) });
    return this.call(`GET ${path}`, async (signal) => {
      let res: Response;
      try {
        res = await fetch(`${this.options.baseUrl}${path}?${query}`, { signal });
      } catch (err) {
        throw new ProviderError('fx', 'UNAVAILABLE', `fx request failed: ${(err as Error).message}`);
      }
      if (!res.ok)
        throw new ProviderError('fx', codeForStatus(res.status), `fx ${res.status}`, {
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers.get('retry-after') ?? undefined),
        });
      return (await res.json()) as FxBody & Record<string, unknown>;
    });
  }

  private async get(path: string, base: string, symbols?: string[]): Promise<FxRates> {
    const body = await this.fetchBody(path, base, symbols);
    if (
      typeof body.base !== 'string' ||
      typeof body.date !== 'string' ||
      typeof body.rates !== 'object' ||
      body.rates === null
    )
      throw new ProviderError('fx', 'UNKNOWN', 'fx answer has an unexpected shape');
    const rates: Record<string, string> = {};
    for (const [currency, rate] of Object.entries(body.rates as Record<string, unknown>)) {
      if (typeof rate === 'number') rates[currency] = Decimal.fromJsonNumber(rate).toString();
    }
    return { base: body.base, date: body.date, rates };
  }

  latest(base: string, symbols?: string[]): Promise<FxRates> {
    return this.get('/v1/latest', base, symbols);
  }

  on(date: string, base: string, symbols?: string[]): Promise<FxRates> {
    return this.get(`/v1/${date}`, base, symbols);
  }

  /** A time series, asked a year at a time (services of this kind cap a range's length). */
  async range(
    from: string,
    to: string,
    base: string,
    symbols?: string[],
  ): Promise<Record<string, Record<string, string>>> {
    const out: Record<string, Record<string, string>> = {};
    for (let start = from; start <= to; start = addDays(start, 366)) {
      const end = addDays(start, 365) < to ? addDays(start, 365) : to;
      const body = await this.fetchBody(`/v1/${start}..${end}`, base, symbols);
      if (typeof body.rates !== 'object' || body.rates === null)
        throw new ProviderError('fx', 'UNKNOWN', 'fx answer has an unexpected shape');
      for (const [date, rates] of Object.entries(body.rates as Record<string, Record<string, unknown>>)) {
        out[date] = {};
        for (const [currency, rate] of Object.entries(rates))
          if (typeof rate === 'number') out[date][currency] = Decimal.fromJsonNumber(rate).toString();
      }
    }
    return out;
  }
}
