// A Bitcoin chain through an Esplora-compatible REST API (Blockstream, mempool.space, or our
// simulator): an address's balance and history, the tip. No official SDK exists for Esplora;
// its REST shape is small and stable, so `fetch` with our retry policy.
import { ProviderError } from '../domain/providers.ts';
import type { ChainTransaction } from '../domain/chain/bitcoin.ts';
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

interface EsploraTx {
  txid: string;
  vin: { prevout: { scriptpubkey_address?: string; value: number } | null }[];
  vout: { scriptpubkey_address?: string; value: number }[];
  status: { confirmed: boolean; block_height?: number; block_time?: number };
}

/** Esplora's page of an address's confirmed transactions. */
const TXS_PAGE = 25;

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

  /**
   * An address's confirmed transactions, newest first, every page (`/txs`, then
   * `/txs/chain/:last_seen` while a page is full); the mempool's are left out (they count once
   * a block confirms them).
   */
  async addressTransactions(address: string): Promise<ChainTransaction[]> {
    const path = `/address/${encodeURIComponent(address)}/txs`;
    const first = await this.get<EsploraTx[]>(path, 'addressTxs');
    let page = first.filter((t) => t.status.confirmed);
    const all = [...page];
    // the first answer carries up to 25 confirmed after the mempool's; a full page may have more
    while (page.length === TXS_PAGE) {
      page = await this.get<EsploraTx[]>(`${path}/chain/${page.at(-1)?.txid}`, 'addressTxs');
      all.push(...page);
    }
    return all.map((t) => ({
      txid: t.txid,
      height: t.status.block_height as number,
      blockTime: t.status.block_time as number,
      inputs: t.vin.flatMap((i) =>
        i.prevout ? [{ address: i.prevout.scriptpubkey_address ?? null, sats: i.prevout.value }] : [],
      ),
      outputs: t.vout.map((o) => ({ address: o.scriptpubkey_address ?? null, sats: o.value })),
    }));
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
