// market: provider feeds turned into normalised ticks {symbol, price, ts, source} and broadcast
// as `market.ticks`; last prices, today's moves, candles and past closes for the other services.
// The room: ticks.ts (check, candles, conflation, publish), candles.ts (stored candles),
// last-prices.ts (kept in Redis across a cluster), price-api.ts (CoinGecko polling and prices
// on request), closes.ts (past days' closes), feeds.ts (the exchange stream, FX), held-assets.ts
// (what anyone holds, read once for the tasks that need it).
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import {
  CANDLE_INTERVALS,
  type CandleInterval,
  type CandleList,
  type PriceChanges,
  type PriceList,
  type Tick,
  ASSET_SYMBOL,
} from '@finexia/contracts/api.ts';
import type { MarketStats, SecurityQuote } from '@finexia/contracts/internal.ts';
import { configOf } from '../../config/index.ts';
import { providersOf } from '../../infra/providers.ts';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { CandleModel } from '../../infra/models/candle.model.ts';
import { DailyClose } from '../../infra/models/daily-close.model.ts';
import { HeldAssets } from './held-assets.ts';
import { Holding } from '../../infra/models/wallet.model.ts';
import { acquireRedis, releaseRedis } from '../../infra/connections.ts';
import type { Ctx } from '../../infra/context.ts';
import { INTERVAL_MS } from '../../domain/candles.ts';
import { Decimal } from '../../domain/money.ts';
import { TickPipeline } from './ticks.ts';
import { CandleStore } from './candles.ts';
import { LastPricesStore } from './last-prices.ts';
import { PriceApi, tokenListings } from './price-api.ts';
import { SecuritiesStream, SecurityQuotes } from './securities.ts';
import { DailyCloses } from './closes.ts';
import { pollFx, startExchangeStream } from './feeds.ts';

/** Closed candles are stored this often. */
const CANDLE_FLUSH_MS = 10_000;
/** Last prices are written to Redis this often (cluster only). */
const LAST_PRICES_FLUSH_MS = 2_000;
/** How long a request for prices waits for the price API to price what the market lacks. */
const PRICE_API_WAIT_MS = 5_000;
/**
 * How often every held security is looked for one not followed on the feed: a safety net, as a
 * brokerage's sync and a portfolio asking for prices follow theirs at once. The scan reads every
 * holding (300,000 in bench:realtime); each minute was work for nothing (bench:realtime's p99 was
 * the same either way, so it was not what made equities' runs slower).
 */
const SECURITIES_FOLLOW_MS = 15 * 60_000;

const symbolRule = { type: 'string', pattern: ASSET_SYMBOL } as const;

interface MarketVars {
  ticks: TickPipeline;
  candleStore: CandleStore;
  priceApi: PriceApi;
  heldAssets: HeldAssets;
  closes: DailyCloses;
  securities: SecurityQuotes;
  /** US stocks' and ETFs' trades (when a securities feed is configured) */
  securitiesStream: SecuritiesStream;
  /** cluster only */
  lastPricesStore?: LastPricesStore;
  stream?: { stop(): Promise<void> };
  timers: NodeJS.Timeout[];
}

type MarketService = Service & MarketVars;

const MarketServiceSchema: ServiceSchema<ServiceSettingSchema, Record<string, never>, MarketVars> = {
  name: 'market',
  settings: { rest: '/market' },
  mixins: [DbMixin([CandleModel, DailyClose])],

  actions: {
    /** Last prices (all, or the given symbols); an asset nobody priced yet is asked of the price API now. */
    prices: {
      rest: 'GET /prices',
      auth: 'public',
      params: { $$strict: true, symbols: { type: 'array', optional: true, max: 500, items: symbolRule } },
      async handler(this: MarketService, ctx: Ctx<{ symbols?: string[] }>): Promise<PriceList> {
        const wanted = ctx.params.symbols;
        // a portfolio activating with a stablecoin the exchange quotes in, or a coin it does not
        // list, would otherwise show it unpriced until the next poll
        if (wanted)
          await Promise.all([
            this.priceApi.price(this.priceApi.lacking(wanted), PRICE_API_WAIT_MS),
            // a security the feed carries is priced by its last trade; the rest by a brokerage's last quote
            this.securitiesStream.follow(wanted).then(() => this.securities.fill(wanted)),
          ]);
        const last = this.ticks.lastPrices;
        return {
          prices: wanted
            ? wanted.map((s) => last.get(s)).filter((t): t is Tick => Boolean(t))
            : [...last.values()],
        };
      },
    },

    /** A brokerage's last prices of securities, converted to USD and published as ticks. */
    quoteSecurities: {
      internal: true,
      params: {
        $$strict: true,
        quotes: {
          type: 'array',
          max: 5_000,
          items: {
            type: 'object',
            strict: true,
            props: {
              asset: symbolRule,
              price: { type: 'decimal', positive: true, digits: 24, scale: 18 },
              currency: { type: 'currencyCode' },
              asOf: { type: 'string', nullable: true, optional: true },
            },
          },
        },
      },
      async handler(this: MarketService, ctx: Ctx<{ quotes: SecurityQuote[] }>) {
        // newly held stocks are followed on the feed before the brokerage's closes stand in
        await this.securitiesStream.follow(ctx.params.quotes.map((q) => q.asset));
        return { priced: await this.securities.quote(ctx.params.quotes) };
      },
    },

    /** OHLC candles of a symbol, oldest first; the still-open candle comes last. */
    candles: {
      rest: 'GET /candles',
      auth: 'public',
      params: {
        $$strict: true,
        symbol: symbolRule,
        interval: { type: 'enum', values: [...CANDLE_INTERVALS], optional: true },
        from: { type: 'date', convert: true, optional: true },
        to: { type: 'date', convert: true, optional: true },
        limit: { type: 'number', integer: true, convert: true, min: 1, max: 1000, optional: true },
      },
      async handler(
        this: MarketService,
        ctx: Ctx<{ symbol: string; interval?: CandleInterval; from?: Date; to?: Date; limit?: number }>,
      ): Promise<CandleList> {
        const { symbol } = ctx.params;
        const interval = ctx.params.interval ?? '1h';
        const limit = ctx.params.limit ?? 300;
        const to = ctx.params.to ?? new Date();
        const from = ctx.params.from ?? new Date(to.getTime() - limit * INTERVAL_MS[interval]);
        return { symbol, interval, candles: await this.candleStore.read(symbol, interval, from, to, limit) };
      },
    },

    /** Today's move (UTC day, from the day candle) of the given symbols: open, last price, change. */
    changes: {
      rest: 'GET /changes',
      auth: 'public',
      params: { $$strict: true, symbols: { type: 'array', max: 500, convert: true, items: symbolRule } },
      handler(this: MarketService, ctx: Ctx<{ symbols: string[] }>): PriceChanges {
        const changes = ctx.params.symbols.flatMap((symbol) => {
          const day = this.ticks.candles.current(symbol, '1d');
          if (!day) return [];
          const open = Decimal.parse(day.open);
          const change = Decimal.parse(day.close).sub(open);
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

    /** Each symbol's daily close (USD) on the UTC days from `from` to `to` (past days only). */
    dailyCloses: {
      internal: true,
      params: {
        $$strict: true,
        symbols: { type: 'array', max: 500, items: symbolRule },
        from: { type: 'isoDate' },
        to: { type: 'isoDate' },
      },
      async handler(this: MarketService, ctx: Ctx<{ symbols: string[]; from: string; to: string }>) {
        return { closes: await this.closes.between(ctx.params.symbols, ctx.params.from, ctx.params.to) };
      },
    },

    /**
     * The price of each symbol at instant `at`: the open of the hour candle containing it (a
     * portfolio's day starts at the user's midnight). With no candle of our own (this market
     * started after that hour), a UTC midnight opens at the previous day's close, which the
     * providers know. Symbols with neither are left out.
     */
    opensAt: {
      internal: true,
      params: {
        $$strict: true,
        symbols: { type: 'array', max: 5000, items: symbolRule },
        at: { type: 'number', integer: true, positive: true },
      },
      async handler(this: MarketService, ctx: Ctx<{ symbols: string[]; at: number }>) {
        const hour = ctx.params.at - (ctx.params.at % INTERVAL_MS['1h']);
        // at a UTC midnight the close of the day before is the price then, whoever watched: an hour
        // candle's open is only the first tick this market saw in that hour (a market started at
        // 00:14 opened the day at its 00:14 prices; the truth oracle caught it in that hour)
        const opens =
          hour % 86_400_000 === 0 && hour <= Date.now()
            ? await this.closes.before(ctx.params.symbols, new Date(hour).toISOString().slice(0, 10))
            : {};
        const unknown = ctx.params.symbols.filter((symbol) => opens[symbol] === undefined);
        if (unknown.length) Object.assign(opens, await this.candleStore.hourOpens(unknown, hour));
        return { at: new Date(hour).toISOString(), opens };
      },
    },

    /** Feeds raw ticks into the pipeline (other feeds, tests, the REPL). Bad ones are counted and dropped. */
    ingest: {
      internal: true,
      params: { ticks: { type: 'array', max: 10_000 } },
      handler(this: MarketService, ctx: Ctx<{ ticks: unknown[] }>) {
        for (const raw of ctx.params.ticks) this.ticks.push(raw);
        return { queued: ctx.params.ticks.length };
      },
    },

    /** Ticks accepted, published and rejected on this node; `reset` restarts the publish-lag sample. */
    stats: {
      internal: true,
      params: { reset: { type: 'boolean', optional: true } },
      handler(this: MarketService, ctx: Ctx<{ reset?: boolean }>): MarketStats {
        return this.ticks.stats(ctx.params.reset);
      },
    },
  },

  created(this: MarketService) {
    const cfg = configOf(this.broker);
    const providers = providersOf(this.broker);
    this.ticks = new TickPipeline(this.broker, (ticks) => this.lastPricesStore?.remember(ticks));
    this.candleStore = new CandleStore(this.ticks.candles, this.logger);
    this.heldAssets = new HeldAssets(() => Holding.distinct('asset').exec() as Promise<string[]>);
    this.priceApi = new PriceApi(
      this.ticks,
      this.logger,
      providers,
      Boolean(cfg.providers.coingecko),
      () => this.heldAssets.list(),
      tokenListings(cfg.providers.evm),
    );
    this.securities = new SecurityQuotes(this.ticks, this.logger, providers);
    this.securitiesStream = new SecuritiesStream(this.ticks, this.logger, providers);
    this.closes = new DailyCloses(this.priceApi, this.logger, providers, {
      exchange: Boolean(cfg.providers.binance),
      fx: Boolean(cfg.providers.fx),
      securitiesFeed: Boolean(cfg.providers.securitiesFeed),
    });
    this.timers = [];
  },

  async started(this: MarketService) {
    const cfg = configOf(this.broker);
    // a cluster keeps last prices in Redis (a restarted node prices at once); one process keeps them in memory
    if (cfg.transporter.kind === 'nats') {
      this.lastPricesStore = new LastPricesStore(
        acquireRedis(cfg.redisUrl),
        `finexia:${cfg.namespace || 'default'}:market:last-prices`,
      );
      await this.lastPricesStore
        .load()
        .then((ticks) => ticks.forEach((t) => this.ticks.remember(t)))
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'last prices not read from Redis'));
    }
    this.ticks.start();
    if (cfg.providers.binance?.wsUrl)
      this.stream = await startExchangeStream(this.ticks, this.logger, providersOf(this.broker)).catch(
        (err: Error) => {
          this.logger.warn({ err: err.message }, 'exchange stream not started');
          return undefined;
        },
      );
    else
      this.logger.info(
        'no exchange stream configured (BINANCE_WS_URL); ticks come only through market.ingest',
      );
    const every = (ms: number, task: () => Promise<void>, what: string, now = false) => {
      const run = () => task().catch((err: Error) => this.logger.warn({ err: err.message }, what));
      const timer = setInterval(() => void run(), ms);
      timer.unref();
      this.timers.push(timer);
      if (now) void run();
    };
    every(CANDLE_FLUSH_MS, () => this.candleStore.flush(), 'candle flush failed');
    const saved = this.lastPricesStore;
    if (saved) every(LAST_PRICES_FLUSH_MS, () => saved.flush(), 'last prices not stored in Redis');
    // what the stream does not carry is priced at once, not a poll interval later
    const poll = cfg.providers.coingecko?.pollIntervalMs;
    if (poll) every(poll, () => this.priceApi.pollHeld(), 'price API poll failed', true);
    else
      void this.priceApi
        .pollHeld()
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'price API poll failed'));
    if (cfg.providers.securitiesFeed) {
      this.securitiesStream.start();
      // what is held is followed: at start, now and then, and as brokerages sync (quoteSecurities) or portfolios ask
      const held = async () => this.securitiesStream.follow(await this.heldAssets.list());
      every(SECURITIES_FOLLOW_MS, held, 'securities feed: held securities not followed', true);
    }
    const fxPoll = cfg.providers.fx?.pollIntervalMs;
    if (fxPoll) every(fxPoll, () => pollFx(this.ticks, providersOf(this.broker)), 'FX poll failed', true);
  },

  async stopped(this: MarketService) {
    this.securitiesStream.stop();
    await this.stream?.stop().catch(() => undefined);
    this.ticks.stop();
    for (const timer of this.timers) clearInterval(timer);
    // candles that closed are stored; the open ones are finished by the nodes still running
    await this.candleStore.flush();
    if (this.lastPricesStore) {
      await this.lastPricesStore
        .flush()
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'last prices not stored in Redis'));
      await releaseRedis(configOf(this.broker).redisUrl);
    }
  },
};

export default MarketServiceSchema;
