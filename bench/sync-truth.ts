// A synced bank wallet against the Plaid simulator's truth: what the benchmarks count as
// duplicated, missing and extra transactions.
import type { Simulators } from '../providers/simulators/index.ts';
import { Wallet } from '../infra/models/wallet.model.ts';
import { Transaction } from '../infra/models/transaction.model.ts';

export interface SyncComparison {
  duplicates: number;
  missing: number;
  extra: number;
  total: number;
}

export async function compareWithTruth(sims: Simulators, walletId: string): Promise<SyncComparison> {
  const w = await Wallet.findOne({ publicId: walletId }).lean();
  const truth = sims.plaid.truth(w?.providerItemId as string)!;
  const ids = (await Transaction.find({ walletId }).select({ providerTransactionId: 1 }).lean()).map(
    (t) => t.providerTransactionId,
  );
  const stored = new Set(ids);
  const expected = new Set(truth.transactions.map((t) => t.transaction_id));
  return {
    duplicates: ids.length - stored.size,
    missing: [...expected].filter((id) => !stored.has(id)).length,
    extra: [...stored].filter((id) => !expected.has(id)).length,
    total: expected.size,
  };
}

/** Several wallets' comparisons added up. */
export function sumComparisons(comparisons: SyncComparison[]): SyncComparison {
  return comparisons.reduce(
    (a, c) => ({
      duplicates: a.duplicates + c.duplicates,
      missing: a.missing + c.missing,
      extra: a.extra + c.extra,
      total: a.total + c.total,
    }),
    { duplicates: 0, missing: 0, extra: 0, total: 0 },
  );
}
