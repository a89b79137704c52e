// A list request as a MongoDB query: filters, the sort, and the keyset cursor that pages it.
import type { TransactionQuery, TransactionPage } from '@finexia/contracts/api.ts';
import { escapeRegex } from '../../infra/db.ts';
import { Transaction, type TransactionRecord } from '../../infra/models/transaction.model.ts';
import { Decimal } from '../../domain/money.ts';
import { amountE4, decodeListCursor, encodeListCursor, type SortKey } from '../../domain/transactions.ts';
import { badRequest, invalidField } from '../../domain/errors.ts';
import { transactionView } from './view.ts';

/** One page of the user's transactions (the wallet and account filters are checked by the caller). */
export async function listTransactions(userId: string, p: TransactionQuery): Promise<TransactionPage> {
  const sortParam = p.sort ?? '-date';
  const sortKey: SortKey = sortParam.endsWith('date') ? 'date' : 'amount';
  const direction = sortParam.startsWith('-') ? -1 : 1;
  const field = sortKey === 'date' ? 'date' : 'amountE4';
  const limit = p.limit ?? 50;
  if (p.from && p.to && p.from > p.to) throw invalidField('from', 'must not be after to', 'range');
  if (p.minAmount && p.maxAmount && Decimal.parse(p.minAmount).cmp(Decimal.parse(p.maxAmount)) > 0)
    throw invalidField('minAmount', 'must not exceed maxAmount', 'range');

  // Plain equalities stay at the top level of the filter: FerretDB pushes those down to
  // PostgreSQL; inside `$and` it decoded every transaction of every user for each page
  // (bench:load: GET /transactions p50 7.8 s with 20 users; docs/ferretdb.md).
  const equal: Record<string, unknown> = { userId };
  if (p.walletId) equal.walletId = p.walletId;
  if (p.accountId) equal.accountId = p.accountId;
  if (p.category) equal['category.primary'] = p.category;
  if (p.pending !== undefined) equal.pending = p.pending;
  const and: Record<string, unknown>[] = [];
  if (p.from) and.push({ date: { $gte: p.from } });
  if (p.to) and.push({ date: { $lte: p.to } });
  if (p.minAmount) and.push({ amountE4: { $gte: amountE4(p.minAmount) } });
  if (p.maxAmount) and.push({ amountE4: { $lte: amountE4(p.maxAmount) } });
  if (p.q) {
    const pattern = escapeRegex(p.q);
    and.push({
      $or: [{ name: { $regex: pattern, $options: 'i' } }, { merchant: { $regex: pattern, $options: 'i' } }],
    });
  }
  if (p.cursor) {
    const cursor = decodeListCursor(p.cursor, sortKey);
    if (!cursor)
      throw badRequest('The cursor is not valid for this sort order.', [
        { field: 'cursor', message: 'is invalid', type: 'cursor' },
      ]);
    const op = direction === -1 ? '$lt' : '$gt';
    and.push({ $or: [{ [field]: { [op]: cursor.v } }, { [field]: cursor.v, _id: { [op]: cursor.id } }] });
  }
  const rows = await Transaction.find(and.length ? { ...equal, $and: and } : equal)
    .sort({ [field]: direction, _id: direction })
    .limit(limit + 1)
    .lean<TransactionRecord[]>();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    transactions: page.map(transactionView),
    nextCursor:
      rows.length > limit && last
        ? encodeListCursor({ v: sortKey === 'date' ? last.date : last.amountE4, id: String(last._id) })
        : null,
  };
}
