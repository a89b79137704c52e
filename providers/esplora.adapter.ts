// A Bitcoin chain through an Esplora-compatible REST API (Blockstream, mempool.space, or our
// simulator): an address's balance and history, the tip. No official SDK exists for Esplora;
// its REST shape is small and stable, so `fetch` with our retry policy.
import { ProviderError } from '../domain/providers.ts';
import { codeForStatus, parseRetryAfter } from './errors.ts';
import { resilientCaller, type ResilienceOptions } from './resilience.ts';

export interface EsploraAdapterOptions {
  baseURL: string;
  resilience?: Partial<ResilienceOptions>;
  timeoutMs?: number;
}

/** An address on chain: satoshis confirmed and waiting, and how many transactions touched it. */
export interface AddressSummary {
  address: string;
  confirmedSats: number;
  unconfirmedSats: number;
  txCount: number;
}

interface Stats {
  funded_txo_sum: number;
  spent_txo_sum: number;
  tx_count: number;
}

export class EsploraAdapter {
  private readonly call;

  constructor(private readonly options: EsploraAdapterOptions) {
    this.call = resilientCaller('esplora', options.resilience, (err) => err);
  }

  async tipHeight(): Promise<number> {
    return Number(await this.get<number>('/blocks/tip/height', 'tipHeight'));
  }

  async addressSummary(address: string): Promise<AddressSummary> {
    const data = await this.get<{ chain_stats: Stats; mempool_stats: Stats }>(
      `/address/${encodeURIComponent(address)}`,
      'address',
    );
    const net = (s: Stats) => s.funded_txo_sum - s.spent_txo_sum;
    return {
      address,
      confirmedSats: net(data.chain_stats),
      unconfirmedSats: net(data.mempool_stats),
      txCount: data.chain_stats.tx_count + data.mempool_stats.tx_count,
    };
  }

  private get<T>(path: string, operation: string): Promise<T> {
    return this.call(operation, async (signal?: AbortSignal) => {
      let res: Response;
      try {
        res = await fetch(`${this.options.baseURL}${path}`, {
          signal: signal ?? AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new ProviderError(
          'esplora',
          'UNAVAILABLE',
          `esplora request failed: ${(err as Error).message}`,
        );
      }
      if (!res.ok)
        throw new ProviderError(
          'esplora',
          codeForStatus(res.status),
          `esplora ${res.status}: ${await res.text()}`,
          {
            status: res.status,
            retryAfterMs: parseRetryAfter(res.headers.get('retry-after') ?? undefined),
          },
        );
      return (await res.json()) as T;
    });
  }
}
