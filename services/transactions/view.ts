// The only shape in which a transaction leaves the service.
import type { TransactionView } from '@finexia/contracts/api.ts';
import type { StoredTransaction } from '@finexia/contracts/internal.ts';
import type { TransactionRecord } from '../../infra/models/transaction.model.ts';
import { merchantKey } from '../../domain/transactions.ts';

export function transactionView(t: TransactionRecord): TransactionView {
  return {
    id: t.publicId,
    walletId: t.walletId,
    accountId: t.accountId,
    amount: t.amount,
    currency: t.currency,
    date: t.date,
    authorizedDate: t.authorizedDate ?? null,
    name: t.name,
    merchant: t.merchant ?? null,
    pending: Boolean(t.pending),
    category: t.category ?? null,
    categorySource: t.categorySource,
    providerCategory: t.providerCategory ?? null,
    source: t.source,
    notes: t.notes ?? null,
  };
}

export function storedTransaction(t: TransactionRecord): StoredTransaction {
  const merchant = t.merchant ?? t.name;
  return {
    id: t.publicId,
    seq: String(t._id),
    date: t.date,
    amountE4: t.amountE4,
    currency: t.currency,
    merchant,
    merchantKey: merchantKey(merchant),
    category: t.category?.primary ?? t.providerCategory?.primary ?? null,
    accountId: t.accountId,
    walletId: t.walletId,
    pending: Boolean(t.pending),
    source: t.source,
    ...(t.authorizedAt ? { at: Date.parse(t.authorizedAt) } : {}),
  };
}
