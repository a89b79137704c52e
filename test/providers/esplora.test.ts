// A Bitcoin wallet by its zpub against the Esplora simulator, through the adapter: the gap-limit
// scan finds every address that received, the balance is the chain's own (the simulator's
// truth), a payment waits unconfirmed until a block, and a bad address is refused as Esplora
// does. Faults (429, 5xx) are retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsploraSimulator } from '../../providers/simulators/esplora.ts';
import { EsploraAdapter } from '../../providers/esplora.adapter.ts';
import { addressAt, parseExtendedPublicKey, scanWallet } from '../../domain/chain/bitcoin.ts';
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
