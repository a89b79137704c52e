// The one error family. An AppError carries a stable code from contracts/errors.ts (the
// gateway answers each code with the status that table gives it), a message for the user and
// optional details. It crosses the NATS transporter as plain {name, message, code, type, data}.
import {
  ERROR_STATUS,
  type ErrorAction,
  type ErrorCode,
  type ErrorData,
  type FieldError,
  type RowError,
} from '@finexia/contracts/errors.ts';

export class AppError extends Error {
  override readonly name = 'AppError';
  /** refused, not failed: the broker never retries it */
  readonly retryable = false;
  /**
   * The status the table gives this code, where Moleculer looks for it: a 4xx is a refusal
   * (not counted by circuit breakers, not logged as a failure), a 5xx a failure.
   */
  readonly code: number;

  constructor(
    /** the stable code (Moleculer's `type` field, so it survives the transporter) */
    readonly type: ErrorCode,
    message: string,
    readonly data?: ErrorData,
  ) {
    super(message);
    this.code = ERROR_STATUS[type];
  }
}

export const badRequest = (message: string, fields?: FieldError[]) =>
  new AppError('BAD_REQUEST', message, fields ? { fields } : undefined);
export const unauthorized = (code: ErrorCode = 'UNAUTHORIZED', message = 'Sign in to continue.') =>
  new AppError(code, message);
export const forbidden = (code: ErrorCode = 'FORBIDDEN', message = 'You are not allowed to do this.') =>
  new AppError(code, message);
export const notFound = (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found.`);
export const conflict = (code: ErrorCode, message: string, fields?: FieldError[]) =>
  new AppError(code, message, fields ? { fields } : undefined);
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many attempts. Try again later.') =>
  new AppError('RATE_LIMITED', message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });

/** Input that passed the schema but not a rule that needs more context (a real date, a currency's decimals). */
export const invalid = (fields: FieldError[], message = 'Some fields are invalid.') =>
  new AppError('VALIDATION_FAILED', message, { fields });
/** One invalid field. */
export const invalidField = (field: string, message: string, type: string) =>
  invalid([{ field, message, type }]);

export const rowsInvalid = (message: string, rows: RowError[]) =>
  new AppError('CSV_INVALID', message, { rows });

export const withAction = (code: ErrorCode, message: string, action: ErrorAction, data: ErrorData = {}) =>
  new AppError(code, message, { ...data, action });
