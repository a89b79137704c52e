// What services ask of each other through internal actions (`internal: true`): never sent to
// a browser, but still one shape on both sides of the broker.
import type { TransactionSource } from './api.ts';

/** A transaction as other services read it in bulk (the anomaly detector): exact amount × 10^4, where it was stored. */
export interface StoredTransaction {
  id: string;
  /** its place in the order transactions were stored: the row's ObjectId (24 hex digits) */
  seq: string;
  date: string;
  amountE4: number;
  currency: string;
  merchant: string;
  merchantKey: string;
  category: string | null;
  accountId: string;
  walletId: string;
  pending: boolean;
  source: TransactionSource;
}

/** A transaction as the insights read a user's money by month (amount signed: negative = out). */
export interface CashflowRow {
  accountId: string;
  date: string;
  amount: string;
  currency: string;
  category: string | null;
  merchant: string;
  pending: boolean;
}

/** A latency distribution (ms) since its last reset. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Why a tick was refused (counted by reason). */
export type TickRejection = 'malformed' | 'non-positive' | 'stale' | 'future' | 'out-of-order';

/** What `market.stats` answers: ticks accepted, published and rejected (by reason) on this node. */
export interface MarketStats {
  node: string;
  symbols: number;
  accepted: number;
  published: number;
  batches: number;
  /** a tick's exchange event time → published to the portfolio nodes (ms; since the last reset) */
  publishLagMs: LatencySummary;
  rejected: Record<TickRejection, number>;
}
