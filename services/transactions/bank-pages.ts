// Storing what a bank sync brings, one page at a time (the wallets service hands the pages
// over with our account ids resolved). Every write is keyed by (walletId, providerTransactionId)
// under a unique index, so applying the same page twice changes nothing.
import { randomUUID } from 'node:crypto';
import type { Category, CategorySource } from '@finexia/contracts/api.ts';
import { insertNew } from '../../infra/db.ts';
import { forEachConcurrently } from '../../infra/concurrency.ts';
import { CategoryRule, Transaction, type TransactionRecord } from '../../infra/models/transaction.model.ts';
import { merchantKey, mergeProviderTransaction } from '../../domain/transactions.ts';
import type { BankPageChanges } from '@finexia/contracts/internal.ts';

type Held = Pick<TransactionRecord, 'providerTransactionId' | 'category' | 'categorySource'>;

/** Applies one /transactions/sync page. Safe to repeat. */
export async function applyBankPage({ userId, walletId, upserts, removed }: BankPageChanges): Promise<void> {
  if (upserts.length) {
    const ids = upserts.map((t) => t.providerTransactionId);
    const pendingIds = upserts.map((t) => t.pendingTransactionId).filter((id): id is string => Boolean(id));
    // What we hold — read before the page's removals, so a user's category on a pending
    // transaction carries over to the posted one that replaces it.
    const held = await Transaction.find({ walletId, providerTransactionId: { $in: [...ids, ...pendingIds] } })
      .select({ providerTransactionId: 1, category: 1, categorySource: 1 })
      .lean<Held[]>();
    const heldById = new Map(held.map((h) => [h.providerTransactionId, h]));
    const rules = await CategoryRule.find({ userId }).lean();
    const ruleByMerchant = new Map(rules.map((r) => [r.merchantKey, r.category as Category]));
    const asHeld = (h: Held | undefined) =>
      h
        ? { category: h.category ?? null, categorySource: (h.categorySource ?? 'none') as CategorySource }
        : undefined;

    // New transactions are inserted, known ones updated: FerretDB handles a plain insert
    // far faster than an upsert, and the unique (walletId, providerTransactionId) index
    // still guarantees one row per provider transaction if two writers race.
    const inserts: Record<string, unknown>[] = [];
    const updates: Update[] = [];
    // lean inserts skip mongoose's timestamps and defaults: set them
    const now = new Date();
    for (const { accountId, ...t } of upserts) {
      const fields = mergeProviderTransaction(
        t,
        asHeld(heldById.get(t.providerTransactionId)),
        t.pendingTransactionId ? asHeld(heldById.get(t.pendingTransactionId)) : undefined,
        ruleByMerchant.get(merchantKey(t.merchantName ?? t.name)),
      );
      if (heldById.has(t.providerTransactionId)) {
        updates.push({
          filter: { walletId, providerTransactionId: t.providerTransactionId },
          set: { ...fields, accountId },
        });
      } else {
        inserts.push({
          ...fields,
          accountId,
          publicId: randomUUID(),
          userId,
          walletId,
          providerTransactionId: t.providerTransactionId,
          source: 'plaid',
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    const { duplicates: raced } = await insertNew(Transaction, inserts);
    for (const doc of raced) {
      // another writer stored it first: update its fields, never its identity
      const { publicId: _publicId, createdAt: _createdAt, ...fields } = doc;
      updates.push({ filter: { walletId, providerTransactionId: doc.providerTransactionId }, set: fields });
    }
    await updateEach(updates);
  }
  if (removed.length) await Transaction.deleteMany({ walletId, providerTransactionId: { $in: removed } });
}

interface Update {
  filter: Record<string, unknown>;
  set: Record<string, unknown>;
}

/**
 * Updates one by one, a few at a time. Measured on FerretDB v1 (PostgreSQL backend): one
 * updateOne takes ~2.5 ms, but a single bulkWrite of 500 updates did not finish in 2 minutes.
 */
async function updateEach(updates: Update[], concurrency = 8): Promise<void> {
  await forEachConcurrently(updates, concurrency, (u) => Transaction.updateOne(u.filter, { $set: u.set }));
}
