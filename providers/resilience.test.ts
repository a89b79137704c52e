import { describe, expect, it } from 'vitest';
import { ProviderError } from '../domain/providers.ts';
import { parseRetryAfter } from './errors.ts';
import { backoffDelay, resilientCaller } from './resilience.ts';

const fast = { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 200, halfOpenAfterMs: 50 };

describe('backoffDelay', () => {
  it('honours Retry-After', () => {
    const err = new ProviderError('binance', 'RATE_LIMITED', 'x', { retryAfterMs: 7_000 });
    expect(backoffDelay(1, err, { baseDelayMs: 100, maxDelayMs: 1_000 })).toBe(7_000);
  });
  it('grows exponentially with full jitter under a cap', () => {
    const err = new ProviderError('plaid', 'UNAVAILABLE', 'x');
    expect(backoffDelay(1, err, { baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0.999)).toBe(99);
    expect(backoffDelay(4, err, { baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0.999)).toBe(799);
    expect(backoffDelay(10, err, { baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0.999)).toBe(999);
    expect(backoffDelay(3, err, { baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0)).toBe(0);
  });
  it('parses Retry-After headers', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('resilientCaller', () => {
  it('retries transient failures and returns the eventual answer', async () => {
    const call = resilientCaller('plaid', { ...fast, maxAttempts: 5 });
    let attempts = 0;
    const result = await call('op', async () => {
      attempts += 1;
      if (attempts < 3) throw new ProviderError('plaid', 'UNAVAILABLE', 'down');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toBe(3);
  });

  it('does not retry what a retry cannot fix', async () => {
    const call = resilientCaller('plaid', fast);
    let attempts = 0;
    await expect(
      call('op', async () => {
        attempts += 1;
        throw new ProviderError('plaid', 'ITEM_LOGIN_REQUIRED', 'login');
      }),
    ).rejects.toMatchObject({ code: 'ITEM_LOGIN_REQUIRED', action: 'reconnect' });
    expect(attempts).toBe(1);
  });

  it('turns a hung attempt into a retryable TIMEOUT', async () => {
    const call = resilientCaller('coingecko', { ...fast, timeoutMs: 20, maxAttempts: 2 });
    let attempts = 0;
    await expect(
      call('op', (signal) => {
        attempts += 1;
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(attempts).toBe(2);
  });

  it('opens the circuit after consecutive failures, then half-opens', async () => {
    const call = resilientCaller('binance', { ...fast, maxAttempts: 1, breakerThreshold: 3 });
    const fail = () =>
      call('op', async () => Promise.reject(new ProviderError('binance', 'UNAVAILABLE', 'down')));
    for (let i = 0; i < 3; i += 1) await expect(fail()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    let ran = false;
    await expect(call('op', async () => (ran = true))).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(ran).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(await call('op', async () => 'recovered')).toBe('recovered');
  });
});
