// Transactions over HTTP: filters, cursor pagination, sorting, categories remembered per
// merchant, manual entries, CSV import (preview → mapping → commit), tenant isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import type {
  CategoryList,
  ImportPreview,
  ImportResult,
  SessionResponse,
  TransactionPage,
  TransactionView,
  WalletView,
} from '@finexia/contracts/api.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

let sims: Simulators;
let node: TestNode;
let base: string;
let alice: SessionResponse;
let bob: SessionResponse;
let bankWalletId: string;
let cashWalletId: string;

const as = (user: SessionResponse) => ({ token: user.accessToken });

async function snapshot(): Promise<string> {
  const db = mongoose.connection.db!;
  const dump = async (name: string) =>
    (await db.collection(name).find({}).sort({ _id: 1 }).toArray()).map((d) => JSON.stringify(d));
  return JSON.stringify({ t: await dump('transactions'), r: await dump('category_rules') });
}

beforeAll(async () => {
  sims = await startSimulators({ seed: 33, bankVolume: 0.3, ticksPerSecond: 0, today: '2026-11-25' });
  node = await startNode(sims.env);
  base = node.baseUrl;
  [alice, bob] = await Promise.all([register(base), register(base)]);
  const bank = await request<WalletView>(base, 'POST', '/api/v1/wallets/bank', {
    ...as(alice),
    body: { institutionId: 'ins_109508' },
  });
  bankWalletId = bank.body.id;
  const synced = async () => {
    const wallet = await request<WalletView>(base, 'GET', `/api/v1/wallets/${bankWalletId}`, as(alice));
    return wallet.body.sync.state === 'ok' ? true : undefined;
  };
  await waitFor(synced, 60_000, 'the bank sync to finish');
  const cash = await request<WalletView>(base, 'POST', '/api/v1/wallets/manual', {
    ...as(alice),
    body: { name: 'Cash', manualType: 'cash', currency: 'USD', balance: '100' },
  });
  cashWalletId = cash.body.id;
}, 120_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

describe('listing', () => {
  it('pages through everything once, newest first, with a cursor', async () => {
    const seen: TransactionView[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: TransactionPage } = await request<TransactionPage>(
        base,
        'GET',
        `/api/v1/transactions?walletId=${bankWalletId}&limit=97${cursor ? `&cursor=${cursor}` : ''}`,
        as(alice),
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.transactions);
      cursor = res.body.nextCursor;
    } while (cursor);
    const total = await mongoose.connection
      .db!.collection('transactions')
      .countDocuments({ walletId: bankWalletId });
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((t) => t.id)).size).toBe(total);
    const dates = seen.map((t) => t.date);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('filters by date range, amount range, category, text and pending', async () => {
    const q = (query: string) =>
      request<TransactionPage>(
        base,
        'GET',
        `/api/v1/transactions?walletId=${bankWalletId}&limit=200&${query}`,
        as(alice),
      );
    const range = await q('from=2026-01-01&to=2026-01-31');
    expect(range.body.transactions.length).toBeGreaterThan(0);
    expect(range.body.transactions.every((t) => t.date >= '2026-01-01' && t.date <= '2026-01-31')).toBe(true);
    const big = await q('maxAmount=-1000');
    expect(big.body.transactions.every((t) => Number(t.amount) <= -1000)).toBe(true);
    const food = await q('category=FOOD_AND_DRINK');
    expect(food.body.transactions.every((t) => t.category?.primary === 'FOOD_AND_DRINK')).toBe(true);
    const text = await q('q=starbucks');
    expect(text.body.transactions.length).toBeGreaterThan(0);
    expect(text.body.transactions.every((t) => /starbucks/i.test(t.name + (t.merchant ?? '')))).toBe(true);
    const byAmount = await request<TransactionPage>(
      base,
      'GET',
      `/api/v1/transactions?walletId=${bankWalletId}&sort=amount&limit=5`,
      as(alice),
    );
    const amounts = byAmount.body.transactions.map((t) => Number(t.amount));
    expect([...amounts].sort((a, b) => a - b)).toEqual(amounts);
  });

  it.each([
    ['from after to', 'from=2026-02-01&to=2026-01-01', 422],
    ['a bad date', 'from=2026-13-45x', 422],
    ['min above max', 'minAmount=10&maxAmount=1', 422],
    ['an unknown category', 'category=SNACKS', 422],
    ['a forged cursor', 'cursor=eyJ2IjoiMjAyNiJ9', 400],
    [
      'a cursor for another sort',
      `cursor=${Buffer.from(JSON.stringify({ v: '2026-01-01', id: 'a'.repeat(24) })).toString('base64url')}&sort=amount`,
      400,
    ],
    ['an unknown parameter', 'color=red', 422],
    ['an operator in a filter', 'q[$ne]=x', 422],
  ])('rejects %s', async (_what, query, status) => {
    expect((await request(base, 'GET', `/api/v1/transactions?${query}`, as(alice))).status).toBe(status);
  });
});

describe('categories', () => {
  it('overrides a category, remembers it for the merchant, and keeps it over provider updates', async () => {
    const page = await request<TransactionPage>(
      base,
      'GET',
      `/api/v1/transactions?walletId=${bankWalletId}&q=Chipotle&limit=200`,
      as(alice),
    );
    const [first, ...others] = page.body.transactions;
    expect(first).toBeDefined();
    const res = await request<TransactionView>(base, 'PATCH', `/api/v1/transactions/${first!.id}`, {
      ...as(alice),
      body: { category: { primary: 'ENTERTAINMENT' }, rememberForMerchant: true },
    });
    expect(res.body).toMatchObject({ category: { primary: 'ENTERTAINMENT' }, categorySource: 'user' });
    const again = await request<TransactionPage>(
      base,
      'GET',
      `/api/v1/transactions?walletId=${bankWalletId}&q=Chipotle&limit=200`,
      as(alice),
    );
    for (const t of again.body.transactions.filter((x) => others.some((o) => o.id === x.id))) {
      expect(t.category?.primary).toBe('ENTERTAINMENT');
      expect(t.categorySource).toBe('rule');
    }
    const rules = await request<CategoryList>(base, 'GET', '/api/v1/transactions/categories', as(alice));
    expect(rules.body.rules.map((r) => r.merchant)).toContain('chipotle');
    // A later sync brings the provider's category again: the user's choice stays.
    await request(base, 'POST', `/api/v1/wallets/${bankWalletId}/sync`, as(alice));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(
      (await request<TransactionView>(base, 'GET', `/api/v1/transactions/${first!.id}`, as(alice))).body
        .categorySource,
    ).toBe('user');
  });

  it('refuses to change what the bank reports, and to delete bank transactions', async () => {
    const page = await request<TransactionPage>(
      base,
      'GET',
      `/api/v1/transactions?walletId=${bankWalletId}&limit=1`,
      as(alice),
    );
    const t = page.body.transactions[0]!;
    expect(
      (
        await request(base, 'PATCH', `/api/v1/transactions/${t.id}`, {
          ...as(alice),
          body: { amount: '1.00' },
        })
      ).status,
    ).toBe(409);
    expect((await request(base, 'DELETE', `/api/v1/transactions/${t.id}`, as(alice))).status).toBe(409);
  });
});

describe('manual transactions', () => {
  it('creates, edits and deletes in a manual wallet, validating each field', async () => {
    const created = await request<TransactionView>(base, 'POST', '/api/v1/transactions', {
      ...as(alice),
      body: {
        walletId: cashWalletId,
        amount: '-12.30',
        date: '2026-03-04',
        name: 'Farmers market',
        category: { primary: 'FOOD_AND_DRINK' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ amount: '-12.3', source: 'manual', categorySource: 'user' });
    const edited = await request<TransactionView>(base, 'PATCH', `/api/v1/transactions/${created.body.id}`, {
      ...as(alice),
      body: { amount: '-13.00', name: 'Market' },
    });
    expect(edited.body).toMatchObject({ amount: '-13', name: 'Market' });
    const before = await snapshot();
    for (const body of [
      { walletId: cashWalletId, amount: '-1.234', date: '2026-01-01', name: 'x' },
      { walletId: cashWalletId, amount: '-1', date: '2026-02-30', name: 'x' },
      { walletId: cashWalletId, amount: { $gt: 0 }, date: '2026-01-01', name: 'x' },
      { walletId: bankWalletId, amount: '-1', date: '2026-01-01', name: 'x' },
    ]) {
      const res = await request(base, 'POST', '/api/v1/transactions', { ...as(alice), body });
      expect([409, 422]).toContain(res.status);
    }
    expect(await snapshot()).toBe(before);
    expect((await request(base, 'DELETE', `/api/v1/transactions/${created.body.id}`, as(alice))).status).toBe(
      204,
    );
    expect((await request(base, 'GET', `/api/v1/transactions/${created.body.id}`, as(alice))).status).toBe(
      404,
    );
  });
});

describe('CSV import', () => {
  const good =
    'Date,Description,Amount,Category\n2026-05-01,Coffee,-3.50,Food\n2026-05-01,Coffee,-3.50,Food\n2026-05-02,Refund,"1,200.00",Other\n';

  it('takes a statement of years (a body far above the usual JSON limit), and no more than the file limit', async () => {
    // ~18,000 rows, ~900 KB: nine times the 100 KB any other request may send
    const rows = Array.from(
      { length: 18_000 },
      (_, i) =>
        `2025-${String((i % 12) + 1).padStart(2, '0')}-10,Corner Shop purchase ${i},-${(i % 90) + 1}.25,Food`,
    );
    const csv = ['Date,Description,Amount,Category', ...rows].join('\n');
    expect(csv.length).toBeGreaterThan(800_000);
    const preview = await request<ImportPreview>(base, 'POST', '/api/v1/transactions/import/preview', {
      ...as(alice),
      body: { walletId: cashWalletId, csv },
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    expect(preview.body.rowCount).toBe(18_000);
    // past the file limit (2 MiB) it is refused, by the file's own rule
    const huge = await request<ErrorBody>(base, 'POST', '/api/v1/transactions/import/preview', {
      ...as(alice),
      body: { walletId: cashWalletId, csv: csv + '\n' + rows.join('\n') + '\n' + rows.join('\n') },
    });
    expect(huge.status).toBe(422);
    expect(huge.body.error.code).toBe('VALIDATION_FAILED');
    // and the larger limit is the preview's alone
    const other = await request<ErrorBody>(base, 'POST', '/api/v1/transactions', {
      ...as(alice),
      body: { walletId: cashWalletId, date: '2026-05-01', amount: '-1', name: 'x'.repeat(200_000) },
    });
    expect(other.status).toBe(413);
  });

  it('previews, commits, and deduplicates a re-import', async () => {
    const preview = await request<ImportPreview>(base, 'POST', '/api/v1/transactions/import/preview', {
      ...as(alice),
      body: { walletId: cashWalletId, csv: good },
    });
    expect(preview.status).toBe(201);
    expect(preview.body).toMatchObject({
      headers: ['Date', 'Description', 'Amount', 'Category'],
      rowCount: 3,
    });
    const mapping = { ...preview.body.suggestedMapping } as Record<string, unknown>;
    const commit = await request<ImportResult>(
      base,
      'POST',
      `/api/v1/transactions/import/${preview.body.importId}/commit`,
      {
        ...as(alice),
        body: { mapping },
      },
    );
    expect(commit.body).toMatchObject({ imported: 3, duplicates: 0 });
    const again = await request<ImportPreview>(base, 'POST', '/api/v1/transactions/import/preview', {
      ...as(alice),
      body: { walletId: cashWalletId, csv: good },
    });
    const second = await request<ImportResult>(
      base,
      'POST',
      `/api/v1/transactions/import/${again.body.importId}/commit`,
      {
        ...as(alice),
        body: { mapping },
      },
    );
    expect(second.body).toMatchObject({ imported: 0, duplicates: 3 });
  });

  it('a bad CSV names each bad row and changes nothing', async () => {
    const bad =
      'Date,Description,Amount\n2026-05-01,Fine,-1\n2026-99-01,Bad date,-2\n2026-05-03,,-3\n2026-05-04,Bad amount,abc\n';
    const preview = await request<ImportPreview>(base, 'POST', '/api/v1/transactions/import/preview', {
      ...as(alice),
      body: { walletId: cashWalletId, csv: bad },
    });
    const before = await snapshot();
    const commit = await request<ErrorBody>(
      base,
      'POST',
      `/api/v1/transactions/import/${preview.body.importId}/commit`,
      {
        ...as(alice),
        body: {
          mapping: {
            date: 'Date',
            description: 'Description',
            amount: 'Amount',
            dateFormat: 'YYYY-MM-DD',
            decimalSeparator: '.',
          },
        },
      },
    );
    expect(commit.status).toBe(422);
    expect(commit.body.error.code).toBe('CSV_INVALID');
    expect(commit.body.error.rows?.map((r) => [r.line, r.field])).toEqual([
      [3, 'date'],
      [4, 'description'],
      [5, 'amount'],
    ]);
    expect(await snapshot()).toBe(before);
  });

  it('rejects unreadable files and wrong mappings', async () => {
    const broken = await request<ErrorBody>(base, 'POST', '/api/v1/transactions/import/preview', {
      ...as(alice),
      body: { walletId: cashWalletId, csv: 'a,b\n1,2,3\n' },
    });
    expect(broken.status).toBe(422);
    expect(broken.body.error.rows?.[0]?.line).toBeGreaterThan(0);
    const preview = await request<ImportPreview>(base, 'POST', '/api/v1/transactions/import/preview', {
      ...as(alice),
      body: { walletId: cashWalletId, csv: good },
    });
    const wrong = await request<ErrorBody>(
      base,
      'POST',
      `/api/v1/transactions/import/${preview.body.importId}/commit`,
      {
        ...as(alice),
        body: {
          mapping: {
            date: 'When',
            description: 'Description',
            amount: 'Amount',
            dateFormat: 'YYYY-MM-DD',
            decimalSeparator: '.',
          },
        },
      },
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.rows?.[0]).toMatchObject({ line: 1, field: 'date' });
    expect(
      (
        await request(base, 'POST', '/api/v1/transactions/import/preview', {
          ...as(alice),
          body: { walletId: bankWalletId, csv: good },
        })
      ).status,
    ).toBe(409);
  });
});

describe('tenant isolation', () => {
  it('answers 404 for another user’s transaction and import ids', async () => {
    const page = await request<TransactionPage>(
      base,
      'GET',
      `/api/v1/transactions?walletId=${cashWalletId}&limit=1`,
      as(alice),
    );
    const id = page.body.transactions[0]!.id;
    const preview = await request<ImportPreview>(base, 'POST', '/api/v1/transactions/import/preview', {
      ...as(alice),
      body: { walletId: cashWalletId, csv: 'Date,Description,Amount\n2026-06-01,x,1\n' },
    });
    const accountId = (await request<WalletView>(base, 'GET', `/api/v1/wallets/${cashWalletId}`, as(alice)))
      .body.accounts[0]!.id;
    for (const [method, path, body] of [
      ['GET', `/api/v1/transactions/${id}`],
      ['PATCH', `/api/v1/transactions/${id}`, { notes: 'mine' }],
      ['DELETE', `/api/v1/transactions/${id}`],
      ['GET', `/api/v1/transactions?accountId=${accountId}`],
      [
        'POST',
        `/api/v1/transactions/import/${preview.body.importId}/commit`,
        {
          mapping: {
            date: 'Date',
            description: 'Description',
            amount: 'Amount',
            dateFormat: 'YYYY-MM-DD',
            decimalSeparator: '.',
          },
        },
      ],
    ] as [string, string, unknown?][]) {
      const res = await request<ErrorBody>(base, method, path, { ...as(bob), ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const own = await request<TransactionPage>(base, 'GET', '/api/v1/transactions', as(bob));
    expect(own.body.transactions).toEqual([]);
  });
});
