// notifications: what a user should know about their accounts (a sync that failed and what
// fixes it, a sync that works again, a newly linked account), kept in MongoDB, listed
// newest first, marked read; each new one is pushed live as `notification.created`.
import type { ServiceSchema } from 'moleculer';
import { randomUUID } from 'node:crypto';
import { DbMixin } from '../mixins/db.mixin.ts';
import { AuthGuardMixin } from '../mixins/auth-guard.mixin.ts';
import { callerId, type Ctx } from '../infra/context.ts';
import { emitEvent } from '../infra/events.ts';
import type { EventMap } from '@finexia/contracts/events.ts';
import {
  Notification,
  notificationView,
  type NotificationRecord,
} from '../infra/models/notification.model.ts';
import { Wallet } from '../infra/models/wallet.model.ts';
import { notFound } from '../domain/errors.ts';

const NotificationsService: ServiceSchema = {
  name: 'notifications',
  settings: { rest: '/notifications' },
  mixins: [DbMixin([Notification]), AuthGuardMixin],

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
      async handler(ctx: Ctx<{ limit?: number; before?: string; unreadOnly?: boolean }>) {
        const userId = callerId(ctx);
        const filter: Record<string, unknown> = { userId };
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
          Notification.countDocuments({ userId, readAt: null }),
        ]);
        return {
          items: items.slice(0, limit).map(notificationView),
          unread,
          hasMore: items.length > limit,
        };
      },
    },

    markRead: {
      rest: 'POST /:id/read',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>) {
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
      async handler(ctx: Ctx) {
        const userId = callerId(ctx);
        await Notification.updateMany({ userId, readAt: null }, { $set: { readAt: new Date() } });
        return this.unreadChanged(userId);
      },
    },
  },

  events: {
    /** A failed sync tells the user what fixes it; the next good sync says it works again. */
    'wallet.sync.status': {
      async handler(this: NotificationsMethods, ctx: Ctx<EventMap['wallet.sync.status']>) {
        const { userId, walletId, state } = ctx.params;
        if (state !== 'failed' && state !== 'ok') return;
        const wallet = await Wallet.findOne({ publicId: walletId, userId }).lean();
        if (!wallet) return;
        const last = await Notification.findOne({ userId, walletId }).sort({ createdAt: -1 }).lean();
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
    'wallet.created': {
      async handler(this: NotificationsMethods, ctx: Ctx<EventMap['wallet.created']>) {
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
    async notify(
      userId: string,
      fields: Omit<NotificationRecord, 'publicId' | 'userId' | 'readAt' | 'createdAt' | 'updatedAt'>,
    ) {
      const created = await Notification.create({ publicId: randomUUID(), userId, ...fields });
      const unread = await Notification.countDocuments({ userId, readAt: null });
      emitEvent(this.broker, 'notification.created', {
        userId,
        notification: notificationView(created.toObject()),
        unread,
      });
    },

    async unreadChanged(userId: string) {
      const unread = await Notification.countDocuments({ userId, readAt: null });
      emitEvent(this.broker, 'notification.read', { userId, unread });
      return { unread };
    },
  },
};

interface NotificationsMethods {
  notify(
    userId: string,
    fields: {
      kind: NotificationRecord['kind'];
      title: string;
      body: string;
      action: string | null;
      walletId: string;
    },
  ): Promise<void>;
}

export default NotificationsService;
