// Anomalies become alerts here: the user's per-type switches and minimum severity decide
// whether, quiet hours when (held until they end; critical ones go through), and groups make
// one notification of many anomalies (a market crash) — at most RATE_PER_HOUR alerts an hour,
// then one summary. Each group is one notification, whatever happens to its job: its key is
// unique, and what was stored but not yet pushed is pushed on the job's redelivery.
import { preferencesOf } from '../../infra/user-preferences.ts';
import type { ServiceBroker } from 'moleculer';
import { randomUUID } from 'node:crypto';
import type { AnomalyType, NotificationView, PreferencesPatch } from '@finexia/contracts/api.ts';
import type { AlertItem, AlertJob } from '@finexia/contracts/channels.ts';
import { claimOnce, isClaimed, isDuplicateKey } from '../../infra/db.ts';
import { emitEvent } from '../../infra/events.ts';
import { METRICS } from '../../infra/metrics.ts';
import {
  Notification,
  notificationView,
  type NotificationRecord,
} from '../../infra/models/notification.model.ts';
import { alertGroup, alertPreferences, decideAlert, highestSeverity } from '../../domain/anomalies/alerts.ts';
import type { WebhookSender } from './webhooks.ts';

/** Alerts per user per hour; past it, one summary notification stands for the rest of the hour. */
export const RATE_PER_HOUR = 10;

const TITLES: Record<AnomalyType, string> = {
  unusual_amount: 'An unusual amount',
  duplicate_charge: 'Possibly charged twice',
  new_merchant_large: 'A large charge at a new merchant',
  subscription_price_rise: 'A subscription costs more',
  recurring_twice: 'A monthly charge came twice',
  spending_burst: 'A burst of charges',
  income_missing: 'Expected income has not arrived',
  low_balance: 'A balance is low',
  net_worth_drop: 'Your net worth fell today',
  market_move: 'A big market move',
};

type Logger = ServiceBroker['logger'];

export class AlertDesk {
  constructor(
    private readonly broker: ServiceBroker,
    private readonly logger: Logger,
    private readonly webhooks: WebhookSender,
  ) {}

  /** One job: its anomalies, grouped, each group notified now, later or not at all. */
  async deliver(job: AlertJob): Promise<void> {
    const prefs = await preferencesOf(job.userId);
    // a job for an account deleted since: dropped, nothing of it written again
    if (prefs === undefined) return;
    const preferences = alertPreferences(prefs?.alerts as PreferencesPatch['alerts']);
    const timeZone = prefs?.timeZone ?? 'UTC';
    const now = Date.now();
    const groups = new Map<string, AlertItem[]>();
    for (const item of job.anomalies) {
      const decision = decideAlert(item, preferences, now, timeZone);
      if (decision.deliver === 'never') continue;
      const key = alertGroup(item, job.foundAt);
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    for (const [groupKey, items] of groups) {
      const decisions = items.map((i) => decideAlert(i, preferences, now, timeZone));
      // one item that must go now (critical) takes the group with it
      const heldUntil = decisions.every((d) => d.deliver === 'later')
        ? new Date(Math.min(...decisions.map((d) => (d.deliver === 'later' ? d.at : now))))
        : null;
      const notification = await this.store(
        job.userId,
        await this.rateLimited(job.userId, groupKey, now),
        items,
        heldUntil,
      );
      if (notification && !notification.heldUntil) await this.publish(notification, items);
    }
  }

  /** Alerts whose quiet hours are over are shown and pushed (each once, whichever node gets there first). */
  async releaseDue(now: number): Promise<number> {
    const due = await Notification.find({ heldUntil: { $lte: new Date(now) } })
      .limit(200)
      .lean<NotificationRecord[]>();
    let released = 0;
    for (const n of due) {
      if (!(await claimOnce('alert-release', n.publicId))) continue;
      await Notification.updateOne({ publicId: n.publicId }, { $set: { heldUntil: null } });
      await this.publish({ ...n, heldUntil: null }, []);
      released += 1;
    }
    return released;
  }

  /** Past the hourly allowance, the group becomes the hour's one summary. */
  private async rateLimited(userId: string, groupKey: string, now: number): Promise<string> {
    const hourAgo = new Date(now - 3_600_000);
    const recent = await Notification.countDocuments({
      userId,
      kind: 'anomaly',
      createdAt: { $gte: hourAgo },
    });
    return recent >= RATE_PER_HOUR ? `summary:${Math.floor(now / 3_600_000)}` : groupKey;
  }

  /** The group's notification: stored once; a repeat returns the stored one while it is unpushed. */
  private async store(
    userId: string,
    groupKey: string,
    items: AlertItem[],
    heldUntil: Date | null,
  ): Promise<NotificationRecord | null> {
    const first = items[0] as AlertItem;
    const summary = groupKey.startsWith('summary:');
    const severity = highestSeverity(items.map((i) => i.severity));
    const title = summary
      ? 'More alerts this hour'
      : items.length > 1
        ? `${TITLES[first.type]} (${items.length})`
        : TITLES[first.type];
    const body = summary
      ? 'Several more things looked unusual this hour. See them all under Alerts.'
      : items.length > 1
        ? `${items
            .slice(0, 3)
            .map((i) => i.reason)
            .join(' ')}${items.length > 3 ? ` …and ${items.length - 3} more.` : ''}`
        : first.reason;
    try {
      const created = (
        await Notification.create({
          publicId: randomUUID(),
          userId,
          kind: 'anomaly',
          title,
          body,
          action: null,
          walletId: first.walletIds[0] ?? null,
          anomalyId: first.id,
          severity,
          groupKey,
          heldUntil,
        })
      ).toObject();
      this.broker.metrics.increment(METRICS.alertsSent, { channel: 'inbox' });
      return created;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // delivered before: push it only if that delivery stopped before pushing (a crash)
      const stored = await Notification.findOne({ userId, groupKey }).lean<NotificationRecord>();
      return stored && !stored.heldUntil && !(await isClaimed('alert-pushed', stored.publicId))
        ? stored
        : null;
    }
  }

  /** Live to every open client of the user, and to the user's webhooks. */
  private async publish(n: NotificationRecord, items: AlertItem[]): Promise<void> {
    const view: NotificationView = notificationView(n);
    const unread = await Notification.countDocuments({ userId: n.userId, readAt: null, heldUntil: null });
    emitEvent(this.broker, 'notification.created', { userId: n.userId, notification: view, unread });
    const queued = await this.webhooks.enqueueAlert(n.userId, view, items);
    await claimOnce('alert-pushed', n.publicId);
    this.logger.info({ userId: n.userId, notificationId: n.publicId, webhooks: queued }, 'alert sent');
  }
}
