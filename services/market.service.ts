// market: turns provider feeds into normalised ticks {symbol, price, ts, source}. Bad ticks
// are rejected with a counter; the rest are conflated per symbol (RxJS, latest wins) and
// broadcast in small batches as `market.ticks`, so no queue grows without bound. Keeps the
// last price of every symbol. Feeds: the exchange's all-market WebSocket stream (through
// the adapter), refilled from REST after a reconnect.
import type { ServiceSchema } from 'moleculer';
import { Subject, bufferTime, filter, map, type Subscription } from 'rxjs';
import { config } from '../config/index.ts';
import { providers } from '../mixins/providers.ts';
import type { Ctx } from '../mixins/context.ts';
import type { BinanceAdapter } from '../providers/binance.adapter.ts';
import { assetOfPair, checkTick, conflate, type Tick, type TickRejection } from '../domain/ticks.ts';

const BATCH_MS = 100;
const MAX_TICK_AGE_MS = 60_000;

interface MarketState {
  incoming: Subject<unknown>;
  pipeline?: Subscription;
  lastTs: Map<string, number>;
  lastPrices: Map<string, Tick>;
  stats: { accepted: number; published: number; batches: number; rejected: Record<TickRejection, number> };
  stream?: { stop(): Promise<void> };
}

const states = new WeakMap<object, MarketState>();

const MarketService: ServiceSchema = {
  name: 'market',
  settings: { rest: '/market' },

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
      handler(ctx: Ctx<{ symbols?: string[] }>) {
        const state = states.get(this) as MarketState;
        const wanted = ctx.params.symbols;
        const ticks = wanted
          ? wanted.map((s) => state.lastPrices.get(s)).filter((t): t is Tick => Boolean(t))
          : [...state.lastPrices.values()];
        return { prices: ticks };
      },
    },

    /** Feeds raw ticks into the pipeline (other feeds, tests, the REPL). Bad ones are counted and dropped. */
    ingest: {
      visibility: 'public',
      params: { ticks: { type: 'array', max: 10_000 } },
      handler(ctx: Ctx<{ ticks: unknown[] }>) {
        const state = states.get(this) as MarketState;
        for (const raw of ctx.params.ticks) state.incoming.next(raw);
        return { queued: ctx.params.ticks.length };
      },
    },

    stats: {
      visibility: 'public',
      handler() {
        const state = states.get(this) as MarketState;
        // a copy: local callers must not hold the live counters
        return {
          node: this.broker.nodeID,
          symbols: state.lastPrices.size,
          ...state.stats,
          rejected: { ...state.stats.rejected },
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
        this.broker.metrics.increment('finexia.market.ticks.rejected', { reason: result.reason });
        return undefined;
      }
      state.lastTs.set(result.tick.symbol, result.tick.ts);
      state.stats.accepted += 1;
      return result.tick;
    },

    publish(ticks: Tick[]) {
      const state = states.get(this) as MarketState;
      for (const t of ticks) state.lastPrices.set(t.symbol, t);
      state.stats.published += ticks.length;
      state.stats.batches += 1;
      // every portfolio node needs every tick: its actors decide whether they hold the symbol
      this.broker.broadcast('market.ticks', { ticks });
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
      stats: {
        accepted: 0,
        published: 0,
        batches: 0,
        rejected: { malformed: 0, 'non-positive': 0, stale: 0, future: 0, 'out-of-order': 0 },
      },
    });
    if (!this.broker.metrics.getMetric('finexia.market.ticks.rejected'))
      this.broker.metrics.register({
        type: 'counter',
        name: 'finexia.market.ticks.rejected',
        labelNames: ['reason'],
        description: 'Ticks refused by validation',
      });
  },

  async started() {
    const state = states.get(this) as MarketState;
    state.pipeline = state.incoming
      .pipe(
        map((raw) => this.accept(raw) as Tick | undefined),
        filter((t): t is Tick => t !== undefined),
        bufferTime(BATCH_MS),
        filter((batch) => batch.length > 0),
        map((batch) => conflate(batch)),
      )
      .subscribe((ticks) => this.publish(ticks));
    await this.startExchangeStream().catch((err: Error) =>
      this.logger.warn({ err: err.message }, 'exchange stream not started'),
    );
  },

  async stopped() {
    const state = states.get(this) as MarketState;
    await state.stream?.stop().catch(() => undefined);
    state.pipeline?.unsubscribe();
  },
};

export default MarketService;
