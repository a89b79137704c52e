// Helpers the adapters share to turn an HTTP answer into a ProviderError.
import type { ProviderErrorCode } from '../domain/providers.ts';

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
