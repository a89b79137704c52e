// How anything thrown while answering a request becomes the status, stable code and body
// the client sees: our AppErrors by the one code → status table (contracts/errors.ts), the
// validator's, body-parser's and moleculer-web's own errors by their names. Errors arrive
// here as plain {name, message, type, data} when they crossed the transporter, so only
// those fields are read, never `instanceof`.
import {
  ERROR_STATUS,
  isErrorCode,
  type ErrorBody,
  type ErrorCode,
  type ErrorData,
  type FieldError,
} from '@finexia/contracts/errors.ts';

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

/** The broker's and moleculer-web's names for "not now": a node is gone, busy or too slow. */
const UNAVAILABLE = new Set([
  'ServiceNotAvailableError',
  'RequestTimeoutError',
  'RequestRejectedError',
  'QueueIsFullError',
  'ServiceUnavailableError',
]);

/** The status a code is answered with (one table for every code). */
export const statusOf = (code: ErrorCode): number => ERROR_STATUS[code];

/** Maps any thrown value to the HTTP status, stable code and body the client sees. */
export function toHttpError(thrown: unknown): HttpError {
  const err: ErrorLike = isObject(thrown) || thrown instanceof Error ? (thrown as ErrorLike) : {};
  const headers: Record<string, string> = {};
  const message = typeof err.message === 'string' ? err.message : '';
  const make = (code: ErrorCode, msg: string, fields?: FieldError[]): HttpError => ({
    status: statusOf(code),
    headers,
    body: { error: { code, message: msg, ...(fields && fields.length ? { fields } : {}) } },
  });

  // ours: the code decides the status
  if (err.name === 'AppError' && isErrorCode(err.type)) {
    const data: ErrorData = isObject(err.data) ? (err.data as ErrorData) : {};
    const mapped = make(
      err.type,
      message || 'Request failed.',
      Array.isArray(data.fields) ? data.fields : undefined,
    );
    if (mapped.status === 429 || (mapped.status === 503 && data.retryAfterSeconds))
      headers['Retry-After'] = String(data.retryAfterSeconds ?? 60);
    if (Array.isArray(data.rows)) mapped.body.error.rows = data.rows.slice(0, 500);
    if (typeof data.action === 'string') mapped.body.error.action = data.action;
    return mapped;
  }

  // body-parser errors (raised before any action runs)
  if (err.type === 'entity.parse.failed')
    return make('MALFORMED_JSON', 'The request body is not valid JSON.');
  if (err.type === 'entity.too.large' || err.status === 413)
    return make('PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported')
    return make('UNSUPPORTED_MEDIA_TYPE', 'Send JSON encoded as UTF-8.');

  if (err.name === 'ValidationError' || err.type === 'VALIDATION_ERROR')
    return make('VALIDATION_FAILED', 'Some fields are invalid.', validationFields(err.data));

  // moleculer-web's and the broker's own errors
  if (err.name === 'NotFoundError' || err.name === 'ServiceNotFoundError' || err.type === 'NOT_FOUND')
    return make('NOT_FOUND', 'Not found.');
  if (err.name === 'UnAuthorizedError') return make('UNAUTHORIZED', 'Sign in to continue.');
  if (err.name === 'ForbiddenError') return make('FORBIDDEN', 'You are not allowed to do this.');
  if (err.name === 'RateLimitExceeded') {
    headers['Retry-After'] = '60';
    return make('RATE_LIMITED', 'Too many requests. Try again later.');
  }
  if (err.name === 'BadRequestError' || err.name === 'InvalidRequestBodyError')
    return make('BAD_REQUEST', 'The request is not valid.');
  if (err.name === 'PayloadTooLarge') return make('PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (typeof err.name === 'string' && UNAVAILABLE.has(err.name))
    return make('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable. Try again shortly.');

  return make('INTERNAL', 'Something went wrong on our side. It has been logged.');
}
