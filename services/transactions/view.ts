// The only shape in which a transaction leaves the service.
import type { TransactionView } from '@finexia/contracts/api.ts';
import type { TransactionRecord } from '../../infra/models/transaction.model.ts';

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
