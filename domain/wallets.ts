// Wallet rules without I/O: how a provider failure becomes a sync status the user can act
// on, and the error the user gets while waiting on it (linking, connecting).
import { AppError } from './errors.ts';
import type { ProviderError } from './providers.ts';
import type { ErrorAction } from '@finexia/contracts/errors.ts';

export interface SyncFailure {
  state: 'failed';
  reason: string;
  fix: ErrorAction;
  errorCode: string;
}

export function syncFailure(err: ProviderError): SyncFailure {
  return { state: 'failed', reason: err.userMessage, fix: err.action, errorCode: err.code };
}

const PROVIDER_LABEL: Record<string, string> = {
  plaid: 'your bank',
  binance: 'Binance',
  coinbase: 'Coinbase',
  coingecko: 'CoinGecko',
  fx: 'the FX provider',
};

/** A provider failure during a request the user is waiting on. */
export function providerFailureToAppError(err: ProviderError, credentialFields: string[] = []): AppError {
  const label = PROVIDER_LABEL[err.provider] ?? err.provider;
  switch (err.code) {
    case 'INVALID_CREDENTIALS':
      return new AppError('PROVIDER_CREDENTIALS_INVALID', `${label} did not accept these credentials.`, {
        fields: credentialFields.map((field) => ({
          field,
          message: `was not accepted by ${label}`,
          type: 'providerRejected',
        })),
        action: err.action,
      });
    case 'ITEM_LOGIN_REQUIRED':
    case 'NOT_FOUND':
      return new AppError('RECONNECT_REQUIRED', err.userMessage, { action: 'reconnect' });
    case 'INVALID_REQUEST':
      return new AppError('PROVIDER_REJECTED', `${label} rejected the request. We have been notified.`, {
        action: err.action,
      });
    default:
      return new AppError(
        'PROVIDER_UNAVAILABLE',
        `${label} is not answering right now. Try again in a moment.`,
        {
          retryAfterSeconds: Math.max(1, Math.ceil((err.retryAfterMs ?? 30_000) / 1000)),
          action: 'retry-later',
        },
      );
  }
}
