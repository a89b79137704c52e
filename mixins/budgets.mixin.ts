// What expensive calls may cost one user (config BUDGETS): a projection, an export, "sync now", a
// CSV preview. Counted in Redis, so every node shares one count per user; past it, the call is
// answered 429 with Retry-After in the one error body. Should Redis fail, each node keeps its own
// count meanwhile (an insurance limiter), never unlimited.
import type { ServiceSchema } from 'moleculer';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { configOf, type BudgetName, type Config } from '../config/index.ts';
import { acquireRedis, releaseRedis } from '../infra/connections.ts';
import { callerId, type Ctx } from '../infra/context.ts';
import { tooManyRequests } from '../domain/errors.ts';

const WHAT: Record<BudgetName, string> = {
  projection: 'projections',
  export: 'exports of your data',
  syncNow: 'syncs asked for by hand',
  csvPreview: 'file previews',
};

export interface BudgetsMethods {
  /** Counts one call of `name` against the caller's budget; throws 429 past it. */
  spend(ctx: Ctx<unknown>, name: BudgetName): Promise<void>;
}

const budgetPrefix = (namespace: string) => `finexia:${namespace || 'default'}:budget`;

/** The Redis keys that count a user's calls (a deleted account's go with it). */
export function budgetKeysOf(userId: string, cfg: Pick<Config, 'namespace' | 'budgets'>): string[] {
  return Object.keys(cfg.budgets).map((name) => `${budgetPrefix(cfg.namespace)}:${name}:${userId}`);
}

/** Each service instance's limiters (two nodes in one process each have theirs). */
const limitersOf = new WeakMap<object, Map<BudgetName, RateLimiterRedis>>();

/** `names`: the budgets this service's actions spend. */
export function BudgetsMixin(names: readonly BudgetName[]): Partial<ServiceSchema> {
  return {
    methods: {
      async spend(ctx: Ctx<unknown>, name: BudgetName): Promise<void> {
        const limiter = limitersOf.get(this)?.get(name);
        if (!limiter) throw new Error(`no budget ${name} on this service`);
        try {
          await limiter.consume(callerId(ctx));
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          const { calls, periodMs } = configOf(this.broker).budgets[name];
          throw tooManyRequests(
            err.msBeforeNext / 1000,
            `You have used your ${calls} ${WHAT[name]} for ${describePeriod(periodMs)}. Try again in ${Math.max(1, Math.ceil(err.msBeforeNext / 1000))} s.`,
          );
        }
      },
    },
    started() {
      const cfg = configOf(this.broker);
      const redis = acquireRedis(cfg.redisUrl);
      const limiters = new Map<BudgetName, RateLimiterRedis>();
      limitersOf.set(this, limiters);
      const prefix = budgetPrefix(cfg.namespace);
      for (const name of names) {
        const { calls, periodMs } = cfg.budgets[name];
        const duration = Math.max(1, Math.ceil(periodMs / 1000));
        limiters.set(
          name,
          new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `${prefix}:${name}`,
            points: calls,
            duration,
            insuranceLimiter: new RateLimiterMemory({ points: calls, duration }),
          }),
        );
      }
    },
    async stopped() {
      limitersOf.delete(this);
      await releaseRedis(configOf(this.broker).redisUrl);
    },
  };
}

function describePeriod(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'this hour' : `these ${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'this minute' : `these ${ms / 60_000} minutes`;
  return `these ${Math.round(ms / 1000)} seconds`;
}
