// What services ask of each other through internal actions (`internal: true`): never sent to
// a browser, but still one shape on both sides of the broker.
import type {
  AnomalyView,
  CreateManualWalletRequest,
  UpdateOwnedAssetRequest,
  GoalView,
  NotificationView,
  PreferencesPatch,
  Tick,
  TransactionSource,
  UserView,
  WalletView,
  WebhookView,
} from './api.ts';
import type { ExportFiles, ExportedRule, ImportedRow } from './export.ts';
import type { PortfolioView } from './portfolio.ts';

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
  /** ms since the epoch when the payment was made, where the bank says (the detector judges a spree by hours then) */
  at?: number;
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
/** A security's price as a brokerage or a feed gives it: in its own currency, as of a day. */
export interface SecurityQuote {
  asset: string;
  price: string;
  currency: string;
  asOf: string | null;
}

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

/** What `<service>.actorStats` answers: this node's actors and the ring it sees. */
export interface ActorStats {
  node: string;
  actors: number;
  ring: readonly string[];
}

/** A manual wallet's account that imported rows go into. */
export interface ImportTarget {
  walletId: string;
  accountId: string;
  currency: string;
}

/** A bank's transaction as a sync hands it to the transactions service, its account resolved to ours. */
export interface BankPageRow {
  providerTransactionId: string;
  accountId: string;
  /** signed decimal string in `currency`: negative = money out of the account */
  amount: string;
  currency: string;
  date: string;
  authorizedDate: string | null;
  /** when the payment was made (ISO 8601, to the minute), where the bank says */
  authorizedAt: string | null;
  name: string;
  merchantName: string | null;
  pending: boolean;
  pendingTransactionId: string | null;
  category: { primary: string; detailed: string } | null;
}

/** One page of a bank's changes to one wallet (wallets → transactions). */
export interface BankPageChanges {
  userId: string;
  walletId: string;
  upserts: BankPageRow[];
  /** provider transaction ids */
  removed: string[];
}

/**
 * An action's answer that is a stream of JSON lines of T ending with `{"$end": n}`
 * (infra/streams.ts reads it whole or fails). A marker: the broker hands over a Node stream.
 */
export interface JsonLines<T> {
  readonly [jsonLines]: T;
}
/** An action's answer that is a stream of bytes (an export's file). A marker, as JsonLines. */
export interface ByteStream {
  readonly [byteStream]: true;
}
declare const jsonLines: unique symbol;
declare const byteStream: unique symbol;

type UserScoped = { userId: string };

/**
 * Every action one service calls on another: its params and its answer, one shape on both
 * sides of the broker (as EventMap is for events). Call them with `callAction` (infra/actions.ts)
 * and type each handler's ctx with `ActionParams<name>`.
 */
export interface ActionMap {
  'auth.revokeAllForUser': {
    params: { userId: string; reason: string; exceptSession?: string };
    result: unknown;
  };
  'users.updatePreferences': { params: PreferencesPatch; result: UserView };
  'users.recentlyDisabled': {
    params: { since: number };
    result: { users: { userId: string; at: number }[]; deleted: { subject: string; at: number }[] };
  };
  'wallets.createManual': { params: CreateManualWalletRequest; result: WalletView };
  'wallets.updateOwned': { params: { id: string } & UpdateOwnedAssetRequest; result: WalletView };
  'wallets.setBalance': { params: { id: string; date: string; balance: string }; result: WalletView };
  'wallets.archive': { params: { id: string }; result: WalletView };
  'wallets.resync': {
    params: { walletId: string };
    result: { walletId: string; userId: string; queued: true };
  };
  'wallets.manualAccount': { params: UserScoped & { walletId: string }; result: ImportTarget };
  'wallets.exportUser': {
    params: UserScoped;
    result: Pick<ExportFiles, 'wallets' | 'balances' | 'investmentTransactions' | 'chainTransactions'>;
  };
  'transactions.storedSince': {
    params: UserScoped & { from?: string };
    result: JsonLines<StoredTransaction>;
  };
  'transactions.cashflowOf': { params: UserScoped & { from: string }; result: JsonLines<CashflowRow> };
  'transactions.applyBankPage': { params: BankPageChanges; result: { applied: number } };
  'transactions.removeForWallet': { params: UserScoped & { walletId: string }; result: { deleted: number } };
  'transactions.importRows': {
    params: UserScoped & ImportTarget & { rows: ImportedRow[] };
    result: { imported: number; duplicates: number };
  };
  'transactions.importRules': {
    params: UserScoped & { rules: ExportedRule[] };
    result: { imported: number };
  };
  'transactions.exportSummary': {
    params: UserScoped;
    result: { rules: ExportedRule[]; transactions: number };
  };
  'transactions.exportCsv': { params: UserScoped; result: ByteStream };
  'portfolio.view': { params: UserScoped; result: PortfolioView };
  'portfolio.snapshot': { params: UserScoped; result: PortfolioView };
  'portfolio.inspect': { params: UserScoped; result: unknown };
  'portfolio.exportHistory': { params: UserScoped; result: ByteStream };
  'portfolio.activateOwned': { params: Record<string, never>; result: { activated: number } };
  'portfolio.activateUsers': { params: { userIds: string[] }; result: { activated: number } };
  'portfolio.actorStats': { params: Record<string, never>; result: ActorStats & { before: number } };
  'market.prices': { params: { symbols?: string[] }; result: { prices: Tick[] } };
  /** A brokerage's last prices of securities (in their listing's currency): the market values them in USD. */
  'market.quoteSecurities': { params: { quotes: SecurityQuote[] }; result: { priced: number } };
  'market.dailyCloses': {
    params: { symbols: string[]; from: string; to: string };
    result: { closes: Record<string, Record<string, string>> };
  };
  'market.opensAt': {
    params: { symbols: string[]; at: number };
    result: { at: string; opens: Record<string, string> };
  };
  'anomalies.analyzeNow': { params: UserScoped; result: { read: number; found: number; alerted: number } };
  'anomalies.exportUser': { params: UserScoped; result: AnomalyView[] };
  'notifications.exportUser': {
    params: UserScoped;
    result: { notifications: NotificationView[]; webhooks: WebhookView[] };
  };
  'insights.exportUser': {
    params: UserScoped & { currency: string };
    result: Pick<ExportFiles, 'goals' | 'questionnaire' | 'dismissals'>;
  };
  'wallets.eraseUser': { params: UserScoped; result: unknown };
  'transactions.eraseUser': { params: UserScoped; result: unknown };
  'anomalies.eraseUser': { params: UserScoped; result: unknown };
  'notifications.eraseUser': { params: UserScoped; result: unknown };
  'insights.eraseUser': { params: UserScoped; result: unknown };
  'portfolio.eraseUser': { params: UserScoped; result: { deleted: number } };
  'auth.eraseUser': { params: UserScoped; result: unknown };
  'insights.createGoal': { params: { name: string; target: string; date: string }; result: GoalView };
}

export type ActionName = keyof ActionMap;
export type ActionParams<K extends ActionName> = ActionMap[K]['params'];
export type ActionResult<K extends ActionName> = ActionMap[K]['result'];
/** The actions that answer JSON lines, and what each line is. */
export type LinesAction = {
  [K in ActionName]: ActionMap[K]['result'] extends JsonLines<infer _T> ? K : never;
}[ActionName];
/** The actions that answer a stream of bytes. */
export type ByteStreamAction = {
  [K in ActionName]: ActionMap[K]['result'] extends ByteStream ? K : never;
}[ActionName];
export type LineOf<K extends LinesAction> = ActionMap[K]['result'] extends JsonLines<infer T> ? T : never;
