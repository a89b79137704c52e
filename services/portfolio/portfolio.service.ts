// portfolio: one portfolio actor per user on the node that owns the user (consistent
// hashing, one message at a time). An actor activates from MongoDB (holdings, account
// balances) and the node's price book, reloads when wallets change, and pushes
// `portfolio.updated` deltas (epoch + sequence numbers, at most a few per second) to the ws
// gateway. Ticks go to the node's PriceBook once: each holder of the symbol moves by
// qty × (p_new − p_old), nothing is recomputed. Owners record net worth history each minute.
import type { Service, ServiceSchema } from 'moleculer';
import { randomUUID } from 'node:crypto';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { ActorHostMixin, type ActorHostMethods } from '../../mixins/actor-host.mixin.ts';
import type { AuthUser, Ctx } from '../../infra/context.ts';
import { Account, Holding, type AccountRecord, type HoldingRecord } from '../../infra/models/wallet.model.ts';
import { NetWorthPoint, type NetWorthPointRecord } from '../../infra/models/history.model.ts';
import { PortfolioState, PriceBook, valueToDecimal, type PositionInput } from '../../domain/portfolio.ts';
import { diffView, type PortfolioDelta, type PortfolioView } from '../../domain/portfolio-view.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';
import { notFound } from '../../domain/errors.ts';
import { LatencySample } from '../../infra/latency.ts';
import {
  RANGES,
  downsample,
  minuteOf,
  rangeBounds,
  resolutionOf,
  startOfLocalDay,
  type Range,
} from '../../domain/history.ts';
import { User } from '../../infra/models/user.model.ts';
import type { Tick } from '../../domain/ticks.ts';
import { providers } from '../../infra/providers.ts';
import { nodesRunning } from '../../infra/registry.ts';
import {
  loadPoints,
  pointAt,
  pointValue,
  pruneHistory,
  recordPoints,
  type PointInput,
} from './history-store.ts';

type PortfolioMessage = { type: 'snapshot'; watch?: boolean } | { type: 'reload' };

interface Base {
  currency: string;
  /** units of `currency` one USD buys (from the FX provider) */
  perUsd: Decimal;
  timeZone: string;
  /** the node's price of the base currency (USD per unit) when perUsd was taken: an FX tick changes it */
  priceUnits?: bigint;
}

interface Actor {
  userId: string;
  state: PortfolioState;
  base: Base;
  epoch: string;
  /** the last view pushed (or handed out as a snapshot); deltas are diffs from it */
  pushed: PortfolioView;
  lastPushAt: number;
  pushTimer: NodeJS.Timeout | undefined;
  /**
   * The user's local midnight and each asset's price then: the day change is what prices
   * and rates did to today's positions since (money added or taken out is not a gain).
   */
  dayStart: number;
  openPrices: Map<string, bigint>;
  /** the USD net worth of the last history point written */
  recordedUsd: string | undefined;
  /** pushes go out only while someone watches (a socket asked for a snapshot or is connected) */
  watchedUntil: number;
}

/** Per node: the price book all local portfolios share, and the actors. */
interface Host {
  book: PriceBook;
  actors: Map<string, Actor>;
  byState: Map<PortfolioState, Actor>;
  historyTimer?: NodeJS.Timeout;
  /** tick timestamp → applied to this node's portfolios */
  lag: LatencySample;
  /** what many activations at once (a node taking over users) loaded in bulk, used once */
  prefetched: Map<string, Prefetched>;
  /**
   * Prices at a day's start by that instant: users of one time zone share it, so a node asks
   * the market once per symbol, not once per activation. null: no price then (a past hour only).
   */
  opens: Map<number, Map<string, bigint | null>>;
}

interface Prefetched {
  accounts: AccountRecord[];
  holdings: HoldingRecord[];
  preferences: { baseCurrency?: string; timeZone?: string } | undefined;
}

/** Users loaded per bulk query when many actors activate at once. */
const PREFETCH_CHUNK = 2000;

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
const DAY_MS = 86_400_000;
/** A watch lasts this long unless renewed (the ws gateways renew every minute). */
const WATCH_MS = 150_000;

const hosts = new WeakMap<object, Host>();
const hostOf = (svc: object) => hosts.get(svc) as Host;

type PortfolioService = Service &
  ActorHostMethods<PortfolioMessage> & {
    activate(userId: string, previous?: Actor): Promise<Actor>;
    activateMany(userIds: string[]): Promise<number>;
    baseOf(userId: string, preferences?: Prefetched['preferences']): Promise<Base>;
    view(actor: Actor, seq: number): PortfolioView;
    current(actor: Actor): PortfolioView;
    push(actor: Actor): void;
    schedulePush(actor: Actor): void;
    recordHistory(now: number): Promise<number>;
    opensAt(byAccount: Map<string, PositionInput[]>, dayStart: number): Promise<Map<string, bigint>>;
    ratesFor(userId: string, currency: string, points: NetWorthPointRecord[]): Promise<Decimal>;
    scheduleHistory(): void;
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
    DbMixin([NetWorthPoint]),
    AuthGuardMixin,
    ActorHostMixin<PortfolioMessage>({
      service: 'portfolio',
      async handle(userId, message) {
        const service = this as PortfolioService;
        const host = hostOf(service);
        let actor = host.actors.get(userId);
        if (!actor) actor = await service.activate(userId);
        if (message.type === 'snapshot' && message.watch) actor.watchedUntil = Date.now() + WATCH_MS;
        else if (message.type === 'reload') {
          // the actor (its epoch, sequence and push schedule) stays; its state is rebuilt
          actor = await service.activate(userId, actor);
          service.schedulePush(actor);
          return undefined;
        }
        return service.current(actor);
      },
      retire(userId) {
        const host = hostOf(this);
        const actor = host.actors.get(userId);
        if (!actor) return;
        clearTimeout(actor.pushTimer);
        host.book.detach(actor.state);
        host.byState.delete(actor.state);
        host.actors.delete(userId);
        // moved to another node while someone watches: it comes up there now, not at the next watch
        const service = this as PortfolioService;
        if (actor.watchedUntil > Date.now() && service.ownerOf(userId) !== this.broker.nodeID)
          void service
            .dispatch(userId, { type: 'snapshot', watch: true })
            .catch((err: Error) =>
              this.logger.warn({ userId, err: err.message }, 'moved actor not re-activated'),
            );
      },
    }),
  ],

  actions: {
    /** The signed-in user's live portfolio. */
    get: {
      rest: 'GET /',
      params: { $$strict: true },
      async handler(ctx: Ctx) {
        return (this as PortfolioService).dispatch((ctx.meta.user as AuthUser).id, { type: 'snapshot' });
      },
    },

    /**
     * Net worth over a named range (1D, 1W, 1M, 1Y, ALL) or between `from` and `to`, at most
     * `points` points (the last value of each slice), ending with the live value.
     */
    history: {
      rest: 'GET /history',
      params: {
        $$strict: true,
        range: { type: 'enum', values: [...RANGES], optional: true },
        from: { type: 'date', convert: true, optional: true },
        to: { type: 'date', convert: true, optional: true },
        points: { type: 'number', integer: true, convert: true, min: 2, max: 2000, optional: true },
      },
      async handler(ctx: Ctx<{ range?: Range; from?: Date; to?: Date; points?: number }>) {
        const service = this as PortfolioService;
        const userId = (ctx.meta.user as AuthUser).id;
        const live = (await service.dispatch(userId, { type: 'snapshot' })) as PortfolioView;
        const now = Date.now();
        const named = rangeBounds(ctx.params.range ?? '1M', now);
        const from = ctx.params.from?.getTime() ?? named.from;
        const to = Math.min(ctx.params.to?.getTime() ?? now, now);
        const records = await loadPoints(userId, from, to);
        const perUsd = await service.ratesFor(userId, live.currency, records);
        const points = records.map((p) => ({
          t: p.t.getTime(),
          value: pointValue(p, live.currency, perUsd),
        }));
        const maxPoints = ctx.params.points ?? 300;
        const sampled = downsample(points, from, to, maxPoints - 1);
        if (to >= now - 60_000) sampled.push({ t: now, value: live.netWorth });
        return {
          currency: live.currency,
          range: ctx.params.from || ctx.params.to ? null : (ctx.params.range ?? '1M'),
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          points: sampled.map((p) => ({ t: new Date(p.t).toISOString(), value: p.value })),
        };
      },
    },

    /** The net worth the user had at instant `t` (the latest recorded point at or before it). */
    valueAt: {
      rest: 'GET /history/at',
      params: { $$strict: true, t: { type: 'date', convert: true } },
      async handler(ctx: Ctx<{ t: Date }>) {
        const service = this as PortfolioService;
        const userId = (ctx.meta.user as AuthUser).id;
        const live = (await service.dispatch(userId, { type: 'snapshot' })) as PortfolioView;
        const t = Math.min(ctx.params.t.getTime(), Date.now());
        // now (to the second) is the live value; anything older is what was recorded then
        if (t >= Date.now() - 1_000)
          return {
            t: new Date(t).toISOString(),
            value: live.netWorth,
            currency: live.currency,
            recordedAt: live.asOf,
          };
        const point = await pointAt(userId, t);
        if (!point) throw notFound('Net worth history at that time');
        const value = pointValue(
          point,
          live.currency,
          await service.ratesFor(userId, live.currency, [point]),
        );
        return {
          t: new Date(t).toISOString(),
          value,
          currency: live.currency,
          recordedAt: point.t.toISOString(),
        };
      },
    },

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
          ...((await service.dispatch(ctx.params.userId, {
            type: 'snapshot',
            watch: true,
          })) as PortfolioView),
        };
      },
    },

    /** This node's tick → actor latency (since the last reset), actors, CPU and memory (REPL, benchmarks). */
    nodeStats: {
      visibility: 'public',
      auth: 'public',
      params: { reset: { type: 'boolean', optional: true } },
      handler(ctx: Ctx<{ reset?: boolean }>) {
        const host = hostOf(this);
        const lag = host.lag.summary();
        if (ctx.params.reset) host.lag.reset();
        const memory = process.memoryUsage();
        return {
          node: this.broker.nodeID,
          actors: host.actors.size,
          tickLagMs: lag,
          cpuMicros: process.cpuUsage(),
          heapUsed: memory.heapUsed,
          rss: memory.rss,
        };
      },
    },

    /** Activates the actors of many users at once, each on its owner (operators: warm-up after a restart). */
    activate: {
      visibility: 'public',
      auth: 'public',
      params: { $$strict: true, userIds: { type: 'array', items: 'uuid', max: 100_000 } },
      async handler(ctx: Ctx<{ userIds: string[] }>) {
        return { activated: await (this as PortfolioService).activateMany(ctx.params.userIds) };
      },
    },

    /** Writes this node's history points now (operators, tests); normally once a minute. */
    recordHistory: {
      visibility: 'public',
      auth: 'public',
      async handler() {
        const service = this as PortfolioService;
        return { node: service.broker.nodeID, written: await service.recordHistory(Date.now()) };
      },
    },
  },

  events: {
    'market.ticks': {
      handler(this: PortfolioService, ctx: { params: { ticks?: Tick[] } }) {
        const ticks = Array.isArray(ctx.params.ticks) ? ctx.params.ticks : [];
        const host = hostOf(this);
        const touched: PortfolioState[] = [];
        const now = Date.now();
        for (const t of ticks) {
          const price = Decimal.tryParse(t.price);
          if (price && host.book.tick(t.symbol, price.units, touched) > 0) host.lag.record(now - t.ts);
        }
        for (const state of touched) {
          const actor = host.byState.get(state);
          if (actor) this.schedulePush(actor);
        }
      },
    },
    // Users with a live socket somewhere: their actors stay (ticks alone do not pass through
    // the mailbox, so they would look idle) and come back on their new owner after a move.
    'ws.watching': {
      handler(this: PortfolioService, ctx: { params: { userIds?: unknown } }) {
        const userIds = Array.isArray(ctx.params.userIds) ? ctx.params.userIds : [];
        const missing: string[] = [];
        for (const userId of userIds) {
          if (typeof userId !== 'string' || this.ownerOf(userId) !== this.broker.nodeID) continue;
          const actor = hostOf(this).actors.get(userId);
          if (actor && this.touch(userId)) {
            actor.watchedUntil = Date.now() + WATCH_MS;
            if (actor.state.changed) this.schedulePush(actor);
          } else missing.push(userId);
        }
        if (missing.length)
          void this.activateMany(missing)
            .then(() => {
              for (const userId of missing) {
                const actor = hostOf(this).actors.get(userId);
                if (actor) actor.watchedUntil = Date.now() + WATCH_MS;
              }
            })
            .catch((err: Error) => this.logger.warn({ err: err.message }, 'portfolio activation failed'));
      },
    },
    // any change to a user's wallets rebuilds that user's portfolio from MongoDB
    ...Object.fromEntries(
      RELOAD_EVENTS.map((event) => [
        event,
        {
          handler(this: PortfolioService, ctx: { params: { userId?: string } }) {
            const userId = ctx.params.userId;
            if (typeof userId === 'string') hostOf(this).prefetched.delete(userId);
            // only an actor that exists needs rebuilding; a missing one activates fresh when asked
            if (typeof userId === 'string' && this.ownerOf(userId) === this.broker.nodeID)
              void this.dispatch(userId, { type: 'reload' }).catch((err: Error) =>
                this.logger.warn({ userId, err: err.message }, 'portfolio reload failed'),
              );
          },
        },
      ]),
    ),
  },

  methods: {
    /**
     * Activation (or reload): holdings and balances from MongoDB, prices the node's book
     * lacks from the market service and FX. Everything after the last await runs in one
     * go, so no tick can fall between valuing the positions and joining the price book.
     */
    async activate(this: PortfolioService, userId: string, previous?: Actor): Promise<Actor> {
      const host = hostOf(this);
      const bulk = previous ? undefined : host.prefetched.get(userId);
      host.prefetched.delete(userId);
      const [accounts, holdings, base] = bulk
        ? [bulk.accounts, bulk.holdings, await this.baseOf(userId, bulk.preferences)]
        : await Promise.all([
            Account.find({ userId }).lean<AccountRecord[]>(),
            Holding.find({ userId }).lean<HoldingRecord[]>(),
            this.baseOf(userId),
          ]);
      const byAccount = positionsFrom(accounts, holdings);
      const state = new PortfolioState(undefined, host.book.prices);
      const missing = [...new Set([...byAccount.values()].flat().map((p) => p.asset))].filter(
        (a) => !host.book.prices.has(a),
      );
      const fetched: Tick[] = [];
      const crypto = missing.filter((a) => !state.fiat.has(a));
      if (crypto.length && nodesRunning(this.broker, 'market').length) {
        const { prices } = await this.broker.call<{ prices: Tick[] }, { symbols: string[] }>(
          'market.prices',
          { symbols: crypto },
        );
        fetched.push(...prices);
      }
      const currencies = missing.filter((a) => state.fiat.has(a));
      if (currencies.length) {
        try {
          // FX quotes are units per USD; a position needs USD per unit
          const fx = await providers.fx().latest('USD', currencies);
          for (const [currency, rate] of Object.entries(fx.rates))
            fetched.push({
              symbol: currency,
              price: Decimal.parse('1').div(Decimal.parse(rate)).toString(),
              ts: Date.now(),
              source: 'fx',
            });
        } catch (err) {
          this.logger.warn(
            { userId, err: (err as Error).message },
            'no FX rates: foreign-currency balances are not valued',
          );
        }
      }
      const now = Date.now();
      const dayStart = startOfLocalDay(now, base.timeZone);
      const opens =
        previous && previous.dayStart === dayStart
          ? previous.openPrices
          : await this.opensAt(byAccount, dayStart);
      // — no await below this line —
      const touched: PortfolioState[] = [];
      for (const t of fetched)
        if (!host.book.prices.has(t.symbol)) host.book.tick(t.symbol, Decimal.parse(t.price).units, touched);
      for (const s of touched) {
        const other = host.byState.get(s);
        if (other) this.schedulePush(other);
      }
      for (const [accountId, list] of byAccount) state.setAccountPositions(accountId, list);
      state.changed = true;
      if (previous) {
        host.book.detach(previous.state);
        host.byState.delete(previous.state);
      }
      host.book.attach(state);
      const actor: Actor = previous ?? {
        userId,
        state,
        base,
        epoch: randomUUID(),
        pushed: undefined as unknown as PortfolioView,
        lastPushAt: 0,
        pushTimer: undefined,
        dayStart,
        openPrices: opens,
        recordedUsd: undefined,
        watchedUntil: 0,
      };
      actor.state = state;
      actor.base = { ...base, priceUnits: host.book.prices.get(base.currency) };
      actor.dayStart = dayStart;
      actor.openPrices = opens;
      // an asset new today (no price at midnight known) opens at the price it has now
      for (const asset of state.assets())
        if (!opens.has(asset)) opens.set(asset, host.book.prices.get(asset) ?? 0n);
      host.byState.set(state, actor);
      if (!previous) {
        actor.pushed = this.view(actor, 0);
        state.changed = false;
        host.actors.set(userId, actor);
        // (its first history point is written at the next minute boundary)
      }
      return actor;
    },

    /**
     * Activates many users' actors (a node that takes over users, a warm-up): the data
     * comes in bulk queries, the actors still activate one message at a time each.
     * Users owned by other nodes are passed on to them.
     */
    async activateMany(this: PortfolioService, userIds: string[]): Promise<number> {
      const host = hostOf(this);
      const byOwner = new Map<string, string[]>();
      for (const userId of userIds) {
        if (host.actors.has(userId)) continue;
        const owner = this.ownerOf(userId);
        byOwner.set(owner, [...(byOwner.get(owner) ?? []), userId]);
      }
      let activated = 0;
      for (const [owner, ids] of byOwner) {
        if (owner !== this.broker.nodeID) {
          const res = await this.broker.call<{ activated: number }, { userIds: string[] }>(
            'portfolio.activate',
            { userIds: ids },
            { nodeID: owner, timeout: 300_000 },
          );
          activated += res.activated;
          continue;
        }
        for (let start = 0; start < ids.length; start += PREFETCH_CHUNK) {
          const chunk = ids.slice(start, start + PREFETCH_CHUNK);
          await prefetch(host, chunk);
          let next = 0;
          const worker = async () => {
            while (next < chunk.length) {
              const userId = chunk[next++] as string;
              await this.dispatch(userId, { type: 'snapshot' });
              activated += 1;
            }
          };
          await Promise.all(Array.from({ length: 16 }, worker));
          for (const userId of chunk) host.prefetched.delete(userId);
        }
      }
      return activated;
    },

    view(actor: Actor, seq: number): PortfolioView {
      const now = Date.now();
      if (now >= actor.dayStart + DAY_MS) {
        // a new local day began: today opens at the current prices
        actor.dayStart = startOfLocalDay(now, actor.base.timeZone);
        actor.openPrices = new Map(
          actor.state.assets().map((a) => [a, hostOf(this).book.prices.get(a) ?? 0n]),
        );
      }
      const b = actor.state.breakdownUnits();
      // values are exact in USD; the base-currency view is one exact multiplication, rounded
      // to the currency's minor unit (from units: no text is parsed on this path)
      const digits = currencyDigits(actor.base.currency);
      const usdBase = actor.base.currency === 'USD';
      const basePrice = usdBase ? undefined : hostOf(this).book.prices.get(actor.base.currency);
      if (basePrice && basePrice !== actor.base.priceUnits) {
        // an FX tick moved the base currency: the view follows the new rate
        actor.base.perUsd = Decimal.parse('1').div(Decimal.fromUnits(basePrice));
        actor.base.priceUnits = basePrice;
      }
      const inBase = (units: bigint | Decimal) => {
        const usd = typeof units === 'bigint' ? valueToDecimal(units) : units;
        return (usdBase ? usd : usd.mul(actor.base.perUsd)).round(digits);
      };
      const convert = (m: Iterable<[string, bigint]>, keepZeros = false) => {
        const out: Record<string, string> = {};
        for (const [k, v] of m) if (keepZeros || v !== 0n) out[k] = inBase(v).toString();
        return out;
      };
      const prices: Record<string, string> = {};
      for (const asset of actor.state.assets()) prices[asset] = actor.state.priceText(asset);
      const netWorthUsd = valueToDecimal(b.netWorth);
      const netWorth = inBase(netWorthUsd);
      const dayOpen = inBase(actor.state.valueAtPrices(actor.openPrices));
      return {
        userId: actor.userId,
        epoch: actor.epoch,
        seq,
        currency: actor.base.currency,
        netWorth: netWorth.toString(),
        netWorthUsd: netWorthUsd.toString(),
        // both sides rounded first, so that the numbers on screen add up
        dayChange: netWorth.sub(dayOpen).toString(),
        dayOpen: dayOpen.toString(),
        byAccount: convert(b.byAccount),
        byAsset: convert(b.byAsset),
        byClass: convert(Object.entries(b.byClass) as [string, bigint][], true),
        prices,
        asOf: new Date(now).toISOString(),
      };
    },

    /** The live view; if it moved since the last push, that push happens now, so a snapshot and later deltas line up. */
    current(this: PortfolioService, actor: Actor): PortfolioView {
      if (actor.state.changed) this.push(actor);
      return actor.pushed;
    },

    push(actor: Actor) {
      clearTimeout(actor.pushTimer);
      actor.pushTimer = undefined;
      actor.lastPushAt = Date.now();
      actor.state.changed = false;
      const next = this.view(actor, actor.pushed.seq + 1);
      const delta: PortfolioDelta = diffView(actor.pushed, next);
      actor.pushed = next;
      this.broker.emit('portfolio.updated', delta);
    },

    /** At most one push per PUSH_INTERVAL_MS per user; the push carries the latest state. */
    schedulePush(this: PortfolioService, actor: Actor) {
      // nobody is looking: the state stays marked changed, and the next snapshot pushes it
      if (actor.pushTimer || actor.watchedUntil < Date.now()) return;
      const wait = actor.lastPushAt + PUSH_INTERVAL_MS - Date.now();
      if (wait <= 0) return this.push(actor);
      actor.pushTimer = setTimeout(() => {
        actor.pushTimer = undefined;
        if (hostOf(this).actors.get(actor.userId) === actor) this.push(actor);
      }, wait);
      actor.pushTimer.unref();
    },

    /** The user's base currency, its rate per USD (USD when FX is unavailable) and time zone. */
    async baseOf(userId: string, preferences?: Prefetched['preferences']): Promise<Base> {
      const prefs =
        preferences ??
        (await User.findOne({ publicId: userId }).select({ preferences: 1 }).lean())?.preferences;
      const currency = prefs?.baseCurrency ?? 'USD';
      const timeZone = prefs?.timeZone ?? 'UTC';
      if (currency === 'USD') return { currency, perUsd: Decimal.parse('1'), timeZone };
      try {
        const fx = await providers.fx().latest('USD', [currency]);
        const rate = fx.rates[currency];
        if (rate) return { currency, perUsd: Decimal.parse(rate), timeZone };
      } catch (err) {
        this.logger.warn(
          { userId, err: (err as Error).message },
          'no FX rate for the base currency; showing USD',
        );
      }
      return { currency: 'USD', perUsd: Decimal.parse('1'), timeZone };
    },

    /** Each held asset's price at the start of the user's day (from the market's hour candles). */
    async opensAt(byAccount: Map<string, PositionInput[]>, dayStart: number): Promise<Map<string, bigint>> {
      const host = hostOf(this);
      const symbols = [...new Set([...byAccount.values()].flat().map((p) => p.asset))].filter(
        (a) => a !== 'USD',
      );
      let known = host.opens.get(dayStart);
      if (!known) {
        // days that ended more than a day ago are nobody's today any more
        for (const day of host.opens.keys()) if (day < dayStart - DAY_MS) host.opens.delete(day);
        host.opens.set(dayStart, (known = new Map()));
      }
      const missing = symbols.filter((symbol) => !known.has(symbol));
      if (missing.length && nodesRunning(this.broker, 'market').length) {
        try {
          const res = await this.broker.call<
            { opens: Record<string, string> },
            { symbols: string[]; at: number }
          >('market.opensAt', { symbols: missing, at: dayStart });
          // a symbol without a price may still get one while that hour runs (and its candle is stored)
          const hourDone = Date.now() > dayStart - (dayStart % 3_600_000) + 3_600_000 + 60_000;
          for (const symbol of missing) {
            const price = res.opens[symbol];
            if (price !== undefined) known.set(symbol, Decimal.parse(price).units);
            else if (hourDone) known.set(symbol, null);
          }
        } catch (err) {
          this.logger.warn({ err: (err as Error).message }, 'no opening prices: the day change starts now');
        }
      }
      const opens = new Map<string, bigint>([['USD', 10n ** 18n]]);
      for (const symbol of symbols) {
        const price = known.get(symbol);
        if (price !== undefined && price !== null) opens.set(symbol, price);
      }
      return opens;
    },

    /** The USD rate for points recorded in another currency than today's base (fetched only if one is). */
    async ratesFor(userId: string, currency: string, points: NetWorthPointRecord[]): Promise<Decimal> {
      return points.some((p) => p.currency !== currency)
        ? (await this.baseOf(userId)).perUsd
        : Decimal.parse('1');
    },

    /**
     * One point per local actor for the minute starting at `now`: when its value changed
     * since the last point, and always on an hour or day boundary (those outlive minutes).
     */
    async recordHistory(now: number): Promise<number> {
      const host = hostOf(this);
      const minute = minuteOf(now);
      const boundary = resolutionOf(minute) !== 'm';
      const due: { actor: Actor; point: PointInput }[] = [];
      for (const actor of host.actors.values()) {
        const point = pointOf(actor, minute);
        if (boundary || point.usd !== actor.recordedUsd) due.push({ actor, point });
      }
      const written = await recordPoints(due.map((d) => d.point));
      for (const d of due) d.actor.recordedUsd = d.point.usd;
      if (minute % 3_600_000 === 0) await pruneHistory(now);
      return written;
    },

    /** Runs recordHistory just after every minute boundary. */
    scheduleHistory() {
      const host = hostOf(this);
      const next = minuteOf(Date.now()) + 60_000;
      host.historyTimer = setTimeout(
        () => {
          this.recordHistory(next)
            .catch((err: Error) => this.logger.warn({ err: err.message }, 'history points not written'))
            .finally(() => this.scheduleHistory());
        },
        next - Date.now() + 50,
      );
      host.historyTimer.unref();
    },
  },

  created() {
    hosts.set(this, {
      book: new PriceBook(),
      actors: new Map(),
      byState: new Map(),
      lag: new LatencySample(),
      prefetched: new Map(),
      opens: new Map(),
    });
  },

  started() {
    this.scheduleHistory();
  },

  async stopped() {
    const host = hostOf(this);
    clearTimeout(host.historyTimer);
    for (const actor of host.actors.values()) clearTimeout(actor.pushTimer);
    // the last value of every actor outlives the node
    await this.recordHistory(Date.now()).catch((err: Error) =>
      this.logger.warn({ err: err.message }, 'history points not written at stop'),
    );
  },
};

function pointOf(actor: Actor, minute: number): PointInput {
  const usd = actor.state.netWorth();
  return {
    userId: actor.userId,
    t: minute,
    usd: usd.toString(),
    value: usd.mul(actor.base.perUsd).round(currencyDigits(actor.base.currency)).toString(),
    currency: actor.base.currency,
  };
}

/** Loads many users' portfolio inputs with one query per collection (FerretDB scans; one scan beats 500). */
async function prefetch(host: Host, userIds: string[]): Promise<void> {
  const [accounts, holdings, users] = await Promise.all([
    Account.find({ userId: { $in: userIds } }).lean<AccountRecord[]>(),
    Holding.find({ userId: { $in: userIds } }).lean<HoldingRecord[]>(),
    User.find({ publicId: { $in: userIds } })
      .select({ publicId: 1, preferences: 1 })
      .lean<{ publicId: string; preferences?: Prefetched['preferences'] }[]>(),
  ]);
  const entries = new Map<string, Prefetched>(
    userIds.map((id) => [id, { accounts: [], holdings: [], preferences: undefined }]),
  );
  for (const a of accounts) entries.get(a.userId)?.accounts.push(a);
  for (const h of holdings) entries.get(h.userId)?.holdings.push(h);
  for (const u of users) {
    const entry = entries.get(u.publicId);
    if (entry) entry.preferences = u.preferences;
  }
  for (const [id, entry] of entries) host.prefetched.set(id, entry);
}

export default PortfolioServiceSchema;
