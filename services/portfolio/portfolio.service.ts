// portfolio: one live portfolio per user on the node that owns the user (consistent hashing,
// one message at a time through the user's mailbox). It activates from MongoDB and the node's
// price book, rebuilds when the user's wallets change, and pushes `portfolio.updated` deltas to
// the ws gateways. Ticks go to the node's price book once: each holder of the symbol moves by
// qty × (p_new − p_old), nothing is recomputed. Owners record net worth history each minute.
// The room: host.ts (the node's live portfolios), valuation.ts (base currency, day opens, the
// view), history.ts (points, ranges).
import { preferencesWhere } from '../../infra/user-preferences.ts';
import { callAction } from '../../infra/actions.ts';
import { emitEvent } from '../../infra/events.ts';
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import { HISTORY_RANGES, type HistoryResponse, type ValueAtResponse } from '@finexia/contracts/api.ts';
import type { EventMap, EventName } from '@finexia/contracts/events.ts';
import type { PortfolioInspection, PortfolioView } from '@finexia/contracts/portfolio.ts';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { ActorHostMixin, type ActorHostMethods } from '../../mixins/actor-host.mixin.ts';
import { callerId, type Ctx } from '../../infra/context.ts';
import { NetWorthPoint, type NetWorthPointRecord } from '../../infra/models/history.model.ts';
import { pipeline, type Readable } from 'node:stream';
import { jsonArray } from '../../infra/streams.ts';
import type { ExportedHistoryPoint } from '@finexia/contracts/export.ts';
import { PositionPack, PositionStamp } from '../../infra/models/position-pack.model.ts';
import { processStats, type ProcessStats } from '../../infra/process-stats.ts';
import { METRICS } from '../../infra/metrics.ts';
import type { LatencySummary } from '@finexia/contracts/internal.ts';
import { minuteOf } from '../../domain/history.ts';
import { forEachConcurrently, YIELD_EVERY, yieldToLoop } from '../../infra/concurrency.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { PortfolioHost, type LivePortfolio } from './host.ts';
import type { UserPreferences } from './valuation.ts';
import { historyOf, recordHistory, valueAt, type HistoryQuery } from './history.ts';
import { rebuildHistory, type RebuildResult } from './rebuild.ts';

/** What `portfolio.nodeStats` answers. */
export interface PortfolioNodeStats extends ProcessStats {
  node: string;
  actors: number;
  /** tick timestamp → applied to this node's portfolios, since the last reset */
  tickLagMs: LatencySummary;
  /** per burst of ticks: applying them, and from then until the last push they caused was sent */
  burstApplyMs: LatencySummary;
  burstPushedMs: LatencySummary;
  minuteHoldMs: LatencySummary;
  minuteWorkMs: LatencySummary;
}

/** What `portfolio.reportMovesNow` answers. */
export interface MovesReported {
  node: string;
  /** portfolios with a new drop or move reported (`portfolio.moved`) */
  reported: number;
}

/** What `portfolio.writeHistoryNow` answers. */
export interface HistoryWritten {
  node: string;
  written: number;
}

type PortfolioMessage =
  | { type: 'snapshot'; watch?: boolean }
  | { type: 'activate' }
  | { type: 'reload' }
  | { type: 'rebuild' }
  | { type: 'erase' };

/** A history point as the user's export carries it. */
function exportedPoint(p: NetWorthPointRecord): ExportedHistoryPoint {
  return {
    t: p.t.toISOString(),
    value: p.value,
    currency: p.currency,
    usd: p.usd,
    rebuilt: Boolean(p.rebuilt),
    estimated: Boolean(p.estimated),
  };
}

/** Any of these may bring the past in (or change it): the user's history is rebuilt, once they settle. */
const REBUILD_EVENTS = [
  // a manual wallet may come with a balance as of a past date
  'wallet.created',
  'wallet.synced',
  'wallet.deleted',
  'wallet.balance.changed',
  'transaction.changed',
] as const satisfies readonly EventName[];
/** Events of one user within this long rebuild once. */
const REBUILD_DEBOUNCE_MS = 3_000;

/**
 * Users loaded per read of the collections when many portfolios activate at once: each chunk
 * reads every collection once (FerretDB scans), so chunks are large. What a chunk holds while it
 * activates is each user's positions (~2 KB; from a pack, or from the rows the first time).
 */
const PREFETCH_CHUNK = 100_000;

/** Any of these rebuilds the user's portfolio from MongoDB. */
const RELOAD_EVENTS = [
  'wallet.created',
  'wallet.deleted',
  'wallet.holdings.changed',
  'wallet.synced',
  'wallet.balance.changed',
  'user.preferences.changed',
] as const satisfies readonly EventName[];

interface PortfolioVars {
  host: PortfolioHost;
  historyTimer?: NodeJS.Timeout;
  /** the minute's history write under way, if any (a stop waits for it) */
  historyWriting?: Promise<void>;
  gaugeTimer?: NodeJS.Timeout;
  rebuildTimers: Map<string, NodeJS.Timeout>;
}

interface PortfolioMethods extends ActorHostMethods<PortfolioMessage> {
  /** The user's live view from the owner (activating the portfolio there if needed). */
  liveView(userId: string, watch?: boolean): Promise<PortfolioView>;
  /** `preferences`: the users' preferences, when the caller read them already (used for this node's users). */
  activateUsers(
    userIds: string[],
    preferences?: ReadonlyMap<string, UserPreferences | null>,
  ): Promise<number>;
  scheduleHistory(): void;
  scheduleRebuild(userId: string): void;
}

type PortfolioService = Service & PortfolioMethods & PortfolioVars;

const PortfolioServiceSchema: ServiceSchema<ServiceSettingSchema, PortfolioMethods, PortfolioVars> = {
  name: 'portfolio',
  settings: { rest: '/portfolio' },
  mixins: [
    DbMixin([NetWorthPoint, PositionPack, PositionStamp]),
    AuthGuardMixin,
    ActorHostMixin<PortfolioMessage, PortfolioService>({
      service: 'portfolio',
      async handle(userId, message) {
        if (message.type === 'rebuild')
          return rebuildHistory(this.broker, this.logger, userId, () => this.hosting());
        if (message.type === 'erase') {
          // a deleted account: no live portfolio any more, then nothing of it stored (the minute's
          // history points under way are written first, and deleted with the rest)
          this.host.retire(userId);
          await this.historyWriting;
          const results = await Promise.all([
            NetWorthPoint.deleteMany({ userId }),
            PositionPack.deleteMany({ _id: userId }),
            PositionStamp.deleteMany({ _id: userId }),
          ]);
          return { deleted: results.reduce((n, r) => n + r.deletedCount, 0) };
        }
        const host = this.host;
        const live = host.live.get(userId);
        if (message.type === 'reload') {
          // only a portfolio that exists needs rebuilding; its epoch, sequence and push schedule stay
          if (live) {
            host.schedulePush(await host.activate(userId, live));
            emitEvent(this.broker, 'portfolio.reloaded', { userId });
          }
          return undefined;
        }
        const portfolio = live ?? (await host.activate(userId));
        // brought up ahead of need (a node taking users over): nobody is looking yet
        if (message.type === 'activate') return undefined;
        if (message.watch) host.watch(portfolio);
        return host.current(portfolio);
      },
      // a live portfolio's view is in memory: a read need not queue behind a rebuild or a sync's reload
      immediate(userId, message) {
        if (message.type !== 'snapshot') return undefined;
        const live = this.host.live.get(userId);
        if (!live) return undefined;
        if (message.watch) this.host.watch(live);
        return this.host.current(live);
      },
      retire(userId) {
        const retired = this.host.retire(userId);
        // moved to another node while someone watches: it comes up there now, not at the next watch
        if (retired && retired.watchedUntil > Date.now() && this.ownerOf(userId) !== this.broker.nodeID)
          void this.liveView(userId, true).catch((err: Error) =>
            this.logger.warn({ userId, err: err.message }, 'moved portfolio not re-activated'),
          );
      },
    }),
  ],

  actions: {
    /** The signed-in user's live portfolio. */
    get: {
      rest: 'GET /',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<PortfolioView> {
        return this.liveView(callerId(ctx));
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
        range: { type: 'enum', values: [...HISTORY_RANGES], optional: true },
        from: { type: 'date', convert: true, optional: true },
        to: { type: 'date', convert: true, optional: true },
        points: { type: 'number', integer: true, convert: true, min: 2, max: 2000, optional: true },
      },
      async handler(ctx: Ctx<HistoryQuery>): Promise<HistoryResponse> {
        return historyOf(await this.liveView(callerId(ctx)), ctx.params, this.host.valuation);
      },
    },

    /** The net worth the user had at instant `t` (the latest recorded point at or before it). */
    valueAt: {
      rest: 'GET /history/at',
      params: { $$strict: true, t: { type: 'date', convert: true } },
      async handler(ctx: Ctx<{ t: Date }>): Promise<ValueAtResponse> {
        return valueAt(await this.liveView(callerId(ctx)), ctx.params.t, this.host.valuation);
      },
    },

    /** A user's live view for the ws gateway: the snapshot a socket starts from (and a watch on it). */
    snapshot: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<PortfolioView> {
        return this.liveView(ctx.params.userId, true);
      },
    },

    /** A user's live view for another service (the insights): no watch, so no pushes follow. */
    view: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<PortfolioView> {
        return this.liveView(ctx.params.userId);
      },
    },

    /** Operators: any user's live state and the node that owns it (REPL: `portfolio <userId>`). */
    inspect: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<PortfolioInspection> {
        return { owner: this.ownerOf(ctx.params.userId), ...(await this.liveView(ctx.params.userId, true)) };
      },
    },

    /** This node's tick → portfolio latency (since the last reset), portfolios, CPU, memory and event loop (REPL, benchmarks). */
    nodeStats: {
      internal: true,
      params: { reset: { type: 'boolean', optional: true } },
      handler(ctx: Ctx<{ reset?: boolean }>): PortfolioNodeStats {
        const { lag, burstApplyMs, burstPushedMs, minuteHoldMs, minuteWorkMs } = this.host;
        const stats = {
          node: this.broker.nodeID,
          actors: this.host.live.size,
          tickLagMs: lag.summary(),
          burstApplyMs: burstApplyMs.summary(),
          burstPushedMs: burstPushedMs.summary(),
          minuteHoldMs: minuteHoldMs.summary(),
          minuteWorkMs: minuteWorkMs.summary(),
          ...processStats(ctx.params.reset),
        };
        if (ctx.params.reset)
          for (const sample of [lag, burstApplyMs, burstPushedMs, minuteHoldMs, minuteWorkMs]) sample.reset();
        return stats;
      },
    },

    /** Activates many users' portfolios, each on its owner (operators: warm-up after a restart). */
    activateUsers: {
      internal: true,
      params: { $$strict: true, userIds: { type: 'array', items: 'uuid', max: 100_000 } },
      async handler(ctx: Ctx<{ userIds: string[] }>): Promise<{ activated: number }> {
        return { activated: await this.activateUsers(ctx.params.userIds) };
      },
    },

    /**
     * Activates every user's portfolio, each node its own users (operators: warm a cluster up
     * after a restart). Each node reads the user ids itself: 100,000 ids in one call exceed NATS's
     * 1 MB message limit (found by bench:realtime at 100,000 users).
     */
    activateAll: {
      internal: true,
      async handler(ctx: Ctx<Record<string, never>>): Promise<{ activated: number }> {
        const counts = await Promise.all(
          nodesRunning(this.broker, 'portfolio').map((nodeID) =>
            callAction(ctx, 'portfolio.activateOwned', {}, { nodeID, timeout: 900_000 }),
          ),
        );
        return { activated: counts.reduce((sum, c) => sum + c.activated, 0) };
      },
    },

    /** Activates the portfolios of every user this node owns (see activateAll). */
    activateOwned: {
      internal: true,
      async handler(): Promise<{ activated: number }> {
        // their preferences in the same pass: a second read of the users cost ~5 s at 100,000
        const owned = await preferencesWhere((userId) => this.ownerOf(userId) === this.broker.nodeID);
        return { activated: await this.activateUsers([...owned.keys()], owned) };
      },
    },

    /** Rebuilds a user's net worth history from what was synced or imported (operators, tests; normally after a sync). */
    rebuildHistory: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<RebuildResult> {
        return (await this.dispatch(ctx.params.userId, { type: 'rebuild' })) as RebuildResult;
      },
    },

    /**
     * The user's net worth history, every point, as a JSON array streamed as it is read (a year
     * of minute points is half a million of them).
     */
    exportHistory: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      handler(ctx: Ctx<{ userId: string }>): Readable {
        const points = NetWorthPoint.find({ userId: ctx.params.userId })
          .sort({ t: 1 })
          .lean<NetWorthPointRecord>()
          .cursor();
        return pipeline(
          points,
          jsonArray((p: NetWorthPointRecord) => exportedPoint(p)),
          (err) => {
            if (err) this.logger.warn({ err: err.message }, 'history export stopped');
          },
        );
      },
    },

    /** A deleted account: its live portfolio ends on its owner, its history and packs go. */
    eraseUser: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<{ deleted: number }> {
        return (await this.dispatch(ctx.params.userId, { type: 'erase' })) as { deleted: number };
      },
    },

    /** Writes this node's history points now (operators, tests); normally once a minute. */
    writeHistoryNow: {
      internal: true,
      async handler(): Promise<HistoryWritten> {
        return {
          node: this.broker.nodeID,
          written: await recordHistory(this.host.live.values(), Date.now()),
        };
      },
    },

    /** Reports this node's drops and moves now (operators, tests); normally once a minute. */
    reportMovesNow: {
      internal: true,
      async handler(): Promise<MovesReported> {
        return { node: this.broker.nodeID, reported: await this.host.reportMoves(Date.now()) };
      },
    },
  },

  events: {
    'market.ticks': {
      handler(this: PortfolioService, ctx: Ctx<EventMap['market.ticks']>) {
        this.host.applyTicks(ctx.params.ticks);
      },
    },
    // Users with a live socket somewhere: their portfolios stay (ticks alone do not pass through
    // the mailbox, so they would look idle) and come back on their new owner after a move.
    'ws.watching': {
      handler(this: PortfolioService, ctx: Ctx<EventMap['ws.watching']>) {
        const missing: string[] = [];
        for (const userId of ctx.params.userIds) {
          if (this.ownerOf(userId) !== this.broker.nodeID) continue;
          const portfolio = this.host.live.get(userId);
          if (portfolio && this.touch(userId)) {
            this.host.watch(portfolio);
            if (portfolio.state.changed) this.host.schedulePush(portfolio);
          } else missing.push(userId);
        }
        if (missing.length)
          void this.activateUsers(missing)
            .then(() => {
              for (const userId of missing) {
                const portfolio: LivePortfolio | undefined = this.host.live.get(userId);
                if (portfolio) this.host.watch(portfolio);
              }
            })
            .catch((err: Error) => this.logger.warn({ err: err.message }, 'portfolio activation failed'));
      },
    },
    // one handler per event (Moleculer keeps one per name and service): what changes a user's
    // wallets reloads the live portfolio; what may bring the past in rebuilds the history
    ...Object.fromEntries(
      [...new Set<EventName>([...RELOAD_EVENTS, ...REBUILD_EVENTS])].map((event) => [
        event,
        {
          handler(this: PortfolioService, ctx: Ctx<{ userId: string }>) {
            const userId = ctx.params.userId;
            if ((RELOAD_EVENTS as readonly EventName[]).includes(event)) {
              this.host.forgetPrefetched([userId]);
              if (this.ownerOf(userId) === this.broker.nodeID)
                void this.dispatch(userId, { type: 'reload' }).catch((err: Error) =>
                  this.logger.warn({ userId, err: err.message }, 'portfolio reload failed'),
                );
            }
            if ((REBUILD_EVENTS as readonly EventName[]).includes(event)) this.scheduleRebuild(userId);
          },
        },
      ]),
    ),
  },

  methods: {
    /** Rebuilds the user's history once its events settle (a sync announces itself more than once). */
    scheduleRebuild(userId: string) {
      clearTimeout(this.rebuildTimers.get(userId));
      const timer = setTimeout(() => {
        this.rebuildTimers.delete(userId);
        void this.dispatch(userId, { type: 'rebuild' }).catch((err: Error) =>
          this.logger.warn({ userId, err: err.message }, 'net worth history not rebuilt'),
        );
      }, REBUILD_DEBOUNCE_MS);
      timer.unref();
      this.rebuildTimers.set(userId, timer);
    },

    async liveView(userId: string, watch = false): Promise<PortfolioView> {
      return (await this.dispatch(userId, { type: 'snapshot', watch })) as PortfolioView;
    },

    /**
     * Activates many users' portfolios (a node that takes over users, a warm-up): the data
     * comes in bulk queries, each portfolio still activates through its own mailbox. Users
     * owned by other nodes are passed on to them.
     */
    async activateUsers(
      userIds: string[],
      preferences?: ReadonlyMap<string, UserPreferences | null>,
    ): Promise<number> {
      const byOwner = new Map<string, string[]>();
      for (const userId of userIds) {
        // live already, or in a bulk load under way here (a second watch list while the first loads)
        if (this.host.live.has(userId) || this.host.isLoading(userId)) continue;
        const owner = this.ownerOf(userId);
        // (pushed, not spread into a new list: copying it per user was quadratic, minutes at 100,000)
        const list = byOwner.get(owner);
        if (list) list.push(userId);
        else byOwner.set(owner, [userId]);
      }
      const activateHere = async (ids: string[]) => {
        let activated = 0;
        for (let start = 0; start < ids.length; start += PREFETCH_CHUNK) {
          const chunk = ids.slice(start, start + PREFETCH_CHUNK);
          const began = Date.now();
          await this.host.prefetch(chunk, preferences);
          const loadedMs = Date.now() - began;
          await forEachConcurrently(chunk, 16, async (userId) => {
            await this.dispatch(userId, { type: 'activate' });
            // an activation from bulk-loaded data never waits on I/O: without a turn now and
            // then, 100,000 of them held the event loop past the heartbeat timeout
            if (++activated % YIELD_EVERY === 0) await yieldToLoop();
          });
          this.host.forgetPrefetched(chunk);
          this.logger.info(
            { users: chunk.length, loadedMs, activatedMs: Date.now() - began - loadedMs },
            'portfolios activated in bulk',
          );
        }
        return activated;
      };
      // every owner at once (one after another, 3 nodes took 3 times as long as one)
      const counts = await Promise.all(
        [...byOwner].map(async ([owner, ids]) =>
          owner === this.broker.nodeID
            ? activateHere(ids)
            : (
                await callAction(
                  this.broker,
                  'portfolio.activateUsers',
                  { userIds: ids },
                  { nodeID: owner, timeout: 300_000 },
                )
              ).activated,
        ),
      );
      const activated = counts.reduce((a, b) => a + b, 0);
      return activated;
    },

    /** Writes history just after every minute boundary. */
    scheduleHistory() {
      const next = minuteOf(Date.now()) + 60_000;
      this.historyTimer = setTimeout(
        () => {
          const holds = this.host.minuteHoldMs;
          const writing = (async () => {
            await this.host.reportMoves(next, holds);
            this.host.coolDown(next);
            await recordHistory(this.host.live.values(), next, holds);
            this.host.minuteWorkMs.record(Date.now() - next);
          })()
            .catch((err: Error) =>
              this.logger.warn({ err: err.message }, "the minute's moves or history points not done"),
            )
            .finally(() => {
              this.historyWriting = undefined;
              // (not after a stop: the next write would come from a stopped node)
              if (this.historyTimer) this.scheduleHistory();
            });
          this.historyWriting = writing;
        },
        next - Date.now() + 50,
      );
      this.historyTimer.unref();
    },
  },

  created() {
    this.host = new PortfolioHost(this.broker, this.logger);
    this.rebuildTimers = new Map();
  },

  started() {
    this.scheduleHistory();
    this.gaugeTimer = setInterval(() => {
      const { actors, watched } = this.host.counts();
      this.broker.metrics.set(METRICS.actors, actors);
      this.broker.metrics.set(METRICS.watched, watched);
    }, 5_000);
    this.gaugeTimer.unref();
  },

  async stopped() {
    clearTimeout(this.historyTimer);
    this.historyTimer = undefined;
    // a minute's write under way ends before the node does: it could land after the stop, even
    // in a database dropped meanwhile (the likely source of a test run's leftover database that
    // held history points only), and its end scheduled the next minute's write of a stopped node
    await this.historyWriting;
    clearInterval(this.gaugeTimer);
    for (const timer of this.rebuildTimers.values()) clearTimeout(timer);
    this.host.stop();
    // the last value of every portfolio outlives the node
    await recordHistory(this.host.live.values(), Date.now()).catch((err: Error) =>
      this.logger.warn({ err: err.message }, 'history points not written at stop'),
    );
  },
};

export default PortfolioServiceSchema;
