// Binance-Spot-compatible simulator: HMAC-signed /api/v3/account, /api/v3/ticker/price,
// /api/v3/exchangeInfo, {code,msg} errors, X-MBX-USED-WEIGHT-1M with 429/418 and
// Retry-After; WebSocket raw (/ws/<stream>) and combined (/stream?streams=) streams of
// <symbol>@trade, <symbol>@miniTicker and !miniTicker@arr with live SUBSCRIBE.
// `@binance/spot` works against it with only basePath / wsURL changed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SeededRandom, seedFrom } from './random.ts';
import { CryptoMarket, E8, e8ToDecimal, e8ToFixed, type Asset } from './market.ts';
import {
  Faults,
  SimServer,
  type FaultSettings,
  type Route,
  type SimRequest,
  type SimResponse,
} from './sim-server.ts';

/** What every pair is quoted in (it has no pair of its own). */
const QUOTE = 'USDT';

export interface BinanceSimOptions {
  seed?: number;
  market?: CryptoMarket;
  /** price changes per second across all symbols (the all-market stream carries each once a second) */
  ticksPerSecond?: number;
  /** internal step of the price walk */
  stepMs?: number;
  weightLimitPerMinute?: number;
  faults?: Partial<FaultSettings>;
}

interface Account {
  apiKey: string;
  apiSecret: string;
  balances: Map<string, { free: bigint; locked: bigint }>;
  uid: number;
}

const WEIGHTS: Record<string, number> = {
  '/api/v3/account': 20,
  '/api/v3/klines': 2,
  '/sapi/v1/margin/allPairs': 1,
  '/sapi/v1/margin/isolated/allPairs': 10,
  '/api/v3/exchangeInfo': 20,
  '/api/v3/ticker/price': 2,
  '/api/v3/time': 1,
  '/api/v3/ping': 1,
};

const binanceError = (
  status: number,
  code: number,
  msg: string,
  headers?: Record<string, string>,
): SimResponse => ({
  status,
  body: { code, msg },
  ...(headers ? { headers } : {}),
});

/** A frame's JSON text per shape of subscription, written at most once each. */
type FrameTexts = { combined?: string; raw?: string };

interface Subscriber {
  socket: WebSocket;
  streams: Set<string>;
  combined: boolean;
}

export class BinanceSimulator {
  readonly faults: Faults;
  readonly server: SimServer;
  readonly market: CryptoMarket;
  private readonly accounts = new Map<string, Account>();
  private readonly rng: SeededRandom;
  private readonly weightLimit: number;
  private readonly weights = new Map<
    string,
    { windowStart: number; used: number; over: number; bannedUntil: number }
  >();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly subscribers = new Set<Subscriber>();
  private readonly changedSinceTicker = new Set<Asset>();
  private timers: NodeJS.Timeout[] = [];
  private ticksPerSecond: number;
  private readonly stepMs: number;
  readonly stats = { ticks: 0, framesSent: 0, drops: 0 };

  constructor(options: BinanceSimOptions = {}) {
    const seed = options.seed ?? 1;
    this.rng = new SeededRandom(seedFrom(seed, 'binance'));
    this.market = options.market ?? new CryptoMarket({ seed });
    this.faults = new Faults(seedFrom(seed, 'binance-faults'), options.faults);
    this.weightLimit = options.weightLimitPerMinute ?? 6000;
    this.ticksPerSecond = options.ticksPerSecond ?? Math.min(this.market.assets.length, 50);
    this.stepMs = options.stepMs ?? 250;
    this.server = new SimServer({
      name: 'binance',
      routes: this.routes(),
      faults: this.faults,
      errors: {
        rateLimited: (retryAfter) =>
          binanceError(429, -1003, 'Too many requests; current limit is 6000 request weight per 1 MINUTE.', {
            'Retry-After': String(retryAfter),
          }),
        serverError: () =>
          binanceError(500, -1000, 'An unknown error occurred while processing the request.'),
        notFound: () => ({
          status: 404,
          body: '<html><body><h2>404 Not found</h2></body></html>',
          headers: { 'content-type': 'text/html' },
        }),
        badRequest: (msg) => binanceError(400, -1102, msg),
      },
      decorate: (req, res) => this.countWeight(req, res),
    });
    this.server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
  }

  async listen(port = 0, host?: string): Promise<string> {
    const url = await this.server.listen(port, host);
    this.startFeed();
    return url;
  }

  get wsUrl(): string {
    return this.server.url.replace('http', 'ws');
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const s of this.subscribers) s.socket.terminate();
    this.wss.close();
    await this.server.close();
  }

  /** Drops every stream connection, as the exchange does at its 24-hour limit or a network blip. */
  dropStreams(): number {
    const dropped = this.subscribers.size;
    for (const s of this.subscribers) s.socket.terminate();
    return dropped;
  }

  setTickRate(ticksPerSecond: number): void {
    this.ticksPerSecond = ticksPerSecond;
  }

  /** A new account with seeded holdings (or the given ones); returns its API key and secret. */
  createAccount(balances?: Record<string, string>): { apiKey: string; apiSecret: string } {
    const rng = this.rng.fork(`account:${this.accounts.size}`);
    const apiKey = rng.hex(64);
    const apiSecret = rng.hex(64);
    const holdings = new Map<string, { free: bigint; locked: bigint }>();
    if (balances) {
      for (const [asset, qty] of Object.entries(balances))
        holdings.set(asset, { free: BigInt(Math.round(Number(qty) * 1e8)), locked: 0n });
    } else {
      for (const asset of this.market.assets.slice(0, 8)) {
        if (!rng.chance(0.7)) continue;
        // about $500–$20,000 worth of each
        const usd = rng.int(500, 20_000);
        const qty = (BigInt(usd) * E8 * E8) / asset.priceE8;
        holdings.set(asset.symbol, { free: qty, locked: rng.chance(0.2) ? qty / 10n : 0n });
      }
      holdings.set('USDT', { free: BigInt(rng.int(100, 5_000)) * E8, locked: 0n });
    }
    this.accounts.set(apiKey, {
      apiKey,
      apiSecret,
      balances: holdings,
      uid: rng.int(100_000_000, 999_999_999),
    });
    return { apiKey, apiSecret };
  }

  truth(apiKey: string): { asset: string; free: string; locked: string }[] | undefined {
    const account = this.accounts.get(apiKey);
    if (!account) return undefined;
    return [...account.balances].map(([asset, b]) => ({
      asset,
      free: e8ToDecimal(b.free),
      locked: e8ToDecimal(b.locked),
    }));
  }

  // ---- REST ----------------------------------------------------------------------------

  private countWeight(req: SimRequest, res: SimResponse): void {
    const ip = String(req.headers['x-forwarded-for'] ?? 'local');
    const now = Date.now();
    let state = this.weights.get(ip);
    if (!state || now - state.windowStart >= 60_000) {
      state = {
        windowStart: now - (now % 60_000),
        used: 0,
        over: state?.over ?? 0,
        bannedUntil: state?.bannedUntil ?? 0,
      };
      this.weights.set(ip, state);
    }
    state.used += WEIGHTS[req.path] ?? 1;
    res.headers = { ...res.headers, 'X-MBX-USED-WEIGHT-1M': String(state.used) };
  }

  /** Enforces the weight limit before a route runs; keeps hammering after a 429 and you are banned (418). */
  private limit(req: SimRequest): SimResponse | undefined {
    const ip = String(req.headers['x-forwarded-for'] ?? 'local');
    const state = this.weights.get(ip);
    const now = Date.now();
    if (state && state.bannedUntil > now) {
      const retry = Math.ceil((state.bannedUntil - now) / 1000);
      return binanceError(418, -1003, `Way too many requests; IP banned until ${state.bannedUntil}.`, {
        'Retry-After': String(retry),
      });
    }
    if (state && state.used + (WEIGHTS[req.path] ?? 1) > this.weightLimit) {
      state.over += 1;
      const retry = Math.ceil((state.windowStart + 60_000 - now) / 1000);
      if (state.over > 10) {
        state.bannedUntil = now + 120_000;
        return binanceError(418, -1003, 'Way too many requests; IP banned for 120 seconds.', {
          'Retry-After': '120',
        });
      }
      return binanceError(
        429,
        -1003,
        `Too many requests; current limit is ${this.weightLimit} request weight per 1 MINUTE.`,
        { 'Retry-After': String(retry) },
      );
    }
    return undefined;
  }

  private signed(req: SimRequest): { account: Account } | SimResponse {
    const apiKey = req.headers['x-mbx-apikey'];
    if (typeof apiKey !== 'string' || !apiKey) return binanceError(401, -2014, 'API-key format invalid.');
    if (!/^[A-Za-z0-9]{64}$/.test(apiKey)) return binanceError(401, -2014, 'API-key format invalid.');
    const account = this.accounts.get(apiKey);
    if (!account) return binanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const timestamp = Number(req.query.get('timestamp'));
    if (!req.query.has('timestamp') || !Number.isFinite(timestamp))
      return binanceError(
        400,
        -1102,
        "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
      );
    const recvWindow = req.query.has('recvWindow') ? Number(req.query.get('recvWindow')) : 5000;
    if (!Number.isFinite(recvWindow) || recvWindow <= 0 || recvWindow > 60_000)
      return binanceError(400, -1131, 'recvWindow must be less than 60000');
    const serverTime = Date.now();
    if (timestamp >= serverTime + 1000 || serverTime - timestamp > recvWindow)
      return binanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    const signature = req.query.get('signature');
    if (!signature)
      return binanceError(
        400,
        -1102,
        "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
      );
    // The signature covers the query string as sent (minus the signature) followed by the body.
    const payload =
      req.rawQuery
        .split('&')
        .filter((p) => !p.startsWith('signature='))
        .join('&') + req.rawBody;
    const expected = createHmac('sha256', account.apiSecret).update(payload).digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return binanceError(400, -1022, 'Signature for this request is not valid.');
    return { account };
  }

  /** MARKET_DATA endpoints that want an API key (no signature). */
  private keyed(req: SimRequest): SimResponse | undefined {
    const apiKey = req.headers['x-mbx-apikey'];
    if (typeof apiKey !== 'string' || !/^[A-Za-z0-9]{64}$/.test(apiKey))
      return binanceError(401, -2014, 'API-key format invalid.');
    if (!this.accounts.has(apiKey))
      return binanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    return undefined;
  }

  /** The market's assets that trade against the quote (all but USDT itself). */
  private get listed(): Asset[] {
    return this.market.assets.filter((a) => a.symbol !== QUOTE);
  }

  /** Every listed asset against USDT, as Binance lists its margin pairs. */
  private marginPairs(withId: boolean) {
    return this.listed.map((a, i) => ({
      ...(withId ? { id: 351_637_150_141_315_000 + i } : {}),
      symbol: `${a.symbol}USDT`,
      base: a.symbol,
      quote: 'USDT',
      isMarginTrade: true,
      isBuyAllowed: true,
      isSellAllowed: true,
    }));
  }

  private symbolsOf(req: SimRequest): { symbols: string[] | undefined; error?: SimResponse } {
    const single = req.query.get('symbol');
    const many = req.query.get('symbols');
    if (single && many)
      return {
        symbols: undefined,
        error: binanceError(400, -1128, 'Combination of optional parameters invalid.'),
      };
    if (single) return { symbols: [single] };
    if (many) {
      try {
        const parsed = JSON.parse(many) as unknown;
        if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new Error('bad');
        return { symbols: parsed as string[] };
      } catch {
        return {
          symbols: undefined,
          error: binanceError(400, -1100, "Illegal characters found in parameter 'symbols'."),
        };
      }
    }
    return { symbols: undefined };
  }

  private assetForSymbol(symbol: string): Asset | undefined {
    const base = symbol.endsWith(QUOTE) ? symbol.slice(0, -QUOTE.length) : undefined;
    return base && base !== QUOTE ? this.market.asset(base) : undefined;
  }

  private routes(): Route[] {
    const guard = (handler: (req: SimRequest) => SimResponse) => (req: SimRequest) =>
      this.limit(req) ?? handler(req);
    return [
      { method: 'GET', path: '/api/v3/ping', handler: guard(() => ({ body: {} })) },
      { method: 'GET', path: '/api/v3/time', handler: guard(() => ({ body: { serverTime: Date.now() } })) },
      {
        method: 'GET',
        path: '/api/v3/ticker/price',
        handler: guard((req) => {
          const { symbols, error } = this.symbolsOf(req);
          if (error) return error;
          const list = symbols ?? this.listed.map((a) => `${a.symbol}USDT`);
          const out: { symbol: string; price: string }[] = [];
          for (const symbol of list) {
            const asset = this.assetForSymbol(symbol);
            if (!asset) return binanceError(400, -1121, 'Invalid symbol.');
            out.push({ symbol, price: e8ToFixed(asset.priceE8) });
          }
          return { body: req.query.has('symbol') ? out[0] : out };
        }),
      },
      {
        method: 'GET',
        path: '/api/v3/exchangeInfo',
        handler: guard((req) => {
          const { symbols, error } = this.symbolsOf(req);
          if (error) return error;
          const assets = symbols ? symbols.map((s) => this.assetForSymbol(s)) : this.listed;
          if (assets.some((a) => !a)) return binanceError(400, -1121, 'Invalid symbol.');
          return {
            body: {
              timezone: 'UTC',
              serverTime: Date.now(),
              rateLimits: [
                {
                  rateLimitType: 'REQUEST_WEIGHT',
                  interval: 'MINUTE',
                  intervalNum: 1,
                  limit: this.weightLimit,
                },
              ],
              exchangeFilters: [],
              symbols: (assets as Asset[]).map((a) => ({
                symbol: `${a.symbol}USDT`,
                status: 'TRADING',
                baseAsset: a.symbol,
                baseAssetPrecision: 8,
                quoteAsset: 'USDT',
                quotePrecision: 8,
                quoteAssetPrecision: 8,
                baseCommissionPrecision: 8,
                quoteCommissionPrecision: 8,
                orderTypes: ['LIMIT', 'MARKET'],
                icebergAllowed: true,
                ocoAllowed: true,
                otoAllowed: true,
                quoteOrderQtyMarketAllowed: true,
                allowTrailingStop: true,
                cancelReplaceAllowed: true,
                isSpotTradingAllowed: true,
                isMarginTradingAllowed: false,
                filters: [],
                permissions: [],
                permissionSets: [['SPOT']],
                defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
                allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
              })),
            },
          };
        }),
      },
      {
        method: 'GET',
        path: '/api/v3/account',
        handler: guard((req) => {
          const result = this.signed(req);
          if (!('account' in result)) return result;
          const account = result.account;
          const omitZero = req.query.get('omitZeroBalances') === 'true';
          const balances = [...account.balances]
            .filter(([, b]) => !omitZero || b.free + b.locked > 0n)
            .map(([asset, b]) => ({ asset, free: e8ToFixed(b.free), locked: e8ToFixed(b.locked) }));
          return {
            body: {
              makerCommission: 10,
              takerCommission: 10,
              buyerCommission: 0,
              sellerCommission: 0,
              commissionRates: {
                maker: '0.00100000',
                taker: '0.00100000',
                buyer: '0.00000000',
                seller: '0.00000000',
              },
              canTrade: true,
              canWithdraw: true,
              canDeposit: true,
              brokered: false,
              requireSelfTradePrevention: false,
              preventSor: false,
              updateTime: Date.now(),
              accountType: 'SPOT',
              balances,
              permissions: ['SPOT'],
              uid: account.uid,
            },
          };
        }),
      },
      // Daily candles (interval 1d only in the simulator): open = the previous day's close
      {
        method: 'GET',
        path: '/api/v3/klines',
        handler: guard((req) => {
          const symbol = req.query.get('symbol');
          if (!symbol)
            return binanceError(
              400,
              -1102,
              "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
            );
          const asset = this.assetForSymbol(symbol);
          if (!asset) return binanceError(400, -1121, 'Invalid symbol.');
          if (req.query.get('interval') !== '1d') return binanceError(400, -1120, 'Invalid interval.');
          const limit = Number(req.query.get('limit') ?? 500);
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
            return binanceError(400, -1100, "Illegal characters found in parameter 'limit'.");
          const day = 86_400_000;
          const today = Math.floor(Date.now() / day) * day;
          const end = Math.min(today, Math.floor(Number(req.query.get('endTime') ?? today) / day) * day);
          const startTime = req.query.get('startTime');
          let start = startTime ? Math.ceil(Number(startTime) / day) * day : end - (limit - 1) * day;
          if (!Number.isFinite(start) || !Number.isFinite(end))
            return binanceError(400, -1100, 'Illegal characters found in a parameter.');
          start = Math.max(start, end - 3650 * day);
          const dateOf = (t: number) => new Date(t).toISOString().slice(0, 10);
          const rows: (string | number)[][] = [];
          for (let t = start; t <= end && rows.length < limit; t += day) {
            const open = this.market.dailyClose(asset, dateOf(t - day));
            const close = this.market.dailyClose(asset, dateOf(t));
            const high = open > close ? open : close;
            const low = open < close ? open : close;
            rows.push([
              t,
              e8ToFixed(open),
              e8ToFixed(high),
              e8ToFixed(low),
              e8ToFixed(close),
              '1000.00000000',
              t + day - 1,
              e8ToFixed(close * 1000n),
              1000,
              '500.00000000',
              e8ToFixed(close * 500n),
              '0',
            ]);
          }
          return { body: rows };
        }),
      },
      // Margin pairs: clients that list markets with API keys set (ccxt's loadMarkets, with its
      // default options) ask for these before they read a balance; a 404 here stopped them.
      {
        method: 'GET',
        path: '/sapi/v1/margin/allPairs',
        handler: guard((req) => this.keyed(req) ?? { body: this.marginPairs(true) }),
      },
      {
        method: 'GET',
        path: '/sapi/v1/margin/isolated/allPairs',
        handler: guard((req) => {
          const result = this.signed(req);
          return 'account' in result ? { body: this.marginPairs(false) } : result;
        }),
      },
      // ---- simulator administration ----
      {
        method: 'POST',
        path: '/__sim/accounts',
        admin: true,
        handler: (req) => {
          const balances = (req.body as { balances?: Record<string, string> } | undefined)?.balances;
          return { status: 201, body: this.createAccount(balances) };
        },
      },
      {
        method: 'GET',
        path: '/__sim/accounts/:apiKey/truth',
        admin: true,
        handler: (req) => {
          const truth = this.truth(req.params.apiKey ?? '');
          return truth ? { body: { balances: truth } } : { status: 404, body: { error: 'no such account' } };
        },
      },
      {
        method: 'POST',
        path: '/__sim/tick-rate',
        admin: true,
        handler: (req) => {
          const rate = (req.body as { ticksPerSecond?: unknown } | undefined)?.ticksPerSecond;
          if (typeof rate !== 'number' || rate < 0 || rate > 100_000)
            return { status: 400, body: { error: 'ticksPerSecond must be 0..100000' } };
          this.setTickRate(rate);
          return { body: { ticksPerSecond: rate } };
        },
      },
      {
        method: 'GET',
        path: '/__sim/stats',
        admin: true,
        handler: () => ({ body: { ...this.stats, subscribers: this.subscribers.size } }),
      },
    ];
  }

  // ---- WebSocket streams ------------------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const [path = '', query = ''] = (req.url ?? '').split('?', 2);
    let streams: string[] | undefined;
    let combined = false;
    if (path.startsWith('/ws')) {
      streams = path.slice(4).split('/').filter(Boolean);
    } else if (path === '/stream') {
      combined = true;
      streams = (new URLSearchParams(query).get('streams') ?? '').split('/').filter(Boolean);
    }
    if (!streams) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const initial = streams;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, initial, combined));
  }

  private onSocket(socket: WebSocket, streams: string[], combined: boolean): void {
    const subscriber: Subscriber = {
      socket,
      streams: new Set(
        streams.map((s) => (s.toLowerCase() === '!miniticker@arr' ? '!miniTicker@arr' : s.toLowerCase())),
      ),
      combined,
    };
    this.subscribers.add(subscriber);
    socket.on('close', () => this.subscribers.delete(subscriber));
    socket.on('error', () => this.subscribers.delete(subscriber));
    socket.on('message', (data) => {
      let msg: { method?: unknown; params?: unknown; id?: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        socket.send(
          JSON.stringify({ error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } }),
        );
        return;
      }
      const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
      const params = Array.isArray(msg.params)
        ? msg.params.filter((p): p is string => typeof p === 'string')
        : [];
      switch (msg.method) {
        case 'SUBSCRIBE':
          for (const p of params) subscriber.streams.add(p === '!miniTicker@arr' ? p : p.toLowerCase());
          socket.send(JSON.stringify({ result: null, id }));
          break;
        case 'UNSUBSCRIBE':
          for (const p of params) subscriber.streams.delete(p === '!miniTicker@arr' ? p : p.toLowerCase());
          socket.send(JSON.stringify({ result: null, id }));
          break;
        case 'LIST_SUBSCRIPTIONS':
          socket.send(JSON.stringify({ result: [...subscriber.streams], id }));
          break;
        default:
          socket.send(JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown variant' }, id }));
      }
    });
  }

  /**
   * `texts`: a frame many subscribers get, written once per shape (combined or raw) — the
   * all-market frame is ~200 KB of JSON, and its writing time counts against its event time.
   */
  private emit(subscriber: Subscriber, stream: string, data: unknown, texts?: FrameTexts): void {
    if (subscriber.socket.readyState !== subscriber.socket.OPEN) return;
    const shape = subscriber.combined ? 'combined' : 'raw';
    const text = texts?.[shape] ?? JSON.stringify(subscriber.combined ? { stream, data } : data);
    if (texts) texts[shape] = text;
    subscriber.socket.send(text);
    this.stats.framesSent += 1;
  }

  private miniTicker(asset: Asset, now: number) {
    const close = asset.priceE8;
    const open = asset.openE8;
    const [c, o] = [e8ToFixed(close), e8ToFixed(open)];
    return {
      e: '24hrMiniTicker',
      E: now,
      s: `${asset.symbol}USDT`,
      c,
      o,
      h: close > open ? c : o,
      l: close < open ? c : o,
      v: '1000.00000000',
      q: e8ToFixed(close * 1000n),
    };
  }

  private startFeed(): void {
    // The walk: a share of the symbols moves every step so that ~ticksPerSecond change each second.
    this.timers.push(
      setInterval(() => {
        const share = Math.min(1, (this.ticksPerSecond * this.stepMs) / 1000 / this.market.assets.length);
        if (share <= 0) return;
        const changed = this.market.step(share, this.stepMs / 1000);
        const now = Date.now();
        this.stats.ticks += changed.length;
        for (const asset of changed) {
          if (asset.symbol === QUOTE) continue;
          this.changedSinceTicker.add(asset);
          const stream = `${asset.symbol.toLowerCase()}usdt@trade`;
          for (const s of this.subscribers) {
            if (!s.streams.has(stream)) continue;
            this.emit(s, stream, {
              e: 'trade',
              E: now,
              s: `${asset.symbol}USDT`,
              t: this.market.nextTradeId(),
              p: e8ToFixed(asset.priceE8),
              q: '0.01000000',
              T: now,
              m: this.rng.chance(0.5),
              M: true,
            });
          }
        }
      }, this.stepMs),
    );
    // Mini tickers: once a second, only symbols that changed.
    this.timers.push(
      setInterval(() => {
        const now = Date.now();
        const changed = [...this.changedSinceTicker];
        this.changedSinceTicker.clear();
        if (!changed.length) return;
        const tickers = changed.map((a) => this.miniTicker(a, now));
        const allMarket: FrameTexts = {};
        for (const s of this.subscribers) {
          const all = s.streams.has('!miniTicker@arr');
          if (all) this.emit(s, '!miniTicker@arr', tickers, allMarket);
          if (s.streams.size === (all ? 1 : 0)) continue;
          for (const t of tickers) {
            const stream = `${t.s.toLowerCase()}@miniticker`;
            if (s.streams.has(stream)) this.emit(s, `${t.s.toLowerCase()}@miniTicker`, t);
          }
        }
      }, 1000),
    );
    // Faults and keep-alive: dropped connections, and pings every 20 s as Binance does.
    this.timers.push(
      setInterval(() => {
        const rate = this.faults.settings.wsDropRate;
        if (!rate) return;
        for (const s of this.subscribers) {
          if (this.rng.chance(rate)) {
            this.stats.drops += 1;
            this.faults.counts.wsDrops += 1;
            s.socket.terminate();
          }
        }
      }, 1000),
      setInterval(() => {
        for (const s of this.subscribers) s.socket.ping();
      }, 20_000),
    );
    for (const t of this.timers) t.unref();
  }
}
