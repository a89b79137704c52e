// Manual wallets (cash, savings, business, other; loans; things owned): one account, a balance history the user
// records (the latest entry is the current balance) and holdings the user enters.
import type { ServiceBroker } from 'moleculer';
import {
  Account,
  BalancePoint,
  type AccountRecord,
  type WalletRecord,
} from '../../infra/models/wallet.model.ts';
import { emitEvent } from '../../infra/events.ts';
import { markPositionsChanged } from '../../infra/position-stamps.ts';
import { AppError, notFound } from '../../domain/errors.ts';

/** What the user is trying to do with a wallet that may not be manual. */
export type ManualUse = 'edit' | 'transactions';

const NOT_MANUAL: Record<ManualUse, string> = {
  edit: 'Only manual wallets have a balance history and holdings you edit.',
  transactions: 'Add transactions to a manual wallet; bank transactions arrive by sync.',
};

export interface ManualTarget {
  wallet: WalletRecord;
  account: AccountRecord;
}

/**
 * A manual wallet and its one account, or the error that says why not. Entries (transactions,
 * imports) may not go to an archived wallet; its own balance history stays editable.
 */
export async function manualTarget(wallet: WalletRecord, use: ManualUse): Promise<ManualTarget> {
  if (wallet.kind !== 'manual') throw new AppError('WRONG_WALLET_KIND', NOT_MANUAL[use]);
  if (use === 'transactions' && wallet.archivedAt)
    throw new AppError('WALLET_ARCHIVED', 'Unarchive this wallet first.');
  const account = await Account.findOne({ walletId: wallet.publicId }).lean<AccountRecord>();
  if (!account) throw notFound('Account');
  return { wallet, account };
}

/** The latest balance entry of a wallet, whoever wrote it (its current balance). */
export async function latestBalance(
  walletId: string,
): Promise<{ date: string; balance: string } | undefined> {
  const point = await BalancePoint.findOne({ walletId }).sort({ date: -1 }).lean();
  return point ? { date: point.date, balance: point.balance } : undefined;
}

/** A manual wallet's current balance is its latest balance entry. */
export async function refreshManualBalance(broker: ServiceBroker, wallet: WalletRecord): Promise<void> {
  const balance = (await latestBalance(wallet.publicId))?.balance ?? '0';
  await Account.updateOne({ walletId: wallet.publicId }, { $set: { current: balance } });
  await markPositionsChanged(wallet.userId);
  emitEvent(broker, 'wallet.balance.changed', { userId: wallet.userId, walletId: wallet.publicId, balance });
}
