// portfolio: one portfolio actor per user on the node that owns the user (consistent
// hashing, one message at a time). An actor activates from MongoDB (holdings, account
// balances) and the last prices, applies ticks incrementally (Δ = qty × (p_new − p_old)),
// reloads when wallets change, and pushes `portfolio.updated` (with a sequence number,
// conflated to at most a few per second) to the ws gateway.
import type { Service, ServiceSchema } from 'moleculer';
import { DbMixin } from '../mixins/db.mixin.ts';
import { AuthGuardMixin } from '../mixins/auth-guard.mixin.ts';
import { ActorHostMixin, type ActorHostMethods } from '../mixins/actor-host.mixin.ts';
import type { AuthUser, Ctx } from '../mixins/context.ts';
import { Account, Holding, type AccountRecord, type HoldingRecord } from '../mixins/models/wallet.model.ts';
import { PortfolioState, type PositionInput } from '../domain/portfolio.ts';
import { Decimal, currencyDigits } from '../domain/money.ts';
import { User } from '../mixins/models/user.model.ts';
import type { Tick } from '../domain/ticks.ts';
import { providers } from '../mixins/providers.ts';
import { nodesRunning } from '../mixins/registry.ts';

type PortfolioMessage = { type: 'snapshot' } | { type: 'reload' } | { type: 'ticks'; ticks: Tick[] };

interface Actor {
  state: PortfolioState;
  /** the user's base currency and how many of it one USD buys (from the FX provider) */
  base: { currency: string; perUsd: Decimal };
  seq: number;
  lastPushAt: number;
  pushTimer: NodeJS.Timeout | undefined;
}

export interface PortfolioSnapshot {
  userId: string;
  seq: number;
  /** the user's base currency: every value below is in it */
  currency: string;
  netWorth: string;
  /** the same net worth in USD, the quote currency of the market */
  netWorthUsd: string;
  byAccount: Record<string, string>;
  byAsset: Record<string, string>;
  byClass: Record<string, string>;
  prices: Record<string, string>;
}

const RELOAD_EVENTS = [
  'wallet.created',
  'wallet.deleted',
  'wallet.holdings.changed',
  'wallet.synced',
  'wallet.balance.changed',
  'user.preferences.changed',
];

/** Pushes to one user at most this often; the latest state wins. */
const PUSH_INTERVAL_MS = 250;

const actors = new WeakMap<object, Map<string, Actor>>();

type PortfolioService = Service &
  ActorHostMethods<PortfolioMessage> & {
    load(userId: string): Promise<PortfolioState>;
    baseCurrency(userId: string): Promise<Actor['base']>;
    snapshot(userId: string, actor: Actor): PortfolioSnapshot;
    schedulePush(userId: string, actor: Actor): void;
  };

/** Fiat balances become positions in their currency; money owed on a credit account counts against you. */
export function positionsFrom(
  accounts: AccountRecord[],
  holdings: HoldingRecord[],
): Map<string, PositionInput[]> {
  const byAccount = new Map<string, PositionInput[]>();
  const add = (accountId: string, asset: string, quantity: string) => {
    const list = byAccount.get(accountId) ?? [];
    list.push({ accountId, asset, quantity });
    byAccount.set(accountId, list);
  };
  for (const a of accounts) {
    if (a.type === 'investment') continue; // exchange accounts are valued by their holdings
    if (!a.current) continue;
    const current = Decimal.parse(a.current);
    add(
      a.publicId,
      a.currency,
      (a.type === 'credit' || a.type === 'loan' ? current.neg() : current).toString(),
    );
  }
  for (const h of holdings) add(h.accountId, h.asset, h.quantity);
  return byAccount;
}

const PortfolioServiceSchema: ServiceSchema = {
  name: 'portfolio',
  settings: { rest: '/portfolio' },
  mixins: [
    DbMixin([]),
    AuthGuardMixin,
    ActorHostMixin<PortfolioMessage>({
      service: 'portfolio',
      async handle(userId, message) {
        const service = this as PortfolioService;
        const map = actors.get(service) as Map<string, Actor>;
        let actor = map.get(userId);
        if (!actor) {
          actor = {
            state: await service.load(userId),
            base: await service.baseCurrency(userId),
            seq: 0,
            lastPushAt: 0,
            pushTimer: undefined,
          };
          map.set(userId, actor);
        } else if (message.type === 'reload') {
          // the actor (its sequence and push schedule) stays; only its state is rebuilt
          actor.state = await service.load(userId);
          actor.base = await service.baseCurrency(userId);
          service.schedulePush(userId, actor);
        }
        if (message.type === 'ticks') {
          let moved = false;
          for (const t of message.ticks)
            if (actor.state.applyPriceUnits(t.symbol, Decimal.parse(t.price).units) !== 0n) moved = true;
          if (moved) service.schedulePush(userId, actor);
          return undefined;
        }
        return service.snapshot(userId, actor);
      },
    }),
  ],

  actions: {
    /** Operators: any user's live state, from the node that owns it (REPL: `portfolio <userId>`). */
    inspect: {
      // internal only (no REST alias): callers are the ws gateway and operators
      visibility: 'public',
      auth: 'public',
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>) {
        const service = this as PortfolioService;
        return {
          owner: service.ownerOf(ctx.params.userId),
          ...((await service.dispatch(ctx.params.userId, { type: 'snapshot' })) as PortfolioSnapshot),
        };
      },
    },

    /** The signed-in user's live portfolio. */
    get: {
      rest: 'GET /',
      params: { $$strict: true },
      async handler(ctx: Ctx) {
        return (this as PortfolioService).dispatch((ctx.meta.user as AuthUser).id, { type: 'snapshot' });
      },
    },
  },

  events: {
    'market.ticks': {
      handler(this: PortfolioService, ctx: { params: { ticks?: Tick[] } }) {
        const ticks = Array.isArray(ctx.params.ticks) ? ctx.params.ticks : [];
        const map = actors.get(this) as Map<string, Actor>;
        for (const [userId, actor] of map) {
          const relevant = ticks.filter((t) => actor.state.holds(t.symbol));
          if (relevant.length)
            void this.dispatch(userId, { type: 'ticks', ticks: relevant }).catch(() => undefined);
        }
      },
    },
    // any change to a user's wallets rebuilds that user's portfolio from MongoDB
    ...Object.fromEntries(
      RELOAD_EVENTS.map((event) => [
        event,
        {
          handler(this: PortfolioService, ctx: { params: { userId?: string } }) {
            if (typeof ctx.params.userId === 'string')
              void this.dispatch(ctx.params.userId, { type: 'reload' }).catch(() => undefined);
          },
        },
      ]),
    ),
  },

  methods: {
    /** Activation: holdings and balances from MongoDB, prices from the market service. */
    async load(userId: string): Promise<PortfolioState> {
      const [accounts, holdings] = await Promise.all([
        Account.find({ userId }).lean<AccountRecord[]>(),
        Holding.find({ userId }).lean<HoldingRecord[]>(),
      ]);
      const state = new PortfolioState();
      const byAccount = positionsFrom(accounts, holdings);
      const assets = [...new Set([...byAccount.values()].flat().map((p) => p.asset))].filter(
        (a) => a !== 'USD',
      );
      if (assets.length && nodesRunning(this.broker, 'market').length) {
        const { prices } = await this.broker.call<{ prices: Tick[] }, { symbols: string[] }>(
          'market.prices',
          { symbols: assets },
        );
        for (const t of prices) state.applyPrice(t.symbol, Decimal.parse(t.price));
      }
      const currencies = assets.filter((a) => state.fiat.has(a));
      if (currencies.length) {
        try {
          // FX quotes are units per USD; a position needs USD per unit
          const fx = await providers.fx().latest('USD', currencies);
          for (const [currency, rate] of Object.entries(fx.rates))
            state.applyPrice(currency, Decimal.parse('1').div(Decimal.parse(rate)));
        } catch (err) {
          this.logger.warn(
            { userId, err: (err as Error).message },
            'no FX rates: foreign-currency balances are not valued',
          );
        }
      }
      for (const [accountId, list] of byAccount) state.setAccountPositions(accountId, list);
      return state;
    },

    snapshot(userId: string, actor: Actor): PortfolioSnapshot {
      const b = actor.state.breakdown();
      const rate = actor.base.perUsd;
      // values are exact in USD; the base-currency view is one exact multiplication, rounded to the currency's minor unit
      const digits = currencyDigits(actor.base.currency);
      const inBase = (usd: string) => Decimal.parse(usd).mul(rate).round(digits).toString();
      const convert = (m: Record<string, string>) =>
        Object.fromEntries(Object.entries(m).map(([k, v]) => [k, inBase(v)]));
      const prices: Record<string, string> = {};
      for (const asset of actor.state.assets()) prices[asset] = actor.state.priceOf(asset).toString();
      return {
        userId,
        seq: actor.seq,
        currency: actor.base.currency,
        netWorth: inBase(b.netWorth),
        netWorthUsd: b.netWorth,
        byAccount: convert(b.byAccount),
        byAsset: convert(b.byAsset),
        byClass: convert(b.byClass),
        prices,
      };
    },

    /** The user's base currency and its rate per USD (USD when unknown or when FX is unavailable). */
    async baseCurrency(userId: string): Promise<Actor['base']> {
      const user = await User.findOne({ publicId: userId }).select({ preferences: 1 }).lean();
      const currency = user?.preferences?.baseCurrency ?? 'USD';
      if (currency === 'USD') return { currency, perUsd: Decimal.parse('1') };
      try {
        const fx = await providers.fx().latest('USD', [currency]);
        const rate = fx.rates[currency];
        if (rate) return { currency, perUsd: Decimal.parse(rate) };
      } catch (err) {
        this.logger.warn(
          { userId, err: (err as Error).message },
          'no FX rate for the base currency; showing USD',
        );
      }
      return { currency: 'USD', perUsd: Decimal.parse('1') };
    },

    /** At most one push per PUSH_INTERVAL_MS per user; the push carries the latest state. */
    schedulePush(userId: string, actor: Actor) {
      if (actor.pushTimer) return;
      const wait = Math.max(0, actor.lastPushAt + PUSH_INTERVAL_MS - Date.now());
      actor.pushTimer = setTimeout(() => {
        actor.pushTimer = undefined;
        actor.lastPushAt = Date.now();
        actor.seq += 1;
        this.broker.emit('portfolio.updated', this.snapshot(userId, actor));
      }, wait);
      actor.pushTimer.unref();
    },
  },

  created() {
    actors.set(this, new Map());
  },

  stopped() {
    for (const actor of (actors.get(this) as Map<string, Actor>).values()) clearTimeout(actor.pushTimer);
  },
};

export default PortfolioServiceSchema;
