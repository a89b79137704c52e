// A bank wallet's accounts as the provider reports them, keyed by the provider's account id
// (unique per wallet), so reading them again changes nothing.
import { randomUUID } from 'node:crypto';
import { Account, type AccountRecord } from '../../infra/models/wallet.model.ts';
import { markPositionsChanged } from '../../infra/position-stamps.ts';
import type { BankAccount, BankLiability } from '../../domain/providers.ts';

export async function upsertBankAccounts(
  userId: string,
  walletId: string,
  accounts: BankAccount[],
): Promise<void> {
  for (const [position, a] of accounts.entries()) {
    await Account.updateOne(
      { walletId, providerAccountId: a.providerAccountId },
      {
        $set: {
          position,
          name: a.name,
          officialName: a.officialName,
          mask: a.mask,
          type: a.type,
          subtype: a.subtype,
          currency: a.currency,
          current: a.current,
          available: a.available,
          limit: a.limit,
        },
        $setOnInsert: { publicId: randomUUID(), userId, walletId, providerAccountId: a.providerAccountId },
      },
      { upsert: true },
    );
  }
  if (accounts.length) await markPositionsChanged(userId);
}

/** A bank's cards' and loans' terms (Plaid Liabilities) kept on their accounts, for the debt plans. */
export async function applyLiabilities(walletId: string, liabilities: BankLiability[]): Promise<void> {
  for (const l of liabilities)
    await Account.updateOne(
      { walletId, providerAccountId: l.providerAccountId },
      {
        $set: {
          debtTerms:
            l.aprPercent || l.minimumPayment
              ? { aprPercent: l.aprPercent, minimumPayment: l.minimumPayment }
              : null,
          nextPaymentDueDate: l.nextPaymentDueDate,
          overdue: l.overdue,
        },
      },
    );
}

/**
 * Our account id for each provider account the given transactions name; accounts the wallet
 * does not know yet are stored first from `reported` (a page can name an account opened since).
 */
export async function accountIdsFor(
  userId: string,
  walletId: string,
  providerAccountIds: Iterable<string>,
  reported: BankAccount[],
): Promise<Map<string, string>> {
  const load = async () =>
    new Map(
      (await Account.find({ walletId }).lean<AccountRecord[]>()).map((a) => [
        a.providerAccountId,
        a.publicId,
      ]),
    );
  let byProvider = await load();
  const needed = [...new Set(providerAccountIds)];
  if (needed.some((id) => !byProvider.has(id))) {
    await upsertBankAccounts(userId, walletId, reported);
    byProvider = await load();
  }
  for (const id of needed)
    if (!byProvider.has(id)) throw new Error(`the provider named an account it did not report (${id})`);
  return byProvider;
}
