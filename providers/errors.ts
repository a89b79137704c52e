// The one error type every provider adapter throws. It says whether a retry can help,
// how long the provider asked us to wait, and what the user can do about it — so the
// UI can explain (e.g. ITEM_LOGIN_REQUIRED → "reconnect this bank") and act.
export type ProviderName = 'plaid' | 'binance' | 'coinbase' | 'coingecko' | 'fx';

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
export type ProviderAction = 'reconnect' | 'check-credentials' | 'retry-later' | 'none' | 'contact-support';

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

/** Retry-After is seconds (or an HTTP date); returns milliseconds, or undefined. */
export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(String(value));
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Maps an HTTP status to the generic code when a provider gave nothing more specific. */
export function codeForStatus(status: number | undefined): ProviderErrorCode {
  if (status === undefined) return 'UNAVAILABLE';
  if (status === 401 || status === 403) return 'INVALID_CREDENTIALS';
  if (status === 404) return 'NOT_FOUND';
  if (status === 418) return 'BANNED';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 408 || status === 504) return 'TIMEOUT';
  if (status >= 500) return 'UNAVAILABLE';
  if (status >= 400) return 'INVALID_REQUEST';
  return 'UNKNOWN';
}
