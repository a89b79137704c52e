// Bank files (OFX/QFX, QIF, CAMT.053) through the import's preview → commit, on the service tier
// (wallets and transactions on one broker, the real database): account and currency read from
// the file, the file's own ids making an overlapping statement add only what is new, balances
// checked and a mismatch shown, every bad entry named by its line with nothing stored. Figures by
// hand from the sample files (domain/bank-files/samples).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, startServices, type TestNode } from '../helpers/node.ts';
import type { ImportPreview, ImportResult, TransactionPage, WalletView } from '@finexia/contracts/api.ts';

const sample = (name: string) =>
  readFileSync(new URL(`../../domain/bank-files/samples/${name}`, import.meta.url), 'utf8');

let node: TestNode;
const user = { id: randomUUID() };
let usd: WalletView;
let eur: WalletView;

beforeAll(async () => {
  node = await startServices(['wallets', 'transactions']);
  const wallet = (name: string, currency: string) =>
    callAs<WalletView>(node, user, 'wallets.createManual', {
      name,
      manualType: 'cash',
      currency,
      balance: '0',
    });
  usd = await wallet('Checking', 'USD');
  eur = await wallet('Girokonto', 'EUR');
});

afterAll(async () => {
  await node?.stop();
});

const preview = (walletId: string, file: string) =>
  callAs<ImportPreview>(node, user, 'transactions.importPreview', { walletId, file });
const commit = (importId: string, mapping?: object) =>
  callAs<ImportResult>(node, user, 'transactions.importCommit', {
    importId,
    ...(mapping ? { mapping } : {}),
  });
const stored = async (walletId: string) =>
  (await callAs<TransactionPage>(node, user, 'transactions.list', { walletId, limit: 100 })).transactions
    .map((t) => [t.date, t.amount, t.source])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])));

/** The refusal's code and what it names (rows by line, or fields). */
async function refusal(call: Promise<unknown>) {
  const err = await call.then(
    () => undefined,
    (e: unknown) =>
      e as { type?: string; code?: unknown; data?: { rows?: unknown[]; fields?: { field: string }[] } },
  );
  if (!err) throw new Error('the call was not refused');
  return { code: err.type ?? err.code, rows: err.data?.rows, fields: err.data?.fields?.map((f) => f.field) };
}

describe('OFX statements', () => {
  it('reads the account and currency, imports every entry without a mapping, and says the balance cannot be checked yet', async () => {
    const p = await preview(usd.id, sample('checking-2026-11.ofx'));
    expect(p).toMatchObject({
      format: 'ofx',
      rowCount: 5,
      statement: {
        account: '…6789',
        currency: 'USD',
        from: '2026-11-01',
        to: '2026-11-30',
        balances: [{ status: 'unchecked', closing: '1876.16', entries: '876.16' }],
      },
    });
    expect(await commit(p.importId)).toMatchObject({ imported: 5, duplicates: 0 });
    expect(await stored(usd.id)).toEqual([
      ['2026-11-01', '2500', 'ofx'],
      ['2026-11-03', '-42.17', 'ofx'],
      ['2026-11-05', '-1450', 'ofx'],
      ['2026-11-12', '-89.5', 'ofx'],
      ['2026-11-28', '-42.17', 'ofx'],
    ]);
  });

  it('an overlapping next statement adds only its new entries, and its closing balance is checked against the last one', async () => {
    const p = await preview(usd.id, sample('checking-2026-12.ofx'));
    // by hand: November closed at 1876.16; after it, +2500.00 − 60.00 = 4316.16, the stated closing
    expect(p.statement?.balances).toEqual([
      {
        from: '2026-11-30',
        to: '2026-12-03',
        opening: '1876.16',
        closing: '4316.16',
        entries: '2440',
        status: 'matches',
      },
    ]);
    expect(await commit(p.importId)).toMatchObject({ imported: 2, duplicates: 2 });
    expect(await stored(usd.id)).toHaveLength(7);
    // and the first file again adds nothing
    expect(await commit((await preview(usd.id, sample('checking-2026-11.ofx'))).importId)).toMatchObject({
      imported: 0,
      duplicates: 5,
    });
  });

  it('shows a closing balance its entries do not make, before anything is imported', async () => {
    const wrong = sample('checking-2026-12.ofx').replaceAll('<BALAMT>4316.16', '<BALAMT>4361.16');
    const p = await preview(usd.id, wrong);
    expect(p.statement?.balances[0]).toMatchObject({
      status: 'mismatch',
      reason: 'opening 1876.16 plus the entries (2440) is 4316.16, not the closing 4361.16',
    });
  });

  it('names every bad entry by its line and stores nothing', async () => {
    const before = await stored(usd.id);
    const broken = sample('checking-2026-12.ofx')
      .replace('<TRNAMT>-60.00', '<TRNAMT>sixty')
      .replace('<FITID>202612010001', '<FITID>');
    expect(await refusal(preview(usd.id, broken))).toEqual({
      code: 'IMPORT_FILE_INVALID',
      rows: [
        { line: 61, field: 'FITID', message: 'entry 3: has no transaction id (FITID), which OFX requires' },
        { line: 69, field: 'TRNAMT', message: 'entry 4: "sixty" is not an amount' },
      ],
      fields: undefined,
    });
    expect(await stored(usd.id)).toEqual(before);
  });
});

describe('CAMT.053 and QIF', () => {
  it('imports booked entries, shows the pending one as skipped, and confirms the balances', async () => {
    const p = await preview(eur.id, sample('girokonto-2026-11.camt053.xml'));
    expect(p).toMatchObject({
      format: 'camt053',
      rowCount: 4,
      statement: {
        account: '…3000',
        currency: 'EUR',
        skipped: [{ line: 94, reason: 'pending: not booked yet' }],
        balances: [{ opening: '1500', closing: '3867.55', entries: '2367.55', status: 'matches' }],
      },
    });
    expect(await commit(p.importId)).toMatchObject({ imported: 4, balances: [{ status: 'matches' }] });
    expect(await stored(eur.id)).toEqual([
      ['2026-11-02', '-850', 'camt053'],
      ['2026-11-14', '-17.45', 'camt053'],
      ['2026-11-20', '35', 'camt053'],
      ['2026-11-27', '3200', 'camt053'],
    ]);
  });

  it('refuses a statement in another currency than the wallet, naming the currency', async () => {
    const before = await stored(usd.id);
    expect(await refusal(preview(usd.id, sample('girokonto-2026-11.camt053.xml')))).toMatchObject({
      code: 'IMPORT_CURRENCY_MISMATCH',
      fields: ['currency'],
    });
    expect(await stored(usd.id)).toEqual(before);
  });

  it('imports a QIF file once (no ids in QIF: content and occurrence make them)', async () => {
    const cash = await callAs<WalletView>(node, user, 'wallets.createManual', {
      name: 'Quicken',
      manualType: 'cash',
      currency: 'USD',
      balance: '0',
    });
    const p = await preview(cash.id, sample('quicken-2026-11.qif'));
    expect(p).toMatchObject({ format: 'qif', rowCount: 4, statement: { skipped: [{ line: 2 }] } });
    expect(await commit(p.importId)).toMatchObject({ imported: 4 });
    expect(await commit((await preview(cash.id, sample('quicken-2026-11.qif'))).importId)).toMatchObject({
      imported: 0,
      duplicates: 4,
    });
    expect(await stored(cash.id)).toEqual([
      ['2026-11-03', '-1234.56', 'qif'],
      ['2026-11-05', '-45.1', 'qif'],
      ['2026-11-15', '3250', 'qif'],
      ['2026-11-20', '-120', 'qif'],
    ]);
  });
});

describe('the request', () => {
  it('takes the file as "file" or, as before, "csv", never both; a CSV still needs its mapping', async () => {
    const csv = 'Date,Description,Amount\n2026-11-02,Corner Shop,-4.20\n';
    expect(
      await refusal(callAs(node, user, 'transactions.importPreview', { walletId: usd.id, file: csv, csv })),
    ).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['file'] });
    const p = await preview(usd.id, csv);
    expect(p.format).toBe('csv');
    expect(await refusal(commit(p.importId))).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: ['mapping'],
    });
    expect(await commit(p.importId, p.suggestedMapping)).toMatchObject({ imported: 1 });
  });
});
