// The REST API's vocabulary and the bodies of its requests and responses (under /api/v1).
// The services build these shapes, the dashboard and the tests read them; nothing restates them.
import type { ErrorAction } from './errors.ts';
import type { AssetClass } from './portfolio.ts';
import type { DecimalText } from './decimal.ts';

export type { DecimalText };

// ── vocabulary ───────────────────────────────────────────────────────────────────────────

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const THEMES = ['light', 'dark', 'system'] as const;
export type Theme = (typeof THEMES)[number];

/** bank: a Plaid item for its accounts and transactions; brokerage: a Plaid item for its investments */
export const WALLET_KINDS = ['bank', 'brokerage', 'exchange', 'manual', 'chain'] as const;
export type WalletKind = (typeof WALLET_KINDS)[number];

/** The ticker (or CUSIP) a person reads for an asset (SAP for SAP-XETR.STOCK; BTC for BTC). */
export const assetLabel = (asset: string): string => asset.split(/[-.]/)[0] ?? asset;

/** What kind of security an asset's name ends in (domain/securities.ts gives each its class). */
export const SECURITY_TAGS = ['STOCK', 'ETF', 'FUND', 'MMF', 'BOND'] as const;

/**
 * An asset's symbol: a coin or a currency (BTC, USD), or a security as domain/securities.ts
 * names it (AAPL.STOCK, SAP-XETR.STOCK, VTSAX.FUND, 91282CLW9.BOND).
 */
export const ASSET_SYMBOL = new RegExp(
  `^(?:[A-Z0-9]{1,12}|[A-Z0-9]{1,12}(?:-[A-Z0-9]{4})?\\.(?:${SECURITY_TAGS.join('|')}))$`,
);

export const MANUAL_TYPES = [
  'cash',
  'savings',
  'business',
  'other',
  'loan',
  'mortgage',
  'property',
  'vehicle',
  'valuables',
] as const;
export type ManualType = (typeof MANUAL_TYPES)[number];
/** manual wallets that are debts: entered with their terms, the balance moves by their schedule */
export const DEBT_MANUAL_TYPES = ['loan', 'mortgage'] as const satisfies readonly ManualType[];
/**
 * manual wallets that are things a person owns and values by hand (a home, a car, jewellery, art):
 * each is its own allocation class, and its account's type is its manual type
 */
export const OWNED_MANUAL_TYPES = [
  'property',
  'vehicle',
  'valuables',
] as const satisfies readonly ManualType[];
export type OwnedType = (typeof OWNED_MANUAL_TYPES)[number];

/** What a person enters about a thing they own (domain/owned-assets.ts values it). */
export interface OwnedAssetTerms {
  purchasePrice: DecimalText;
  /** YYYY-MM-DD: net worth and its history count it from this day */
  purchaseDate: string;
  /**
   * a vehicle: the yearly rate its value falls by, charged monthly on what it is worth (15 → 1.25 %
   * of its value each month), from its purchase or its last valuation
   */
  depreciationPercent?: DecimalText;
  /** a property: the manual mortgage wallet that finances it (its equity is the value less what that owes) */
  mortgageWalletId?: string | null;
}

/** A thing a person owns, where its value stands. */
export interface OwnedAssetView {
  terms: OwnedAssetTerms;
  /** what it is worth now, in the wallet's currency */
  value: DecimalText;
  /** the day that value was set: a valuation the person recorded, the purchase, or the schedule's last step */
  valuedOn: string;
  /** value less purchase price */
  gain: DecimalText;
  /** a property financed by a mortgage: what the mortgage owes and the equity (value less that) */
  mortgage: { walletId: string; name: string; owed: DecimalText; equity: DecimalText } | null;
  /** a vehicle: its value at the next monthly step of its schedule */
  next: { date: string; value: DecimalText } | null;
}

/** A fixed-rate loan's terms, as the person enters them (domain/loans.ts amortizes them). */
export interface LoanTerms {
  /** what was borrowed */
  principal: DecimalText;
  /** nominal yearly rate in percent ("5.25"), compounded monthly */
  annualRatePercent: DecimalText;
  termMonths: number;
  /** YYYY-MM-DD the loan began; the first payment falls in the month after */
  startDate: string;
  /** day of the month payments are due (1–28, so every month has it) */
  paymentDay: number;
  /** extra principal paid with every payment */
  extraMonthly?: DecimalText;
  /** one-off extra payments of principal */
  extraPayments?: { date: string; amount: DecimalText }[];
}

/** One payment of a loan's schedule. */
export interface LoanPayment {
  /** 1 for the first payment */
  number: number;
  date: string;
  /** what was paid in all (interest + principal, extra included) */
  payment: DecimalText;
  interest: DecimalText;
  principal: DecimalText;
  /** what is owed after it */
  balance: DecimalText;
}

/** A debt's terms and where its schedule stands (on a loan or mortgage wallet). */
export interface LoanView {
  terms: LoanTerms;
  monthlyPayment: DecimalText;
  /** the next payment due, split into interest and principal */
  next: LoanPayment | null;
  /** the day the schedule ends (debt-free), and the interest still to pay until then */
  endsOn: string | null;
  interestLeft: DecimalText;
}

export interface LoanSchedule {
  /** from the loan's start, or from the last balance the person recorded */
  from: { date: string; balance: DecimalText };
  payments: LoanPayment[];
}

/**
 * Account types whose balance is what the person owes (Plaid's `credit` and `loan`): the provider
 * reports them positive when owed, and they count against net worth everywhere.
 */
export const LIABILITY_ACCOUNT_TYPES = ['credit', 'loan'] as const;

export const EXCHANGES = ['binance', 'coinbase'] as const;
export type Exchange = (typeof EXCHANGES)[number];
/** What reads a chain wallet: Bitcoin (Esplora), or an EVM chain (which one: the wallet's `chain`). */
export const CHAIN_KINDS = ['bitcoin', 'evm'] as const;
export type ChainKind = (typeof CHAIN_KINDS)[number];
export type WalletProvider = 'plaid' | Exchange | ChainKind;

/** A chain this server watches wallets on: Bitcoin, or an EVM chain of its configuration (EVM_CHAINS). */
export interface ChainInfo {
  /** what a wallet names it by (`bitcoin`, `ethereum`, …) */
  name: string;
  kind: ChainKind;
  nativeSymbol: string;
  /** an EVM chain's id */
  chainId: number | null;
}

export interface ChainList {
  chains: ChainInfo[];
}

export const SYNC_STATES = ['never', 'queued', 'running', 'ok', 'failed'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** Why a sync was queued. */
export type SyncReason = 'link' | 'schedule' | 'webhook' | 'user' | 'operator';

export const CATEGORY_PRIMARIES = [
  'INCOME',
  'TRANSFER_IN',
  'TRANSFER_OUT',
  'LOAN_PAYMENTS',
  'BANK_FEES',
  'ENTERTAINMENT',
  'FOOD_AND_DRINK',
  'GENERAL_MERCHANDISE',
  'HOME_IMPROVEMENT',
  'MEDICAL',
  'PERSONAL_CARE',
  'GENERAL_SERVICES',
  'GOVERNMENT_AND_NON_PROFIT',
  'TRANSPORTATION',
  'TRAVEL',
  'RENT_AND_UTILITIES',
  'OTHER',
] as const;
export type CategoryPrimary = (typeof CATEGORY_PRIMARIES)[number];

export const CATEGORY_SOURCES = ['provider', 'rule', 'user', 'none'] as const;
export type CategorySource = (typeof CATEGORY_SOURCES)[number];

export const BANK_FILE_FORMATS = ['csv', 'ofx', 'qif', 'camt053'] as const;
/** CSV, OFX/QFX (1.x SGML and 2.x XML), QIF, ISO 20022 CAMT.053 */
export type BankFileFormat = (typeof BANK_FILE_FORMATS)[number];
/** where a transaction came from: a linked bank, the user's hand, or an imported file's format */
export const TRANSACTION_SOURCES = ['plaid', 'manual', ...BANK_FILE_FORMATS] as const;
export type TransactionSource = (typeof TRANSACTION_SOURCES)[number];

export const TRANSACTION_SORTS = ['date', '-date', 'amount', '-amount'] as const;
export type TransactionSort = (typeof TRANSACTION_SORTS)[number];

export const DATE_FORMATS = ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export const HISTORY_RANGES = ['1D', '1W', '1M', '1Y', 'ALL'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export const CANDLE_INTERVALS = ['1m', '1h', '1d'] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

/** The currencies Finexia values with FX rates (balances, base currencies). */
export const FIAT_CURRENCY_CODES = [
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'CHF',
  'CAD',
  'AUD',
  'SEK',
  'NOK',
  'PLN',
] as const;
export type FiatCurrency = (typeof FIAT_CURRENCY_CODES)[number];

export const ANOMALY_TYPES = [
  'unusual_amount',
  'duplicate_charge',
  'new_merchant_large',
  'subscription_price_rise',
  'recurring_twice',
  'spending_burst',
  'income_missing',
  'low_balance',
  'net_worth_drop',
  'market_move',
] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** open: needs a look; dismissed: not a problem; expected: fine, and similar ones are too */
export const ANOMALY_STATUSES = ['open', 'dismissed', 'expected'] as const;
export type AnomalyStatus = (typeof ANOMALY_STATUSES)[number];

export const NOTIFICATION_KINDS = ['sync.failed', 'sync.recovered', 'wallet.linked', 'anomaly'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

// ── auth and users ───────────────────────────────────────────────────────────────────────

export interface AlertTypePreference {
  enabled: boolean;
  /** anomalies below this severity stay in the list without a notification */
  minSeverity: Severity;
}

export interface QuietHours {
  enabled: boolean;
  /** HH:MM in the user's time zone; the quiet period runs from start to end (may span midnight) */
  start: string;
  end: string;
}

export interface AlertPreferences {
  types: Record<AnomalyType, AlertTypePreference>;
  quietHours: QuietHours;
}

export interface AlertThresholds {
  /** decimal amounts in the base currency */
  largeTransaction: string;
  lowBalance: string;
  netWorthDropPercent: number;
  /** a held position moving more than this within an hour is an alert */
  marketMovePercent: number;
}

export interface Preferences {
  baseCurrency: string;
  locale: string;
  timeZone: string;
  theme: Theme;
  alertThresholds: AlertThresholds;
  alerts: AlertPreferences;
}

/** The only shape in which a user leaves the server: no password hash, no internal ids. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  preferences: Preferences;
  createdAt: string;
}

/** Security events an admin can read (`GET /api/v1/users/audit`). */
export const AUDIT_TYPES = [
  'login.succeeded',
  'login.failed',
  'login.blocked',
  'refresh.reused',
  'account.disabled',
  'account.enabled',
  'role.changed',
  'email.changed',
  'password.changed',
  'credentials.resealed',
  /** an account was deleted: the only trace left of it (no id, no email; `details.subject` is a keyed hash) */
  'account.deleted',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditEventView {
  id: string;
  type: AuditType;
  at: string;
  /** whose account it concerns (null: an unknown email's failed sign-in) */
  userId: string | null;
  /** who did it, when not the user themself (an admin) */
  actorId: string | null;
  /** the attempted email of a failed or blocked sign-in */
  email: string | null;
  /** the emails of `userId` and `actorId` now (null: no such user any more) */
  userEmail: string | null;
  actorEmail: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, string | number | boolean | null>;
}

export interface AuditPage {
  events: AuditEventView[];
  nextCursor: string | null;
}

/** Deleting one's own account: the password, and the word typed to confirm. */
export interface DeleteAccountRequest {
  password: string;
  /** must be exactly DELETE_CONFIRMATION */
  confirm: string;
}
export const DELETE_CONFIRMATION = 'DELETE';

/** An account's deletion is under way: access ended at once, everything else within moments. */
export interface AccountDeletion {
  status: 'deleting';
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export interface RegisterRequest {
  email: string;
  password: string;
  name: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface SessionResponse {
  tokenType: 'Bearer';
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: UserView;
}

export interface DeviceSession {
  id: string;
  current: boolean;
  userAgent: string | null;
  lastUsedAt: string | null;
  expiresAt: string;
}

export interface SessionList {
  sessions: DeviceSession[];
}

export interface PreferencesPatch {
  baseCurrency?: string;
  locale?: string;
  timeZone?: string;
  theme?: Theme;
  alertThresholds?: Partial<AlertThresholds>;
  alerts?: {
    types?: Partial<Record<AnomalyType, Partial<AlertTypePreference>>>;
    quietHours?: Partial<QuietHours>;
  };
}

export interface UserPage {
  users: UserView[];
  nextCursor: string | null;
}

// ── wallets ──────────────────────────────────────────────────────────────────────────────

export interface SyncProgress {
  pages: number;
  added: number;
  modified: number;
  removed: number;
}

export interface SyncStatus {
  state: SyncState;
  progress: SyncProgress | null;
  /** what went wrong, in words for the user */
  reason: string | null;
  /** what fixes it */
  fix: ErrorAction | null;
  lastSyncedAt: string | null;
}

export interface HoldingView {
  asset: string;
  quantity: DecimalText;
  locked: DecimalText;
  /** a security's name (a brokerage's holdings; absent for coins and cash) */
  name?: string;
  /** what the units held cost, in `priceCurrency` (a brokerage's holdings, when it reports it) */
  costBasis?: DecimalText | null;
  /** the brokerage's own last price (a stock's close, a fund's NAV), its currency and its day */
  price?: DecimalText;
  priceCurrency?: string;
  priceAsOf?: string | null;
  /** what the units are worth at that price, and the gain over the cost basis (null without one) */
  value?: DecimalText;
  gain?: DecimalText | null;
}

export interface AccountView {
  id: string;
  name: string;
  officialName: string | null;
  mask: string | null;
  type: string;
  subtype: string | null;
  currency: string;
  /** the balance as the provider reports it: for a card or a loan, what is owed (positive) */
  current: DecimalText | null;
  available: DecimalText | null;
  /**
   * what the account adds to net worth, in its currency: its balance, negative for what is owed
   * (null: valued by its holdings, or no balance reported)
   */
  value: DecimalText | null;
  /** a card or a loan: its balance is owed */
  liability: boolean;
  /** a debt's terms where known (the bank's Liabilities, or the loan's own terms) */
  debt?: {
    aprPercent: DecimalText | null;
    minimumPayment: DecimalText | null;
    nextPaymentDueDate: string | null;
  };
  holdings: HoldingView[];
  /**
   * a brokerage account: the gain of its holdings over what they cost (those in its currency
   * whose cost is known; null when none is), and its dividends, interest and fees since `since`
   * (the last twelve months), in its currency
   */
  investment?: {
    gain: DecimalText | null;
    since: string;
    dividends: DecimalText;
    interest: DecimalText;
    fees: DecimalText;
  };
  /** a wallet on chain (Bitcoin): its latest confirmed transactions, newest first (up to 10) */
  activity?: ChainActivity[];
}

/** What one transaction on chain did to a wallet: its asset in (positive) or out (negative, fee included). */
export interface ChainActivity {
  txid: string;
  /** the block's time (ISO) and its UTC day */
  blockTime: string;
  date: string;
  asset: string;
  quantity: DecimalText;
}

export interface Institution {
  id: string;
  name: string;
}

export interface WalletView {
  id: string;
  kind: WalletKind;
  provider: WalletProvider | null;
  manualType: ManualType | null;
  name: string;
  currency: string | null;
  institution: Institution | null;
  archived: boolean;
  createdAt: string | null;
  sync: SyncStatus;
  accounts: AccountView[];
  /** a wallet on chain: the chain it is on (`bitcoin`, `ethereum`, …) */
  chain?: string;
  /** a loan or mortgage wallet's terms and schedule */
  loan?: LoanView;
  /** a property, vehicle or valuables wallet: what was paid, what it is worth, its equity */
  owned?: OwnedAssetView;
}

export interface WalletList {
  wallets: WalletView[];
}

export interface InstitutionList {
  institutions: Institution[];
}

export interface LinkToken {
  linkToken: string;
  expiration: string;
}

export interface LinkBankRequest {
  publicToken?: string;
  institutionId?: string;
  username?: string;
  password?: string;
  name?: string;
}

export interface ConnectExchangeRequest {
  provider: Exchange;
  apiKey: string;
  apiSecret: string;
  name?: string;
}

/** A wallet on chain, watched by its address or extended public key (never a secret). */
export interface ConnectChainRequest {
  /** `bitcoin`, or the name of an EVM chain the server watches (GET /wallets/chains) */
  chain: string;
  /** Bitcoin: an address, or an xpub / ypub / zpub; Ethereum: a 0x address */
  watch: string;
  name?: string;
}

export interface CreateManualWalletRequest {
  name: string;
  manualType: ManualType;
  currency: string;
  /** for a loan or mortgage: what is owed (left out, the schedule says) */
  balance?: string;
  date?: string;
  /** required for a loan or mortgage, refused for any other type */
  loan?: LoanTerms;
  /**
   * required for a property, vehicle or valuables, refused for any other type; `balance` (and
   * `date`, today by default) is then a valuation since the purchase
   */
  owned?: OwnedAssetTerms;
}

/** A change to an owned thing's terms: the vehicle's rate, the property's mortgage (null unlinks it). */
export interface UpdateOwnedAssetRequest {
  depreciationPercent?: DecimalText;
  mortgageWalletId?: string | null;
}

export interface WalletDeleted {
  deleted: {
    wallet: string;
    transactions: number;
    accounts: number;
    holdings: number;
    /** a brokerage's buys, sells, dividends and fees */
    investmentTransactions: number;
    /** a wallet on chain's transactions */
    chainTransactions: number;
    balancePoints: number;
  };
  /** null when the wallet had no provider link */
  providerDisconnected: boolean | null;
}

export interface BalanceHistory {
  balances: { date: string; balance: string }[];
}

export interface CredentialsRotated {
  resealed: number;
  failed: number;
}

export interface WebhookReceived {
  received: true;
  queued: number;
}

// ── transactions ─────────────────────────────────────────────────────────────────────────

export interface Category {
  primary: string;
  detailed: string;
}

export interface TransactionView {
  id: string;
  walletId: string;
  accountId: string;
  amount: DecimalText;
  currency: string;
  date: string;
  authorizedDate: string | null;
  name: string;
  merchant: string | null;
  pending: boolean;
  category: Category | null;
  categorySource: CategorySource;
  providerCategory: Category | null;
  source: TransactionSource;
  notes: string | null;
}

export interface TransactionPage {
  transactions: TransactionView[];
  nextCursor: string | null;
}

export interface TransactionQuery {
  walletId?: string;
  accountId?: string;
  from?: string;
  to?: string;
  category?: CategoryPrimary;
  minAmount?: string;
  maxAmount?: string;
  q?: string;
  pending?: boolean;
  sort?: TransactionSort;
  limit?: number;
  cursor?: string;
}

export interface CategoryInput {
  primary: CategoryPrimary;
  detailed?: string;
}

export interface CreateTransactionRequest {
  walletId: string;
  amount: string;
  date: string;
  name: string;
  merchant?: string;
  category?: CategoryInput;
  notes?: string;
}

export interface UpdateTransactionRequest {
  amount?: string;
  date?: string;
  name?: string;
  merchant?: string;
  category?: CategoryInput | null;
  rememberForMerchant?: boolean;
  notes?: string | null;
}

export interface CategoryList {
  categories: readonly CategoryPrimary[];
  rules: { merchant: string; category: Category }[];
}

/** How the columns of a CSV file map onto a transaction. */
export interface ImportMapping {
  date: string;
  /** one signed amount column … */
  amount?: string;
  /** … or separate money-out / money-in columns */
  debit?: string;
  credit?: string;
  description: string;
  category?: string;
  dateFormat: DateFormat;
  decimalSeparator: '.' | ',';
  /** for files where spending is positive */
  invertSign?: boolean;
}

export interface ImportPreviewRequest {
  walletId: string;
  /** the file's text, whatever its format (read from its content) */
  file?: string;
  /** the same, under its v1 name (CSV only when it was introduced; any format now) */
  csv?: string;
}

/** A statement's closing balance against its opening balance and the entries between. */
export interface StatementBalanceCheck {
  from: string | null;
  to: string;
  opening: DecimalText | null;
  closing: DecimalText;
  /** the sum of the entries the check covers */
  entries: DecimalText;
  /** 'unchecked' when nothing says what the balance was before (see reason) */
  status: 'matches' | 'mismatch' | 'unchecked';
  reason?: string;
}

/** What a bank file (not CSV) says about itself. */
export interface StatementSummary {
  /** the account as the file names it (numbers shown by their last four digits) */
  account: string | null;
  currency: string | null;
  from: string | null;
  to: string | null;
  balances: StatementBalanceCheck[];
  /** entries read but not imported (pending ones), with the line each starts on */
  skipped: { line: number; reason: string }[];
}

export interface ImportPreview {
  importId: string;
  format: BankFileFormat;
  headers: string[];
  rowCount: number;
  sample: string[][];
  /** for a bank file, the mapping it needs (its columns are known): commit may leave it out */
  suggestedMapping: Partial<ImportMapping>;
  dateFormats: readonly DateFormat[];
  /** bank files only */
  statement?: StatementSummary;
}

export interface ImportResult {
  importId: string;
  imported: number;
  duplicates: number;
  /** bank files: the statement's balances against what it holds */
  balances?: StatementBalanceCheck[];
  /** true when this preview had been committed before (nothing new was imported) */
  alreadyCommitted?: true;
}

// ── portfolio and market ─────────────────────────────────────────────────────────────────

export interface HistoryPointView {
  t: string;
  value: DecimalText;
  /** a past day rebuilt with today's quantities of holdings (or with a price unknown): shown as an estimate */
  estimated?: boolean;
}

export interface HistoryResponse {
  currency: string;
  /** null when the range was given as from/to */
  range: HistoryRange | null;
  from: string;
  to: string;
  points: HistoryPointView[];
}

export interface ValueAtResponse {
  t: string;
  value: DecimalText;
  currency: string;
  recordedAt: string;
}

/**
 * Where a price came from; `peg`: no market price could be had, so a stablecoin is valued at its
 * peg (marked so everywhere it shows); `brokerage`: a brokerage's own last price of a security
 * (a close, a fund's NAV); `feed`: a securities market-data feed's trade.
 */
export const TICK_SOURCES = [
  'binance',
  'coingecko',
  'coinbase',
  'fx',
  'peg',
  'brokerage',
  'feed',
  'test',
] as const;
export type TickSource = (typeof TICK_SOURCES)[number];

/** A normalised price update. */
export interface Tick {
  /** asset symbol, e.g. BTC */
  symbol: string;
  /** decimal string, quote currency USD(T) */
  price: string;
  /** ms since epoch, from the provider */
  ts: number;
  source: TickSource;
}

export interface PriceList {
  prices: Tick[];
}

export interface CandleView {
  symbol: string;
  interval: CandleInterval;
  t: string;
  open: string;
  high: string;
  low: string;
  close: string;
  ticks: number;
}

export interface CandleList {
  symbol: string;
  interval: CandleInterval;
  candles: CandleView[];
}

export interface PriceChange {
  symbol: string;
  open: string;
  price: string;
  change: string;
  /** percent with 2 decimals; null when the open was 0 */
  changePercent: string | null;
  since: string;
}

export interface PriceChanges {
  changes: PriceChange[];
}

export type { AssetClass };

// ── notifications ────────────────────────────────────────────────────────────────────────

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  action: ErrorAction | null;
  walletId: string | null;
  /** the anomaly an alert is about (kind `anomaly`) */
  anomalyId: string | null;
  severity: Severity | null;
  read: boolean;
  createdAt: string;
}

export interface NotificationList {
  items: NotificationView[];
  unread: number;
  hasMore: boolean;
}

export interface UnreadCount {
  unread: number;
}

// ── anomalies and alerts ─────────────────────────────────────────────────────────────────

export interface AnomalyView {
  id: string;
  type: AnomalyType;
  severity: Severity;
  status: AnomalyStatus;
  /** the day it is about */
  date: string;
  /** found in history brought in at once (a first sync, an import): listed, never notified */
  historical: boolean;
  reason: string;
  evidence: Record<string, string | number>;
  transactionIds: string[];
  walletIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface AnomalyPage {
  anomalies: AnomalyView[];
  nextCursor: string | null;
}

export interface AnomalyQuery {
  type?: AnomalyType;
  status?: AnomalyStatus;
  walletId?: string;
  from?: string;
  to?: string;
  transactionId?: string;
  limit?: number;
  cursor?: string;
}

export interface WebhookView {
  id: string;
  url: string;
  /** which alerts go out: anything at or above this severity */
  minSeverity: Severity;
  enabled: boolean;
  createdAt: string;
  /** the secret is shown once, when the webhook is made; later only its last four characters */
  secretHint: string;
}

export interface WebhookList {
  webhooks: WebhookView[];
}

export interface WebhookCreated extends WebhookView {
  secret: string;
}

export interface CreateWebhookRequest {
  url: string;
  minSeverity?: Severity;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  event: 'alert' | 'test';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface WebhookDeliveries {
  deliveries: WebhookDelivery[];
}

/** The body Finexia POSTs to a webhook (signed: see README, "Webhooks"). */
export interface WebhookPayload {
  id: string;
  event: 'alert' | 'test';
  createdAt: string;
  alert: {
    title: string;
    body: string;
    severity: Severity;
    anomalies: Pick<AnomalyView, 'id' | 'type' | 'severity' | 'date' | 'reason' | 'transactionIds'>[];
  };
}

// ── insights: financial health score, recommendations, projection, goals ────────────────

export const HEALTH_INDICATORS = [
  'spend_less_than_income',
  'bills_on_time',
  'liquid_savings',
  'long_term_savings',
  'manageable_debt',
  'prime_credit',
  'insurance',
  'planning_ahead',
] as const;
export type HealthIndicatorId = (typeof HEALTH_INDICATORS)[number];
export type HealthTier = 'vulnerable' | 'coping' | 'healthy';

/** Questionnaire answers: 0 (worst) … 4 (best) per indicator; null or absent: skipped. */
export type QuestionnaireAnswers = Partial<Record<HealthIndicatorId, number | null>>;

export interface HealthIndicatorView {
  id: HealthIndicatorId;
  name: string;
  pillar: 'spend' | 'save' | 'borrow' | 'plan';
  /** measured from the user's data, from their answer, or neither */
  source: 'data' | 'answer' | 'skipped';
  /** 0–100, null when skipped */
  points: number | null;
  /** how it was measured, with the numbers ("liquid savings cover 2.3 months of …") */
  explanation: string;
  /**
   * the amounts it was measured from, in the base currency to its minor unit (measured ones
   * only): liquid, monthlySpending, monthlyIncome, longTerm, yearlyIncome, owed
   */
  figures: Record<string, DecimalText>;
}

export interface HealthScoreView {
  /** 0–100, the mean of the indicators it has; null when it has none */
  score: number | null;
  tier: HealthTier | null;
  /** some indicators are neither measured nor answered */
  partial: boolean;
  measured: number;
  answered: number;
  indicators: HealthIndicatorView[];
  currency: string;
}

export interface ScoreHistoryPoint {
  /** YYYY-MM: the score at that month's end */
  month: string;
  score: number | null;
  tier: HealthTier | null;
  partial: boolean;
  /** balances walked back through transactions; investments and FX at today's values */
  estimated: boolean;
}

export interface ScoreHistoryView {
  months: ScoreHistoryPoint[];
}

export interface QuestionView {
  indicator: HealthIndicatorId;
  question: string;
  /** best first; an answer's value is 4 for the first … 0 for the last */
  answers: string[];
  /** measured from your data: the answer is used only while the data cannot say */
  measured: boolean;
  answer: number | null;
}

export interface QuestionnaireView {
  questions: QuestionView[];
}

export const RECOMMENDATION_TYPES = [
  'emergency_fund',
  'subscription_rise',
  'idle_cash',
  'concentration',
  'category_over_usual',
  'debt_payoff',
  'savings_rate',
] as const;
export type RecommendationType = (typeof RECOMMENDATION_TYPES)[number];

export interface RecommendationView {
  /** stable while the situation is the same (dismissals are kept by it) */
  id: string;
  type: RecommendationType;
  title: string;
  rationale: string;
  /** the numbers behind it */
  data: Record<string, string | number>;
  /** expected yearly effect in the base currency (decimal string): what ranks it */
  impact: string;
  /** how the impact was worked out */
  impactBasis: string;
  currency: string;
}

export interface RecommendationList {
  recommendations: RecommendationView[];
  /** dismissed ones whose data did not change materially */
  dismissed: number;
}

export interface ClassAssumptionView {
  expectedReturn: number;
  volatility: number;
  source: string;
}

export interface ProjectionRequest {
  years?: number;
  /** monthly saving; the measured one when absent */
  monthlySavings?: string;
  incomeGrowth?: number;
  inflation?: number;
  inflationAdjusted?: boolean;
  classes?: Partial<Record<AssetClass, { expectedReturn?: number; volatility?: number }>>;
  paths?: number;
  seed?: number;
}

export interface ProjectionView {
  currency: string;
  /** every number the projection used, with where the defaults come from */
  assumptions: {
    /** today's assets by class (what is owed is in `debts`) */
    start: Record<AssetClass, string>;
    /** each debt as the projection repays it: monthly interest, a level payment (0: stays as it is) */
    debts: { owed: string; aprPercent: number; payment: string }[];
    monthlySavings: string;
    measuredMonthlySavings: string | null;
    savingsMeasuredOver: number;
    incomeGrowth: number;
    inflation: number;
    inflationSource: string;
    inflationAdjusted: boolean;
    years: number;
    classes: Record<AssetClass, ClassAssumptionView>;
    savingsMix: Record<AssetClass, number>;
    paths: number;
    seed: number;
  };
  /** year 0 (today) … years: the deterministic path and the Monte Carlo's percentiles */
  points: { year: number; deterministic: string; p10: string; p50: string; p90: string }[];
  goals: GoalOutcomeView[];
}

export interface GoalView {
  id: string;
  name: string;
  target: string;
  /** YYYY-MM-DD */
  date: string;
  currency: string;
}

export interface GoalOutcomeView extends GoalView {
  probability: number;
  monthlyNeededP50: string;
  monthlyNeededP90: string;
  deterministicAtDate: string;
}

export interface GoalList {
  goals: GoalView[];
}

export interface CreateGoalRequest {
  name: string;
  target: string;
  date: string;
}

// ── health ───────────────────────────────────────────────────────────────────────────────

export interface Health {
  status: 'ok';
  node: string;
  uptimeSeconds: number;
}

export type Probe =
  { ok: true; latencyMs: number } | { ok: false; error: string } | { ok: true; skipped: string };

export interface Readiness {
  status: 'ready' | 'unavailable';
  node: string;
  checks: Record<string, Probe>;
}
