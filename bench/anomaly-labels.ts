// Scoring the detector against labelled data: what the generator injected (its own names, its
// own idea of an anomaly) against what the product flagged. Nothing here is shared with the
// detector: the labels come from the simulated bank ledger, the flags from the product's API.
import type { AnomalyType } from '@finexia/contracts/api.ts';
import type {
  Anomaly as InjectedAnomaly,
  AnomalyKind,
  LedgerTransaction,
} from '../providers/simulators/bank-ledger.ts';
import type { DetectorTransaction } from '../domain/anomalies/detector.ts';
import { merchantKey } from '../domain/transactions.ts';

/** Which of our anomaly types means what the generator injected. */
export const TYPE_OF_KIND: Record<AnomalyKind, AnomalyType> = {
  duplicate_charge: 'duplicate_charge',
  outsized_amount: 'unusual_amount',
  new_merchant_large: 'new_merchant_large',
  subscription_price_rise: 'subscription_price_rise',
  subscription_charged_twice: 'recurring_twice',
  burst: 'spending_burst',
  missed_salary: 'income_missing',
};

/** The types the generator labels: a flag of any of these that matches no label is a false positive. */
export const LABELLED_TYPES = [...new Set(Object.values(TYPE_OF_KIND))];

export interface Labelled {
  type: AnomalyType;
  /** our transaction ids (empty for a payment that did not come) */
  ids: string[];
  date: string;
}

export interface Flagged {
  type: AnomalyType;
  ids: string[];
  date: string;
  severity?: string;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/** A payment that did not come is matched by date: the detector says when it was due. */
const INCOME_DAYS = 10;

const dayGap = (a: string, b: string) =>
  Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000;

export function labelsOf(injected: InjectedAnomaly[], ourIds: (providerId: string) => string[]): Labelled[] {
  return injected.map((a) => ({
    type: TYPE_OF_KIND[a.kind],
    ids: a.transaction_ids.flatMap(ourIds),
    date: a.date,
  }));
}

function matches(label: Labelled, flag: Flagged): boolean {
  if (label.type !== flag.type) return false;
  if (!label.ids.length) return dayGap(label.date, flag.date) <= INCOME_DAYS;
  return flag.ids.some((id) => label.ids.includes(id));
}

/**
 * True positives, false positives and misses per type. A flag counts once, a label is found
 * once; a flag of the right transactions but the wrong type is both a false positive and a miss.
 */
export function score(labels: Labelled[], flags: Flagged[]): Map<AnomalyType, Counts> {
  const counts = new Map<AnomalyType, Counts>(LABELLED_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  const used = new Set<number>();
  for (const label of labels) {
    const at = flags.findIndex((f, i) => !used.has(i) && matches(label, f));
    const c = counts.get(label.type) as Counts;
    if (at >= 0) {
      used.add(at);
      c.tp += 1;
    } else c.fn += 1;
  }
  flags.forEach((f, i) => {
    if (used.has(i)) return;
    const c = counts.get(f.type);
    if (c) c.fp += 1;
  });
  return counts;
}

export function add(into: Map<AnomalyType, Counts>, more: Map<AnomalyType, Counts>): void {
  for (const [type, c] of more) {
    const t = into.get(type) ?? { tp: 0, fp: 0, fn: 0 };
    into.set(type, { tp: t.tp + c.tp, fp: t.fp + c.fp, fn: t.fn + c.fn });
  }
}

const ratio = (n: number, d: number) => (d === 0 ? NaN : n / d);

export function metrics(c: Counts): { precision: number; recall: number; f1: number } {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall) };
}

export function total(counts: Map<AnomalyType, Counts>): Counts {
  return [...counts.values()].reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn }), {
    tp: 0,
    fp: 0,
    fn: 0,
  });
}

/** The evaluation table: per type and overall, with the counts behind each figure. */
export function table(counts: Map<AnomalyType, Counts>): string {
  const f = (n: number) => (Number.isNaN(n) ? '   – ' : n.toFixed(3));
  const row = (name: string, c: Counts) => {
    const m = metrics(c);
    return `  ${name.padEnd(24)} ${f(m.precision)}     ${f(m.recall)}   ${f(m.f1)}   ${String(c.tp).padStart(4)} ${String(c.fp).padStart(4)} ${String(c.fn).padStart(4)}`;
  };
  return [
    `  ${'type'.padEnd(24)} precision recall  F1      TP   FP   FN`,
    ...[...counts].map(([type, c]) => row(type, c)),
    row('overall', total(counts)),
  ].join('\n');
}

/** A ledger's transaction as the detector reads it from a linked bank (the bank names merchant and category). */
export function fromLedger(t: LedgerTransaction, walletId: string): DetectorTransaction {
  return {
    id: t.transaction_id,
    date: t.date,
    amountE4: -t.amountCents * 100,
    currency: t.currency,
    merchant: t.merchant_name ?? t.name,
    merchantKey: merchantKey(t.merchant_name ?? t.name),
    category: t.category.primary,
    accountId: t.account_id,
    walletId,
    ...(t.authorized_datetime ? { at: Date.parse(t.authorized_datetime) } : {}),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * The alert budget over people with nothing injected (at most 4 listed per person-year, 1
 * notified per quarter). "Listed": every flag of the labelled kinds in the judged span;
 * "notified": the most flags of medium severity or above in any calendar quarter (each would have
 * been notified had it been found within the 30 days before it).
 */
export class AlertLoad {
  private readonly listed: number[] = [];
  private readonly busiestQuarter: number[] = [];
  private readonly byType = new Map<string, number>();

  /** `years`: the length of the judged span */
  constructor(private readonly years: number) {}

  /** One person's flags, already limited to the judged span. */
  add(flags: { type: AnomalyType; date: string; severity?: string }[]): void {
    const listed = flags.filter((f) => LABELLED_TYPES.includes(f.type));
    for (const f of listed) this.byType.set(f.type, (this.byType.get(f.type) ?? 0) + 1);
    this.listed.push(listed.length / this.years);
    const quarters = new Map<string, number>();
    for (const f of listed.filter((f) => f.severity !== 'low')) {
      const q = `${f.date.slice(0, 4)}Q${Math.floor((Number(f.date.slice(5, 7)) - 1) / 3) + 1}`;
      quarters.set(q, (quarters.get(q) ?? 0) + 1);
    }
    this.busiestQuarter.push(Math.max(0, ...quarters.values()));
  }

  /** The figures, a line each. */
  lines(): string[] {
    const over = (xs: number[], limit: number) => xs.filter((x) => x > limit).length;
    return [
      `  listed per person-year: mean ${mean(this.listed).toFixed(2)}, max ${Math.max(...this.listed).toFixed(2)}; people over 4: ${over(this.listed, 4)}`,
      `  notified in a person's busiest quarter: mean ${mean(this.busiestQuarter).toFixed(2)}, max ${Math.max(...this.busiestQuarter)}; people over 1: ${over(this.busiestQuarter, 1)}`,
      `  by type: ${[...this.byType].map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}`,
    ];
  }
}
