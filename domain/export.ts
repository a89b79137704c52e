// A user's export and its way back in, without I/O: a transaction as a row of transactions.csv,
// and a row read back as what an import stores (checked field by field).
import {
  CATEGORY_PRIMARIES,
  CATEGORY_SOURCES,
  TRANSACTION_SOURCES,
  type TransactionView,
} from '@finexia/contracts/api.ts';
import type { ImportedRow, TRANSACTION_COLUMNS } from '@finexia/contracts/export.ts';
import { decimalProblem } from './money.ts';

type Column = (typeof TRANSACTION_COLUMNS)[number];

/** A transaction as its row of transactions.csv (empty text for what it does not have). */
export function transactionRow(t: TransactionView): Record<Column, string> {
  return {
    id: t.id,
    date: t.date,
    walletId: t.walletId,
    accountId: t.accountId,
    amount: t.amount,
    currency: t.currency,
    name: t.name,
    merchant: t.merchant ?? '',
    category: t.category?.primary ?? '',
    categoryDetailed: t.category?.detailed ?? '',
    categorySource: t.categorySource,
    notes: t.notes ?? '',
    pending: t.pending ? 'true' : 'false',
    source: t.source,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const oneOf = <T extends string>(values: readonly T[], value: string | undefined): value is T =>
  value !== undefined && (values as readonly string[]).includes(value);

/** A row read back, or why it cannot be (naming the column). */
export function importedRow(record: Partial<Record<string, string>>): ImportedRow | { problem: string } {
  const { id, walletId, date, amount, currency, name } = record;
  if (!id || !walletId) return { problem: 'id and walletId are required' };
  if (!date || !DATE.test(date)) return { problem: `date "${date ?? ''}" is not YYYY-MM-DD` };
  const amountIssue = amount === undefined ? 'is missing' : decimalProblem(amount, { digits: 15, scale: 4 });
  if (amountIssue) return { problem: `amount ${amountIssue}` };
  if (!currency || !/^[A-Z]{3}$/.test(currency)) return { problem: 'currency is not an ISO code' };
  if (!name) return { problem: 'name is empty' };
  const primary = record.category || undefined;
  if (primary !== undefined && !oneOf(CATEGORY_PRIMARIES, primary))
    return { problem: `category "${primary}" is not one of Finexia's` };
  const categorySource = record.categorySource;
  const source = record.source;
  return {
    id,
    walletId,
    date,
    amount: amount as string,
    currency,
    name,
    merchant: record.merchant || null,
    category: primary ? { primary, detailed: record.categoryDetailed || `${primary}_OTHER` } : null,
    categorySource: oneOf(CATEGORY_SOURCES, categorySource) ? categorySource : primary ? 'user' : 'none',
    notes: record.notes || null,
    pending: record.pending === 'true',
    source: oneOf(TRANSACTION_SOURCES, source) ? source : 'manual',
  };
}
