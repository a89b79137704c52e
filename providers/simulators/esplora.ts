// An Esplora-compatible Bitcoin chain (the REST shape of Blockstream's and mempool.space's
// APIs): the tip, an address's funded and spent totals, its transactions newest first (25 a
// page, mempool first), and `chain/:last_seen` paging. Payments are made through test hooks
// (`pay`, `send`, `mine`): a payment waits in the mempool until the next block, then has
// confirmations; one dated before the chain's start is in the past block of its time (the chain
// had a block every ten minutes before it started), so a wallet can have a history. The
// simulator's own state (`balanceOf`) is the truth a client is checked against.
import { createHash } from 'node:crypto';
import { seedFrom } from './random.ts';
import { Faults, SimServer, type FaultSettings, type Route, type SimResponse } from './sim-server.ts';

export interface EsploraSimOptions {
  seed?: number;
  /** the tip when the chain starts */
  height?: number;
  faults?: Partial<FaultSettings>;
}

interface ChainTx {
  txid: string;
  /** what each output pays, in satoshis */
  outputs: { address: string; value: number }[];
  /** outputs of earlier transactions it spends */
  inputs: { txid: string; vout: number; address: string; value: number }[];
  fee: number;
  /** null while in the mempool */
  block: { height: number; hash: string; time: number } | null;
  /** the order it was made in (a block's transactions in that order) */
  seq: number;
}

/** Seconds between blocks before the simulator started (Bitcoin's target). */
const BLOCK_SECONDS = 600;

const PAGE = 25;
const ADDRESS = /^(bc1|tb1|bcrt1)[02-9ac-hj-np-z]{8,87}$|^[123mn][1-9A-HJ-NP-Za-km-z]{25,34}$/;

const text = (status: number, message: string): SimResponse => ({ status, body: message });

export class EsploraSimulator {
  readonly faults: Faults;
  readonly server: SimServer;
  private height: number;
  /** the tip and its time when the simulator started: blocks before it are every ten minutes back */
  private readonly start: { height: number; time: number };
  private readonly blocks = new Map<number, { hash: string; time: number }>();
  private readonly txs: ChainTx[] = [];
  private readonly byAddress = new Map<string, ChainTx[]>();
  private counter = 0;

  constructor(options: EsploraSimOptions = {}) {
    const seed = options.seed ?? 1;
    this.height = options.height ?? 870_000;
    this.start = { height: this.height, time: Math.floor(Date.now() / 1000) };
    this.blocks.set(this.height, { hash: this.hash(`block:${this.height}`), time: this.start.time });
    this.faults = new Faults(seedFrom(seed, 'esplora-faults'), options.faults);
    this.server = new SimServer({
      name: 'esplora',
      routes: this.routes(),
      faults: this.faults,
      errors: {
        rateLimited: (retryAfter) => ({
          status: 429,
          body: 'Too Many Requests',
          headers: { 'retry-after': String(retryAfter) },
        }),
        serverError: () => text(503, 'Service Unavailable'),
        notFound: () => text(404, 'Not Found'),
        badRequest: (message) => text(400, message),
      },
    });
  }

  listen(port = 0, host?: string): Promise<string> {
    return this.server.listen(port, host);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /**
   * A payment of `sats` to `address` (from an address outside the wallet); in the mempool until
   * mined, or, dated `at` (ms) before the chain's start, in the past block of that time.
   */
  pay(address: string, sats: number, at?: number): string {
    return this.record({ outputs: [{ address, value: sats }], inputs: [], fee: 0 }, at);
  }

  /**
   * `address` pays `sats` of its confirmed funds to `to`, with a fee; the change returns to it.
   * Dated `at` (ms) before the chain's start, it spends what was confirmed by then, in that time's block.
   */
  send(address: string, to: string, sats: number, fee = 200, at?: number): string {
    const unspent = this.unspentOf(address, at);
    const inputs: ChainTx['inputs'] = [];
    let gathered = 0;
    for (const u of unspent) {
      if (gathered >= sats + fee) break;
      inputs.push(u);
      gathered += u.value;
    }
    if (gathered < sats + fee) throw new Error(`${address} holds ${gathered} sats, not ${sats + fee}`);
    const outputs = [{ address: to, value: sats }];
    if (gathered > sats + fee) outputs.push({ address, value: gathered - sats - fee });
    return this.record({ outputs, inputs, fee }, at);
  }

  /** The past block holding time `at` (ms), before the chain's start: one every ten minutes back from it. */
  private pastBlock(at: number): { height: number; hash: string; time: number } {
    const back = Math.ceil((this.start.time - Math.floor(at / 1000)) / BLOCK_SECONDS);
    if (!Number.isFinite(back) || back < 1)
      throw new Error('a dated payment must be before the chain started');
    const height = this.start.height - back;
    return { height, hash: this.hash(`block:${height}`), time: this.start.time - back * BLOCK_SECONDS };
  }

  /** Mines `n` blocks: the mempool is confirmed in the first. */
  mine(n = 1): number {
    for (let i = 0; i < n; i += 1) {
      this.height += 1;
      const block = {
        height: this.height,
        hash: this.hash(`block:${this.height}`),
        time: Math.floor(Date.now() / 1000),
      };
      this.blocks.set(this.height, { hash: block.hash, time: block.time });
      for (const tx of this.txs) if (!tx.block) tx.block = block;
    }
    return this.height;
  }

  /** The truth: an address's confirmed (by time `asOf`, seconds, when given) and mempool balance, in satoshis. */
  balanceOf(address: string, asOf?: number): { confirmed: number; unconfirmed: number } {
    const sums = { confirmed: 0, unconfirmed: 0 };
    for (const tx of this.byAddress.get(address) ?? []) {
      if (asOf !== undefined && (!tx.block || tx.block.time > asOf)) continue;
      const delta =
        tx.outputs.filter((o) => o.address === address).reduce((s, o) => s + o.value, 0) -
        tx.inputs.filter((i) => i.address === address).reduce((s, i) => s + i.value, 0);
      if (tx.block) sums.confirmed += delta;
      else sums.unconfirmed += delta;
    }
    return sums;
  }

  private record(tx: Omit<ChainTx, 'txid' | 'block' | 'seq'>, at?: number): string {
    const block = at === undefined ? null : this.pastBlock(at);
    this.counter += 1;
    const full: ChainTx = { ...tx, txid: this.hash(`tx:${this.counter}`), block, seq: this.counter };
    this.txs.push(full);
    const addresses = new Set([...tx.outputs.map((o) => o.address), ...tx.inputs.map((i) => i.address)]);
    for (const a of addresses) this.byAddress.set(a, [...(this.byAddress.get(a) ?? []), full]);
    return full.txid;
  }

  /** The address's confirmed outputs not yet spent (by time `at`, ms, when given). */
  private unspentOf(address: string, at?: number): ChainTx['inputs'] {
    const spent = new Set(this.txs.flatMap((t) => t.inputs.map((i) => `${i.txid}:${i.vout}`)));
    return this.txs.flatMap((t) =>
      t.block && (at === undefined || t.block.time * 1000 <= at)
        ? t.outputs
            .map((o, vout) => ({ txid: t.txid, vout, address: o.address, value: o.value }))
            .filter((o) => o.address === address && !spent.has(`${o.txid}:${o.vout}`))
        : [],
    );
  }

  private hash(what: string): string {
    return createHash('sha256').update(what).digest('hex');
  }

  /** The address's totals as Esplora gives them (chain and mempool apart). */
  private stats(address: string, confirmed: boolean) {
    const txs = (this.byAddress.get(address) ?? []).filter((t) => Boolean(t.block) === confirmed);
    const funded = txs.flatMap((t) => t.outputs.filter((o) => o.address === address));
    const spent = txs.flatMap((t) => t.inputs.filter((i) => i.address === address));
    return {
      funded_txo_count: funded.length,
      funded_txo_sum: funded.reduce((s, o) => s + o.value, 0),
      spent_txo_count: spent.length,
      spent_txo_sum: spent.reduce((s, i) => s + i.value, 0),
      tx_count: txs.length,
    };
  }

  /** An address's transactions newest first: the mempool's, then the confirmed by height (a block's in reverse order). */
  private newestFirst(address: string): ChainTx[] {
    const rank = (t: ChainTx) => (t.block ? t.block.height : Number.MAX_SAFE_INTEGER);
    return [...(this.byAddress.get(address) ?? [])].sort((a, b) => rank(b) - rank(a) || b.seq - a.seq);
  }

  private view(tx: ChainTx) {
    const script = (address: string) => ({ scriptpubkey_address: address, scriptpubkey: '' });
    return {
      txid: tx.txid,
      version: 2,
      locktime: 0,
      vin: tx.inputs.length
        ? tx.inputs.map((i) => ({
            txid: i.txid,
            vout: i.vout,
            prevout: { ...script(i.address), value: i.value },
            is_coinbase: false,
            sequence: 4294967293,
          }))
        : [
            {
              txid: '0'.repeat(64),
              vout: 4294967295,
              prevout: null,
              is_coinbase: true,
              sequence: 4294967295,
            },
          ],
      vout: tx.outputs.map((o) => ({ ...script(o.address), value: o.value })),
      size: 222,
      weight: 561,
      fee: tx.fee,
      status: tx.block
        ? {
            confirmed: true,
            block_height: tx.block.height,
            block_hash: tx.block.hash,
            block_time: tx.block.time,
          }
        : { confirmed: false },
    };
  }

  private routes(): Route[] {
    const address = (a: string | undefined) => (a && ADDRESS.test(a) ? a : undefined);
    return [
      // test hooks over HTTP, for clients in another process (the truth oracle): not faulted
      {
        method: 'POST',
        path: '/__sim/pay',
        admin: true,
        handler: (req) => {
          const {
            address: to,
            sats,
            at,
          } = (req.body ?? {}) as { address?: string; sats?: number; at?: string };
          if (!address(to) || !Number.isSafeInteger(sats) || (sats as number) <= 0)
            return text(400, 'pay needs {address, sats, at?}');
          const when = at === undefined ? undefined : Date.parse(at);
          if (when !== undefined && !(when < this.start.time * 1000))
            return text(400, 'at must be a time before the chain started');
          return { body: { txid: this.pay(to as string, sats as number, when) } };
        },
      },
      {
        method: 'POST',
        path: '/__sim/send',
        admin: true,
        handler: (req) => {
          const body = (req.body ?? {}) as { from?: string; to?: string; sats?: number; at?: string };
          if (
            !address(body.from) ||
            !address(body.to) ||
            !Number.isSafeInteger(body.sats) ||
            (body.sats as number) <= 0
          )
            return text(400, 'send needs {from, to, sats, at?}');
          const when = body.at === undefined ? undefined : Date.parse(body.at);
          if (when !== undefined && !(when < this.start.time * 1000))
            return text(400, 'at must be a time before the chain started');
          try {
            return {
              body: {
                txid: this.send(body.from as string, body.to as string, body.sats as number, 200, when),
              },
            };
          } catch (err) {
            return text(400, (err as Error).message);
          }
        },
      },
      {
        method: 'POST',
        path: '/__sim/mine',
        admin: true,
        handler: () => ({ body: { height: this.mine() } }),
      },
      { method: 'GET', path: '/blocks/tip/height', handler: () => ({ body: this.height }) },
      {
        method: 'GET',
        path: '/blocks/tip/hash',
        handler: () => ({ body: this.blocks.get(this.height)?.hash }),
      },
      {
        method: 'GET',
        path: '/address/:address',
        handler: (req) => {
          const a = address(req.params.address);
          if (!a) return text(400, 'Invalid Bitcoin address');
          return {
            body: { address: a, chain_stats: this.stats(a, true), mempool_stats: this.stats(a, false) },
          };
        },
      },
      {
        method: 'GET',
        path: '/address/:address/txs',
        handler: (req) => {
          const a = address(req.params.address);
          if (!a) return text(400, 'Invalid Bitcoin address');
          const all = this.newestFirst(a);
          // the mempool's (up to 50), then the newest confirmed page
          return {
            body: [
              ...all.filter((t) => !t.block).slice(0, 50),
              ...all.filter((t) => t.block).slice(0, PAGE),
            ].map((t) => this.view(t)),
          };
        },
      },
      {
        method: 'GET',
        path: '/address/:address/txs/chain/:last',
        handler: (req) => {
          const a = address(req.params.address);
          if (!a) return text(400, 'Invalid Bitcoin address');
          const confirmed = this.newestFirst(a).filter((t) => t.block);
          const at = confirmed.findIndex((t) => t.txid === req.params.last);
          return { body: (at < 0 ? [] : confirmed.slice(at + 1, at + 1 + PAGE)).map((t) => this.view(t)) };
        },
      },
    ];
  }
}
