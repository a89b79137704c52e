// notifications: what a user should know — account events (a sync that failed and what fixes
// it, a sync that works again, a newly linked account) and alerts (anomalies, through the
// durable `alerts.deliver` channel) — kept in MongoDB, listed newest first, marked read, pushed
// live as `notification.created`, and sent to the user's signed webhooks. The room: alerts.ts
// (preferences, quiet hours, grouping, rate), webhooks.ts (deliveries, signing, retries).
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  SEVERITIES,
  type CreateWebhookRequest,
  type NotificationList,
  type NotificationView,
  type UnreadCount,
  type WebhookCreated,
  type WebhookDeliveries,
  type WebhookList,
  type WebhookView,
} from '@finexia/contracts/api.ts';
import { CHANNELS, type AlertJob, type WebhookJob } from '@finexia/contracts/channels.ts';
import type { EventMap } from '@finexia/contracts/events.ts';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { DurableChannelsMixin } from '../../mixins/channels.mixin.ts';
import { callerId, type ChannelMessage, type Ctx } from '../../infra/context.ts';
import { credentialsBox } from '../../infra/credentials.ts';
import { emitEvent } from '../../infra/events.ts';
import {
  Notification,
  Webhook,
  WebhookDelivery,
  notificationView,
  type NotificationRecord,
  type WebhookDeliveryRecord,
  type WebhookRecord,
} from '../../infra/models/notification.model.ts';
import { Wallet } from '../../infra/models/wallet.model.ts';
import { invalidField, notFound } from '../../domain/errors.ts';
import { outboundProblem, outboundRules } from '../../infra/outbound.ts';
import { configOf } from '../../config/index.ts';
import { AlertDesk } from './alerts.ts';
import { WebhookSender, deliveryView } from './webhooks.ts';

/** Redeliveries of a failing webhook job before it is given up (each job tries a few times itself). */
const WEBHOOK_JOB_RETRIES = 4;
/** Held alerts are looked for this often. */
const RELEASE_MS = 15_000;

interface AccountNotice {
  kind: 'sync.failed' | 'sync.recovered' | 'wallet.linked';
  title: string;
  body: string;
  action: NotificationRecord['action'];
  walletId: string;
}

interface NotificationsVars {
  alerts: AlertDesk;
  webhooks: WebhookSender;
  releaseTimer?: NodeJS.Timeout;
}

interface NotificationsMethods {
  notify(userId: string, notice: AccountNotice): Promise<void>;
  unreadChanged(userId: string): Promise<UnreadCount>;
  ownWebhook(ctx: Ctx<unknown>, id: string): Promise<WebhookRecord>;
}

type NotificationsService = Service & NotificationsMethods & NotificationsVars;

/** Shown, not held for quiet hours. */
const visible = { heldUntil: null };

function webhookView(w: WebhookRecord): WebhookView {
  return {
    id: w.publicId,
    url: w.url,
    minSeverity: w.minSeverity,
    enabled: w.enabled,
    createdAt: w.createdAt.toISOString(),
    secretHint: w.secretHint,
  };
}

const NotificationsServiceSchema: ServiceSchema<
  ServiceSettingSchema,
  NotificationsMethods,
  NotificationsVars
> = {
  name: 'notifications',
  settings: { rest: '/notifications' },
  mixins: [DbMixin([Notification, Webhook, WebhookDelivery]), AuthGuardMixin, DurableChannelsMixin],

  actions: {
    /** Newest first; `before` (an id) pages back; `unread` counts what is still unread. */
    list: {
      rest: 'GET /',
      params: {
        $$strict: true,
        limit: { type: 'number', integer: true, convert: true, min: 1, max: 100, optional: true },
        before: { type: 'uuid', optional: true },
        unreadOnly: { type: 'boolean', convert: true, optional: true },
      },
      async handler(
        ctx: Ctx<{ limit?: number; before?: string; unreadOnly?: boolean }>,
      ): Promise<NotificationList> {
        const userId = callerId(ctx);
        const filter: Record<string, unknown> = { userId, ...visible };
        if (ctx.params.unreadOnly) filter.readAt = null;
        if (ctx.params.before) {
          const anchor = await Notification.findOne({ userId, publicId: ctx.params.before }).lean();
          if (!anchor) throw notFound('Notification');
          filter.createdAt = { $lt: anchor.createdAt };
        }
        const limit = ctx.params.limit ?? 20;
        const [items, unread] = await Promise.all([
          Notification.find(filter)
            .sort({ createdAt: -1 })
            .limit(limit + 1)
            .lean<NotificationRecord[]>(),
          Notification.countDocuments({ userId, readAt: null, ...visible }),
        ]);
        return { items: items.slice(0, limit).map(notificationView), unread, hasMore: items.length > limit };
      },
    },

    markRead: {
      rest: 'POST /:id/read',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<UnreadCount> {
        const userId = callerId(ctx);
        const result = await Notification.updateOne(
          { userId, publicId: ctx.params.id },
          { $set: { readAt: new Date() } },
        );
        if (result.matchedCount === 0) throw notFound('Notification');
        return this.unreadChanged(userId);
      },
    },

    markAllRead: {
      rest: 'POST /read-all',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<UnreadCount> {
        const userId = callerId(ctx);
        await Notification.updateMany({ userId, readAt: null, ...visible }, { $set: { readAt: new Date() } });
        return this.unreadChanged(userId);
      },
    },

    listWebhooks: {
      rest: 'GET /webhooks',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<WebhookList> {
        const hooks = await Webhook.find({ userId: callerId(ctx) })
          .sort({ createdAt: 1 })
          .lean<WebhookRecord[]>();
        return { webhooks: hooks.map(webhookView) };
      },
    },

    /** A webhook for the caller's alerts; its signing secret is in this answer only. */
    createWebhook: {
      rest: 'POST /webhooks',
      params: {
        $$strict: true,
        url: { type: 'string', min: 8, max: 500, trim: true },
        minSeverity: { type: 'enum', optional: true, values: [...SEVERITIES] },
      },
      async handler(ctx: Ctx<CreateWebhookRequest>): Promise<WebhookCreated> {
        // where it goes, resolved now (and again at each delivery: a name may change its answer)
        const problem = await outboundProblem(ctx.params.url, outboundRules(configOf(this.broker).outbound));
        if (problem) throw invalidField('url', problem, 'url');
        const userId = callerId(ctx);
        if ((await Webhook.countDocuments({ userId })) >= 5)
          throw invalidField('url', 'at most 5 webhooks per user; delete one first', 'max');
        const publicId = randomUUID();
        const secret = `whsec_${randomBytes(24).toString('base64url')}`;
        await Webhook.create({
          publicId,
          userId,
          url: ctx.params.url,
          secret: credentialsBox(configOf(this.broker).credentialsKeys).seal(secret, publicId),
          secretHint: secret.slice(-4),
          minSeverity: ctx.params.minSeverity ?? 'medium',
        });
        const created = await this.ownWebhook(ctx, publicId);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/v1/notifications/webhooks/${publicId}`;
        return { ...webhookView(created), secret };
      },
    },

    deleteWebhook: {
      rest: 'DELETE /webhooks/:id',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<void> {
        const hook = await this.ownWebhook(ctx, ctx.params.id);
        await Webhook.deleteOne({ publicId: hook.publicId });
        ctx.meta.$statusCode = 204;
      },
    },

    /** Sends a signed test alert; the delivery shows in the log (202: it is on its way). */
    testWebhook: {
      rest: 'POST /webhooks/:id/test',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<{ deliveryId: string }> {
        const hook = await this.ownWebhook(ctx, ctx.params.id);
        ctx.meta.$statusCode = 202;
        return { deliveryId: await this.webhooks.enqueueTest(hook) };
      },
    },

    deliveries: {
      rest: 'GET /webhooks/:id/deliveries',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<WebhookDeliveries> {
        const hook = await this.ownWebhook(ctx, ctx.params.id);
        const rows = await WebhookDelivery.find({ webhookId: hook.publicId })
          .sort({ createdAt: -1 })
          .limit(50)
          .lean<WebhookDeliveryRecord[]>();
        return { deliveries: rows.map(deliveryView) };
      },
    },

    /** Shows and pushes the alerts whose quiet hours ended (normally every few seconds; tests, operators). */
    releaseHeld: {
      internal: true,
      async handler(): Promise<{ released: number }> {
        return { released: await this.alerts.releaseDue(Date.now()) };
      },
    },

    /** The user's notifications and webhooks (never their secrets), as their export carries them. */
    exportUser: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(
        ctx: Ctx<{ userId: string }>,
      ): Promise<{ notifications: NotificationView[]; webhooks: WebhookView[] }> {
        const { userId } = ctx.params;
        const [notifications, hooks] = await Promise.all([
          Notification.find({ userId }).sort({ createdAt: 1 }).lean<NotificationRecord[]>(),
          Webhook.find({ userId }).sort({ createdAt: 1 }).lean<WebhookRecord[]>(),
        ]);
        // the hint is four characters of the secret: an export leaves even that out
        return {
          notifications: notifications.map(notificationView),
          webhooks: hooks.map((w) => ({ ...webhookView(w), secretHint: '' })),
        };
      },
    },

    /** A deleted account: its notifications, webhooks and their delivery log go. */
    eraseUser: {
      internal: true,
      params: { userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<{ deleted: number }> {
        const { userId } = ctx.params;
        const results = await Promise.all([
          Notification.deleteMany({ userId }),
          Webhook.deleteMany({ userId }),
          WebhookDelivery.deleteMany({ userId }),
        ]);
        return { deleted: results.reduce((n, r) => n + r.deletedCount, 0) };
      },
    },
  },

  channels: {
    [CHANNELS.alertsDeliver]: {
      group: 'notifications',
      maxInFlight: 8,
      maxRetries: 10,
      async handler(this: NotificationsService, payload: unknown) {
        const job = payload as Partial<AlertJob> | null;
        if (typeof job?.userId !== 'string' || !Array.isArray(job.anomalies)) {
          this.logger.warn({ payload }, 'malformed alert job dropped');
          return;
        }
        await this.alerts.deliver(job as AlertJob);
      },
    },
    [CHANNELS.webhooksDeliver]: {
      group: 'notifications',
      maxInFlight: 16,
      maxRetries: WEBHOOK_JOB_RETRIES,
      async handler(this: NotificationsService, payload: unknown, raw: ChannelMessage) {
        const job = payload as Partial<WebhookJob> | null;
        if (typeof job?.deliveryId !== 'string') return;
        const keepAlive = setInterval(() => raw.working?.(), 5_000);
        try {
          await this.webhooks.deliver(
            job as WebhookJob,
            (raw.info?.redeliveryCount ?? 0) >= WEBHOOK_JOB_RETRIES - 1,
          );
        } finally {
          clearInterval(keepAlive);
        }
      },
    },
  },

  events: {
    /** A failed sync tells the user what fixes it; the next good sync says it works again. */
    'wallet.sync.status': {
      async handler(this: NotificationsService, ctx: Ctx<EventMap['wallet.sync.status']>) {
        const { userId, walletId, state } = ctx.params;
        if (state !== 'failed' && state !== 'ok') return;
        const wallet = await Wallet.findOne({ publicId: walletId, userId }).lean();
        if (!wallet) return;
        const last = await Notification.findOne({ userId, walletId, kind: { $ne: 'anomaly' } })
          .sort({ createdAt: -1 })
          .lean();
        if (state === 'failed') {
          // one notice per failure streak, not one per retry
          if (last?.kind === 'sync.failed') return;
          await this.notify(userId, {
            kind: 'sync.failed',
            title: `${wallet.name} could not sync`,
            body: ctx.params.reason ?? 'The sync failed.',
            action: ctx.params.fix ?? null,
            walletId,
          });
        } else if (last?.kind === 'sync.failed') {
          await this.notify(userId, {
            kind: 'sync.recovered',
            title: `${wallet.name} is syncing again`,
            body: 'The last sync worked; balances and transactions are up to date.',
            action: null,
            walletId,
          });
        }
      },
    },
    // a deleted wallet's notices and alerts go with it (an alert would point at a transaction and
    // an anomaly that are gone)
    'wallet.deleted': {
      async handler(this: NotificationsService, ctx: Ctx<EventMap['wallet.deleted']>) {
        const { userId, walletId } = ctx.params;
        const { deletedCount } = await Notification.deleteMany({ userId, walletId });
        if (deletedCount) await this.unreadChanged(userId);
      },
    },
    'wallet.created': {
      async handler(this: NotificationsService, ctx: Ctx<EventMap['wallet.created']>) {
        const { userId, walletId } = ctx.params;
        const wallet = await Wallet.findOne({ publicId: walletId, userId }).lean();
        if (!wallet) return;
        await this.notify(userId, {
          kind: 'wallet.linked',
          title: `${wallet.name} added`,
          body:
            wallet.kind === 'manual'
              ? 'Its balance counts in your net worth.'
              : 'Its balances and history are on the way.',
          action: null,
          walletId,
        });
      },
    },
  },

  methods: {
    async notify(userId: string, notice: AccountNotice) {
      const publicId = randomUUID();
      const created = await Notification.create({
        publicId,
        userId,
        groupKey: publicId,
        anomalyId: null,
        severity: null,
        ...notice,
      });
      const unread = await Notification.countDocuments({ userId, readAt: null, ...visible });
      emitEvent(this.broker, 'notification.created', {
        userId,
        notification: notificationView(created.toObject()),
        unread,
      });
    },

    async unreadChanged(userId: string): Promise<UnreadCount> {
      const unread = await Notification.countDocuments({ userId, readAt: null, ...visible });
      emitEvent(this.broker, 'notification.read', { userId, unread });
      return { unread };
    },

    async ownWebhook(ctx: Ctx<unknown>, id: string): Promise<WebhookRecord> {
      const hook = await Webhook.findOne({ userId: callerId(ctx), publicId: id }).lean<WebhookRecord>();
      if (!hook) throw notFound('Webhook');
      return hook;
    },
  },

  created() {
    this.webhooks = new WebhookSender(this.broker, this.logger);
    this.alerts = new AlertDesk(this.broker, this.logger, this.webhooks);
  },

  started() {
    this.releaseTimer = setInterval(() => {
      this.alerts
        .releaseDue(Date.now())
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'held alerts not released'));
    }, RELEASE_MS);
    this.releaseTimer.unref();
  },

  stopped() {
    clearInterval(this.releaseTimer);
  },
};

export default NotificationsServiceSchema;
