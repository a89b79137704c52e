// A user's data as they take it away (GET /api/v1/users/me/export): a zip of one JSON file per
// kind, and transactions as CSV. The same files bring what a person entered by hand into another
// account (POST /api/v1/users/me/import). No secret is in any of them.
import type {
  AnomalyView,
  AuditEventView,
  Category,
  CategorySource,
  GoalView,
  NotificationView,
  QuestionnaireAnswers,
  TransactionSource,
  UserView,
  WalletView,
  WebhookView,
} from './api.ts';
import type { DecimalText } from './decimal.ts';

export const EXPORT_FORMAT = 'finexia-export';
export const EXPORT_VERSION = 1;

/** The files of an export, by kind. */
export const EXPORT_FILES = {
  manifest: 'manifest.json',
  profile: 'profile.json',
  wallets: 'wallets.json',
  balances: 'balances.json',
  investmentTransactions: 'investment-transactions.json',
  chainTransactions: 'chain-transactions.json',
  transactions: 'transactions.csv',
  categoryRules: 'category-rules.json',
  anomalies: 'anomalies.json',
  notifications: 'notifications.json',
  webhooks: 'webhooks.json',
  goals: 'goals.json',
  questionnaire: 'questionnaire.json',
  dismissals: 'recommendation-dismissals.json',
  history: 'net-worth-history.json',
  audit: 'audit-events.json',
} as const;
export type ExportKind = keyof typeof EXPORT_FILES;

/** The columns of transactions.csv, in order. */
export const TRANSACTION_COLUMNS = [
  'id',
  'date',
  'walletId',
  'accountId',
  'amount',
  'currency',
  'name',
  'merchant',
  'category',
  'categoryDetailed',
  'categorySource',
  'notes',
  'pending',
  'source',
] as const;

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  userId: string;
  /** how many of each kind the files hold */
  counts: Partial<Record<ExportKind, number>>;
  /** what is never exported: secrets (provider credentials, webhook secrets, passwords, tokens) */
  notIncluded: string[];
}

/** A brokerage's transaction as the export carries it (Plaid's signs: positive when cash left the account). */
export interface ExportedInvestmentTransaction {
  walletId: string;
  accountId: string;
  date: string;
  name: string;
  /** our asset for the security (AAPL.STOCK), null for a cash movement */
  asset: string | null;
  type: string;
  subtype: string;
  quantity: DecimalText;
  amount: DecimalText;
  price: DecimalText;
  fees: DecimalText | null;
  currency: string;
}

/** What a transaction on chain did to a wallet: its asset in (positive) or out (negative, fee included). */
export interface ExportedChainTransaction {
  walletId: string;
  accountId: string;
  txid: string;
  asset: string;
  quantity: DecimalText;
  date: string;
  /** the block's time (ISO) and height */
  blockTime: string;
  height: number;
}

export interface ExportedBalances {
  walletId: string;
  /** `source: 'schedule'` marks the entries a loan's or a vehicle's terms make (an import makes them again) */
  balances: { date: string; balance: DecimalText; source?: 'schedule' }[];
}

/** A row of an export's transactions.csv, as an import stores it. */
export interface ImportedRow {
  id: string;
  walletId: string;
  date: string;
  amount: string;
  currency: string;
  name: string;
  merchant: string | null;
  category: Category | null;
  categorySource: CategorySource;
  notes: string | null;
  pending: boolean;
  source: TransactionSource;
}

export interface ExportedRule {
  merchant: string;
  category: Category;
}

export interface ExportedDismissal {
  recommendationId: string;
  impact: DecimalText;
  dismissedAt: string;
}

export interface ExportedHistoryPoint {
  t: string;
  value: DecimalText;
  currency: string;
  usd: DecimalText;
  /** rebuilt from synced or imported history (not recorded live) */
  rebuilt: boolean;
  estimated: boolean;
}

/** What each JSON file of an export holds. */
export interface ExportFiles {
  manifest: ExportManifest;
  profile: UserView;
  wallets: WalletView[];
  balances: ExportedBalances[];
  investmentTransactions: ExportedInvestmentTransaction[];
  chainTransactions: ExportedChainTransaction[];
  categoryRules: ExportedRule[];
  anomalies: AnomalyView[];
  notifications: NotificationView[];
  webhooks: WebhookView[];
  goals: GoalView[];
  questionnaire: QuestionnaireAnswers;
  dismissals: ExportedDismissal[];
  history: ExportedHistoryPoint[];
  audit: AuditEventView[];
}

/** The largest export an import takes (the zip's bytes, before base64). */
export const MAX_IMPORT_ARCHIVE_BYTES = 8 * 1024 * 1024;

/** An export brought into this account: the zip, base64-encoded. */
export interface ImportArchiveRequest {
  archive: string;
}

/** What an import brought in, and what it left out and why. */
export interface ImportReport {
  imported: {
    preferences: boolean;
    wallets: number;
    balances: number;
    transactions: number;
    categoryRules: number;
    goals: number;
  };
  skipped: { what: string; count: number; why: string }[];
}

/** Progress of an export under way (a `export.progress` event to the user's sockets). */
export interface ExportProgress {
  userId: string;
  stage: ExportKind;
  done: number;
  total: number;
}
