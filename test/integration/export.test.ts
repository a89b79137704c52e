// Export everything, and bring back what was entered by hand: a user with data of every kind
// exports; the zip holds a file per kind and the transactions as CSV, counted right, with no
// secret anywhere in it (every string searched); the export imported into a fresh account gives
// back equal manual wallets and balances, manual transactions with categories and notes, merchant
// rules, goals and preferences; the same export again is refused. Progress reaches her socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { parse } from 'csv-parse/sync';
import {
  analyzeNow,
  startNode,
  TEST_CREDENTIALS_KEYS,
  TEST_JWT_SECRET,
  type TestNode,
} from '../helpers/node.ts';
import { GOOD_PASSWORD, importCsv, register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Wallet, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { User } from '../../infra/models/user.model.ts';
import { credentialsBox } from '../../infra/credentials.ts';
import {
  EXPORT_FILES,
  type ExportFiles,
  type ExportProgress,
  type ImportReport,
} from '@finexia/contracts/export.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import type {
  CategoryList,
  GoalList,
  SessionResponse,
  TransactionPage,
  TransactionView,
  UserView,
  WalletList,
  WalletView,
  WebhookCreated,
} from '@finexia/contracts/api.ts';

let sims: Simulators;
let node: TestNode;

beforeAll(async () => {
  sims = await startSimulators({ seed: 1717, bankVolume: 0.3, bankMonths: 3, ticksPerSecond: 0 });
  node = await startNode(sims.env);
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function call<T>(user: SessionResponse, method: string, path: string, body?: unknown) {
  const res = await request<T>(node.baseUrl, method, `/api/v1${path}`, { token: user.accessToken, body });
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function unzip(archive: Buffer): Promise<Map<string, string>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(archive, { lazyEntries: true }, (err, file) => (err ? reject(err) : resolve(file))),
  );
  const files = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) =>
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
          zip.readEntry();
        });
      }),
    );
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}

/** What a person entered by hand, in a form two accounts can be compared by (no ids). */
async function handEntered(user: SessionResponse) {
  const { wallets } = await call<WalletList>(user, 'GET', '/wallets?includeArchived=true');
  const manual = wallets.filter((w) => w.kind === 'manual').sort((a, b) => (a.name < b.name ? -1 : 1));
  const out = [];
  for (const w of manual) {
    const { balances } = await call<{ balances: unknown[] }>(user, 'GET', `/wallets/${w.id}/balances`);
    const { transactions } = await call<TransactionPage>(
      user,
      'GET',
      `/transactions?walletId=${w.id}&limit=200`,
    );
    out.push({
      name: w.name,
      manualType: w.manualType,
      currency: w.currency,
      archived: w.archived,
      loan: w.loan?.terms,
      balances,
      transactions: transactions
        .map((t: TransactionView) => ({
          date: t.date,
          amount: t.amount,
          name: t.name,
          merchant: t.merchant,
          category: t.category,
          categorySource: t.categorySource,
          notes: t.notes,
          source: t.source,
        }))
        .sort((a, b) => (a.date + a.name + a.amount < b.date + b.name + b.amount ? -1 : 1)),
    });
  }
  const { rules } = await call<CategoryList>(user, 'GET', '/transactions/categories');
  const { goals } = await call<GoalList>(user, 'GET', '/insights/goals');
  const me = await call<UserView>(user, 'GET', '/users/me');
  return {
    wallets: out,
    rules: [...rules].sort((a, b) => (a.merchant < b.merchant ? -1 : 1)),
    goals: goals.map((g) => ({ name: g.name, target: g.target, date: g.date })),
    preferences: me.preferences,
  };
}

describe('export everything', () => {
  let alice: SessionResponse;
  let archive: Buffer;
  const secrets: string[] = [];
  let progress: ExportProgress[] = [];

  beforeAll(async () => {
    alice = await register(node.baseUrl);
    secrets.push(
      GOOD_PASSWORD,
      alice.accessToken,
      alice.refreshToken,
      TEST_JWT_SECRET,
      TEST_CREDENTIALS_KEYS.split(':')[1]!,
    );
    // a wrong password, then the right one: the sign-ins about her are hers to take away
    const signIn = (password: string) =>
      request(node.baseUrl, 'POST', '/api/v1/auth/login', { body: { email: alice.user.email, password } });
    expect((await signIn('not her password at all')).status).toBe(401);
    expect((await signIn(GOOD_PASSWORD)).status).toBe(200);
    await call(alice, 'PATCH', '/users/me/preferences', {
      baseCurrency: 'EUR',
      timeZone: 'Europe/Berlin',
      theme: 'dark',
    });
    const bank = await call<WalletView>(alice, 'POST', '/wallets/bank', { institutionId: 'ins_109512' });
    const binanceKeys = sims.binance.createAccount({ BTC: '0.3', USDT: '120' });
    secrets.push(binanceKeys.apiKey, binanceKeys.apiSecret);
    await call(alice, 'POST', '/wallets/exchange', { provider: 'binance', ...binanceKeys });
    const cash = await call<WalletView>(alice, 'POST', '/wallets/manual', {
      name: 'Cash jar',
      manualType: 'cash',
      currency: 'EUR',
      balance: '120.50',
      date: daysAgo(60),
    });
    await call(alice, 'PUT', `/wallets/${cash.id}/balances/${daysAgo(20)}`, { balance: '95' });
    const savings = await call<WalletView>(alice, 'POST', '/wallets/manual', {
      name: 'Old savings',
      manualType: 'savings',
      currency: 'USD',
      balance: '2000',
      date: daysAgo(90),
    });
    await call(alice, 'POST', `/wallets/${savings.id}/archive`);
    // a car loan: its balance follows its terms, and one balance the person recorded
    const car = await call<WalletView>(alice, 'POST', '/wallets/manual', {
      name: 'Car loan',
      manualType: 'loan',
      currency: 'EUR',
      loan: {
        principal: '18000',
        annualRatePercent: '4.9',
        termMonths: 60,
        startDate: daysAgo(400),
        paymentDay: 10,
      },
    });
    await call(alice, 'PUT', `/wallets/${car.id}/balances/${daysAgo(30)}`, { balance: '15000' });
    const entry = await call<TransactionView>(alice, 'POST', '/transactions', {
      walletId: cash.id,
      date: daysAgo(4),
      amount: '-7.80',
      name: 'Corner Bakery',
      merchant: 'Corner Bakery',
      notes: 'croissants, with a comma',
    });
    await call(alice, 'PATCH', `/transactions/${entry.id}`, {
      category: { primary: 'FOOD_AND_DRINK' },
      rememberForMerchant: true,
    });
    await importCsv(
      node.baseUrl,
      alice.accessToken,
      cash.id,
      `Date,Description,Amount\n${daysAgo(9)},"Market, stall 4",-12.00\n${daysAgo(8)},Refund,3.50\n`,
    );
    await call(alice, 'POST', '/insights/goals', {
      name: 'Sabbatical',
      target: '15000',
      date: daysAgo(-400),
    });
    await call(alice, 'PUT', '/insights/questionnaire', { answers: { planning_ahead: 2 } });
    const hook = await call<WebhookCreated>(alice, 'POST', '/notifications/webhooks', {
      url: 'http://127.0.0.1:9/finexia',
    });
    secrets.push(hook.secret);
    await waitFor(
      async () =>
        (await call<WalletView>(alice, 'GET', `/wallets/${bank.id}`)).sync.state === 'ok' ? true : undefined,
      60_000,
      'the bank synced',
    );
    await analyzeNow(node, alice.user.id);
    const stored = await Wallet.findOne({ publicId: bank.id }).select('+credentials').lean<WalletRecord>();
    secrets.push(stored!.credentials!);
    secrets.push(
      (
        JSON.parse(credentialsBox(node.config.credentialsKeys).open(stored!.credentials!, bank.id)) as {
          accessToken: string;
        }
      ).accessToken,
    );
    secrets.push((await User.findOne({ publicId: alice.user.id }).lean())!.passwordHash);

    const ws = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    await ws.next((f) => f.type === 'welcome', 30_000);
    const res = await fetch(`${node.baseUrl}/api/v1/users/me/export`, {
      headers: { authorization: `Bearer ${alice.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="finexia-export-\d{4}-\d{2}-\d{2}\.zip"$/,
    );
    archive = Buffer.from(await res.arrayBuffer());
    // her socket saw the transactions written, all of them, then the end
    await ws.next(
      (f) => f.type === 'event' && f.event === 'export.progress' && f.data.stage === 'manifest',
      30_000,
    );
    progress = ws.frames.flatMap((f) =>
      f.type === 'event' && f.event === 'export.progress' ? [f.data] : [],
    );
    ws.socket.close();
  }, 180_000);

  it('holds a file per kind and every transaction, counted in its manifest', async () => {
    const files = await unzip(archive);
    expect([...files.keys()].sort()).toEqual(Object.values(EXPORT_FILES).sort());
    const manifest = JSON.parse(files.get(EXPORT_FILES.manifest)!) as ExportFiles['manifest'];
    const rows = parse(files.get(EXPORT_FILES.transactions)!, { columns: true }) as Record<string, string>[];
    const { transactions } = await call<TransactionPage>(alice, 'GET', '/transactions?limit=1');
    expect(transactions.length).toBe(1);
    expect(rows.length).toBe(manifest.counts.transactions);
    expect(rows.length).toBeGreaterThan(20);
    const written = progress.filter((p) => p.stage === 'transactions');
    expect(written[0]).toMatchObject({ done: 0, total: rows.length });
    expect(written.at(-1)).toMatchObject({ done: rows.length, total: rows.length });
    expect(progress.at(-1)).toMatchObject({ stage: 'manifest', done: 1, total: 1 });
    expect(rows.find((r) => r.notes === 'croissants, with a comma')).toMatchObject({
      category: 'FOOD_AND_DRINK',
      categorySource: 'user',
      amount: '-7.8',
    });
    const wallets = JSON.parse(files.get(EXPORT_FILES.wallets)!) as ExportFiles['wallets'];
    expect(wallets.map((w) => w.kind).sort()).toEqual(['bank', 'exchange', 'manual', 'manual', 'manual']);
    expect((JSON.parse(files.get(EXPORT_FILES.anomalies)!) as unknown[]).length).toBe(
      manifest.counts.anomalies,
    );
    expect((JSON.parse(files.get(EXPORT_FILES.goals)!) as ExportFiles['goals'])[0]?.name).toBe('Sabbatical');
    expect(JSON.parse(files.get(EXPORT_FILES.questionnaire)!)).toEqual({ planning_ahead: 2 });
    expect((JSON.parse(files.get(EXPORT_FILES.profile)!) as UserView).preferences.baseCurrency).toBe('EUR');
    const audit = JSON.parse(files.get(EXPORT_FILES.audit)!) as ExportFiles['audit'];
    expect(audit.map((e) => e.type)).toEqual(['login.failed', 'login.succeeded']);
    expect(audit.length).toBe(manifest.counts.audit);
    expect(Array.isArray(JSON.parse(files.get(EXPORT_FILES.history)!))).toBe(true);
  });

  it('carries no secret: every file searched for every credential, token, hash and key', async () => {
    const files = await unzip(archive);
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    for (const [name, text] of files)
      for (const secret of secrets) expect(text.includes(secret), `${name} holds a secret`).toBe(false);
    const hooks = JSON.parse(files.get(EXPORT_FILES.webhooks)!) as ExportFiles['webhooks'];
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.secretHint).toBe('');
  });

  it('brings back into a fresh account what was entered by hand, equal; once', async () => {
    const bob = await register(node.baseUrl);
    const res = await request<ImportReport>(node.baseUrl, 'POST', '/api/v1/users/me/import', {
      token: bob.accessToken,
      body: { archive: archive.toString('base64') },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.imported).toMatchObject({
      preferences: true,
      wallets: 3,
      // the car loan's own entry; its scheduled ones come again from its terms
      balances: 4,
      transactions: 3,
      categoryRules: 1,
      goals: 1,
    });
    expect(res.body.skipped.map((s) => s.what)).toEqual(
      expect.arrayContaining([
        'linked banks and exchanges',
        'webhooks',
        'transactions of linked banks and exchanges',
      ]),
    );
    const [theirs, ours] = await Promise.all([handEntered(alice), handEntered(bob)]);
    expect(ours).toEqual(theirs);
    const again = await request(node.baseUrl, 'POST', '/api/v1/users/me/import', {
      token: bob.accessToken,
      body: { archive: archive.toString('base64') },
    });
    expect(again.status).toBe(409);
    // what is not an export is refused, naming the field
    const junk = await request<{ error: { fields: { field: string }[] } }>(
      node.baseUrl,
      'POST',
      '/api/v1/users/me/import',
      {
        token: bob.accessToken,
        body: { archive: Buffer.from('not a zip').toString('base64') },
      },
    );
    expect(junk.status).toBe(422);
    expect(junk.body.error.fields[0]?.field).toBe('archive');
  }, 120_000);
});
