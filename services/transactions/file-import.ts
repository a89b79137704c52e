// File import, the stored part: a preview reads the file (CSV, or a bank file: OFX/QFX, QIF,
// CAMT.053, known by its content) and keeps its rows for an hour; a commit maps its columns (a
// bank file's are known), refuses the whole file when any row is bad (naming every bad row by its
// line), and inserts the rest under stable ids (the bank file's own transaction ids where it has
// them, else content and occurrence), so importing a file again, or an overlapping statement,
// adds nothing. A bank file's stated balances are checked against its entries and shown.
import { readStatementLine } from '../../domain/statement-lines.ts';
import type { ImportTarget } from '@finexia/contracts/internal.ts';
import { randomUUID } from 'node:crypto';
import {
  DATE_FORMATS,
  type ImportMapping,
  type ImportPreview,
  type ImportResult,
} from '@finexia/contracts/api.ts';
import { isDuplicateKey } from '../../infra/db.ts';
import { ImportBatch, Transaction, type ImportBatchRecord } from '../../infra/models/transaction.model.ts';
import { currencyDigits } from '../../domain/money.ts';
import { amountE4 } from '../../domain/transactions.ts';
import {
  importRowIds,
  type ImportRow,
  knownCategory,
  parseCsv,
  suggestMapping,
  validateRows,
} from '../../domain/csv-import.ts';
import { AppError, notFound, rowsInvalid } from '../../domain/errors.ts';
import {
  bankFileFormat,
  checkBalances,
  readBankFile,
  type BankStatement,
} from '../../domain/bank-files/index.ts';
import type { StatementBalanceCheck, StatementSummary } from '@finexia/contracts/api.ts';

/** a bank file's rows, as the import stores them */
const STATEMENT_HEADERS = ['Date', 'Amount', 'Description', 'Id'];
const STATEMENT_MAPPING: ImportMapping = {
  date: 'Date',
  amount: 'Amount',
  description: 'Description',
  dateFormat: 'YYYY-MM-DD',
  decimalSeparator: '.',
};
const PREVIEW_TTL_MS = 60 * 60_000;

/** Where an import goes: a manual wallet's one account (the wallets service says which). */
export async function previewImport(
  userId: string,
  target: ImportTarget,
  file: string,
): Promise<ImportPreview> {
  const format = bankFileFormat(file);
  if (format !== 'csv') return previewStatement(userId, target, format, file);
  const parsed = parseCsv(file);
  if (!parsed.ok) throw rowsInvalid('The file could not be read as CSV.', parsed.errors);
  const batch = await ImportBatch.create({
    publicId: randomUUID(),
    userId,
    walletId: target.walletId,
    accountId: target.accountId,
    headers: parsed.headers,
    rows: parsed.rows.map((cells) => ({ cells })),
    expiresAt: new Date(Date.now() + PREVIEW_TTL_MS),
  });
  return {
    importId: batch.publicId,
    format,
    headers: parsed.headers,
    rowCount: parsed.rows.length,
    sample: parsed.rows.slice(0, 20),
    suggestedMapping: suggestMapping(parsed.headers, parsed.rows.slice(0, 50)),
    dateFormats: DATE_FORMATS,
  };
}

async function previewStatement(
  userId: string,
  target: ImportTarget,
  format: Exclude<ImportPreview['format'], 'csv'>,
  file: string,
): Promise<ImportPreview> {
  const read = readBankFile(format, file);
  if (!read.ok)
    throw new AppError(
      'IMPORT_FILE_INVALID',
      `The ${FORMAT_NAMES[format]} file has ${read.errors.length} problem(s); nothing was imported.`,
      {
        rows: read.errors,
      },
    );
  const { statement } = read;
  if (statement.account.currency && statement.account.currency !== target.currency)
    throw new AppError(
      'IMPORT_CURRENCY_MISMATCH',
      `This statement is in ${statement.account.currency}; the wallet is in ${target.currency}. Import it into a ${statement.account.currency} wallet.`,
      { fields: [{ field: 'currency', message: `the file's account is in ${statement.account.currency}` }] },
    );
  const fileAccount = statement.account.id;
  const balances = await checkStatement(userId, target.walletId, format, fileAccount, statement);
  const last = statement.balances.at(-1);
  const rows = statement.entries.map((e) => ({
    cells: [e.date, e.amount, e.description, e.fileId ?? ''],
    line: e.line,
  }));
  const batch = await ImportBatch.create({
    publicId: randomUUID(),
    userId,
    walletId: target.walletId,
    accountId: target.accountId,
    format,
    headers: STATEMENT_HEADERS,
    rows,
    mapping: STATEMENT_MAPPING,
    fileAccount,
    balances,
    closing: last ? { asOf: last.to, amount: last.closing } : null,
    expiresAt: new Date(Date.now() + PREVIEW_TTL_MS),
  });
  const dates = statement.entries.map((e) => e.date).sort();
  const summary: StatementSummary = {
    account: fileAccount && (fileAccount.length > 4 ? `…${fileAccount.slice(-4)}` : fileAccount),
    currency: statement.account.currency,
    from: statement.balances[0]?.from ?? dates[0] ?? null,
    to: last?.to ?? dates.at(-1) ?? null,
    balances,
    skipped: statement.skipped,
  };
  return {
    importId: batch.publicId,
    format,
    headers: STATEMENT_HEADERS,
    rowCount: rows.length,
    sample: rows.slice(0, 20).map((r) => r.cells),
    suggestedMapping: STATEMENT_MAPPING,
    dateFormats: DATE_FORMATS,
    statement: summary,
  };
}

const FORMAT_NAMES = { ofx: 'OFX', qif: 'QIF', camt053: 'CAMT.053' } as const;

/**
 * Each stated balance against the entries. A statement that says where it started (CAMT.053's
 * opening balance) is checked on its own; an OFX statement states only where it ended, so it is
 * checked against the last statement of the same account imported into this wallet: that one's
 * closing balance plus this file's entries after it must make this one's.
 */
async function checkStatement(
  userId: string,
  walletId: string,
  format: BankStatement['format'],
  fileAccount: string | null,
  statement: BankStatement,
): Promise<StatementBalanceCheck[]> {
  const checks = statement.balances.map(checkBalances);
  const first = statement.balances[0];
  if (!first || first.opening !== null || checks.length !== 1) return checks;
  const previous = await ImportBatch.findOne({
    userId,
    walletId,
    format,
    fileAccount,
    status: 'committed',
    'closing.asOf': { $lt: first.to },
  })
    .sort({ 'closing.asOf': -1 })
    .select({ closing: 1 })
    .lean<{ closing: { asOf: string; amount: string } | null }>();
  const before = previous?.closing;
  if (!before) {
    const reason =
      'the file states only its closing balance; it is checked against the previous statement of this account once one is imported';
    return [{ ...(checks[0] as StatementBalanceCheck), reason }];
  }
  if (first.from && first.from > before.asOf)
    return [
      {
        ...(checks[0] as StatementBalanceCheck),
        reason: `the previous statement of this account ends on ${before.asOf} and this one starts on ${first.from}: the days between are missing`,
      },
    ];
  return [
    checkBalances({
      ...first,
      from: before.asOf,
      opening: before.amount,
      entries: first.entries.filter((e) => e.date > before.asOf),
    }),
  ];
}

/** The user's pending (or committed) import. */
export async function ownImport(userId: string, importId: string): Promise<ImportBatchRecord> {
  const batch = await ImportBatch.findOne({ publicId: importId, userId }).lean<ImportBatchRecord>();
  if (!batch) throw notFound('Import');
  return batch;
}

export async function commitImport(
  batch: ImportBatchRecord,
  currency: string,
  given: ImportMapping | undefined,
): Promise<ImportResult> {
  const balances = batch.balances ? { balances: batch.balances } : {};
  if (batch.status === 'committed' && batch.result)
    return {
      importId: batch.publicId,
      imported: batch.result.imported ?? 0,
      duplicates: batch.result.duplicates ?? 0,
      ...balances,
      alreadyCommitted: true,
    };
  const mapping = given ?? batch.mapping;
  if (!mapping)
    throw new AppError('VALIDATION_FAILED', 'Say which column holds what: a CSV file needs a mapping.', {
      fields: [{ field: 'mapping', message: 'is required for a CSV file' }],
    });
  if (batch.expiresAt.getTime() < Date.now())
    throw new AppError('IMPORT_EXPIRED', 'This preview expired. Upload the file again.');
  const { rows, errors } = validateRows(
    batch.headers,
    batch.rows.map((r) => r.cells),
    { ...mapping, invertSign: mapping.invertSign ?? false },
    currencyDigits(currency),
  );
  // any bad row: nothing is imported, and every bad row is named (by its line in the file)
  if (errors.length)
    throw rowsInvalid(
      `${errors.length} problem(s) found; nothing was imported.`,
      errors.map((e) => ({ ...e, line: batch.rows[e.line - 2]?.line ?? e.line })),
    );
  const ids = rowIds(batch, rows);
  const existing = new Set(
    (
      await Transaction.find({ walletId: batch.walletId, providerTransactionId: { $in: ids } })
        .select({ providerTransactionId: 1 })
        .lean()
    ).map((t) => t.providerTransactionId),
  );
  const docs = rows
    .map((r, i) => ({ r, id: ids[i] as string }))
    .filter(({ id }) => !existing.has(id))
    .map(({ r, id }) => {
      // what the file says, else what its description says (most bank files carry nothing else)
      const line = readStatementLine(r.description, Number(r.amount));
      const fileCategory = knownCategory(r.category);
      const category =
        fileCategory ??
        (line.category ? { primary: line.category, detailed: `${line.category}_OTHER` } : null);
      return {
        publicId: randomUUID(),
        userId: batch.userId,
        walletId: batch.walletId,
        accountId: batch.accountId,
        providerTransactionId: id,
        amount: r.amount,
        amountE4: amountE4(r.amount),
        currency,
        date: r.date,
        name: r.description,
        merchant: line.merchant,
        category,
        providerCategory: category,
        categorySource: category ? 'provider' : 'none',
        source: batch.format,
        importBatchId: batch.publicId,
        notes: r.category && !fileCategory ? `Imported category: ${r.category}` : null,
      };
    });
  let imported = 0;
  for (let i = 0; i < docs.length; i += 500) {
    try {
      imported += (await Transaction.insertMany(docs.slice(i, i + 500), { ordered: false })).length;
    } catch (err) {
      // a row inserted by an earlier, interrupted commit of this same file: a duplicate, not a failure
      const inserted = (err as { insertedDocs?: unknown[] }).insertedDocs?.length ?? 0;
      if (!isDuplicateKey(err) && !(err as { writeErrors?: unknown[] }).writeErrors) throw err;
      imported += inserted;
    }
  }
  const result = { imported, duplicates: rows.length - imported };
  await ImportBatch.updateOne(
    { publicId: batch.publicId },
    { $set: { status: 'committed', result, rows: [] } },
  );
  return { importId: batch.publicId, ...result, ...balances };
}

/**
 * Each row's stored id: a bank file's own id for the transaction where it has one (the same
 * transaction in two overlapping statements is one), scoped by the file's account; else the
 * row's content and how many identical rows came before it.
 */
function rowIds(batch: ImportBatchRecord, rows: ImportRow[]): string[] {
  const byContent = importRowIds(batch.walletId, batch.accountId, rows);
  if (batch.format === 'csv') return byContent;
  const idColumn = batch.headers.indexOf('Id');
  return rows.map((r, i) => {
    const fileId = batch.rows[r.line - 2]?.cells[idColumn];
    return fileId ? `${batch.format}:${batch.fileAccount ?? ''}:${fileId}` : (byContent[i] as string);
  });
}
