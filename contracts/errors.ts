// The one error body of the API, every stable error code, and the one table that ties a
// code to its HTTP status. The server, the dashboard and the tests read these.

/** Each code with the HTTP status it is always answered with. */
export const ERROR_STATUS = {
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  INVALID_CREDENTIALS: 401,
  REFRESH_TOKEN_INVALID: 401,
  REFRESH_TOKEN_REUSED: 401,
  WEBHOOK_SIGNATURE_INVALID: 401,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  RECONNECT_REQUIRED: 409,
  WALLET_ARCHIVED: 409,
  WRONG_WALLET_KIND: 409,
  IMPORT_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  WEAK_PASSWORD: 422,
  PASSWORD_INCORRECT: 422,
  PROVIDER_CREDENTIALS_INVALID: 422,
  CSV_INVALID: 422,
  /** a bank file (OFX, QIF, CAMT.053) that cannot be read, or with bad entries (by line) */
  IMPORT_FILE_INVALID: 422,
  /** the file's account is in another currency than the wallet it is imported into */
  IMPORT_CURRENCY_MISMATCH: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** a response broke its contract (only where responses are checked: tests, development) */
  CONTRACT_VIOLATION: 500,
  PROVIDER_REJECTED: 502,
  SERVICE_UNAVAILABLE: 503,
  PROVIDER_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

/** What the user can do about an error. */
export const ERROR_ACTIONS = [
  'reconnect',
  'check-credentials',
  'retry-later',
  'contact-support',
  'none',
] as const;
export type ErrorAction = (typeof ERROR_ACTIONS)[number];

/** One invalid field: its path in the request (`alertThresholds.lowBalance`), why, and the rule. */
export interface FieldError {
  field: string;
  message: string;
  type?: string;
}

/** One bad row of an imported file. */
export interface RowError {
  /** line number in the file (the header is line 1) */
  line: number;
  field: string;
  message: string;
}

/** The details an error may carry besides its code and message. */
export interface ErrorData {
  fields?: FieldError[];
  rows?: RowError[];
  retryAfterSeconds?: number;
  action?: ErrorAction;
}

/** The single error body every HTTP response uses. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    fields?: FieldError[];
    rows?: RowError[];
    action?: ErrorAction;
  };
}
