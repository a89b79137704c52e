// Manual wallets whose balance follows a schedule: a loan or mortgage (its payments) and a
// vehicle (its monthly depreciation). Every step due by today is a balance entry of the
// schedule's own (source 'schedule'), so net worth, history and insights read them like any
// manual balance (a loan's negative: its account is a loan). A balance the person records is the
// new starting point: the schedule after it is worked out again from it.
import type { ServiceBroker } from 'moleculer';
import type { LoanSchedule } from '@finexia/contracts/api.ts';
import { BalancePoint, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { isDuplicateKey } from '../../infra/db.ts';
import { amortize } from '../../domain/loans.ts';
import { depreciationSteps, scheduleBase } from '../../domain/owned-assets.ts';
import { Decimal } from '../../domain/money.ts';
import { todayUtc } from '../../domain/dates.ts';
import { refreshManualBalance } from './manual.ts';

/** The balance the person last recorded for a wallet, if any. */
export async function recordedBalance(
  walletId: string,
): Promise<{ date: string; balance: string } | undefined> {
  const point = await BalancePoint.findOne({ walletId, source: 'user' }).sort({ date: -1 }).lean();
  return point ? { date: point.date, balance: point.balance } : undefined;
}

/** The schedule from the loan's start (or the last recorded balance) to its end. */
export async function loanSchedule(wallet: WalletRecord): Promise<LoanSchedule> {
  const terms = wallet.loan;
  if (!terms) return { from: { date: '', balance: '0' }, payments: [] };
  const recorded = await recordedBalance(wallet.publicId);
  return {
    from: recorded ?? { date: terms.startDate, balance: terms.principal },
    payments: amortize(terms, recorded),
  };
}

/** Whether a wallet's balance follows a schedule (a loan, or a vehicle with a depreciation rate). */
export function hasSchedule(wallet: WalletRecord): boolean {
  return Boolean(wallet.loan) || (wallet.manualType === 'vehicle' && Boolean(wallet.owned));
}

/** The schedule's entries due by `today`, from the wallet's start or its last recorded balance. */
async function dueEntries(
  wallet: WalletRecord,
  today: string,
): Promise<{ from: string; due: { date: string; balance: string }[] } | undefined> {
  const recorded = await recordedBalance(wallet.publicId);
  if (wallet.loan) {
    const terms = wallet.loan;
    return {
      from: recorded?.date ?? terms.startDate,
      due: [
        ...(recorded ? [] : [{ date: terms.startDate, balance: terms.principal }]),
        ...amortize(terms, recorded)
          .filter((row) => row.date <= today)
          .map((row) => ({ date: row.date, balance: row.balance })),
      ],
    };
  }
  if (wallet.manualType === 'vehicle' && wallet.owned) {
    const terms = wallet.owned;
    const base = scheduleBase(terms, recorded ? { date: recorded.date, value: recorded.balance } : undefined);
    return {
      from: base.date,
      due: [
        // the purchase is the person's (recorded when the vehicle was added); kept if it went
        ...(recorded ? [] : [{ date: base.date, balance: base.value }]),
        ...depreciationSteps(terms, base, today).map((s) => ({ date: s.date, balance: s.value })),
      ],
    };
  }
  return undefined;
}

/**
 * Writes the schedule's balance entries due by `today` and makes the latest the current balance.
 * Safe to run again, on any node: it writes only what is missing or no longer the schedule's.
 */
export async function refreshScheduledBalances(
  broker: ServiceBroker,
  wallet: WalletRecord,
  today = todayUtc(),
): Promise<void> {
  const entries = await dueEntries(wallet, today);
  if (!entries) return;
  const walletId = wallet.publicId;
  // stored as every balance is: canonical decimal text
  const due = entries.due.map((d) => ({ date: d.date, balance: Decimal.parse(d.balance).toString() }));
  const held = await BalancePoint.find({ walletId, date: { $gte: entries.from } })
    .select({ date: 1, balance: 1, source: 1 })
    .lean();
  const byDate = new Map(held.map((p) => [p.date, p]));
  const wanted = new Set(due.map((d) => d.date));
  // the schedule's entries it no longer has (a balance recorded since, a term changed)
  const stale = held.filter((p) => p.source === 'schedule' && !wanted.has(p.date)).map((p) => p.date);
  if (stale.length) await BalancePoint.deleteMany({ walletId, source: 'schedule', date: { $in: stale } });
  // a day the person recorded stays theirs; new entries in one write, changed ones one by one
  const missing = due.filter((d) => !byDate.has(d.date));
  const changed = due.filter((d) => {
    const there = byDate.get(d.date);
    return there?.source === 'schedule' && there.balance !== d.balance;
  });
  if (missing.length)
    try {
      await BalancePoint.insertMany(
        missing.map((d) => ({
          userId: wallet.userId,
          walletId,
          date: d.date,
          balance: d.balance,
          source: 'schedule',
        })),
        { ordered: false },
      );
    } catch (err) {
      // entries another node wrote first
      if (!isDuplicateKey(err) && !(err as { writeErrors?: unknown[] }).writeErrors) throw err;
    }
  for (const d of changed)
    await BalancePoint.updateOne(
      { walletId, date: d.date, source: 'schedule' },
      { $set: { balance: d.balance } },
    );
  await refreshManualBalance(broker, wallet);
}
