// What Finexia needs from each kind of provider, in its own terms: one interface per kind,
// money as decimal strings, and the one error every adapter throws. Adapters (providers/)
// implement these; nothing on this side knows an SDK or a URL.
import type { ErrorAction } from '@finexia/contracts/errors.ts';

export interface BankAccount {
  providerAccountId: string;
  name: string;
  officialName: string | null;
  mask: string | null;
  type: string;
  subtype: string | null;
  currency: string;
  current: string | null;
  available: string | null;
  limit: string | null;
}

export interface BankTransaction {
  providerTransactionId: string;
  providerAccountId: string;
  /** signed decimal string in `currency`: negative = money out of the account */
  amount: string;
  currency: string;
  date: string;
  authorizedDate: string | null;
  /** when the payment was made, to the minute (ISO 8601), where the bank says (card payments) */
  authorizedAt: string | null;
  name: string;
  merchantName: string | null;
  pending: boolean;
  pendingTransactionId: string | null;
  category: { primary: string; detailed: string } | null;
}

export interface BankSyncPage {
  added: BankTransaction[];
  modified: BankTransaction[];
  removed: { providerTransactionId: string; providerAccountId: string }[];
  nextCursor: string;
  hasMore: boolean;
  accounts: BankAccount[];
}

/** A debt's terms as the bank tells them (Plaid Liabilities): cards and loans. */
export interface BankLiability {
  providerAccountId: string;
  /** yearly rate in percent (a card's purchase APR) */
  aprPercent: string | null;
  minimumPayment: string | null;
  nextPaymentDueDate: string | null;
  /** the lender says a payment is past due */
  overdue: boolean;
}

export interface BankLink {
  accessToken: string;
  itemId: string;
}

/** What a bank provider's item is linked for: a bank's accounts and transactions, or a brokerage's investments. */
export type LinkProduct = 'transactions' | 'investments';

export interface BankProvider extends InvestmentsProvider {
  readonly name: 'plaid';
  createLinkToken(userId: string, product?: LinkProduct): Promise<{ linkToken: string; expiration: string }>;
  /** Stands in for the Link widget in the sandbox: the institution and test credentials the user picked. */
  createSandboxPublicToken(
    institutionId: string,
    credentials?: { username: string; password: string },
    product?: LinkProduct,
  ): Promise<string>;
  exchangePublicToken(publicToken: string): Promise<BankLink>;
  getAccounts(accessToken: string): Promise<BankAccount[]>;
  /** Cards' and loans' terms; empty when the institution does not offer them. */
  getLiabilities(accessToken: string): Promise<BankLiability[]>;
  syncTransactions(accessToken: string, cursor: string | null, count: number): Promise<BankSyncPage>;
  removeItem(accessToken: string): Promise<void>;
  listInstitutions(): Promise<{ id: string; name: string }[]>;
  /** Verifies a webhook's signature and freshness; returns its parsed body when valid. */
  verifyWebhook(rawBody: string, verificationHeader: string | undefined): Promise<BankWebhook | undefined>;
}

/** A security as a brokerage describes it (Plaid's security object, what we use of it). */
export interface BrokerageSecurity {
  securityId: string;
  name: string | null;
  ticker: string | null;
  cusip: string | null;
  isin: string | null;
  /** equity, etf, mutual fund, fixed income, cash, cryptocurrency, derivative, other */
  type: string | null;
  isCashEquivalent: boolean;
  mic: string | null;
  currency: string;
  closePrice: string | null;
  closePriceAsOf: string | null;
}

export interface BrokerageHolding {
  providerAccountId: string;
  securityId: string;
  /** decimal strings */
  quantity: string;
  price: string;
  priceAsOf: string | null;
  value: string;
  costBasis: string | null;
  currency: string;
}

export interface BrokerageHoldings {
  accounts: BankAccount[];
  holdings: BrokerageHolding[];
  securities: BrokerageSecurity[];
}

/** A brokerage's transaction (Plaid's investment transaction; decimal strings, Plaid's signs). */
export interface BrokerageTransaction {
  providerTransactionId: string;
  providerAccountId: string;
  securityId: string | null;
  date: string;
  name: string;
  /** positive bought, negative sold */
  quantity: string;
  /** positive when cash leaves the account, negative when it comes in */
  amount: string;
  price: string;
  fees: string | null;
  type: string;
  subtype: string;
  currency: string;
}

/** The brokerage side of a bank provider (Plaid Investments). */
export interface InvestmentsProvider {
  getHoldings(accessToken: string): Promise<BrokerageHoldings>;
  /** Every transaction from `start` to `end` (days), page by page, with the securities they name. */
  getInvestmentTransactions(
    accessToken: string,
    start: string,
    end: string,
  ): Promise<{ transactions: BrokerageTransaction[]; securities: BrokerageSecurity[] }>;
}

export interface BankWebhook {
  type: string;
  code: string;
  itemId: string;
}

export interface ExchangeCredentials {
  apiKey: string;
  apiSecret: string;
}

export interface ExchangeBalance {
  /** the exchange's own account id for this asset (Coinbase wallet uuid), or the asset for Binance */
  providerAccountId: string;
  asset: string;
  /** decimal strings */
  free: string;
  locked: string;
}

export interface ExchangeProvider {
  readonly name: 'binance' | 'coinbase';
  getBalances(credentials: ExchangeCredentials): Promise<ExchangeBalance[]>;
}

export interface PriceQuote {
  id: string;
  currency: string;
  price: string;
  change24hPercent: string | null;
  updatedAt: number | null;
}

export interface PriceFeed {
  getPrices(ids: string[], currencies: string[]): Promise<PriceQuote[]>;
}

export interface FxRates {
  base: string;
  date: string;
  rates: Record<string, string>;
}

export interface FxProvider {
  latest(base: string, symbols?: string[]): Promise<FxRates>;
  on(date: string, base: string, symbols?: string[]): Promise<FxRates>;
  /** rates for each day with a fixing in [from, to], by date */
  range(
    from: string,
    to: string,
    base: string,
    symbols?: string[],
  ): Promise<Record<string, Record<string, string>>>;
}

/** An ERC-20 the product reads, as the configuration lists it. */
export interface EvmToken {
  address: `0x${string}`;
  symbol: string;
  decimals: number;
}

export interface EvmChainConfig {
  /** the chain's id (1 for Ethereum; the node's for a local one): checked against the node */
  chainId: number;
  /** short name, the wallet's chain (`ethereum`) */
  name: string;
  rpcUrl: string;
  /** the native asset's symbol and decimals (ETH, 18) */
  nativeSymbol: string;
  nativeDecimals: number;
  /** a Multicall3 (aggregate3 and getEthBalance) on that chain */
  multicallAddress: `0x${string}`;
  tokens: EvmToken[];
  /**
   * CoinGecko's asset platform id for this chain (`ethereum`, `polygon-pos`, `base`): its tokens are
   * priced by contract address there, never by a symbol another coin may share. Without one, a
   * token is priced by its symbol only where an exchange streams it.
   */
  priceApiPlatform?: string;
}

// The one error type every provider adapter throws. It says whether a retry can help,
// how long the provider asked us to wait, and what the user can do about it — so the
// UI can explain (e.g. ITEM_LOGIN_REQUIRED → "reconnect this bank") and act.
export type ProviderName =
  'plaid' | 'binance' | 'coinbase' | 'coingecko' | 'fx' | 'esplora' | 'ethereum' | 'alpaca';

export type ProviderErrorCode =
  | 'ITEM_LOGIN_REQUIRED'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_REQUEST'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'BANNED'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'MUTATION_DURING_PAGINATION'
  | 'CIRCUIT_OPEN'
  | 'UNKNOWN';

/** What the user (or the app) should do next. */
export type ProviderAction = ErrorAction;

const DEFAULTS: Record<
  ProviderErrorCode,
  { retryable: boolean; action: ProviderAction; userMessage: string }
> = {
  ITEM_LOGIN_REQUIRED: {
    retryable: false,
    action: 'reconnect',
    userMessage: 'Your bank needs you to sign in again. Reconnect this bank.',
  },
  INVALID_CREDENTIALS: {
    retryable: false,
    action: 'check-credentials',
    userMessage: 'The API key or secret was not accepted. Check them and try again.',
  },
  INVALID_REQUEST: {
    retryable: false,
    action: 'contact-support',
    userMessage: 'The provider rejected our request. We have been notified.',
  },
  NOT_FOUND: {
    retryable: false,
    action: 'reconnect',
    userMessage: 'The provider no longer knows this connection. Reconnect it.',
  },
  RATE_LIMITED: {
    retryable: true,
    action: 'retry-later',
    userMessage: 'The provider is limiting requests. We will retry shortly.',
  },
  BANNED: {
    retryable: true,
    action: 'retry-later',
    userMessage: 'The provider has paused our access for a few minutes. We will retry.',
  },
  UNAVAILABLE: {
    retryable: true,
    action: 'retry-later',
    userMessage: 'The provider is having problems. We will retry shortly.',
  },
  TIMEOUT: {
    retryable: true,
    action: 'retry-later',
    userMessage: 'The provider did not answer in time. We will retry shortly.',
  },
  MUTATION_DURING_PAGINATION: {
    retryable: true,
    action: 'none',
    userMessage: 'New data arrived while syncing; the sync restarts.',
  },
  CIRCUIT_OPEN: {
    retryable: true,
    action: 'retry-later',
    userMessage: 'The provider has been failing; we are giving it a moment before trying again.',
  },
  UNKNOWN: {
    retryable: true,
    action: 'retry-later',
    userMessage: 'Something went wrong talking to the provider. We will retry.',
  },
};

export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly retryable: boolean;
  readonly action: ProviderAction;
  readonly userMessage: string;

  constructor(
    readonly provider: ProviderName,
    readonly code: ProviderErrorCode,
    message: string,
    options: {
      retryAfterMs?: number;
      providerCode?: string | number;
      status?: number;
      userMessage?: string;
    } = {},
  ) {
    super(message);
    const defaults = DEFAULTS[code];
    this.retryable = defaults.retryable;
    this.action = defaults.action;
    this.userMessage = options.userMessage ?? defaults.userMessage;
    this.retryAfterMs = options.retryAfterMs;
    this.providerCode = options.providerCode;
    this.status = options.status;
  }

  readonly retryAfterMs: number | undefined;
  readonly providerCode: string | number | undefined;
  readonly status: number | undefined;

  /** A plain summary safe to store and show (no secrets, no raw provider payloads). */
  toJSON() {
    return {
      provider: this.provider,
      code: this.code,
      message: this.userMessage,
      action: this.action,
      retryable: this.retryable,
    };
  }
}
