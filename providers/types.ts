// One interface per kind of provider. Adapters are the app's only way to reach a
// provider; they speak in these shapes, with money as decimal strings.

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

export interface BankLink {
  accessToken: string;
  itemId: string;
}

export interface BankProvider {
  readonly name: 'plaid';
  createLinkToken(userId: string): Promise<{ linkToken: string; expiration: string }>;
  /** Stands in for the Link widget in the sandbox: the institution and test credentials the user picked. */
  createSandboxPublicToken(
    institutionId: string,
    credentials?: { username: string; password: string },
  ): Promise<string>;
  exchangePublicToken(publicToken: string): Promise<BankLink>;
  getAccounts(accessToken: string): Promise<BankAccount[]>;
  syncTransactions(accessToken: string, cursor: string | null, count: number): Promise<BankSyncPage>;
  removeItem(accessToken: string): Promise<void>;
  listInstitutions(): Promise<{ id: string; name: string }[]>;
  /** Verifies a webhook's signature and freshness; returns its parsed body when valid. */
  verifyWebhook(rawBody: string, verificationHeader: string | undefined): Promise<BankWebhook | undefined>;
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
}
