// Brute-force protection for anything that checks a password, shared across nodes
// through Redis (rate-limiter-flexible), with an in-memory insurance limiter so a
// Redis outage degrades to per-node limits instead of unlimited attempts.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.ts';
import { tooManyRequests } from '../domain/errors.ts';

export class LoginLimiter {
  private readonly byIp: RateLimiterRedis;
  private readonly byAccount: RateLimiterRedis;
  private readonly maxPerIp: number;
  private readonly maxPerAccount: number;

  constructor(redis: Redis, { auth, namespace }: Pick<Config, 'auth' | 'namespace'>) {
    const duration = Math.ceil(auth.loginBlockWindowMs / 1000);
    this.maxPerIp = auth.loginMaxAttemptsPerIp;
    this.maxPerAccount = auth.loginMaxFailsPerAccount;
    const prefix = `finexia:${namespace || 'default'}:login`;
    this.byIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:ip`,
      points: this.maxPerIp,
      duration,
      insuranceLimiter: new RateLimiterMemory({ points: this.maxPerIp, duration }),
    });
    this.byAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:account`,
      points: this.maxPerAccount,
      duration,
      insuranceLimiter: new RateLimiterMemory({ points: this.maxPerAccount, duration }),
    });
  }

  /** Throws 429 (with Retry-After) when this IP or this account is currently blocked. */
  async assertAllowed(ip: string, accountKey: string): Promise<void> {
    const [ipState, accountState] = await Promise.all([this.byIp.get(ip), this.byAccount.get(accountKey)]);
    const waits: number[] = [];
    if (ipState && ipState.consumedPoints >= this.maxPerIp) waits.push(ipState.msBeforeNext);
    if (accountState && accountState.consumedPoints >= this.maxPerAccount)
      waits.push(accountState.msBeforeNext);
    if (waits.length) throw tooManyRequests(Math.max(...waits) / 1000);
  }

  /** Records a failed attempt against both keys. */
  async recordFailure(ip: string, accountKey: string): Promise<void> {
    await Promise.all([
      this.byIp.consume(ip).catch(swallowLimitReached),
      this.byAccount.consume(accountKey).catch(swallowLimitReached),
    ]);
  }

  /** A deleted account: what is counted under its email goes. */
  async forget(accountKey: string): Promise<void> {
    await this.byAccount.delete(accountKey);
  }

  /** A successful sign-in clears the account's failure count. */
  async recordSuccess(accountKey: string): Promise<void> {
    await this.byAccount.delete(accountKey);
  }
}

// consume() rejects with a RateLimiterRes once the limit is passed: that is the
// expected outcome of counting a failure, not an error. Anything else is.
function swallowLimitReached(reason: unknown): void {
  if (reason instanceof RateLimiterRes) return;
  throw reason;
}
