// A US equities market-data feed in Alpaca's shape, on the simulated securities market: REST
// snapshots (latest trade, today's and the previous session's daily bars) and daily bars
// (`/v2/stocks/bars`, paged by page_token), and the real-time stream (`/v2/{feed}`: connect →
// auth → subscribe, msgpack frames when the client asks for them, JSON otherwise) carrying
// trades. Only US-listed stocks and ETFs trade here; they trade only while a session is open on
// the market's calendar (weekends, holidays and early closes honoured), on the simulator's clock,
// which a test sets. The official `@alpacahq/alpaca-trade-api` SDK works against it with only its
// URLs changed.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocketServer, type WebSocket } from 'ws';
import { previousTradingDay, sessionInstants } from '../../domain/market-calendar.ts';
import { SeededRandom } from './random.ts';
import { addDays, centsToNumber } from './bank-ledger.ts';
import { Faults, SimServer, type FaultSettings, type Route, type SimRequest } from './sim-server.ts';
import type { SecuritiesMarket, Security } from './securities.ts';

export const SIM_FEED_KEY_ID = 'PKFINEXIASIM';
export const SIM_FEED_SECRET = 'finexia-feed-secret';

const US_MARKETS: ReadonlySet<string> = new Set(['XNAS', 'XNYS', 'ARCX', 'BATS']);
/** The exchange code Alpaca prints per market (IEX for the free feed's prints). */
const EXCHANGE_CODE = 'V';

export interface SecuritiesFeedOptions {
  seed: number;
  market: SecuritiesMarket;
  /** trades per second across the subscribed symbols while a session is open (0: only on request) */
  tradesPerSecond?: number;
  /** the clock that says whether a session is open (ms); the real one by default */
  now?: () => number;
  faults?: Partial<FaultSettings>;
}

interface Live {
  security: Security;
  /** the close of the session before (what the day's change is against) */
  prevClose: number;
  /** cents of the last trade, and the session's open, high, low, volume */
  lastCents: number;
  lastAt: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  trades: number;
  /** the session these are of */
  session: string;
}

interface Client {
  socket: WebSocket;
  binary: boolean;
  authenticated: boolean;
  trades: Set<string>;
}

const alpacaError = (status: number, message: string) => ({
  status,
  body: { code: status * 100_000 + 10_000, message },
});

export class SecuritiesFeedSimulator {
  readonly faults: Faults;
  readonly server: SimServer;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<Client>();
  private readonly live = new Map<string, Live>();
  /** the closes of sessions this feed traded through (ticker:day → cents): its own history */
  private readonly tradedCloses = new Map<string, number>();
  private readonly rng: SeededRandom;
  private tradeId = 1;
  private timer: NodeJS.Timeout | undefined;
  now: () => number;

  constructor(private readonly options: SecuritiesFeedOptions) {
    this.rng = new SeededRandom(options.seed).fork('securities-feed');
    this.now = options.now ?? Date.now;
    this.faults = new Faults(options.seed, options.faults);
    this.server = new SimServer({
      name: 'securities-feed',
      routes: this.routes(),
      faults: this.faults,
      errors: {
        rateLimited: () => alpacaError(429, 'too many requests.'),
        serverError: () => alpacaError(500, 'internal server error occurred'),
        notFound: () => alpacaError(404, 'endpoint not found.'),
        badRequest: (message) => alpacaError(400, message),
      },
    });
    this.server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
  }

  async listen(port = 0, host?: string): Promise<string> {
    const url = await this.server.listen(port, host);
    this.setTradeRate(this.options.tradesPerSecond ?? 0);
    return url;
  }

  /** How many trades a second the walk makes while a session is open (0: none but a test's). */
  setTradeRate(perSecond: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (perSecond <= 0) return;
    this.timer = setInterval(() => this.tick(Math.max(1, Math.round(perSecond / 4))), 250);
    this.timer.unref();
  }

  get wsUrl(): string {
    return this.server.url.replace('http', 'ws');
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.clients) c.socket.terminate();
    await this.server.close();
  }

  /** The securities this feed carries: US-listed stocks and ETFs. */
  carries(symbol: string): Security | undefined {
    const s = this.options.market.securities.find((x) => x.ticker === symbol);
    return s && (s.type === 'equity' || s.type === 'etf') && s.mic && US_MARKETS.has(s.mic) ? s : undefined;
  }

  /** Whether a session is open at the simulator's clock, and which day's. */
  sessionNow(): { day: string; open: boolean } {
    const now = this.now();
    const today = new Date(now).toISOString().slice(0, 10);
    // a New York session never crosses UTC midnight (it ends by 21:00 UTC)
    const instants = sessionInstants(today);
    return { day: today, open: Boolean(instants && now >= instants.openMs && now < instants.closeMs) };
  }

  /** The session whose prices stand now: today's once it has opened, else the last one before. */
  private currentSession(): string {
    const { day } = this.sessionNow();
    const instants = sessionInstants(day);
    return instants && this.now() >= instants.openMs ? day : previousTradingDay(day);
  }

  private liveOf(security: Security): Live {
    const session = this.currentSession();
    const before = this.live.get(security.ticker as string);
    if (before?.session === session) return before;
    if (before && before.trades)
      this.tradedCloses.set(`${security.ticker}:${before.session}`, before.lastCents);
    // a session opens at the close before it: the last trade of a session this feed traded
    // through, else the market's close (no overnight gaps in this market)
    const prevClose = this.closeOf(security, previousTradingDay(session));
    const live: Live = {
      security,
      prevClose,
      lastCents: prevClose,
      lastAt: sessionInstants(session)?.openMs ?? this.now(),
      open: prevClose,
      high: prevClose,
      low: prevClose,
      volume: 0,
      trades: 0,
      session,
    };
    this.live.set(security.ticker as string, live);
    return live;
  }

  /**
   * A trade of `symbol` at `cents` now (a test's, or the walk's): only while a session is open.
   * Returns false when the market is closed or the feed does not carry the symbol.
   */
  trade(symbol: string, cents?: number): boolean {
    const security = this.carries(symbol);
    if (!security || !this.sessionNow().open) return false;
    const live = this.liveOf(security);
    const next =
      cents ??
      Math.max(
        1,
        Math.round(
          live.lastCents * Math.exp((security.volatility / Math.sqrt(252 * 390 * 60)) * this.rng.normal()),
        ),
      );
    const size = this.rng.int(1, 400);
    live.lastCents = next;
    // stamped on the real clock, as a feed stamps its prints (the simulator's clock only says
    // which session it is, so a test can hold the market open)
    live.lastAt = Date.now();
    live.high = Math.max(live.high, next);
    live.low = Math.min(live.low, next);
    live.volume += size;
    live.trades += 1;
    const frame = {
      T: 't',
      S: symbol,
      i: (this.tradeId += 1),
      x: EXCHANGE_CODE,
      p: centsToNumber(next),
      s: size,
      t: new Date(live.lastAt),
      c: ['@'],
      z: security.mic === 'XNYS' || security.mic === 'ARCX' ? 'A' : 'C',
    };
    for (const c of this.clients) if (c.authenticated && c.trades.has(symbol)) this.send(c, [frame]);
    return true;
  }

  /** Whether a stream client is subscribed to a symbol's trades (a test waits for it). */
  subscribed(symbol: string): boolean {
    return [...this.clients].some((c) => c.authenticated && c.trades.has(symbol));
  }

  /** The open's first prints, planned: each subscribed symbol's next price (cents), a step of its walk. */
  planSurge(): Map<string, number> {
    const plan = new Map<string, number>();
    for (const symbol of new Set([...this.clients].flatMap((c) => [...c.trades]))) {
      const security = this.carries(symbol);
      if (!security) continue;
      const last = this.liveOf(security).lastCents;
      // a few basis points either way, never the same price (a print that moves nothing shows nothing)
      const step = Math.max(1, Math.round(last * 0.0005 * (1 + this.rng.next())));
      plan.set(symbol, this.rng.chance(0.5) ? last + step : Math.max(1, last - step));
    }
    return plan;
  }

  /** Every symbol of a plan trades once, at once; returns how many did (none while the market is closed). */
  surge(plan: Map<string, number> = this.planSurge()): number {
    let traded = 0;
    for (const [symbol, cents] of plan) if (this.trade(symbol, cents)) traded += 1;
    return traded;
  }

  /** Some subscribed symbols trade (the walk), while a session is open. */
  private tick(count: number): void {
    if (!this.sessionNow().open) return;
    const subscribed = [...new Set([...this.clients].flatMap((c) => [...c.trades]))];
    for (let i = 0; i < count && subscribed.length; i += 1) this.trade(this.rng.pick(subscribed));
  }

  // ---- REST ---------------------------------------------------------------

  private authorized(req: SimRequest): boolean {
    return (
      req.headers['apca-api-key-id'] === SIM_FEED_KEY_ID &&
      req.headers['apca-api-secret-key'] === SIM_FEED_SECRET
    );
  }

  /** A session's close: the last trade of one this feed traded through, else the market's. */
  closeOf(security: Security, day: string): number {
    return (
      this.tradedCloses.get(`${security.ticker}:${day}`) ?? this.options.market.closeCents(security, day)
    );
  }

  private dailyBar(security: Security, day: string) {
    const c = centsToNumber(this.closeOf(security, day));
    const t = new Date(`${day}T04:00:00Z`).toISOString().replace('.000', '');
    return { t, o: c, h: c, l: c, c, v: 1_000_000, n: 10_000, vw: c };
  }

  private snapshot(security: Security) {
    const live = this.liveOf(security);
    const price = centsToNumber(live.lastCents);
    const t = new Date(live.lastAt).toISOString();
    const day = `${live.session}T04:00:00Z`;
    return {
      latestTrade: { t, x: EXCHANGE_CODE, p: price, s: 100, c: ['@'], i: this.tradeId, z: 'C' },
      latestQuote: {
        t,
        ax: EXCHANGE_CODE,
        ap: price,
        as: 1,
        bx: EXCHANGE_CODE,
        bp: price,
        bs: 1,
        c: ['R'],
        z: 'C',
      },
      minuteBar: { t, o: price, h: price, l: price, c: price, v: 100, n: 1, vw: price },
      dailyBar: {
        t: day,
        o: centsToNumber(live.open),
        h: centsToNumber(live.high),
        l: centsToNumber(live.low),
        c: price,
        v: live.volume,
        n: live.trades,
        vw: price,
      },
      prevDailyBar: {
        ...this.dailyBar(security, previousTradingDay(live.session)),
        c: centsToNumber(live.prevClose),
      },
    };
  }

  private routes(): Route[] {
    const symbolsOf = (req: SimRequest) =>
      (req.query.get('symbols') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    return [
      {
        method: 'GET',
        path: '/v2/stocks/snapshots',
        handler: (req) => {
          if (!this.authorized(req)) return alpacaError(401, 'request is not authorized');
          const symbols = symbolsOf(req);
          if (!symbols.length) return alpacaError(400, 'missing symbols');
          const out: Record<string, unknown> = {};
          for (const symbol of symbols) {
            const security = this.carries(symbol);
            if (security) out[symbol] = this.snapshot(security);
          }
          return { body: out };
        },
      },
      {
        method: 'GET',
        path: '/v2/stocks/bars',
        handler: (req) => {
          if (!this.authorized(req)) return alpacaError(401, 'request is not authorized');
          const symbols = symbolsOf(req);
          if (!symbols.length) return alpacaError(400, 'missing symbols');
          if ((req.query.get('timeframe') ?? '') !== '1Day')
            return alpacaError(422, 'only the 1Day timeframe is simulated');
          const start = (req.query.get('start') ?? '').slice(0, 10);
          const end = (req.query.get('end') ?? new Date(this.now()).toISOString()).slice(0, 10);
          if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) return alpacaError(422, 'invalid start');
          const limit = Math.min(10_000, Math.max(1, Number(req.query.get('limit') ?? 1000) || 1000));
          // every (symbol, session) bar in order; the page token is the index to go on from
          const all: [string, ReturnType<SecuritiesFeedSimulator['dailyBar']>][] = [];
          const last = previousTradingDay(addDays(this.currentSession(), 1));
          for (const symbol of [...symbols].sort()) {
            const security = this.carries(symbol);
            if (!security) continue;
            for (let d = start; d <= end && d <= last; d = addDays(d, 1))
              if (sessionInstants(d)) {
                const bar = this.dailyBar(security, d);
                if (d === this.currentSession()) bar.c = centsToNumber(this.liveOf(security).lastCents);
                all.push([symbol, bar]);
              }
          }
          const from = Number(req.query.get('page_token') ?? 0) || 0;
          const page = all.slice(from, from + limit);
          const bars: Record<string, unknown[]> = {};
          for (const [symbol, bar] of page) (bars[symbol] ??= []).push(bar);
          return {
            body: {
              bars,
              next_page_token: from + limit < all.length ? String(from + limit) : null,
              currency: 'USD',
            },
          };
        },
      },
      // ---- simulator administration (not part of Alpaca's API) ----
      {
        method: 'POST',
        path: '/__sim/trade-rate',
        admin: true,
        handler: (req) => {
          const rate = ((req.body ?? {}) as { tradesPerSecond?: unknown }).tradesPerSecond;
          if (typeof rate !== 'number' || rate < 0 || rate > 10_000)
            return { status: 400, body: { error: 'tradesPerSecond must be 0..10000' } };
          this.setTradeRate(rate);
          return { body: { tradesPerSecond: rate } };
        },
      },
      {
        method: 'POST',
        path: '/__sim/trade',
        admin: true,
        handler: (req) => {
          const body = (req.body ?? {}) as { symbol?: unknown; price?: unknown };
          const cents = typeof body.price === 'number' ? Math.round(body.price * 100) : undefined;
          const traded = typeof body.symbol === 'string' && this.trade(body.symbol, cents);
          return traded
            ? { body: { traded: true } }
            : {
                status: 409,
                body: { error: 'not traded: the market is closed or the symbol is not carried' },
              };
        },
      },
    ];
  }

  // ---- the stream -----------------------------------------------------------

  private send(client: Client, frames: unknown[]): void {
    if (client.socket.readyState !== client.socket.OPEN) return;
    client.socket.send(client.binary ? encode(frames) : JSON.stringify(frames));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!/^\/v2\/(iex|sip|delayed_sip|test)$/.test(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const binary = String(req.headers['content-type'] ?? '').includes('msgpack');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, binary));
  }

  private onSocket(socket: WebSocket, binary: boolean): void {
    const client: Client = { socket, binary, authenticated: false, trades: new Set() };
    this.clients.add(client);
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    this.send(client, [{ T: 'success', msg: 'connected' }]);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      let msg: { action?: unknown; key?: unknown; secret?: unknown; trades?: unknown };
      try {
        msg = (isBinary ? decode(data) : JSON.parse(data.toString())) as typeof msg;
      } catch {
        this.send(client, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
        return;
      }
      if (msg.action === 'auth') {
        if (client.authenticated)
          return this.send(client, [{ T: 'error', code: 403, msg: 'already authenticated' }]);
        if (msg.key !== SIM_FEED_KEY_ID || msg.secret !== SIM_FEED_SECRET) {
          this.send(client, [{ T: 'error', code: 402, msg: 'auth failed' }]);
          socket.close();
          return;
        }
        client.authenticated = true;
        return this.send(client, [{ T: 'success', msg: 'authenticated' }]);
      }
      if (!client.authenticated)
        return this.send(client, [{ T: 'error', code: 401, msg: 'not authenticated' }]);
      if (msg.action === 'subscribe' || msg.action === 'unsubscribe') {
        const symbols = Array.isArray(msg.trades)
          ? msg.trades.filter((s): s is string => typeof s === 'string')
          : [];
        for (const s of symbols)
          if (msg.action === 'subscribe') client.trades.add(s);
          else client.trades.delete(s);
        return this.send(client, [
          {
            T: 'subscription',
            trades: [...client.trades],
            quotes: [],
            bars: [],
            updatedBars: [],
            dailyBars: [],
            statuses: [],
            lulds: [],
            corrections: [...client.trades],
            cancelErrors: [...client.trades],
          },
        ]);
      }
      this.send(client, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
    });
  }
}
