// market: turns provider feeds into normalised ticks {symbol, price, ts, source}. Bad ticks
// are rejected with a counter; the rest are conflated per symbol (RxJS, latest wins) and
// broadcast in small batches as `market.ticks`, so no queue grows without bound. Keeps the
// last price of every symbol and folds ticks into 1 m / 1 h / 1 d candles stored in MongoDB
// with retention. Feeds: the exchange's all-market WebSocket stream (through the adapter),
// refilled from REST after a reconnect, and CoinGecko polling for held assets the stream
// lacks (or has not priced lately).
import type { ServiceSchema } from 'moleculer';
import { Observable, Subject, filter, map, type OperatorFunction, type Subscription } from 'rxjs';
import { config } from '../config/index.ts';
import { providers } from '../infra/providers.ts';
import { broadcastEvent } from '../infra/events.ts';
import { METRICS } from '../infra/metrics.ts';
import { LatencySample, type LatencySummary } from '../infra/latency.ts';
import type { Ctx } from '../infra/context.ts';
import type { BinanceAdapter } from '../providers/binance.adapter.ts';
import { assetOfPair, checkTick, conflate, type TickRejection } from '../domain/ticks.ts';
import { CANDLE_INTERVALS, type CandleInterval, type Tick } from '@finexia/contracts/api.ts';
import { CANDLE_RETENTION_MS, CandleBook, INTERVAL_MS } from '../domain/candles.ts';
import { Decimal } from '../domain/money.ts';
import { addDays } from '../domain/dates.ts';
import { FIAT_CURRENCIES } from '../domain/portfolio.ts';
import { USD_STABLECOINS } from '../domain/valuation.ts';
import { DbMixin } from '../mixins/db.mixin.ts';
import { insertNew } from '../infra/db.ts';
import { CandleModel, type CandleRecord } from '../infra/models/candle.model.ts';
import { Holding } from '../infra/models/wallet.model.ts';
import { acquireRedis, releaseRedis } from '../infra/connections.ts';
import type { Redis } from 'ioredis';
import { forEachConcurrently } from '../infra/concurrency.ts';

/**
 * Batches what arrives within one turn of the event loop: a frame of the all-market stream (one
 * a second, every changed symbol) is one batch the moment it is parsed, and ticks that arrive
 * together under load are conflated together. It replaced a 50 ms window, which was most of
 * tick → portfolio latency (p50 36 ms of it, bench:realtime) and held every burst back.
 */
function bufferTurn<T>(): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let flush: NodeJS.Immediate | undefined;
      const subscription = source.subscribe({
        next(value) {
          batch.push(value);
          flush ??= setImmediate(() => {
            flush = undefined;
            const ready = batch;
            batch = [];
            subscriber.next(ready);
          });
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          if (flush) clearImmediate(flush);
          if (batch.length) subscriber.next(batch);
          subscriber.complete();
        },
      });
      return () => {
        if (flush) clearImmediate(flush);
        subscription.unsubscribe();
      };
    });
}
const MAX_TICK_AGE_MS = 60_000;
/** Closed candles are stored this often. */
const CANDLE_FLUSH_MS = 10_000;
/** Last prices are written to Redis this often (cluster only). */
const LAST_PRICES_FLUSH_MS = 2_000;
/** A held asset whose last price is older than this is asked of the price API. */
const STREAM_STALE_MS = 120_000;

/** What `market.stats` answers: ticks accepted, published and rejected (by reason) on this node. */
export interface MarketStats {
  node: string;
  symbols: number;
  accepted: number;
  published: number;
  batches: number;
  /** a tick's exchange event time → published to the portfolio nodes (ms; since the last reset) */
  publishLagMs: LatencySummary;
  rejected: Record<TickRejection, number>;
}

interface MarketState {
  incoming: Subject<unknown>;
  pipeline?: Subscription;
  lastTs: Map<string, number>;
  lastPrices: Map<string, Tick>;
  stats: { accepted: number; published: number; batches: number; rejected: Record<TickRejection, number> };
  publishLag: LatencySample;
  stream?: { stop(): Promise<void> };
  candles: CandleBook;
  timers: NodeJS.Timeout[];
  lastPrune: number;
  /** CoinGecko ids by ticker symbol (fetched once) */
  coinIds?: Map<string, string>;
  /** cluster only: where last prices are kept, and those published since the last write */
  redis?: Redis;
  unsaved: Map<string, Tick>;
  /** past days' closes by symbol (they never change), and the days each covers */
  closes: Map<string, { from: string; to: string; byDay: Map<string, string> }>;
  /** symbols the price API was just asked for and could not price: not asked again on request until then (the poll still asks) */
  unpriceableUntil: Map<string, number>;
}

/** How long a request for prices waits for the price API to price what the market lacks. */
const PRICE_API_WAIT_MS = 5_000;
/** A symbol the price API could not price is asked again on request after this long (the poll asks every interval). */
const UNPRICEABLE_KEEP_MS = 60_000;

/** One hash per cluster (namespace), so clusters sharing a Redis never mix prices. */
const lastPricesKey = () => `finexia:${config().namespace || 'default'}:market:last-prices`;

const states = new WeakMap<object, MarketState>();

const MarketService: ServiceSchema = {
  name: 'market',
  settings: { rest: '/market' },
  mixins: [DbMixin([CandleModel])],

  actions: {
    /** Last prices (all, or the given symbols). */
    prices: {
      rest: 'GET /prices',
      auth: 'public',
      params: {
        $$strict: true,
        symbols: {
          type: 'array',
          optional: true,
          max: 500,
          items: { type: 'string', pattern: /^[A-Z0-9]{1,12}$/ },
        },
      },
      async handler(ctx: Ctx<{ symbols?: string[] }>) {
        const state = states.get(this) as MarketState;
        const wanted = ctx.params.symbols;
        // an asset nobody priced yet (a stablecoin the exchange quotes in, a coin it does not
        // list) is asked of the price API now, not at its next poll: a portfolio activating with
        // it would otherwise show it unpriced for a minute
        const now = Date.now();
        const unknown =
          wanted?.filter(
            (s) =>
              !FIAT_CURRENCIES.has(s) &&
              (state.lastPrices.get(s)?.source ?? 'peg') === 'peg' &&
              (state.unpriceableUntil.get(s) ?? 0) < now,
          ) ?? [];
        if (unknown.length) await this.priceFromApi(unknown, PRICE_API_WAIT_MS);
        const ticks = wanted
          ? wanted.map((s) => state.lastPrices.get(s)).filter((t): t is Tick => Boolean(t))
          : [...state.lastPrices.values()];
        return { prices: ticks };
      },
    },

    /** OHLC candles of a symbol, oldest first; the still-open candle comes last. */
    candles: {
      rest: 'GET /candles',
      auth: 'public',
      params: {
        $$strict: true,
        symbol: { type: 'string', pattern: /^[A-Z0-9]{1,12}$/ },
        interval: { type: 'enum', values: [...CANDLE_INTERVALS], optional: true },
        from: { type: 'date', convert: true, optional: true },
        to: { type: 'date', convert: true, optional: true },
        limit: { type: 'number', integer: true, convert: true, min: 1, max: 1000, optional: true },
      },
      async handler(
        ctx: Ctx<{ symbol: string; interval?: CandleInterval; from?: Date; to?: Date; limit?: number }>,
      ) {
        const state = states.get(this) as MarketState;
        const interval = ctx.params.interval ?? '1h';
        const limit = ctx.params.limit ?? 300;
        const to = ctx.params.to ?? new Date();
        const from = ctx.params.from ?? new Date(to.getTime() - limit * INTERVAL_MS[interval]);
        const stored = await CandleModel.find({
          symbol: ctx.params.symbol,
          interval,
          t: { $gte: from, $lte: to },
        })
          .sort({ t: -1 })
          .limit(limit)
          .lean<CandleRecord[]>();
        const candles = stored.reverse().map(({ _id, t, ...c }) => ({ ...c, t: t.toISOString() }));
        const open = state.candles.current(ctx.params.symbol, interval);
        if (
          open &&
          open.t >= from.getTime() &&
          open.t <= to.getTime() &&
          candles.at(-1)?.t !== new Date(open.t).toISOString()
        )
          candles.push({ ...open, t: new Date(open.t).toISOString() });
        return { symbol: ctx.params.symbol, interval, candles: candles.slice(-limit) };
      },
    },

    /** Today's move (UTC day, from the day candle) of the given symbols: open, last price, change. */
    changes: {
      rest: 'GET /changes',
      auth: 'public',
      params: {
        $$strict: true,
        symbols: {
          type: 'array',
          max: 500,
          convert: true,
          items: { type: 'string', pattern: /^[A-Z0-9]{1,12}$/ },
        },
      },
      handler(ctx: Ctx<{ symbols: string[] }>) {
        const state = states.get(this) as MarketState;
        const changes = ctx.params.symbols.flatMap((symbol) => {
          const day = state.candles.current(symbol, '1d');
          if (!day) return [];
          const open = Decimal.parse(day.open);
          const close = Decimal.parse(day.close);
          const change = close.sub(open);
          return [
            {
              symbol,
              open: day.open,
              price: day.close,
              change: change.toString(),
              // percent with 2 decimals, exact to that rounding
              changePercent: open.isZero()
                ? null
                : change.mul(Decimal.parse('100')).div(open).round(2).toString(),
              since: new Date(day.t).toISOString(),
            },
          ];
        });
        return { changes };
      },
    },

    /**
     * The price of each symbol at instant `at` (the open of the hour candle containing it;
     * a portfolio's day starts at the user's midnight). Symbols with no candle then are left out.
     */
    /**
     * Each symbol's daily close (USD) on the UTC days from `from` to `to` (past days only), from
     * the exchange's daily candles; a symbol the exchange does not list is left out (its history
     * is unknown). Kept once fetched: a past day's close does not change.
     */
    dailyCloses: {
      internal: true,
      params: {
        $$strict: true,
        symbols: { type: 'array', max: 500, items: { type: 'string', pattern: /^[A-Z0-9]{1,12}$/ } },
        from: { type: 'isoDate' },
        to: { type: 'isoDate' },
      },
      async handler(ctx: Ctx<{ symbols: string[]; from: string; to: string }>) {
        const state = states.get(this) as MarketState;
        const { from, symbols } = ctx.params;
        const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
        const to = ctx.params.to < yesterday ? ctx.params.to : yesterday;
        const closes: Record<string, Record<string, string>> = {};
        if (from > to) return { closes };
        const adapter = providers.exchange('binance') as BinanceAdapter;
        for (const symbol of symbols) {
          let known = state.closes.get(symbol);
          if (!known || known.from > from || known.to < to) {
            try {
              const fetched: Map<string, string> = await this.closesOf(adapter, symbol, from, to);
              const byDay = new Map([...(known?.byDay ?? []), ...fetched]);
              known = {
                from: known && known.from < from ? known.from : from,
                to: known && known.to > to ? known.to : to,
                byDay,
              };
              state.closes.set(symbol, known);
            } catch (err) {
              this.logger.info({ symbol, err: (err as Error).message }, 'no daily history for a symbol');
              continue;
            }
          }
          const days: Record<string, string> = {};
          for (const [day, price] of known.byDay) if (day >= from && day <= to) days[day] = price;
          closes[symbol] = days;
        }
        return { closes };
      },
    },

    opensAt: {
      internal: true,
      params: {
        $$strict: true,
        symbols: { type: 'array', max: 5000, items: { type: 'string', pattern: /^[A-Z0-9]{1,12}$/ } },
        at: { type: 'number', integer: true, positive: true },
      },
      async handler(ctx: Ctx<{ symbols: string[]; at: number }>) {
        const state = states.get(this) as MarketState;
        const hour = ctx.params.at - (ctx.params.at % INTERVAL_MS['1h']);
        const opens: Record<string, string> = {};
        const stored: string[] = [];
        for (const symbol of ctx.params.symbols) {
          const open = state.candles.current(symbol, '1h');
          if (open?.t === hour) opens[symbol] = open.open;
          else stored.push(symbol);
        }
        if (stored.length)
          for (const c of await CandleModel.find({
            interval: '1h',
            t: new Date(hour),
            symbol: { $in: stored },
          }).lean<CandleRecord[]>())
            opens[c.symbol] = c.open;
        // no candle of our own (this market started after that hour): at a UTC midnight, the day
        // opens at the previous day's close, which the providers know
        const unknown = ctx.params.symbols.filter((symbol) => opens[symbol] === undefined);
        if (unknown.length && hour % 86_400_000 === 0 && hour <= Date.now())
          Object.assign(opens, await this.closesBefore(unknown, new Date(hour).toISOString().slice(0, 10)));
        return { at: new Date(hour).toISOString(), opens };
      },
    },

    /** Feeds raw ticks into the pipeline (other feeds, tests, the REPL). Bad ones are counted and dropped. */
    ingest: {
      internal: true,
      params: { ticks: { type: 'array', max: 10_000 } },
      handler(ctx: Ctx<{ ticks: unknown[] }>) {
        const state = states.get(this) as MarketState;
        for (const raw of ctx.params.ticks) state.incoming.next(raw);
        return { queued: ctx.params.ticks.length };
      },
    },

    stats: {
      internal: true,
      params: { reset: { type: 'boolean', optional: true } },
      handler(ctx: Ctx<{ reset?: boolean }>): MarketStats {
        const state = states.get(this) as MarketState;
        const publishLagMs = state.publishLag.summary();
        if (ctx.params.reset) state.publishLag.reset();
        // a copy: local callers must not hold the live counters
        return {
          node: this.broker.nodeID,
          symbols: state.lastPrices.size,
          ...state.stats,
          rejected: { ...state.stats.rejected },
          publishLagMs,
        };
      },
    },
  },

  methods: {
    accept(raw: unknown): Tick | undefined {
      const state = states.get(this) as MarketState;
      const symbol =
        typeof raw === 'object' && raw !== null ? (raw as { symbol?: unknown }).symbol : undefined;
      const result = checkTick(raw, typeof symbol === 'string' ? state.lastTs.get(symbol) : undefined, {
        now: Date.now(),
        maxAgeMs: MAX_TICK_AGE_MS,
        maxSkewMs: 5_000,
      });
      if (!result.ok) {
        state.stats.rejected[result.reason] += 1;
        this.broker.metrics.increment(METRICS.ticksRejected, { reason: result.reason });
        return undefined;
      }
      state.lastTs.set(result.tick.symbol, result.tick.ts);
      this.broker.metrics.increment(METRICS.ticksAccepted);
      // candles see every accepted tick (highs and lows), before conflation keeps only the latest
      state.candles.add(result.tick.symbol, Decimal.parse(result.tick.price).units, result.tick.ts);
      state.stats.accepted += 1;
      return result.tick;
    },

    publish(ticks: Tick[]) {
      const state = states.get(this) as MarketState;
      const now = Date.now();
      for (const t of ticks) {
        state.lastPrices.set(t.symbol, t);
        state.publishLag.record(now - t.ts);
        // kept for Redis (a cluster's next market node prices at once), written every few seconds
        if (state.redis) state.unsaved.set(t.symbol, t);
      }
      state.stats.published += ticks.length;
      state.stats.batches += 1;
      // every portfolio node needs every tick: its actors decide whether they hold the symbol
      broadcastEvent(this.broker, 'market.ticks', { ticks });
    },

    /** Stores the candles that closed; on failure they wait for the next round. Prunes hourly. */
    async flushCandles() {
      const state = states.get(this) as MarketState;
      const closed = state.candles.drainClosed();
      try {
        if (closed.length)
          await insertNew(
            CandleModel,
            closed.map((c) => ({ ...c, _id: `${c.symbol}:${c.interval}:${c.t}`, t: new Date(c.t) })),
          );
        if (Date.now() - state.lastPrune > 3_600_000) {
          state.lastPrune = Date.now();
          for (const interval of CANDLE_INTERVALS) {
            const keep = CANDLE_RETENTION_MS[interval];
            if (keep !== null)
              await CandleModel.deleteMany({ interval, t: { $lt: new Date(Date.now() - keep) } });
          }
        }
      } catch (err) {
        state.candles.restore(closed);
        this.logger.warn(
          { err: (err as Error).message, candles: closed.length },
          'candles not stored; retrying',
        );
      }
    },

    /** FX rates as ticks (symbol: the currency, price: USD per unit), so fiat values move like any price. */
    async pollFx() {
      const state = states.get(this) as MarketState;
      if (!config().providers.fx) return;
      const currencies = [...FIAT_CURRENCIES].filter((c) => c !== 'USD');
      const fx = await providers.fx().latest('USD', currencies);
      const now = Date.now();
      for (const [currency, rate] of Object.entries(fx.rates))
        state.incoming.next({
          symbol: currency,
          price: Decimal.parse('1').div(Decimal.parse(rate)).toString(),
          ts: now,
          source: 'fx',
        });
    },

    /**
     * Last prices outlive this node in a cluster: kept in Redis, read back at start. Written every
     * LAST_PRICES_FLUSH_MS, the latest per symbol (per burst, encoding ~1,400 of them took
     * ~16 ms of a gateway's burst in bench:realtime); what a failed write held is kept for the next.
     */
    async storeLastPrices() {
      const state = states.get(this);
      if (!state?.redis || !state.unsaved.size) return;
      const ticks = [...state.unsaved.values()];
      state.unsaved.clear();
      try {
        await state.redis.hset(
          lastPricesKey(),
          Object.fromEntries(ticks.map((t) => [t.symbol, JSON.stringify(t)])),
        );
      } catch (err) {
        for (const t of ticks) if (!state.unsaved.has(t.symbol)) state.unsaved.set(t.symbol, t);
        throw err;
      }
    },

    async loadLastPrices() {
      const state = states.get(this) as MarketState;
      if (!state.redis) return;
      const stored = await state.redis.hgetall(lastPricesKey());
      for (const [symbol, json] of Object.entries(stored)) {
        const tick = JSON.parse(json) as Tick;
        if (Decimal.tryParse(tick.price) && !state.lastPrices.has(symbol)) {
          state.lastPrices.set(symbol, tick);
          state.lastTs.set(symbol, tick.ts);
        }
      }
    },

    /**
     * Held assets with no live price (the stream does not carry them, or has not lately) are
     * polled from CoinGecko and enter the pipeline as ticks like any other.
     */
    async pollPriceApi() {
      const state = states.get(this) as MarketState;
      const held = (await Holding.distinct('asset')) as string[];
      const now = Date.now();
      // no price, a price from the price API (or a peg standing in for one) to refresh, or a
      // stream that has not priced it lately
      const lacking = held.filter((a) => {
        const last = state.lastPrices.get(a);
        return (
          !FIAT_CURRENCIES.has(a) &&
          (!last || last.source === 'peg' || last.source === 'coingecko' || now - last.ts > STREAM_STALE_MS)
        );
      });
      await this.priceFromApi(lacking);
    },

    /**
     * Asks the price API (CoinGecko) for these symbols and feeds what it answers into the
     * pipeline. A dollar stablecoin it cannot price is valued at its peg, as a tick whose source
     * says so (`peg`): never at zero. Waits at most `waitMs` for the answer (then carries on).
     */
    async priceFromApi(symbols: string[], waitMs?: number): Promise<void> {
      const state = states.get(this) as MarketState;
      if (!symbols.length) return;
      const ask = async () => {
        let priced = new Set<string>();
        let answered = false;
        if (config().providers.coingecko) {
          try {
            priced = await this.askCoinGecko(symbols);
            answered = true;
          } catch (err) {
            this.logger.warn(
              { symbols: symbols.length, err: (err as Error).message },
              'the price API did not answer',
            );
          }
        }
        const now = Date.now();
        // many portfolios activating with a coin the price API does not know ask once a minute,
        // not each (an outage is no answer: asked again at once)
        for (const symbol of symbols)
          if (answered && !priced.has(symbol)) state.unpriceableUntil.set(symbol, now + UNPRICEABLE_KEEP_MS);
          else state.unpriceableUntil.delete(symbol);
        for (const symbol of symbols)
          if (!priced.has(symbol) && !state.lastPrices.has(symbol) && USD_STABLECOINS.has(symbol)) {
            this.logger.info(
              { symbol },
              'no market price for a stablecoin: valued at its peg until one comes',
            );
            state.incoming.next({ symbol, price: '1', ts: now, source: 'peg' });
          }
        // the pipeline publishes on the next turn of the event loop: wait for it
        await new Promise((resolve) => setImmediate(resolve));
      };
      const asked = ask();
      if (waitMs === undefined) return asked;
      await Promise.race([asked, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    },

    /**
     * Each symbol's close on the day before `day` (USD per unit): FX fixings for currencies, the
     * exchange's (or the price API's) daily closes for assets. Symbols none knows are left out.
     */
    async closesBefore(symbols: string[], day: string): Promise<Record<string, string>> {
      const before = addDays(day, -1);
      const out: Record<string, string> = {};
      const currencies = symbols.filter((s) => FIAT_CURRENCIES.has(s) && s !== 'USD');
      if (currencies.length && config().providers.fx)
        try {
          const { rates } = await providers.fx().on(before, 'USD', currencies);
          for (const [currency, rate] of Object.entries(rates))
            out[currency] = Decimal.parse('1').div(Decimal.parse(rate)).toString();
        } catch (err) {
          this.logger.info({ day: before, err: (err as Error).message }, 'no FX fixing for the day open');
        }
      const assets = symbols.filter((s) => !FIAT_CURRENCIES.has(s));
      if (assets.length && config().providers.binance) {
        const adapter = providers.exchange('binance') as BinanceAdapter;
        await forEachConcurrently(assets, 4, async (symbol) => {
          try {
            const close = (await this.closesOf(adapter, symbol, before, before)).get(before);
            if (close !== undefined) out[symbol] = close;
          } catch {
            // no history anywhere: the asset opens at its price when first valued
          }
        });
      }
      return out;
    },

    /** CoinGecko's coin ids by ticker symbol (listed once). */
    async coinIds(): Promise<Map<string, string>> {
      const state = states.get(this) as MarketState;
      if (!state.coinIds) {
        const ids = new Map<string, string>();
        // several coins can share a ticker; the first listed wins (a curated map would be better)
        for (const c of await providers.coingecko().listCoins())
          if (!ids.has(c.symbol)) ids.set(c.symbol, c.id);
        state.coinIds = ids;
      }
      return state.coinIds;
    },

    /** CoinGecko's prices of these symbols, fed into the pipeline; returns the symbols it priced. */
    async askCoinGecko(symbols: string[]): Promise<Set<string>> {
      const state = states.get(this) as MarketState;
      const coingecko = providers.coingecko();
      const coinIds: Map<string, string> = await this.coinIds();
      const bySymbol = new Map(
        symbols.flatMap((a) => (coinIds.has(a) ? [[coinIds.get(a) as string, a]] : [])),
      );
      const quotes = await coingecko.getPrices([...bySymbol.keys()], ['USD']);
      const now = Date.now();
      const priced = new Set<string>();
      for (const q of quotes) {
        const symbol = bySymbol.get(q.id);
        if (!symbol) continue;
        // stamped when learnt: CoinGecko's last update of a quiet coin can be minutes old, and
        // it is still the latest price (the stream's staleness check would refuse it)
        state.incoming.next({ symbol, price: q.price, ts: now, source: 'coingecko' });
        priced.add(symbol);
      }
      this.logger.debug({ asked: symbols.length, priced: priced.size }, 'asked the price API');
      return priced;
    },

    /**
     * Daily closes of a symbol: the exchange's daily candles, or the price API's history for a
     * coin the exchange has no pair of (its quote currency, USDT, among them); a dollar
     * stablecoin neither knows is at its peg.
     */
    async closesOf(
      adapter: BinanceAdapter,
      symbol: string,
      from: string,
      to: string,
    ): Promise<Map<string, string>> {
      try {
        return await adapter.dailyCloses(`${symbol}USDT`, from, to);
      } catch (exchangeErr) {
        if (config().providers.coingecko) {
          try {
            const id = (await this.coinIds()).get(symbol);
            if (id) return await providers.coingecko().dailyCloses(id, 'USD', from, to);
          } catch (err) {
            this.logger.info({ symbol, err: (err as Error).message }, 'no daily history from the price API');
          }
        }
        if (!USD_STABLECOINS.has(symbol)) throw exchangeErr;
        const days = new Map<string, string>();
        for (let d = from; d <= to; d = addDays(d, 1)) days.set(d, '1');
        return days;
      }
    },

    async startExchangeStream() {
      const state = states.get(this) as MarketState;
      const cfg = config().providers.binance;
      if (!cfg?.wsUrl) {
        this.logger.info(
          'no exchange stream configured (BINANCE_WS_URL); ticks come only through market.ingest',
        );
        return;
      }
      const adapter = providers.exchange('binance') as BinanceAdapter;
      const toTick = (pair: string, price: string, ts: number) => {
        const symbol = assetOfPair(pair);
        return symbol ? { symbol, price, ts, source: 'binance' } : undefined;
      };
      const fillFromRest = async () => {
        try {
          const quotes = await adapter.tickerPrices([]);
          const now = Date.now();
          for (const q of quotes) {
            const tick = toTick(q.id, q.price, now);
            if (tick) state.incoming.next(tick);
          }
        } catch (err) {
          this.logger.warn({ err: (err as Error).message }, 'could not fill prices from REST');
        }
      };
      await fillFromRest();
      state.stream = await adapter.streamMiniTickers({
        onTickers: (tickers) => {
          for (const t of tickers) {
            const tick = toTick(t.pair, t.price, t.ts);
            if (tick) state.incoming.next(tick);
          }
        },
        onReconnect: () => {
          this.logger.info('exchange stream reconnected; filling the gap from REST');
          void fillFromRest();
        },
        onError: (err) => this.logger.warn({ err: err.message }, 'exchange stream error'),
      });
    },
  },

  created() {
    states.set(this, {
      incoming: new Subject<unknown>(),
      lastTs: new Map(),
      lastPrices: new Map(),
      candles: new CandleBook(),
      timers: [],
      lastPrune: 0,
      closes: new Map(),
      unpriceableUntil: new Map(),
      publishLag: new LatencySample(),
      unsaved: new Map(),
      stats: {
        accepted: 0,
        published: 0,
        batches: 0,
        rejected: { malformed: 0, 'non-positive': 0, stale: 0, future: 0, 'out-of-order': 0 },
      },
    });
  },

  async started() {
    const state = states.get(this) as MarketState;
    // a cluster keeps last prices in Redis (a restarted node prices at once); one process keeps them in memory
    if (config().transporter.kind === 'nats') {
      state.redis = acquireRedis();
      await this.loadLastPrices().catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'last prices not read from Redis'),
      );
    }
    state.pipeline = state.incoming
      .pipe(
        map((raw) => this.accept(raw) as Tick | undefined),
        filter((t): t is Tick => t !== undefined),
        bufferTurn(),
        map((batch) => conflate(batch)),
      )
      .subscribe((ticks) => this.publish(ticks));
    await this.startExchangeStream().catch((err: Error) =>
      this.logger.warn({ err: err.message }, 'exchange stream not started'),
    );
    const every = (ms: number, task: () => Promise<void>, what: string) => {
      const timer = setInterval(() => {
        task().catch((err: Error) => this.logger.warn({ err: err.message }, what));
      }, ms);
      timer.unref();
      state.timers.push(timer);
    };
    every(CANDLE_FLUSH_MS, () => this.flushCandles(), 'candle flush failed');
    if (state.redis)
      every(LAST_PRICES_FLUSH_MS, () => this.storeLastPrices(), 'last prices not stored in Redis');
    const poll = config().providers.coingecko?.pollIntervalMs;
    if (poll) every(poll, () => this.pollPriceApi(), 'price API poll failed');
    // what the stream does not carry is priced at once, not a poll interval later
    void this.pollPriceApi().catch((err: Error) =>
      this.logger.warn({ err: err.message }, 'price API poll failed'),
    );
    const fxPoll = config().providers.fx?.pollIntervalMs;
    if (fxPoll) {
      every(fxPoll, () => this.pollFx(), 'FX poll failed');
      void this.pollFx().catch((err: Error) => this.logger.warn({ err: err.message }, 'FX poll failed'));
    }
  },

  async stopped() {
    const state = states.get(this) as MarketState;
    await state.stream?.stop().catch(() => undefined);
    state.pipeline?.unsubscribe();
    for (const timer of state.timers) clearInterval(timer);
    // candles that closed are stored; the open ones are finished by the nodes still running
    await this.flushCandles();
    if (state.redis) {
      await this.storeLastPrices().catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'last prices not stored in Redis'),
      );
      await releaseRedis();
    }
  },
};

export default MarketService;
