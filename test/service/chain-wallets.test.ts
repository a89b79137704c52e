// Bitcoin wallets on chain, watch-only, on the service tier (wallets on one broker, the real
// database, the simulators): added by extended public key or address, valued by what the chain
// holds (the Esplora simulator's own balances), moved by a sync after new blocks; anything that
// looks like a secret refused with why, nothing stored, and never in a log line (a line that
// carried it at warn was caught when tried on purpose).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callAs, startServices, type TestNode } from '../helpers/node.ts';
import { captureConsole } from '../helpers/logs.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { addressAt, parseExtendedPublicKey } from '../../domain/chain/bitcoin.ts';
import type { WalletDeleted, WalletList, WalletView } from '@finexia/contracts/api.ts';
import type { ExportedChainTransaction } from '@finexia/contracts/export.ts';

const ZPUB =
  'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';
const PHRASE = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const logged: string[] = [];
let sims: Simulators;
let node: TestNode;
const user = { id: randomUUID() };

beforeAll(async () => {
  captureConsole(logged);
  sims = await startSimulators({ seed: 33, bankVolume: 0.1, ticksPerSecond: 0 });
  // transactions: a deleted wallet's rows are asked of it too
  node = await startServices(['wallets', 'transactions'], { ...sims.env, LOG_LEVEL: 'info' });
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
  vi.restoreAllMocks();
});

const key = (() => {
  const k = parseExtendedPublicKey(ZPUB);
  if ('problem' in k) throw new Error(k.problem);
  return k;
})();
const btcOf = (w: WalletView) => w.accounts[0]?.holdings.find((h) => h.asset === 'BTC')?.quantity;
/** the chain's own confirmed balance of the wallet's addresses, in BTC */
const truth = (addresses: string[]) =>
  (addresses.reduce((s, a) => s + sims.esplora.balanceOf(a).confirmed, 0) / 1e8).toString();

async function refusal(call: Promise<unknown>) {
  const err = await call.then(
    () => undefined,
    (e: unknown) =>
      e as { type?: string; message?: string; data?: { fields?: { field: string; message: string }[] } },
  );
  if (!err) throw new Error('not refused');
  return { code: err.type, message: err.message, fields: err.data?.fields ?? [] };
}

describe('a Bitcoin wallet, watch-only', () => {
  it('refuses a recovery phrase, says why, stores nothing and logs nothing of it', async () => {
    const refused = await refusal(
      callAs(node, user, 'wallets.connectChain', { chain: 'bitcoin', watch: PHRASE }),
    );
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.fields[0]).toMatchObject({
      field: 'watch',
      message: expect.stringContaining('12-word recovery phrase'),
    });
    expect(JSON.stringify(refused)).not.toContain('sausage');
    expect((await callAs<WalletList>(node, user, 'wallets.list')).wallets).toEqual([]);
    expect(logged.filter((line) => line.includes('sausage'))).toEqual([]);
    expect(logged.length).toBeGreaterThan(0);
  });

  it('by its zpub: every address that received, valued as the chain holds it, moving after new blocks', async () => {
    const addresses = [addressAt(key, 0, 0), addressAt(key, 0, 3), addressAt(key, 1, 0)];
    sims.esplora.pay(addresses[0]!, 2_500_000);
    sims.esplora.pay(addresses[1]!, 75_000);
    sims.esplora.pay(addresses[2]!, 1_234);
    sims.esplora.mine();
    const wallet = await callAs<WalletView>(node, user, 'wallets.connectChain', {
      chain: 'bitcoin',
      watch: ZPUB,
      name: 'Cold storage',
    });
    expect(wallet).toMatchObject({
      kind: 'chain',
      provider: 'bitcoin',
      chain: 'bitcoin',
      name: 'Cold storage',
    });
    // by hand: 2,500,000 + 75,000 + 1,234 sats = 0.02576234 BTC, as the chain says
    expect(btcOf(wallet)).toBe('0.02576234');
    expect(btcOf(wallet)).toBe(truth(addresses));
    // a payment in the mempool is not counted; once mined and synced, it is
    sims.esplora.pay(addressAt(key, 0, 4), 100_000);
    sims.esplora.mine();
    await callAs(node, user, 'wallets.syncNow', { id: wallet.id });
    const after = await waitFor(
      async () => {
        const w = await callAs<WalletView>(node, user, 'wallets.get', { id: wallet.id });
        return btcOf(w) === '0.02676234' ? w : undefined;
      },
      30_000,
      'the sync to read the new block',
    );
    expect(btcOf(after)).toBe(truth([...addresses, addressAt(key, 0, 4)]));
  });

  it('keeps what each transaction on chain moved, once, as the chain says; a deleted wallet takes them', async () => {
    const owner = { id: randomUUID() };
    const address = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';
    const day = 86_400_000;
    sims.esplora.pay(address, 300_000, Date.now() - 30 * day);
    sims.esplora.pay(address, 50_000, Date.now() - 10 * day);
    sims.esplora.send(
      address,
      'bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h',
      120_000,
      200,
      Date.now() - 5 * day,
    );
    sims.esplora.pay(address, 1_000); // in the mempool: not yet
    const wallet = await callAs<WalletView>(node, owner, 'wallets.connectChain', {
      chain: 'bitcoin',
      watch: address,
    });
    // by hand: 300,000 + 50,000 − 120,000 − 200 = 229,800 sats
    expect(btcOf(wallet)).toBe('0.002298');
    const exported = () =>
      node.broker.call<{ chainTransactions: ExportedChainTransaction[] }, object>('wallets.exportUser', {
        userId: owner.id,
      });
    const dayOf = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
    const moves = (await exported()).chainTransactions;
    expect(moves.map((m) => [m.asset, m.quantity])).toEqual([
      ['BTC', '0.003'],
      ['BTC', '0.0005'],
      ['BTC', '-0.001202'],
    ]);
    // each on the UTC day of its block (at most ten minutes before the time it was paid)
    for (const [i, n] of [30, 10, 5].entries())
      expect([dayOf(n * day), dayOf(n * day + 600_000)]).toContain(moves[i]?.date);
    expect(moves.every((m) => m.walletId === wallet.id && m.accountId === wallet.accounts[0]?.id)).toBe(true);
    // read again, once mined: the new one added, none twice
    sims.esplora.mine();
    await callAs(node, owner, 'wallets.syncNow', { id: wallet.id });
    await waitFor(
      async () => ((await exported()).chainTransactions.length === 4 ? true : undefined),
      30_000,
      'the mined payment among the transactions',
    );
    expect((await exported()).chainTransactions.map((m) => m.quantity)).toEqual([
      '0.003',
      '0.0005',
      '-0.001202',
      '0.00001',
    ]);
    const removed = await callAs<WalletDeleted>(node, owner, 'wallets.remove', { id: wallet.id });
    expect(removed.deleted.chainTransactions).toBe(4);
    expect((await exported()).chainTransactions).toEqual([]);
  });

  it('by one address; and what is neither an address nor a public key is refused', async () => {
    const address = 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh';
    sims.esplora.pay(address, 5_000);
    sims.esplora.mine();
    const wallet = await callAs<WalletView>(node, user, 'wallets.connectChain', {
      chain: 'bitcoin',
      watch: address,
    });
    expect(btcOf(wallet)).toBe('0.00005');
    const bad = await refusal(
      callAs(node, user, 'wallets.connectChain', { chain: 'bitcoin', watch: 'bc1qnotreally' }),
    );
    expect(bad.fields[0]).toMatchObject({
      field: 'watch',
      message: expect.stringContaining('not a Bitcoin address'),
    });
  });
});
