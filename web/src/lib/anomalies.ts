// How anomalies and alerts are named on screen: one place for the words of every type,
// severity and piece of evidence, used by the Alerts page, the toast and Settings.
import type { AnomalyPage, AnomalyType, Severity, TransactionView } from '@finexia/contracts/api.ts';
import type { Api } from '#lib/api.ts';

export const TYPE_LABEL: Record<AnomalyType, string> = {
  unusual_amount: 'Unusual amount',
  duplicate_charge: 'Duplicate charge',
  new_merchant_large: 'Large first charge',
  subscription_price_rise: 'Subscription price rise',
  recurring_twice: 'Charged twice this month',
  spending_burst: 'Burst of spending',
  income_missing: 'Income did not arrive',
  low_balance: 'Low balance',
  net_worth_drop: 'Net worth drop',
  market_move: 'Market move',
};

/** What each type watches, for the preferences in Settings. */
export const TYPE_HINT: Record<AnomalyType, string> = {
  unusual_amount: 'A charge far above what that merchant or category usually costs you',
  duplicate_charge: 'The same amount at the same merchant twice in a day',
  new_merchant_large: 'A merchant you have not paid before, above your large-transaction threshold',
  subscription_price_rise: 'A monthly charge that now costs more',
  recurring_twice: 'A monthly charge that came a second time',
  spending_burst: 'Many charges at one place in a day',
  income_missing: 'A regular income (salary) that is late',
  low_balance: 'An account below your low-balance threshold',
  net_worth_drop: 'Your net worth falling more than your threshold in a day',
  market_move: 'A holding moving more than your threshold within an hour',
};

export const SEVERITY_LABEL: Record<Severity, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** An evidence key as words: `usualLow` → "Usual low". */
export function evidenceLabel(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Open anomalies about any of these transactions: transaction id → what was flagged. */
export async function flaggedAmong(
  api: Api,
  transactions: Pick<TransactionView, 'id' | 'date'>[],
): Promise<Record<string, Flag>> {
  if (!transactions.length) return {};
  const dates = transactions.map((t) => t.date).sort();
  const page = await api.get<AnomalyPage>('/anomalies', {
    status: 'open',
    from: dates[0],
    to: dates.at(-1),
    limit: 200,
  });
  const ids = new Set(transactions.map((t) => t.id));
  const flags: Record<string, Flag> = {};
  for (const a of page.anomalies)
    for (const id of a.transactionIds)
      if (ids.has(id)) flags[id] = { anomalyId: a.id, type: a.type, reason: a.reason };
  return flags;
}

export interface Flag {
  anomalyId: string;
  type: AnomalyType;
  reason: string;
}
