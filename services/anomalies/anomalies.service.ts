// anomalies: what looks wrong in a user's money. One detector per user, run in the user's actor
// (one batch at a time, in order, on whichever node owns the user): it reads every new
// transaction whatever brought it (sync, import, manual entry), balances after a sync, and what
// the live portfolio reports. The API lists anomalies and takes the user's verdict on them.
// The room: engine.ts (the per-user cycle), view.ts; the rules are in domain/anomalies/.
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import {
  ANOMALY_STATUSES,
  ANOMALY_TYPES,
  type AnomalyPage,
  type AnomalyQuery,
  type AnomalyView,
} from '@finexia/contracts/api.ts';
import { CHANNELS, type TransactionsAddedJob } from '@finexia/contracts/channels.ts';
import type { EventMap } from '@finexia/contracts/events.ts';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { DurableChannelsMixin } from '../../mixins/channels.mixin.ts';
import { ActorHostMixin, type ActorHostMethods } from '../../mixins/actor-host.mixin.ts';
import { callerId, type ChannelMessage, type Ctx } from '../../infra/context.ts';
import { emitEvent } from '../../infra/events.ts';
import { Anomaly, DetectorStateModel, type AnomalyRecord } from '../../infra/models/anomaly.model.ts';
import { decodeListCursor, encodeListCursor } from '../../domain/transactions.ts';
import { badRequest, notFound } from '../../domain/errors.ts';
import { AnomalyEngine, type AnalysisResult } from './engine.ts';
import { anomalyView } from './view.ts';

/**
 * How often held days that are over are looked for (a day's held findings wait at most this after
 * it ends, when nothing else ran an analysis for the user: a bank sync or any new entry does). On
 * FerretDB the query reads every detector state (no index answers it), so not more often.
 */
const OPEN_DAY_SWEEP_MS = 6 * 3_600_000;

type AnomalyMessage =
  /** `requestedAt`: when new rows were announced (absent: run whatever happened before) */
  | { type: 'analyze'; requestedAt?: number }
  | { type: 'balances' }
  | { type: 'portfolio'; moved: EventMap['portfolio.moved'] }
  | { type: 'verdict'; anomalyId: string; verdict: 'expected' | 'dismissed' }
  | { type: 'walletDeleted'; walletId: string }
  | { type: 'erase' };

interface AnomaliesVars {
  engine: AnomalyEngine;
  openDaySweep?: NodeJS.Timeout;
  /** when each user's last analysis here started (recent ones only): later ones asked before it are done */
  analysisStarted: Map<string, number>;
}

/**
 * An analysis asked for before another one started has been done by it (that one read every row
 * stored before it began); clocks of two nodes may differ by this much, so only requests older
 * than that are answered by it. A sync of many pages announces its rows more than once, and the
 * requests queued in the user's mailbox would each read the user's recent rows again.
 */
const CLOCK_SKEW_MS = 2_000;

interface AnomaliesMethods extends ActorHostMethods<AnomalyMessage> {
  own(ctx: Ctx<unknown>, id: string): Promise<AnomalyRecord>;
  verdict(ctx: Ctx<{ id: string }>, verdict: 'expected' | 'dismissed'): Promise<AnomalyView>;
}

type AnomaliesService = Service & AnomaliesMethods & AnomaliesVars;

const AnomaliesServiceSchema: ServiceSchema<ServiceSettingSchema, AnomaliesMethods, AnomaliesVars> = {
  name: 'anomalies',
  settings: { rest: '/anomalies' },
  mixins: [
    DbMixin([Anomaly, DetectorStateModel]),
    AuthGuardMixin,
    DurableChannelsMixin,
    ActorHostMixin<AnomalyMessage, AnomaliesService>({
      service: 'anomalies',
      async handle(userId, message) {
        switch (message.type) {
          case 'analyze': {
            // one after another in the user's mailbox: a second one reads only what came since
            const startedBefore = this.analysisStarted.get(userId);
            if (
              message.requestedAt !== undefined &&
              startedBefore !== undefined &&
              startedBefore - message.requestedAt > CLOCK_SKEW_MS
            )
              return { read: 0, found: 0, alerted: 0 } satisfies AnalysisResult;
            const started = Date.now();
            const result = await this.engine.analyze(userId);
            this.analysisStarted.set(userId, started);
            // only recent starts matter (queued requests): forget the rest
            if (this.analysisStarted.size > 10_000)
              for (const [id, at] of this.analysisStarted)
                if (started - at > 60_000) this.analysisStarted.delete(id);
            return result;
          }
          case 'balances':
            return this.engine.checkBalances(userId);
          case 'portfolio':
            return this.engine.checkPortfolio(message.moved);
          case 'verdict':
            return this.engine.feedback(userId, message.anomalyId, message.verdict);
          case 'walletDeleted':
            return this.engine.forgetWallet(userId, message.walletId);
          case 'erase':
            return this.engine.erase(userId);
        }
      },
    }),
  ],

  actions: {
    /** The caller's anomalies, newest first: by type, status, wallet, date range or transaction. */
    list: {
      rest: 'GET /',
      params: {
        $$strict: true,
        type: { type: 'enum', optional: true, values: [...ANOMALY_TYPES] },
        status: { type: 'enum', optional: true, values: [...ANOMALY_STATUSES] },
        walletId: { type: 'uuid', optional: true },
        transactionId: { type: 'uuid', optional: true },
        from: { type: 'isoDate', optional: true },
        to: { type: 'isoDate', optional: true },
        limit: { type: 'number', optional: true, convert: true, integer: true, min: 1, max: 200 },
        cursor: { type: 'string', optional: true, max: 200 },
      },
      async handler(ctx: Ctx<AnomalyQuery>): Promise<AnomalyPage> {
        const p = ctx.params;
        // equalities at the top level, where FerretDB pushes them down (services/transactions/query.ts)
        const equal: Record<string, unknown> = { userId: callerId(ctx) };
        if (p.type) equal.type = p.type;
        if (p.status) equal.status = p.status;
        const and: Record<string, unknown>[] = [];
        if (p.walletId) and.push({ walletIds: p.walletId });
        if (p.transactionId) and.push({ transactionIds: p.transactionId });
        if (p.from) and.push({ date: { $gte: p.from } });
        if (p.to) and.push({ date: { $lte: p.to } });
        if (p.cursor) {
          const cursor = decodeListCursor(p.cursor, 'date');
          if (!cursor)
            throw badRequest('The cursor is not valid.', [
              { field: 'cursor', message: 'is invalid', type: 'cursor' },
            ]);
          and.push({ $or: [{ date: { $lt: cursor.v } }, { date: cursor.v, _id: { $lt: cursor.id } }] });
        }
        const limit = p.limit ?? 50;
        const rows = await Anomaly.find(and.length ? { ...equal, $and: and } : equal)
          .sort({ date: -1, _id: -1 })
          .limit(limit + 1)
          .lean<AnomalyRecord[]>();
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          anomalies: page.map(anomalyView),
          nextCursor:
            rows.length > limit && last ? encodeListCursor({ v: last.date, id: String(last._id) }) : null,
        };
      },
    },

    get: {
      rest: 'GET /:id',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<AnomalyView> {
        return anomalyView(await this.own(ctx, ctx.params.id));
      },
    },

    /** Not a problem: it stays listed as dismissed (a dismissed price rise is the new price). */
    dismiss: {
      rest: 'POST /:id/dismiss',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<AnomalyView> {
        return this.verdict(ctx, 'dismissed');
      },
    },

    /** Expected: fine, and the like of it too (an expected new merchant is known from now on). */
    expect: {
      rest: 'POST /:id/expected',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<AnomalyView> {
        return this.verdict(ctx, 'expected');
      },
    },

    /** Runs a user's detection now (operators, tests) and says what it read and found. */
    analyzeNow: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<AnalysisResult> {
        return (await this.dispatch(ctx.params.userId, { type: 'analyze' })) as AnalysisResult;
      },
    },

    /** Every anomaly of the user, with their verdicts, as their export carries them. */
    exportUser: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<AnomalyView[]> {
        const found = await Anomaly.find({ userId: ctx.params.userId })
          .sort({ date: 1, _id: 1 })
          .lean<AnomalyRecord[]>();
        return found.map(anomalyView);
      },
    },

    /** A deleted account: its anomalies and its detector's state go (in its actor, after what it was doing). */
    eraseUser: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<{ deleted: number }> {
        return (await this.dispatch(ctx.params.userId, { type: 'erase' })) as { deleted: number };
      },
    },
  },

  channels: {
    [CHANNELS.transactionsAdded]: {
      group: 'anomalies',
      maxInFlight: 8,
      maxRetries: 10,
      async handler(this: AnomaliesService, payload: unknown, raw: ChannelMessage) {
        const job = payload as Partial<TransactionsAddedJob> | null;
        if (typeof job?.userId !== 'string') {
          this.logger.warn({ payload }, 'malformed transactions.added job dropped');
          return;
        }
        const keepAlive = setInterval(() => raw.working?.(), 5_000);
        try {
          // acked once an analysis that read these rows is done; a redelivery reads nothing new
          await this.dispatch(job.userId, { type: 'analyze', requestedAt: job.announcedAt ?? Date.now() });
        } finally {
          clearInterval(keepAlive);
        }
      },
    },
  },

  events: {
    // a deleted wallet's anomalies go with it, and what the detector learnt from its transactions
    'wallet.deleted': {
      handler(this: AnomaliesService, ctx: Ctx<EventMap['wallet.deleted']>) {
        const { userId, walletId } = ctx.params;
        void this.dispatch(userId, { type: 'walletDeleted', walletId }).catch((err: Error) =>
          this.logger.warn(
            { userId, walletId, err: err.message },
            'a deleted wallet’s anomalies were not removed',
          ),
        );
      },
    },
    'wallet.synced': {
      handler(this: AnomaliesService, ctx: Ctx<EventMap['wallet.synced']>) {
        void this.dispatch(ctx.params.userId, { type: 'balances' }).catch((err: Error) =>
          this.logger.warn({ userId: ctx.params.userId, err: err.message }, 'balance check failed'),
        );
      },
    },
    'wallet.balance.changed': {
      handler(this: AnomaliesService, ctx: Ctx<EventMap['wallet.balance.changed']>) {
        void this.dispatch(ctx.params.userId, { type: 'balances' }).catch((err: Error) =>
          this.logger.warn({ userId: ctx.params.userId, err: err.message }, 'balance check failed'),
        );
      },
    },
    'portfolio.moved': {
      handler(this: AnomaliesService, ctx: Ctx<EventMap['portfolio.moved']>) {
        void this.dispatch(ctx.params.userId, { type: 'portfolio', moved: ctx.params }).catch((err: Error) =>
          this.logger.warn({ userId: ctx.params.userId, err: err.message }, 'portfolio check failed'),
        );
      },
    },
  },

  methods: {
    async own(ctx: Ctx<unknown>, id: string): Promise<AnomalyRecord> {
      const anomaly = await Anomaly.findOne({ userId: callerId(ctx), publicId: id }).lean<AnomalyRecord>();
      if (!anomaly) throw notFound('Anomaly');
      return anomaly;
    },

    async verdict(ctx: Ctx<{ id: string }>, verdict: 'expected' | 'dismissed'): Promise<AnomalyView> {
      const anomaly = await this.own(ctx, ctx.params.id);
      // written in the user's actor, in order with the detector's own writes to the same
      // documents: FerretDB v1 updates by read-modify-write, so two writers would lose one
      await this.dispatch(anomaly.userId, { type: 'verdict', anomalyId: anomaly.publicId, verdict });
      emitEvent(ctx, 'anomaly.updated', {
        userId: anomaly.userId,
        anomalyId: anomaly.publicId,
        status: verdict,
      });
      return anomalyView(await this.own(ctx, anomaly.publicId));
    },
  },

  created() {
    this.engine = new AnomalyEngine(this.broker, this.logger);
    this.analysisStarted = new Map();
  },

  started() {
    // days held open whose last charges had nothing after them: closed once they are over
    this.openDaySweep = setInterval(() => {
      void this.engine
        .usersWithDayOver()
        .then(async (userIds) => {
          for (const userId of userIds)
            if (this.ownerOf(userId) === this.broker.nodeID) await this.dispatch(userId, { type: 'analyze' });
        })
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'open-day sweep failed'));
    }, OPEN_DAY_SWEEP_MS);
    this.openDaySweep.unref();
  },

  stopped() {
    clearInterval(this.openDaySweep);
  },
};

export default AnomaliesServiceSchema;
