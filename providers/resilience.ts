// Timeouts, retries (exponential backoff with full jitter that honours Retry-After) and a
// circuit breaker per provider, from cockatiel. Only ProviderErrors that say they are
// retryable are retried; the breaker opens after consecutive failures and half-opens later.
import {
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  BrokenCircuitError,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IRetryBackoffContext,
} from 'cockatiel';
import { ProviderError, type ProviderName } from '../domain/providers.ts';

export interface ResilienceOptions {
  /** per attempt */
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** consecutive failures that open the breaker */
  breakerThreshold: number;
  halfOpenAfterMs: number;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = {
  timeoutMs: 10_000,
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  breakerThreshold: 8,
  halfOpenAfterMs: 15_000,
};

const retryable = (err: unknown) =>
  err instanceof ProviderError && err.retryable && err.code !== 'MUTATION_DURING_PAGINATION';

export function backoffDelay(
  attempt: number,
  error: unknown,
  options: Pick<ResilienceOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random = Math.random,
): number {
  if (error instanceof ProviderError && error.retryAfterMs !== undefined)
    return Math.min(error.retryAfterMs, 60_000);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export type ProviderCall = <T>(operation: string, run: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Told of every failed attempt (provider, error code): how metrics count provider errors. */
export const providerErrorListeners = new Set<(provider: ProviderName, code: string) => void>();

/** One policy per provider: call(operation, fn) runs fn with timeout, retries and the breaker. */
/**
 * `toProviderError` turns whatever a provider's SDK throws into a ProviderError, inside each
 * attempt, so the retry and breaker decisions see the provider's meaning of the failure.
 */
export function resilientCaller(
  provider: ProviderName,
  overrides: Partial<ResilienceOptions> = {},
  toProviderError: (err: unknown) => unknown = (err) => err,
): ProviderCall & { breakerState(): string } {
  const options = { ...DEFAULT_RESILIENCE, ...overrides };
  const breaker = circuitBreaker(handleWhen(retryable), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerThreshold),
  });
  const retryPolicy = retry(handleWhen(retryable), {
    maxAttempts: options.maxAttempts - 1,
    backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) =>
      backoffDelay(context.attempt, 'error' in context.result ? context.result.error : undefined, options),
    ),
  });
  const perAttempt = timeout(options.timeoutMs, TimeoutStrategy.Aggressive);
  const policy = wrap(retryPolicy, breaker);

  const call = async <T>(operation: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    // A timed-out attempt becomes a retryable ProviderError, like any other transient failure.
    const attempt = async (signal: AbortSignal) => {
      let attemptSignal: AbortSignal | undefined;
      try {
        return await perAttempt.execute(({ signal: inner }) => run((attemptSignal = inner)), signal);
      } catch (raw) {
        // The provider's meaning first (as if the SDK call had thrown it), then: aborted by our
        // timeout? The operation may reject with its own abort error before the policy does.
        const err = raw instanceof TaskCancelledError ? raw : toProviderError(raw);
        const timedOut =
          err instanceof TaskCancelledError ||
          (attemptSignal?.aborted && !signal.aborted && !(err instanceof ProviderError));
        const failure = timedOut
          ? new ProviderError(
              provider,
              'TIMEOUT',
              `${provider} ${operation} timed out after ${options.timeoutMs} ms`,
            )
          : err;
        const code = failure instanceof ProviderError ? failure.code : 'UNKNOWN';
        for (const listener of providerErrorListeners) listener(provider, code);
        throw failure;
      }
    };
    try {
      return await policy.execute(({ signal }) => attempt(signal));
    } catch (err) {
      if (err instanceof BrokenCircuitError)
        throw new ProviderError(provider, 'CIRCUIT_OPEN', `${provider} circuit open during ${operation}`);
      throw err;
    }
  };
  return Object.assign(call, { breakerState: () => String(breaker.state) });
}
