// The live portfolios of one node: one price book they all share (a tick writes the price
// once and walks that symbol's holders), activation from MongoDB, and pushes of
// `portfolio.updated` deltas (epoch + sequence numbers, at most a few per second, only while
// someone watches), framed for browsers here and sent to the gateways in slices.
import { callAction } from '../../infra/actions.ts';
import { randomUUID } from 'node:crypto';
import type { ServiceBroker } from 'moleculer';
import type { Tick } from '@finexia/contracts/api.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import { PushedView } from '../../domain/portfolio-views.ts';
import { emitEvent } from '../../infra/events.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { LatencySample } from '../../infra/latency.ts';
import { METRICS } from '../../infra/metrics.ts';
import { providersOf } from '../../infra/providers.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';
import { PortfolioState, PriceBook, valueToDecimal } from '../../domain/portfolio.ts';
import { localDate } from '../../domain/dates.ts';
import { fellPastThreshold } from '../../domain/anomalies/live.ts';
import type { PortfolioPush, PositionMove } from '@finexia/contracts/events.ts';
import { startOfLocalDay } from '../../domain/history.ts';
import { forEachInSlices } from '../../infra/concurrency.ts';
import { Valuation, type UserPreferences, type Valued } from './valuation.ts';
import { positionsInBulk, positionsOf, type Positions } from './positions.ts';
import { preferencesOfMany } from '../../infra/user-preferences.ts';

const HOUR_MS = 3_600_000;

/** Pushes to one user at most this often; the latest state wins. */
const PUSH_INTERVAL_MS = 250;
/**
 * Pushes built per slice, sent as one `portfolio.pushes` event. The node yields between slices,
 * so the first users' frames are on their way while the rest of a burst is built (built all at
 * once, nothing left the node until the last of ~1,000 pushes was ready).
 */
const PUSH_SLICE = 64;
/** An asset's price an hour ago and now, and the move in percent. */
interface AssetMove {
  from: bigint;
  to: bigint;
  percent: number;
}

/** A watch lasts this long unless renewed (the ws gateways renew every minute). */
export const WATCH_MS = 150_000;

/** One user's portfolio as this node keeps it live. */
export interface LivePortfolio extends Valued {
  /**
   * what its clients were last sent (pushed, or handed out as a snapshot); deltas are diffs from
   * it. Undefined until the first look (see firstView).
   */
  pushed: PushedView | undefined;
  lastPushAt: number;
  pushTimer: NodeJS.Timeout | undefined;
  /** the USD net worth of the last history point written */
  recordedUsd: string | undefined;
  /** pushes go out only while someone watches (a socket asked for a snapshot or is connected) */
  watchedUntil: number;
  /** what was reported to the anomaly detector: the day of a net worth drop, each asset's hour of a move */
  reported: { dropDay: string; moves: Map<string, number> };
}

/** What many activations at once loaded in bulk, used once. */
interface Prefetched {
  positions: Positions;
  /** null: the user has no preferences (the defaults apply; nothing more to load) */
  preferences: UserPreferences | null;
}

type Logger = ServiceBroker['logger'];

export class PortfolioHost {
  readonly book = new PriceBook();
  readonly live = new Map<string, LivePortfolio>();
  /** tick timestamp → applied to this node's portfolios */
  readonly lag = new LatencySample();
  /** per burst of ticks: ms to apply them, and from then until the last push they caused was sent */
  readonly burstApplyMs = new LatencySample(10_000);
  readonly burstPushedMs = new LatencySample(10_000);
  /** per slice of the minute's work (moves, history points): how long it held the event loop */
  readonly minuteHoldMs = new LatencySample(1_000);
  /** per minute: from the minute's start to its history points written */
  readonly minuteWorkMs = new LatencySample(1_000);
  private burstAt = 0;
  /** the age of the oldest tick of the burst being pushed, when it was applied (ms) */
  private burstTickAge = 0;
  readonly valuation: Valuation;
  private readonly byState = new Map<PortfolioState, LivePortfolio>();
  /** the book's prices at each of the last 60 minutes (for moves within the hour) */
  private readonly priceHistory: { minute: number; prices: Map<string, bigint> }[] = [];
  private readonly prefetched = new Map<string, Prefetched>();
  private readonly dayStarts = new Map<string, { minute: number; dayStart: number }>();
  /** users whose bulk load is under way: their activation waits for it instead of querying alone */
  private readonly prefetching = new Map<string, Promise<void>>();
  /** portfolios whose push is due, in the order they became due */
  private readonly due = new Set<LivePortfolio>();
  private draining: NodeJS.Immediate | undefined;

  constructor(
    private readonly broker: ServiceBroker,
    private readonly logger: Logger,
  ) {
    this.valuation = new Valuation(broker, logger, this.book);
  }

  /** A batch of ticks: each price written once, each holder moved by qty × (p_new − p_old). */
  applyTicks(ticks: readonly Tick[]): void {
    const started = performance.now();
    const touched: PortfolioState[] = [];
    const now = Date.now();
    let oldest = 0;
    for (const t of ticks) {
      const price = Decimal.tryParse(t.price);
      if (!price) continue;
      this.book.notePeg(t.symbol, t.source === 'peg');
      if (this.book.tick(t.symbol, price.units, touched) > 0) {
        this.lag.record(now - t.ts);
        oldest = Math.max(oldest, now - t.ts);
      }
    }
    this.burstApplyMs.record(performance.now() - started);
    this.pushTouched(touched);
    if (this.due.size && !this.burstAt) {
      this.burstAt = started;
      this.burstTickAge = oldest;
    }
  }

  /**
   * Activation (or reload): holdings and balances from MongoDB, prices the node's book lacks
   * from the market service and FX. Everything after the last await runs in one go, so no
   * tick can fall between valuing the positions and joining the price book.
   */
  async activate(userId: string, previous?: LivePortfolio): Promise<LivePortfolio> {
    // a node that takes over many users loads them in bulk; one asked for meanwhile waits for it
    // (alone, each would cost a read of whole collections on FerretDB: docs/ferretdb.md)
    if (!previous) await this.prefetching.get(userId)?.catch(() => undefined);
    const bulk = previous ? undefined : this.prefetched.get(userId);
    this.prefetched.delete(userId);
    // a reload follows a change of the rows: the pack is stale by then
    const [byAccount, base] = bulk
      ? [bulk.positions, await this.valuation.baseOf(userId, bulk.preferences)]
      : await Promise.all([
          positionsOf(userId, this.logger, previous !== undefined),
          this.valuation.baseOf(userId),
        ]);
    const state = new PortfolioState(undefined, this.book.prices);
    const missing = [...new Set([...byAccount.values()].flat().map((p) => p.asset))].filter(
      (a) => !this.book.prices.has(a),
    );
    const fetched = await this.pricesOf(userId, missing, state.fiat);
    const dayStart = this.dayStartIn(base.timeZone);
    // asked again on a reload too (kept per node and day, so only new symbols cost a call): an
    // account added during the day brings assets whose open the portfolio did not know
    const opens = await this.valuation.opensAt(byAccount, dayStart);
    // what the day opened at before the reload stays (an asset that opened at its first price)
    if (previous && previous.dayStart === dayStart)
      for (const [asset, price] of previous.openPrices) if (!opens.has(asset)) opens.set(asset, price);
    // — no await below this line —
    const touched: PortfolioState[] = [];
    for (const t of fetched)
      if (!this.book.prices.has(t.symbol)) {
        this.book.notePeg(t.symbol, t.source === 'peg');
        this.book.tick(t.symbol, Decimal.parse(t.price).units, touched);
      }
    this.pushTouched(touched);
    for (const [accountId, list] of byAccount) state.setAccountPositions(accountId, list);
    state.changed = true;
    if (previous) {
      this.book.detach(previous.state);
      this.byState.delete(previous.state);
    }
    // walked by ticks only while someone watches (a reload keeps the old one's standing)
    this.book.attach(state, !previous || previous.watchedUntil < Date.now());
    const liveBase = { ...base, priceUnits: this.book.prices.get(base.currency) };
    // an asset new today (no price at midnight known) opens at the price it has now; one with
    // no price at all has no open (it opens with its first price)
    for (const asset of state.assets()) {
      const now = this.book.prices.get(asset);
      if (!opens.has(asset) && now !== undefined) opens.set(asset, now);
    }
    let portfolio: LivePortfolio;
    if (previous) {
      portfolio = previous;
      portfolio.state = state;
      portfolio.base = liveBase;
      portfolio.dayStart = dayStart;
      portfolio.openPrices = opens;
    } else {
      const valued: Valued = {
        userId,
        state,
        base: liveBase,
        epoch: randomUUID(),
        dayStart,
        openPrices: opens,
      };
      portfolio = Object.assign(valued, {
        pushed: undefined,
        lastPushAt: 0,
        pushTimer: undefined,
        recordedUsd: undefined,
        watchedUntil: 0,
        reported: { dropDay: '', moves: new Map<string, number>() },
      });
      // nothing was sent, so nothing is owed: its first view is built when first asked for
      state.changed = false;
      this.live.set(userId, portfolio);
      // (its first history point is written at the next minute boundary)
    }
    this.byState.set(state, portfolio);
    return portfolio;
  }

  /** Leaves this node (moved, idle, stopping). */
  retire(userId: string): LivePortfolio | undefined {
    const portfolio = this.live.get(userId);
    if (!portfolio) return undefined;
    clearTimeout(portfolio.pushTimer);
    this.due.delete(portfolio);
    this.book.detach(portfolio.state);
    this.byState.delete(portfolio.state);
    this.live.delete(userId);
    return portfolio;
  }

  /**
   * Loads many users' portfolio inputs: their position packs (positions.ts) and preferences.
   * FerretDB v1 answers a `$in` by decoding the whole collection (docs/ferretdb.md: a `$in` of
   * 2,000 user ids ~29 s), so a large batch reads each collection once, streamed, and keeps the
   * wanted users; a small one asks for each user by id. `preferences`: the users' preferences,
   * when the caller read them already (they are not read again).
   */
  async prefetch(
    userIds: string[],
    preferences?: ReadonlyMap<string, UserPreferences | null>,
  ): Promise<void> {
    const loading = this.load(userIds, preferences);
    const done = loading.then(
      () => undefined,
      () => undefined,
    );
    for (const id of userIds) this.prefetching.set(id, done);
    try {
      await loading;
    } finally {
      for (const id of userIds) if (this.prefetching.get(id) === done) this.prefetching.delete(id);
    }
  }

  private async load(userIds: string[], known?: ReadonlyMap<string, UserPreferences | null>): Promise<void> {
    const [positions, preferences] = await Promise.all([
      positionsInBulk(userIds, this.logger),
      known ?? preferencesOfMany(userIds),
    ]);
    for (const id of userIds)
      this.prefetched.set(id, {
        positions: positions.get(id) ?? new Map(),
        preferences: preferences.get(id) ?? null,
      });
  }

  /** A bulk load of this user is under way (its activation will follow it). */
  isLoading(userId: string): boolean {
    return this.prefetching.has(userId);
  }

  /** Bulk-loaded inputs that no activation used (or that a wallet change made stale). */
  forgetPrefetched(userIds: Iterable<string>): void {
    for (const id of userIds) this.prefetched.delete(id);
  }

  /** Someone watches: the portfolio is walked by every tick (and pushed) until the watch lapses. */
  watch(portfolio: LivePortfolio): void {
    portfolio.watchedUntil = Date.now() + WATCH_MS;
    if (portfolio.state.isLazy) this.book.attach(portfolio.state);
  }

  /** Live portfolios and those someone watches, for the node's gauges. */
  counts(now = Date.now()): { actors: number; watched: number } {
    let watched = 0;
    for (const p of this.live.values()) if (p.watchedUntil >= now) watched += 1;
    return { actors: this.live.size, watched };
  }

  /** Portfolios whose watch lapsed stop being walked by ticks; they are valued when read. */
  coolDown(now: number): number {
    let cooled = 0;
    for (const p of this.live.values())
      if (p.watchedUntil < now && !p.state.isLazy) {
        this.book.attach(p.state, true);
        cooled += 1;
      }
    return cooled;
  }

  /** The live view; if it moved since the last push, that push happens now, so a snapshot and later deltas line up. */
  current(portfolio: LivePortfolio): PortfolioView {
    if (!portfolio.pushed) return this.firstView(portfolio).view;
    if (portfolio.state.changed) this.push(portfolio);
    return portfolio.pushed.toView();
  }

  /**
   * A portfolio's first view, sequence 0: what its clients are sent first (deltas are diffs from
   * it). Built at the first look, not at activation: most portfolios a node holds are never
   * watched, and building it was half of an activation's CPU (profile of 10,000 activations
   * after a restart: 0.77 of 1.5 s). Built on the portfolio itself: building may move its day or rate.
   */
  private firstView(portfolio: LivePortfolio): { pushed: PushedView; view: PortfolioView } {
    const view = this.valuation.view(portfolio, 0);
    const pushed = new PushedView(portfolio.state, view);
    portfolio.pushed = pushed;
    portfolio.state.changed = false;
    return { pushed, view };
  }

  /**
   * The start of today in a time zone. Asked once per activation; computing it (time zone
   * rules) was ~50 µs, so it is kept for the minute (no day starts between two minutes).
   */
  private dayStartIn(timeZone: string): number {
    const now = Date.now();
    const minute = now - (now % 60_000);
    const known = this.dayStarts.get(timeZone);
    if (known?.minute === minute) return known.dayStart;
    const dayStart = startOfLocalDay(now, timeZone);
    this.dayStarts.set(timeZone, { minute, dayStart });
    return dayStart;
  }

  /** At most one push per PUSH_INTERVAL_MS per user; the push carries the latest state. */
  schedulePush(portfolio: LivePortfolio): void {
    // nobody is looking: the state stays marked changed, and the next snapshot pushes it
    if (portfolio.pushTimer || portfolio.watchedUntil < Date.now()) return;
    const wait = portfolio.lastPushAt + PUSH_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.enqueue(portfolio);
    portfolio.pushTimer = setTimeout(() => {
      portfolio.pushTimer = undefined;
      if (this.live.get(portfolio.userId) === portfolio) this.enqueue(portfolio);
    }, wait);
    portfolio.pushTimer.unref();
  }

  private enqueue(portfolio: LivePortfolio): void {
    this.due.add(portfolio);
    this.draining ??= setImmediate(() => this.drain());
  }

  /** One slice of the due pushes, then the event loop's turn, then the next slice. */
  private drain(): void {
    this.draining = undefined;
    const pushes: PortfolioPush[] = [];
    for (const portfolio of this.due) {
      this.due.delete(portfolio);
      // retired meanwhile, or pushed already (a snapshot pushes first)
      if (this.live.get(portfolio.userId) !== portfolio || !portfolio.state.changed) continue;
      pushes.push(this.buildPush(portfolio));
      if (pushes.length === PUSH_SLICE) break;
    }
    if (pushes.length) emitEvent(this.broker, 'portfolio.pushes', { pushes });
    if (this.due.size) this.draining = setImmediate(() => this.drain());
    else if (this.burstAt) {
      const pushedMs = performance.now() - this.burstAt;
      this.burstPushedMs.record(pushedMs);
      this.broker.metrics.observe(METRICS.tickToPush, this.burstTickAge + pushedMs);
      this.burstAt = 0;
    }
  }

  /**
   * Once a minute: each live portfolio whose net worth fell past the user's threshold today, or
   * whose held positions moved past it within the hour, is reported (`portfolio.moved`) — each
   * drop once a day, each move once an hour. Prices an hour ago come from this node's book.
   * The pass yields to the event loop between slices (in one turn it held a node's loop 166 ms
   * at 10,000 portfolios, bench:realtime, delaying that second's pushes) and `holds` records
   * each slice's length.
   */
  async reportMoves(now: number, holds?: LatencySample): Promise<number> {
    const minute = now - (now % 60_000);
    this.priceHistory.push({ minute, prices: new Map(this.book.prices) });
    while ((this.priceHistory[0]?.minute ?? minute) < minute - HOUR_MS) this.priceHistory.shift();
    const hourAgo = this.priceHistory[0];
    const hour = Math.floor(now / HOUR_MS);
    // the assets that moved at all (≥ 1 %) this hour: only their holders need a look
    const moved = new Map<string, AssetMove>();
    if (hourAgo && hourAgo.minute <= minute - HOUR_MS)
      for (const [asset, to] of this.book.prices) {
        const from = hourAgo.prices.get(asset);
        if (!from || from === to) continue;
        const percent = Number(((to - from) * 10_000n) / from) / 100;
        if (Math.abs(percent) >= 1) moved.set(asset, { from, to, percent });
      }
    // a local date per time zone, not per portfolio (a zoned date is ~10 µs)
    const dates = new Map<string, string>();
    const dateIn = (timeZone: string) => {
      let date = dates.get(timeZone);
      if (date === undefined) dates.set(timeZone, (date = localDate(now, timeZone)));
      return date;
    };
    let reports = 0;
    await forEachInSlices(
      this.live.values(),
      (p) => {
        if (this.reportMove(p, dateIn(p.base.timeZone), hour, moved)) reports += 1;
      },
      holds,
    );
    return reports;
  }

  /** One portfolio's drop and moves, reported when there is something new; true when it was. */
  private reportMove(p: LivePortfolio, date: string, hour: number, moved: Map<string, AssetMove>): boolean {
    const dropped =
      p.reported.dropDay !== date &&
      fellPastThreshold(p.state.valueAtPrices(p.openPrices), p.state.netWorthUnits(), p.base.dropPercent);
    const moves: PositionMove[] = [];
    if (moved.size)
      for (const [asset, quantity] of p.state.quantities()) {
        const m = moved.get(asset);
        if (!m || p.state.fiat.has(asset) || quantity <= 0n) continue;
        if (Math.abs(m.percent) < p.base.movePercent || p.reported.moves.get(asset) === hour) continue;
        p.reported.moves.set(asset, hour);
        moves.push({
          asset,
          from: Decimal.fromUnits(m.from).toString(),
          to: Decimal.fromUnits(m.to).toString(),
          value: this.inBase(p, valueToDecimal(quantity * m.to)),
          currency: p.base.currency,
        });
      }
    if (!dropped && !moves.length) return false;
    if (dropped) p.reported.dropDay = date;
    const netWorthUsd = p.state.netWorth();
    emitEvent(this.broker, 'portfolio.moved', {
      userId: p.userId,
      date,
      currency: p.base.currency,
      netWorth: this.inBase(p, netWorthUsd),
      dayOpen: this.inBase(p, valueToDecimal(p.state.valueAtPrices(p.openPrices))),
      dropped,
      moves,
    });
    return true;
  }

  private inBase(p: LivePortfolio, usd: Decimal): string {
    return (p.base.currency === 'USD' ? usd : usd.mul(p.base.perUsd))
      .round(currencyDigits(p.base.currency))
      .toString();
  }

  stop(): void {
    for (const portfolio of this.live.values()) clearTimeout(portfolio.pushTimer);
    if (this.draining) clearImmediate(this.draining);
    this.due.clear();
  }

  private push(portfolio: LivePortfolio): void {
    this.due.delete(portfolio);
    emitEvent(this.broker, 'portfolio.pushes', { pushes: [this.buildPush(portfolio)] });
  }

  /** The delta since the last push, framed for browsers once, here. */
  private buildPush(portfolio: LivePortfolio): PortfolioPush {
    clearTimeout(portfolio.pushTimer);
    portfolio.pushTimer = undefined;
    portfolio.lastPushAt = Date.now();
    const pushed = portfolio.pushed ?? this.firstView(portfolio).pushed;
    portfolio.state.changed = false;
    const { seq, prevSeq, json } = pushed.next(portfolio, this.book.prices);
    return {
      userId: portfolio.userId,
      epoch: portfolio.epoch,
      seq,
      prevSeq,
      // the EventFrame of contracts/ws.ts, its data written by PushedView
      frame: `{"type":"event","event":"portfolio.updated","data":${json}}`,
    };
  }

  private pushTouched(touched: readonly PortfolioState[]): void {
    for (const state of touched) {
      const portfolio = this.byState.get(state);
      if (portfolio) this.schedulePush(portfolio);
    }
  }

  /** Prices the book lacks: crypto from the market service, fiat from the FX provider (USD per unit). */
  private async pricesOf(userId: string, assets: string[], fiat: ReadonlySet<string>): Promise<Tick[]> {
    const fetched: Tick[] = [];
    const crypto = assets.filter((a) => !fiat.has(a));
    if (crypto.length && nodesRunning(this.broker, 'market').length) {
      const { prices } = await callAction(this.broker, 'market.prices', {
        symbols: crypto,
      });
      fetched.push(...prices);
    }
    const currencies = assets.filter((a) => fiat.has(a));
    if (currencies.length) {
      try {
        // FX quotes are units per USD; a position needs USD per unit
        const fx = await providersOf(this.broker).fx().latest('USD', currencies);
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
    return fetched;
  }
}
