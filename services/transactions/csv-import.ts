// CSV import, the stored part: a preview keeps the parsed file for an hour; a commit maps its
// columns, refuses the whole file when any row is bad (naming every bad row by its line), and
// inserts the rest under content-and-occurrence ids, so importing a file again adds nothing.
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
  knownCategory,
  parseCsv,
  suggestMapping,
  validateRows,
} from '../../domain/csv-import.ts';
import { AppError, notFound, rowsInvalid } from '../../domain/errors.ts';

/** Where an import goes: a manual wallet's one account (the wallets service says which). */
export async function previewImport(
  userId: string,
  target: ImportTarget,
  csv: string,
): Promise<ImportPreview> {
  const parsed = parseCsv(csv);
  if (!parsed.ok) throw rowsInvalid('The file could not be read as CSV.', parsed.errors);
  const batch = await ImportBatch.create({
    publicId: randomUUID(),
    userId,
    walletId: target.walletId,
    accountId: target.accountId,
    headers: parsed.headers,
    rows: parsed.rows.map((cells) => ({ cells })),
    expiresAt: new Date(Date.now() + 60 * 60_000),
  });
  return {
    importId: batch.publicId,
    headers: parsed.headers,
    rowCount: parsed.rows.length,
    sample: parsed.rows.slice(0, 20),
    suggestedMapping: suggestMapping(parsed.headers, parsed.rows.slice(0, 50)),
    dateFormats: DATE_FORMATS,
  };
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
  mapping: ImportMapping,
): Promise<ImportResult> {
  if (batch.status === 'committed' && batch.result)
    return {
      importId: batch.publicId,
      imported: batch.result.imported ?? 0,
      duplicates: batch.result.duplicates ?? 0,
      alreadyCommitted: true,
    };
  if (batch.expiresAt.getTime() < Date.now())
    throw new AppError('IMPORT_EXPIRED', 'This preview expired. Upload the file again.');
  const { rows, errors } = validateRows(
    batch.headers,
    batch.rows.map((r) => r.cells),
    { ...mapping, invertSign: mapping.invertSign ?? false },
    currencyDigits(currency),
  );
  // any bad row: nothing is imported, and every bad row is named
  if (errors.length) throw rowsInvalid(`${errors.length} problem(s) found; nothing was imported.`, errors);
  const ids = importRowIds(batch.walletId, batch.accountId, rows);
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
        source: 'csv',
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
  return { importId: batch.publicId, ...result };
}
