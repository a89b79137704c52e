// The API's shapes as the dashboard uses them. Portfolio views and deltas come from the
// server's own domain module, so both sides agree by construction.
export type { PortfolioView, PortfolioDelta } from '../../../domain/portfolio-view.ts';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: 'user' | 'admin';
  preferences: Preferences;
  createdAt: string;
}

export type Theme = 'light' | 'dark' | 'system';

export interface Preferences {
  baseCurrency: string;
  locale: string;
  timeZone: string;
  theme: Theme;
  alertThresholds: { largeTransaction: string; lowBalance: string; netWorthDropPercent: number };
}

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; name: string; role: string };
}

export type SyncState = 'never' | 'queued' | 'running' | 'ok' | 'failed';

export interface SyncStatus {
  state: SyncState;
  progress: { pages: number; added: number; modified: number; removed: number } | null;
  reason: string | null;
  fix: string | null;
  lastSyncedAt: string | null;
}

export interface Wallet {
  id: string;
  kind: 'bank' | 'exchange' | 'manual';
  provider: 'plaid' | 'binance' | 'coinbase' | null;
  manualType: 'cash' | 'savings' | 'business' | 'other' | null;
  name: string;
  currency: string | null;
  institution: { id: string; name: string } | null;
  archived: boolean;
  createdAt: string | null;
  sync: SyncStatus;
  accounts: {
    id: string;
    name: string;
    mask: string | null;
    type: string;
    subtype: string | null;
    currency: string;
    current: string | null;
    available: string | null;
    holdings: { asset: string; quantity: string; locked: string }[];
  }[];
}

export interface Institution {
  id: string;
  name: string;
}

export interface Transaction {
  id: string;
  walletId: string;
  accountId: string;
  amount: string;
  currency: string;
  date: string;
  name: string;
  merchant: string | null;
  pending: boolean;
  category: { primary: string; detailed?: string } | null;
  categorySource: string;
}

export interface TransactionPage {
  transactions: Transaction[];
  nextCursor: string | null;
}

export interface ImportPreview {
  importId: string;
  headers: string[];
  rowCount: number;
  sample: string[][];
  suggestedMapping: Partial<ImportMapping>;
  dateFormats: string[];
}

export interface ImportMapping {
  date: string;
  amount?: string;
  debit?: string;
  credit?: string;
  description: string;
  category?: string;
  dateFormat: string;
  decimalSeparator: '.' | ',';
  invertSign?: boolean;
}

export interface HistoryResponse {
  currency: string;
  range: string | null;
  points: { t: string; value: string }[];
}

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  action: string | null;
  walletId: string | null;
  read: boolean;
  createdAt: string;
}

export interface SessionInfo {
  id: string;
  current: boolean;
  createdAt: string;
  lastUsedAt?: string;
  userAgent?: string | null;
  ip?: string | null;
}

/** The API's one error body. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    fields?: { field: string; message: string; type?: string }[];
    rows?: { line: number; message: string; field?: string }[];
    action?: string;
  };
}
