// The only shape in which a wallet leaves the service (no credentials, no provider ids).
import type { AccountView, WalletView } from '@finexia/contracts/api.ts';
import {
  Account,
  Holding,
  type AccountRecord,
  type HoldingRecord,
  type WalletRecord,
} from '../../infra/models/wallet.model.ts';
import { isLiability, signedBalance } from '../../domain/valuation.ts';
import { loanStatus } from '../../domain/loans.ts';
import { todayUtc } from '../../domain/dates.ts';
import { recordedBalance } from './loans.ts';

type Recorded = { date: string; balance: string } | undefined;

export function walletView(
  wallet: WalletRecord,
  accounts: AccountRecord[],
  holdings: HoldingRecord[] = [],
  recorded?: Recorded,
): WalletView {
  return {
    id: wallet.publicId,
    kind: wallet.kind,
    provider: wallet.provider ?? null,
    manualType: wallet.manualType ?? null,
    name: wallet.name,
    currency: wallet.currency ?? null,
    institution: wallet.institution ?? null,
    archived: Boolean(wallet.archivedAt),
    createdAt: wallet.createdAt?.toISOString() ?? null,
    sync: {
      state: wallet.sync?.state ?? 'never',
      progress: wallet.sync?.progress ?? null,
      reason: wallet.sync?.reason ?? null,
      fix: wallet.sync?.fix ?? null,
      lastSyncedAt: wallet.sync?.lastSyncedAt?.toISOString() ?? null,
    },
    accounts: accounts
      .filter((a) => a.walletId === wallet.publicId)
      .map((a): AccountView => ({
        id: a.publicId,
        name: a.name,
        officialName: a.officialName ?? null,
        mask: a.mask ?? null,
        type: a.type,
        subtype: a.subtype ?? null,
        currency: a.currency,
        current: a.current ?? null,
        available: a.available ?? null,
        value: signedBalance(a)?.toString() ?? null,
        liability: isLiability(a.type),
        ...(a.debtTerms
          ? {
              debt: {
                aprPercent: a.debtTerms.aprPercent ?? null,
                minimumPayment: a.debtTerms.minimumPayment ?? null,
                nextPaymentDueDate: a.nextPaymentDueDate ?? null,
              },
            }
          : {}),
        holdings: holdings
          .filter((h) => h.accountId === a.publicId)
          .map((h) => ({ asset: h.asset, quantity: h.quantity, locked: h.locked ?? '0' })),
      })),
    ...(wallet.loan ? { loan: loanStatus(wallet.loan, recorded, todayUtc()) } : {}),
  };
}

/** The balance each loan wallet's person last recorded (the schedule runs from it). */
async function recordedOf(wallets: WalletRecord[]): Promise<Map<string, Recorded>> {
  const loans = wallets.filter((w) => w.loan);
  return new Map(
    await Promise.all(loans.map(async (w) => [w.publicId, await recordedBalance(w.publicId)] as const)),
  );
}

/** One wallet as the API shows it, with its accounts and holdings read now. */
export async function loadWalletView(wallet: WalletRecord): Promise<WalletView> {
  const [accounts, holdings] = await Promise.all([
    Account.find({ walletId: wallet.publicId }).lean<AccountRecord[]>(),
    Holding.find({ walletId: wallet.publicId }).lean<HoldingRecord[]>(),
  ]);
  return walletView(wallet, accounts, holdings, (await recordedOf([wallet])).get(wallet.publicId));
}

/** A user's wallets as the API lists them (accounts and holdings in two queries). */
export async function loadWalletViews(userId: string, wallets: WalletRecord[]): Promise<WalletView[]> {
  const ids = wallets.map((w) => w.publicId);
  const [accounts, holdings] = await Promise.all([
    Account.find({ userId, walletId: { $in: ids } }).lean<AccountRecord[]>(),
    Holding.find({ userId, walletId: { $in: ids } }).lean<HoldingRecord[]>(),
  ]);
  const recorded = await recordedOf(wallets);
  return wallets.map((w) => walletView(w, accounts, holdings, recorded.get(w.publicId)));
}
