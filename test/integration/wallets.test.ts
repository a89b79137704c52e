// Wallets end to end on a real broker, FerretDB, JetStream and the provider simulators:
// linking, connecting, manual wallets, durable syncs that end exactly equal to the
// simulator's truth under faults, webhooks, and tenant isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { freePort } from '../../scripts/infra.ts';
import { Transaction } from '../../infra/models/transaction.model.ts';
import { Decimal } from '../../domain/money.ts';
import type {
  BalanceHistory,
  CredentialsRotated,
  SessionResponse,
  WalletDeleted,
  WalletList,
  WalletView,
} from '@finexia/contracts/api.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

let sims: Simulators;
let node: TestNode;
let base: string;
let alice: SessionResponse;
let bob: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 21, bankVolume: 0.5, ticksPerSecond: 0, today: '2026-11-25' });
  const port = await freePort();
  node = await startNode({
    ...sims.env,
    PORT: String(port),
    PLAID_WEBHOOK_URL: `http://127.0.0.1:${port}/api/v1/wallets/webhooks/plaid`,
  });
  base = node.baseUrl;
  [alice, bob] = await Promise.all([register(base), register(base)]);
}, 120_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

const as = (user: SessionResponse) => ({ token: user.accessToken });

async function waitForSync(
  user: SessionResponse,
  walletId: string,
  until: (w: WalletView) => boolean = (w) => w.sync.state === 'ok' || w.sync.state === 'failed',
  timeoutMs = 60_000,
): Promise<WalletView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request<WalletView>(base, 'GET', `/api/v1/wallets/${walletId}`, as(user));
    if (until(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`sync did not finish: ${JSON.stringify(res.body.sync)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function linkBank(user: SessionResponse): Promise<WalletView> {
  const res = await request<WalletView>(base, 'POST', '/api/v1/wallets/bank', {
    ...as(user),
    body: { institutionId: 'ins_109508' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Compares what we stored for a bank wallet with the simulator's truth; returns duplicates and missing counts. */
async function compareWithTruth(walletId: string, itemId: string) {
  const truth = sims.plaid.truth(itemId)!;
  const stored = await Transaction.find({ walletId })
    .select({ providerTransactionId: 1, amount: 1, pending: 1 })
    .lean();
  const ids = stored.map((t) => t.providerTransactionId);
  const duplicates = ids.length - new Set(ids).size;
  const storedIds = new Set(ids);
  const truthIds = new Set(truth.transactions.map((t) => t.transaction_id));
  const missing = [...truthIds].filter((id) => !storedIds.has(id)).length;
  const extra = [...storedIds].filter((id) => !truthIds.has(id)).length;
  const byId = new Map(stored.map((t) => [t.providerTransactionId, t.amount]));
  const wrongAmounts = truth.transactions.filter(
    (t) =>
      byId.has(t.transaction_id) &&
      byId.get(t.transaction_id) !== Decimal.fromJsonNumber(t.amount).neg().toString(),
  ).length;
  return { duplicates, missing, extra, wrongAmounts, total: truth.transactions.length };
}

const itemIdOf = async (walletId: string) => {
  const { Wallet } = await import('../../infra/models/wallet.model.ts');
  return (await Wallet.findOne({ publicId: walletId }).lean())?.providerItemId as string;
};

describe('bank wallets (Plaid)', () => {
  it('links a bank and syncs 24 months exactly to the simulator’s truth', async () => {
    const wallet = await linkBank(alice);
    expect(wallet.kind).toBe('bank');
    expect(wallet.accounts.map((a) => a.name)).toEqual([
      'Plaid Checking',
      'Plaid Saving',
      'Plaid Credit Card',
    ]);
    expect(JSON.stringify(wallet)).not.toMatch(/access-sandbox|credentials/);
    const done = await waitForSync(alice, wallet.id);
    expect(done.sync.state).toBe('ok');
    expect(done.sync.progress?.added).toBeGreaterThan(0);
    expect(await compareWithTruth(wallet.id, await itemIdOf(wallet.id))).toMatchObject({
      duplicates: 0,
      missing: 0,
      extra: 0,
      wrongAmounts: 0,
    });
  });

  it('ends equal to the truth through 429 bursts, 5xx and mutation during pagination', async () => {
    const served = { ...sims.plaid.faults.counts };
    sims.plaid.faults.update({
      rateLimitBurst: 3,
      serverErrorRate: 0.15,
      paginationMutationRate: 0.3,
      retryAfterSeconds: 0,
    });
    let wallet: WalletView;
    try {
      wallet = await linkBank(alice);
      await waitForSync(alice, wallet.id, (w) => w.sync.state === 'ok', 150_000);
    } finally {
      sims.plaid.faults.update({ rateLimitBurst: 0, serverErrorRate: 0, paginationMutationRate: 0 });
    }
    // the faults were served: the sync went through them, not around them
    const counts = sims.plaid.faults.counts;
    expect(counts.rateLimited - served.rateLimited).toBeGreaterThanOrEqual(3);
    expect(counts.serverErrors - served.serverErrors).toBeGreaterThan(0);
    expect(counts.mutations - served.mutations).toBeGreaterThan(0);
    expect(await compareWithTruth(wallet.id, await itemIdOf(wallet.id))).toMatchObject({
      duplicates: 0,
      missing: 0,
      extra: 0,
      wrongAmounts: 0,
    });
    // faults force restarts and JetStream redeliveries: the wait for the sync has its own bound
  }, 180_000);

  it('picks up new days through a signed webhook; pending becomes posted; a forged webhook is refused', async () => {
    const wallet = await linkBank(alice);
    await waitForSync(alice, wallet.id, (w) => w.sync.state === 'ok');
    const firstSyncAt = (await waitForSync(alice, wallet.id)).sync.lastSyncedAt;
    await sims.plaid.advance(3); // fires SYNC_UPDATES_AVAILABLE to our webhook URL
    const after = await waitForSync(
      alice,
      wallet.id,
      (w) => w.sync.state === 'ok' && w.sync.lastSyncedAt !== firstSyncAt,
    );
    expect(after.sync.state).toBe('ok');
    expect(await compareWithTruth(wallet.id, await itemIdOf(wallet.id))).toMatchObject({
      duplicates: 0,
      missing: 0,
      extra: 0,
    });

    const forged = await request<ErrorBody>(base, 'POST', '/api/v1/wallets/webhooks/plaid', {
      body: {
        webhook_type: 'TRANSACTIONS',
        webhook_code: 'SYNC_UPDATES_AVAILABLE',
        item_id: await itemIdOf(wallet.id),
      },
      headers: { 'plaid-verification': 'eyJhbGciOiJFUzI1NiJ9.e30.sig' },
    });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
  });

  it('a duplicate sync job (redelivery) changes nothing', async () => {
    const wallet = await linkBank(alice);
    await waitForSync(alice, wallet.id, (w) => w.sync.state === 'ok');
    // The same job twice more, as a redelivery or a duplicate webhook would cause.
    await node.broker.sendToChannel('wallets.sync', {
      walletId: wallet.id,
      userId: alice.user.id,
      reason: 'webhook',
    });
    await node.broker.sendToChannel('wallets.sync', {
      walletId: wallet.id,
      userId: alice.user.id,
      reason: 'webhook',
    });
    await new Promise((r) => setTimeout(r, 1_500));
    await waitForSync(alice, wallet.id, (w) => w.sync.state === 'ok');
    expect(await compareWithTruth(wallet.id, await itemIdOf(wallet.id))).toMatchObject({
      duplicates: 0,
      missing: 0,
      extra: 0,
    });
  });

  it('explains a bank that needs a new login, with the fix', async () => {
    const wallet = await linkBank(alice);
    await waitForSync(alice, wallet.id, (w) => w.sync.state === 'ok');
    const { Wallet } = await import('../../infra/models/wallet.model.ts');
    const { credentialsBox } = await import('../../infra/credentials.ts');
    const sealed = (await Wallet.findOne({ publicId: wallet.id }).select('+credentials').lean())
      ?.credentials as string;
    const { accessToken } = JSON.parse(
      credentialsBox(node.config.credentialsKeys).open(sealed, wallet.id),
    ) as { accessToken: string };
    await fetch(`${sims.env.PLAID_URL}/sandbox/item/reset_login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: sims.env.PLAID_CLIENT_ID,
        secret: sims.env.PLAID_SECRET,
        access_token: accessToken,
      }),
    });
    const sync = await request(base, 'POST', `/api/v1/wallets/${wallet.id}/sync`, as(alice));
    expect(sync.status).toBe(202);
    const failed = await waitForSync(alice, wallet.id, (w) => w.sync.state === 'failed');
    expect(failed.sync.fix).toBe('reconnect');
    expect(failed.sync.reason).toMatch(/sign in again/i);
  });

  it('rejects bad link input clearly and creates nothing', async () => {
    const before = (await request<WalletList>(base, 'GET', '/api/v1/wallets', as(bob))).body.wallets.length;
    const none = await request<ErrorBody>(base, 'POST', '/api/v1/wallets/bank', { ...as(bob), body: {} });
    expect(none.status).toBe(422);
    const badInstitution = await request<ErrorBody>(base, 'POST', '/api/v1/wallets/bank', {
      ...as(bob),
      body: { institutionId: 'ins_999999' },
    });
    expect(badInstitution.status).toBe(502);
    const badCreds = await request<ErrorBody>(base, 'POST', '/api/v1/wallets/bank', {
      ...as(bob),
      body: { institutionId: 'ins_109508', username: 'user_good', password: 'wrong' },
    });
    expect(badCreds.status).toBe(422);
    expect(badCreds.body.error.code).toBe('PROVIDER_CREDENTIALS_INVALID');
    expect(badCreds.body.error.fields?.map((f) => f.field)).toEqual(['username', 'password']);
    const injected = await request<ErrorBody>(base, 'POST', '/api/v1/wallets/bank', {
      ...as(bob),
      body: { institutionId: { $gt: '' } },
    });
    expect(injected.status).toBe(422);
    expect((await request<WalletList>(base, 'GET', '/api/v1/wallets', as(bob))).body.wallets.length).toBe(
      before,
    );
  });
});

describe('exchange wallets', () => {
  it('connects Binance after a test call; wrong keys create nothing', async () => {
    const creds = sims.binance.createAccount({ BTC: '0.5', ETH: '2.25' });
    const bad = await request<ErrorBody>(base, 'POST', '/api/v1/wallets/exchange', {
      ...as(alice),
      body: { provider: 'binance', apiKey: creds.apiKey, apiSecret: 'not-the-secret' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({
      code: 'PROVIDER_CREDENTIALS_INVALID',
      action: 'check-credentials',
    });
    expect(bad.body.error.fields?.map((f) => f.field)).toEqual(['apiKey', 'apiSecret']);

    const ok = await request<WalletView>(base, 'POST', '/api/v1/wallets/exchange', {
      ...as(alice),
      body: { provider: 'binance', ...creds },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.accounts[0]?.holdings).toEqual([
      { asset: 'BTC', quantity: '0.5', locked: '0' },
      { asset: 'ETH', quantity: '2.25', locked: '0' },
    ]);
    expect(JSON.stringify(ok.body)).not.toContain(creds.apiSecret);
    expect(JSON.stringify(ok.body)).not.toContain(creds.apiKey);
  });

  it('connects Coinbase and re-syncs holdings on demand', async () => {
    const creds = sims.coinbase.createKey('ES256', { BTC: '0.1', SOL: '12' });
    const ok = await request<WalletView>(base, 'POST', '/api/v1/wallets/exchange', {
      ...as(alice),
      body: { provider: 'coinbase', ...creds },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.accounts[0]?.holdings.map((h) => [h.asset, h.quantity])).toEqual([
      ['BTC', '0.1'],
      ['SOL', '12'],
    ]);
    expect((await request(base, 'POST', `/api/v1/wallets/${ok.body.id}/sync`, as(alice))).status).toBe(202);
    expect((await waitForSync(alice, ok.body.id, (w) => w.sync.state === 'ok')).sync.state).toBe('ok');
  });

  it('reports an unavailable exchange as 503 with Retry-After', async () => {
    const creds = sims.binance.createAccount({ BTC: '1' });
    sims.binance.faults.update({ serverErrorRate: 1 });
    try {
      const res = await request<ErrorBody>(base, 'POST', '/api/v1/wallets/exchange', {
        ...as(alice),
        body: { provider: 'binance', ...creds },
      });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('PROVIDER_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toBeTruthy();
    } finally {
      sims.binance.faults.update({ serverErrorRate: 0 });
    }
  });
});

describe('manual wallets', () => {
  it('keeps a balance history the user edits, and holdings', async () => {
    const created = await request<WalletView>(base, 'POST', '/api/v1/wallets/manual', {
      ...as(alice),
      body: { name: 'Cash', manualType: 'cash', currency: 'USD', balance: '100.50', date: '2026-01-01' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await request(base, 'PUT', `/api/v1/wallets/${id}/balances/2026-02-01`, {
      ...as(alice),
      body: { balance: '250.25' },
    });
    const history = await request<BalanceHistory>(base, 'GET', `/api/v1/wallets/${id}/balances`, as(alice));
    expect(history.body.balances).toEqual([
      { date: '2026-01-01', balance: '100.5' },
      { date: '2026-02-01', balance: '250.25' },
    ]);
    expect(
      (await request<WalletView>(base, 'GET', `/api/v1/wallets/${id}`, as(alice))).body.accounts[0]?.current,
    ).toBe('250.25');
    await request(base, 'DELETE', `/api/v1/wallets/${id}/balances/2026-02-01`, as(alice));
    expect(
      (await request<WalletView>(base, 'GET', `/api/v1/wallets/${id}`, as(alice))).body.accounts[0]?.current,
    ).toBe('100.5');
    const holding = await request<WalletView>(base, 'PUT', `/api/v1/wallets/${id}/holdings/BTC`, {
      ...as(alice),
      body: { quantity: '0.00012345' },
    });
    expect(holding.body.accounts[0]?.holdings).toEqual([
      { asset: 'BTC', quantity: '0.00012345', locked: '0' },
    ]);
  });

  it.each([
    ['a bad currency', { name: 'x', manualType: 'cash', currency: 'XYZ' }, 'currency'],
    ['a bad type', { name: 'x', manualType: 'yacht', currency: 'USD' }, 'manualType'],
    ['a non-decimal balance', { name: 'x', manualType: 'cash', currency: 'USD', balance: '1e5' }, 'balance'],
    ['an extra field', { name: 'x', manualType: 'cash', currency: 'USD', owner: 'me' }, 'owner'],
    // regression: this date used to be accepted and rolled over to 1 March
    [
      'a day that does not exist',
      { name: 'x', manualType: 'cash', currency: 'USD', balance: '1', date: '2024-02-30' },
      'date',
    ],
    [
      'a date in the future',
      { name: 'x', manualType: 'cash', currency: 'USD', balance: '1', date: '2999-01-01' },
      'date',
    ],
  ])('rejects %s with 422 and makes nothing', async (_what, body, field) => {
    const before = await request<WalletList>(base, 'GET', '/api/v1/wallets', as(alice));
    const res = await request<ErrorBody>(base, 'POST', '/api/v1/wallets/manual', { ...as(alice), body });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields?.map((f) => f.field)).toContain(field);
    expect((await request<WalletList>(base, 'GET', '/api/v1/wallets', as(alice))).body).toEqual(before.body);
  });

  it('refuses a balance entry on a day that does not exist, and keeps the history as it was', async () => {
    const created = await request<WalletView>(base, 'POST', '/api/v1/wallets/manual', {
      ...as(alice),
      body: { name: 'Dates', manualType: 'savings', currency: 'EUR', balance: '10', date: '2024-02-28' },
    });
    const id = created.body.id;
    for (const date of ['2024-02-30', '2023-02-29', '2024-13-01']) {
      const res = await request<ErrorBody>(base, 'PUT', `/api/v1/wallets/${id}/balances/${date}`, {
        ...as(alice),
        body: { balance: '99' },
      });
      expect(res.status, date).toBe(422);
      expect(res.body.error.fields).toEqual([expect.objectContaining({ field: 'date', type: 'isoDate' })]);
    }
    const history = await request<BalanceHistory>(base, 'GET', `/api/v1/wallets/${id}/balances`, as(alice));
    expect(history.body.balances).toEqual([{ date: '2024-02-28', balance: '10' }]);
  });

  it('renames, archives and deletes, saying what was deleted', async () => {
    const created = await request<WalletView>(base, 'POST', '/api/v1/wallets/manual', {
      ...as(alice),
      body: { name: 'Old', manualType: 'business', currency: 'EUR', balance: '5' },
    });
    const id = created.body.id;
    expect(
      (
        await request<WalletView>(base, 'PATCH', `/api/v1/wallets/${id}`, {
          ...as(alice),
          body: { name: 'New' },
        })
      ).body.name,
    ).toBe('New');
    expect(
      (await request<WalletView>(base, 'POST', `/api/v1/wallets/${id}/archive`, as(alice))).body.archived,
    ).toBe(true);
    const listed = await request<WalletList>(base, 'GET', '/api/v1/wallets', as(alice));
    expect(listed.body.wallets.map((w) => w.id)).not.toContain(id);
    const deleted = await request<WalletDeleted>(base, 'DELETE', `/api/v1/wallets/${id}`, as(alice));
    expect(deleted.body.deleted).toMatchObject({ accounts: 1, balancePoints: 1 });
    expect((await request(base, 'GET', `/api/v1/wallets/${id}`, as(alice))).status).toBe(404);
  });
});

describe('tenant isolation', () => {
  it('answers 404 for another user’s wallet on every route', async () => {
    const created = await request<WalletView>(base, 'POST', '/api/v1/wallets/manual', {
      ...as(alice),
      body: { name: 'Private', manualType: 'savings', currency: 'USD', balance: '1' },
    });
    const id = created.body.id;
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/v1/wallets/${id}`],
      ['PATCH', `/api/v1/wallets/${id}`, { name: 'mine now' }],
      ['POST', `/api/v1/wallets/${id}/archive`],
      ['POST', `/api/v1/wallets/${id}/unarchive`],
      ['POST', `/api/v1/wallets/${id}/sync`],
      ['GET', `/api/v1/wallets/${id}/balances`],
      ['PUT', `/api/v1/wallets/${id}/balances/2026-01-01`, { balance: '9' }],
      ['DELETE', `/api/v1/wallets/${id}/balances/2026-01-01`],
      ['PUT', `/api/v1/wallets/${id}/holdings/BTC`, { quantity: '1' }],
      ['DELETE', `/api/v1/wallets/${id}/holdings/BTC`],
      ['DELETE', `/api/v1/wallets/${id}`],
      ['GET', `/api/v1/transactions?walletId=${id}`],
      ['POST', '/api/v1/transactions', { walletId: id, amount: '-1', date: '2026-01-01', name: 'x' }],
      [
        'POST',
        '/api/v1/transactions/import/preview',
        { walletId: id, csv: 'Date,Description,Amount\n2026-01-01,x,1\n' },
      ],
    ];
    for (const [method, path, body] of routes) {
      const res = await request<ErrorBody>(base, method, path, { ...as(bob), ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await request<WalletView>(base, 'GET', `/api/v1/wallets/${id}`, as(alice))).body.name).toBe(
      'Private',
    );
  });
});

describe('credential key rotation', () => {
  it('re-seals stored credentials with the newest key; the old key can then be retired', async () => {
    const { Wallet } = await import('../../infra/models/wallet.model.ts');
    const { sealedWith } = await import('../../infra/secret-box.ts');
    const { User } = await import('../../infra/models/user.model.ts');
    const creds = sims.binance.createAccount({ BTC: '1' });
    const created = await request<WalletView>(base, 'POST', '/api/v1/wallets/exchange', {
      ...as(alice),
      body: { provider: 'binance', ...creds },
    });
    const oldKeys = node.config.credentialsKeys;
    const newKey = `rot2:${Buffer.alloc(32, 9).toString('base64')}`;
    // as an operator rolls it out: each node restarted with the new key first, the old one kept
    // to open what it sealed; each node reads only its own config
    const restartWith = async (keys: string) => {
      const next = await startNode({ ...sims.env, CREDENTIALS_KEYS: keys });
      await node.stop();
      node = next;
      base = next.baseUrl;
    };
    await restartWith(`${newKey},${oldKeys}`);
    await User.updateOne({ publicId: bob.user.id }, { $set: { role: 'admin' } });
    const admin = (
      await request<SessionResponse>(base, 'POST', '/api/v1/auth/login', {
        body: { email: bob.user.email, password: 'correct horse battery staple' },
      })
    ).body;
    expect((await request(base, 'POST', '/api/v1/wallets/admin/rotate-credentials', as(alice))).status).toBe(
      403,
    );
    const res = await request<CredentialsRotated>(
      base,
      'POST',
      '/api/v1/wallets/admin/rotate-credentials',
      as(admin),
    );
    expect(res.body.failed).toBe(0);
    expect(res.body.resealed).toBeGreaterThan(0);
    const sealed = (await Wallet.findOne({ publicId: created.body.id }).select('+credentials').lean())
      ?.credentials as string;
    expect(sealedWith(sealed)).toBe('rot2');
    // with only the new key configured, the wallet still syncs
    await restartWith(newKey);
    expect((await request(base, 'POST', `/api/v1/wallets/${created.body.id}/sync`, as(alice))).status).toBe(
      202,
    );
    expect((await waitForSync(alice, created.body.id, (w) => w.sync.state === 'ok')).sync.state).toBe('ok');
  }, 120_000);
});
