// A Bitcoin wallet by its zpub against the Esplora simulator, through the adapter: the gap-limit
// scan finds every address that received, the balance is the chain's own (the simulator's
// truth), a payment waits unconfirmed until a block, and a bad address is refused as Esplora
// does. Faults (429, 5xx) are retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsploraSimulator } from '../../providers/simulators/esplora.ts';
import { EsploraAdapter } from '../../providers/esplora.adapter.ts';
import {
  addressAt,
  parseExtendedPublicKey,
  scanWallet,
  walletMovements,
} from '../../domain/chain/bitcoin.ts';
import { ProviderError } from '../../domain/providers.ts';

const ZPUB =
  'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';
const OUTSIDE = 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh';

let sim: EsploraSimulator;
let chain: EsploraAdapter;

beforeAll(async () => {
  sim = new EsploraSimulator({ seed: 21 });
  chain = new EsploraAdapter({
    baseURL: await sim.listen(),
    resilience: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
  });
});
afterAll(() => sim.close());

const key = (() => {
  const k = parseExtendedPublicKey(ZPUB);
  if ('problem' in k) throw new Error(k.problem);
  return k;
})();

describe('a Bitcoin wallet on an Esplora chain', () => {
  it('finds the addresses that received, past a gap, and adds up what the chain holds for them', async () => {
    sim.pay(addressAt(key, 0, 0), 150_000);
    sim.pay(addressAt(key, 0, 7), 25_000);
    sim.pay(addressAt(key, 1, 2), 3_300);
    sim.mine();
    // the wallet spends from its first address; its change comes back there
    sim.send(addressAt(key, 0, 0), OUTSIDE, 40_000, 250);
    sim.mine(2);
    const summaries = new Map<string, Awaited<ReturnType<EsploraAdapter['addressSummary']>>>();
    const scanned = await scanWallet(key, async (address) => {
      const s = await chain.addressSummary(address);
      summaries.set(address, s);
      return s.txCount > 0;
    });
    expect(scanned.map((c) => c.used.map((u) => u.index))).toEqual([[0, 7], [2]]);
    const used = scanned.flatMap((c) => c.used.map((u) => u.address));
    const total = used.reduce((sum, a) => sum + (summaries.get(a)?.confirmedSats ?? 0), 0);
    // by hand: 150,000 + 25,000 + 3,300 − 40,000 − 250 fee = 138,050; and the chain's own state
    expect(total).toBe(138_050);
    expect(total).toBe(used.reduce((sum, a) => sum + sim.balanceOf(a).confirmed, 0));
    expect(await chain.tipHeight()).toBe(870_003);
  });

  it('shows a payment as unconfirmed until a block confirms it', async () => {
    const address = addressAt(key, 0, 8);
    sim.pay(address, 10_000);
    expect(await chain.addressSummary(address)).toMatchObject({
      confirmedSats: 0,
      unconfirmedSats: 10_000,
      txCount: 1,
    });
    sim.mine();
    expect(await chain.addressSummary(address)).toMatchObject({ confirmedSats: 10_000, unconfirmedSats: 0 });
  });

  it("lists an address's confirmed history, every page, newest first, and it adds up to the balance", async () => {
    const address = addressAt(key, 0, 30);
    const day = 86_400_000;
    // 40 payments over 40 past days (two pages and more), a spend since, and one in the mempool
    for (let i = 40; i >= 1; i -= 1) sim.pay(address, 1_000 * i, Date.now() - (i + 2) * day);
    sim.send(address, OUTSIDE, 5_000, 300, Date.now() - day);
    sim.pay(address, 777);
    const txs = await chain.addressTransactions(address);
    expect(txs).toHaveLength(41);
    const heights = txs.map((t) => t.height);
    expect(heights).toEqual([...heights].sort((a, b) => b - a));
    expect(new Set(txs.map((t) => t.txid)).size).toBe(41);
    // each block ten minutes apart before the chain's start: the spend a day ago, the oldest 42 days ago
    expect(Date.now() / 1000 - (txs[0]?.blockTime ?? 0)).toBeGreaterThanOrEqual(86_400);
    expect(Date.now() / 1000 - (txs.at(-1)?.blockTime ?? 0)).toBeLessThan(42 * 86_400 + 700);
    const net = walletMovements(txs, new Set([address])).reduce((s, m) => s + m.sats, 0);
    // by hand: 1,000 × (1 + … + 40) − 5,000 − 300; the mempool's 777 not yet
    expect(net).toBe(1_000 * 820 - 5_300);
    expect(net).toBe(sim.balanceOf(address).confirmed);
  });

  it('retries rate limits and server errors, and refuses a bad address without retrying', async () => {
    sim.faults.update({ rateLimitBurst: 2, retryAfterSeconds: 0 });
    expect((await chain.addressSummary(addressAt(key, 0, 0))).confirmedSats).toBe(
      sim.balanceOf(addressAt(key, 0, 0)).confirmed,
    );
    expect(sim.faults.counts.rateLimited).toBeGreaterThanOrEqual(2);
    const err = await chain.addressSummary('not-an-address').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).status).toBe(400);
  });
});
