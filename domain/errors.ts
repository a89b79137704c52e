// The one error family. Every error a client may see is an AppError with an HTTP
// status (Moleculer's `code`), a stable machine code (`type`) and optional field details.
// Errors cross the NATS transporter as plain {name, message, code, type, data}, so the
// HTTP mapping below reads only those fields, never `instanceof`.
import { Errors } from 'moleculer';

export interface RowError {
  row: number;
  field: string;
  message: string;
}

export interface FieldError {
  field: string;
  message: string;
  type?: string;
}

export interface ErrorData {
  fields?: FieldError[];
  rows?: RowError[];
  retryAfterSeconds?: number;
  /** what the user can do: reconnect | check-credentials | retry-later | contact-support */
  action?: string;
}

export type ErrorCode =
  | 'MALFORMED_JSON'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_INVALID'
  | 'INVALID_CREDENTIALS'
  | 'REFRESH_TOKEN_INVALID'
  | 'REFRESH_TOKEN_REUSED'
  | 'FORBIDDEN'
  | 'ACCOUNT_DISABLED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'EMAIL_TAKEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'VALIDATION_FAILED'
  | 'WEAK_PASSWORD'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_REJECTED'
  | 'PROVIDER_CREDENTIALS_INVALID'
  | 'RECONNECT_REQUIRED'
  | 'WALLET_ARCHIVED'
  | 'WRONG_WALLET_KIND'
  | 'CSV_INVALID'
  | 'IMPORT_EXPIRED'
  | 'WEBHOOK_SIGNATURE_INVALID'
  | 'INTERNAL';

export class AppError extends Errors.MoleculerClientError {
  constructor(status: number, code: ErrorCode, message: string, data?: ErrorData) {
    super(message, status, code, data);
    this.name = 'AppError';
  }
}

export const badRequest = (code: ErrorCode, message: string, data?: ErrorData) =>
  new AppError(400, code, message, data);
export const unauthorized = (code: ErrorCode = 'UNAUTHORIZED', message = 'Sign in to continue.') =>
  new AppError(401, code, message);
export const forbidden = (code: ErrorCode = 'FORBIDDEN', message = 'You are not allowed to do this.') =>
  new AppError(403, code, message);
export const notFound = (what = 'Resource') => new AppError(404, 'NOT_FOUND', `${what} not found.`);
export const conflict = (code: ErrorCode, message: string, fields?: FieldError[]) =>
  new AppError(409, code, message, fields ? { fields } : undefined);
export const unprocessable = (code: ErrorCode, message: string, fields: FieldError[]) =>
  new AppError(422, code, message, { fields });
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many attempts. Try again later.') =>
  new AppError(429, 'RATE_LIMITED', message, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

/** The single error body every HTTP response uses. */
export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldError[]; rows?: RowError[]; action?: string };
}

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  data?: unknown;
  status?: unknown;
}

interface ValidatorIssue {
  field?: unknown;
  message?: unknown;
  type?: unknown;
  actual?: unknown;
}

// Moleculer's validator reports `{type, field, message, actual}`; `actual` may hold a
// password, so only field, message and rule type are passed on (except for unknown keys).
function validationFields(data: unknown): FieldError[] {
  if (!Array.isArray(data)) return [];
  return (data as ValidatorIssue[]).flatMap((issue): FieldError[] => {
    const field = typeof issue.field === 'string' && issue.field ? issue.field : undefined;
    // `$$strict` reports unknown keys in `actual` (key names, not values): one entry per key.
    if (issue.type === 'objectStrict' && typeof issue.actual === 'string') {
      return issue.actual.split(', ').map((key) => ({
        field: (field ? `${field}.` : '') + key.slice(0, 100),
        message: 'is not an allowed field',
        type: 'unknownField',
      }));
    }
    return [
      {
        field: field ?? '(body)',
        message:
          typeof issue.message === 'string'
            ? issue.message.replace(/^The '(.+?)' field/, "'$1'")
            : 'is invalid',
        ...(typeof issue.type === 'string' ? { type: issue.type } : {}),
      },
    ];
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Maps any thrown value to the HTTP status, stable code and body the client sees. */
export function toHttpError(thrown: unknown): HttpError {
  const err: ErrorLike = isObject(thrown) || thrown instanceof Error ? (thrown as ErrorLike) : {};
  const headers: Record<string, string> = {};
  const message = typeof err.message === 'string' ? err.message : '';
  const make = (status: number, code: string, msg: string, fields?: FieldError[]): HttpError => ({
    status,
    headers,
    body: { error: { code, message: msg, ...(fields && fields.length ? { fields } : {}) } },
  });

  // body-parser errors (raised before any action runs)
  if (err.type === 'entity.parse.failed')
    return make(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
  if (err.type === 'entity.too.large' || err.status === 413)
    return make(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported')
    return make(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON encoded as UTF-8.');

  if (err.name === 'ValidationError' || err.type === 'VALIDATION_ERROR')
    return make(422, 'VALIDATION_FAILED', 'Some fields are invalid.', validationFields(err.data));

  // moleculer-web's own errors
  if (err.name === 'NotFoundError' || err.name === 'ServiceNotFoundError' || err.type === 'NOT_FOUND')
    return make(404, 'NOT_FOUND', err.name === 'AppError' && message ? message : 'Not found.');
  if (err.name === 'UnAuthorizedError') return make(401, 'UNAUTHORIZED', 'Sign in to continue.');
  if (err.name === 'ForbiddenError') return make(403, 'FORBIDDEN', 'You are not allowed to do this.');
  if (err.name === 'RateLimitExceeded') {
    headers['Retry-After'] = '60';
    return make(429, 'RATE_LIMITED', 'Too many requests. Try again later.');
  }
  if (err.name === 'ServiceNotAvailableError' || err.name === 'RequestTimeoutError')
    return make(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable. Try again shortly.');

  const status = typeof err.code === 'number' ? err.code : 500;
  if (
    status >= 400 &&
    status < 600 &&
    status !== 500 &&
    typeof err.type === 'string' &&
    /^[A-Z][A-Z0-9_]*$/.test(err.type)
  ) {
    const data: ErrorData = isObject(err.data) ? (err.data as ErrorData) : {};
    if (status === 429 || (status === 503 && data.retryAfterSeconds))
      headers['Retry-After'] = String(data.retryAfterSeconds ?? 60);
    const mapped = make(
      status,
      err.type,
      message || 'Request failed.',
      Array.isArray(data.fields) ? data.fields : undefined,
    );
    if (Array.isArray(data.rows)) mapped.body.error.rows = data.rows.slice(0, 500);
    if (typeof data.action === 'string') mapped.body.error.action = data.action;
    return mapped;
  }
  return make(500, 'INTERNAL', 'Something went wrong on our side. It has been logged.');
}
