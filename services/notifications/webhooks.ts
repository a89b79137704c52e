// Webhook deliveries: one row per (notification, webhook) in the delivery log, made once; a
// durable job per row; each job POSTs the exact stored body, signed, retrying with backoff on
// 5xx, 429, timeouts and network errors, and records every attempt.
import type { ServiceBroker } from 'moleculer';
import { METRICS } from '../../infra/metrics.ts';
import { createHash, randomUUID } from 'node:crypto';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type {
  NotificationView,
  Severity,
  WebhookDelivery as WebhookDeliveryView,
  WebhookPayload,
} from '@finexia/contracts/api.ts';
import { CHANNELS, type AlertItem, type WebhookJob } from '@finexia/contracts/channels.ts';
import { credentialsBox } from '../../infra/credentials.ts';
import { isDuplicateKey } from '../../infra/db.ts';
import {
  Webhook,
  WebhookDelivery,
  type WebhookDeliveryRecord,
  type WebhookRecord,
} from '../../infra/models/notification.model.ts';
import { severityAtLeast } from '../../domain/anomalies/alerts.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signature } from '../../domain/webhooks.ts';
import { OutboundRefused, outboundRules, postOutbound } from '../../infra/outbound.ts';
import { configOf } from '../../config/index.ts';

/** In-process attempts per job; JetStream redelivers the job after that (a few times more). */
const ATTEMPTS = 4;
const TIMEOUT_MS = 5_000;

class RetryableDelivery extends Error {}

export function deliveryView(d: WebhookDeliveryRecord): WebhookDeliveryView {
  return {
    id: d.publicId,
    webhookId: d.webhookId,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode ?? null,
    lastError: d.lastError ?? null,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

export class WebhookSender {
  constructor(
    private readonly broker: ServiceBroker,
    private readonly logger: ServiceBroker['logger'],
  ) {}

  /** An alert to every enabled webhook of the user that wants its severity (once per notification and webhook). */
  async enqueueAlert(
    userId: string,
    notification: NotificationView,
    anomalies: AlertItem[],
  ): Promise<number> {
    const severity: Severity = notification.severity ?? 'medium';
    const hooks = await Webhook.find({ userId, enabled: true }).lean<WebhookRecord[]>();
    let queued = 0;
    for (const hook of hooks) {
      if (!severityAtLeast(severity, hook.minSeverity as Severity)) continue;
      const payload: WebhookPayload = {
        id: notification.id,
        event: 'alert',
        createdAt: notification.createdAt,
        alert: {
          title: notification.title,
          body: notification.body,
          severity,
          anomalies: anomalies.map(({ id, type, severity: s, date, reason, transactionIds }) => ({
            id,
            type,
            severity: s,
            date,
            reason,
            transactionIds,
          })),
        },
      };
      if (await this.enqueue(hook, `${notification.id}:${hook.publicId}`, 'alert', payload)) queued += 1;
    }
    return queued;
  }

  /** A test POST (the "send test" button). */
  async enqueueTest(hook: WebhookRecord): Promise<string> {
    const id = randomUUID();
    const payload: WebhookPayload = {
      id,
      event: 'test',
      createdAt: new Date().toISOString(),
      alert: {
        title: 'Test alert from Finexia',
        body: 'Your webhook works.',
        severity: 'low',
        anomalies: [],
      },
    };
    await this.enqueue(hook, id, 'test', payload);
    return id;
  }

  /** One job: POST the stored body until it lands, is refused for good, or attempts run out. */
  async deliver(job: WebhookJob, lastChance: boolean): Promise<void> {
    const delivery = await WebhookDelivery.findOne({
      publicId: job.deliveryId,
    }).lean<WebhookDeliveryRecord>();
    if (!delivery || delivery.status !== 'pending') return;
    const hook = await Webhook.findOne({ publicId: delivery.webhookId })
      .select('+secret')
      .lean<WebhookRecord>();
    if (!hook) {
      await this.finish(delivery, 'failed', null, 'the webhook was deleted');
      return;
    }
    const cfg = configOf(this.broker);
    const secret = credentialsBox(cfg.credentialsKeys).open(hook.secret, hook.publicId);
    const policy = retry(
      handleWhen((e) => e instanceof RetryableDelivery),
      {
        maxAttempts: ATTEMPTS - 1,
        backoff: new ExponentialBackoff({ initialDelay: 300, maxDelay: 4_000 }),
      },
    );
    try {
      await policy.execute(() => this.attempt(delivery, hook.url, secret));
      await this.finish(delivery, 'delivered', null, null);
      this.broker.metrics.increment(METRICS.alertsSent, { channel: 'webhook' });
    } catch (err) {
      if (err instanceof RetryableDelivery && !lastChance) throw err; // JetStream tries again later
      await this.finish(delivery, 'failed', null, (err as Error).message);
    }
  }

  private async attempt(delivery: WebhookDeliveryRecord, url: string, secret: string): Promise<void> {
    const started = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      // to the address checked at this moment (not the one checked when the webhook was made);
      // redirects are not followed
      status = await postOutbound(
        url,
        {
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Finexia-Webhooks/1',
            [SIGNATURE_HEADER]: signature(secret, started, delivery.body),
            [DELIVERY_HEADER]: delivery.publicId,
          },
          body: delivery.body,
          timeoutMs: TIMEOUT_MS,
        },
        outboundRules(configOf(this.broker).outbound),
      );
    } catch (err) {
      refused = err instanceof OutboundRefused;
      error = err instanceof Error ? `${refused ? 'refused: the URL ' : ''}${err.message}` : String(err);
    }
    await WebhookDelivery.updateOne(
      { publicId: delivery.publicId },
      { $inc: { attempts: 1 }, $set: { lastStatusCode: status, lastError: error } },
    );
    if (status !== null && status >= 200 && status < 300) return;
    // a target that is not public stays refused: retrying would change nothing
    if (refused) throw new Error(error ?? 'refused');
    // refused for good: a 4xx other than a timeout or a rate limit
    if (status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429)
      throw new Error(`the receiver refused the delivery (${status})`);
    throw new RetryableDelivery(error ?? `the receiver answered ${status}`);
  }

  private async finish(
    delivery: WebhookDeliveryRecord,
    status: 'delivered' | 'failed',
    code: number | null,
    error: string | null,
  ): Promise<void> {
    await WebhookDelivery.updateOne(
      { publicId: delivery.publicId },
      {
        $set: {
          status,
          ...(status === 'delivered' ? { deliveredAt: new Date(), lastError: null } : { lastError: error }),
          ...(code !== null ? { lastStatusCode: code } : {}),
        },
      },
    );
    if (status === 'failed')
      this.logger.warn({ deliveryId: delivery.publicId, error }, 'webhook delivery failed');
  }

  /** Stores the delivery (once per key) and queues its job; false when it was stored before. */
  private async enqueue(hook: WebhookRecord, key: string, event: 'alert' | 'test', payload: WebhookPayload) {
    const publicId = key.includes(':') ? deliveryIdOf(key) : key;
    try {
      await WebhookDelivery.create({
        publicId,
        webhookId: hook.publicId,
        userId: hook.userId,
        event,
        body: JSON.stringify(payload),
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const held = await WebhookDelivery.findOne({ publicId }).lean<WebhookDeliveryRecord>();
      if (held?.status !== 'pending') return false;
    }
    await this.broker.sendToChannel(CHANNELS.webhooksDeliver, { deliveryId: publicId } satisfies WebhookJob);
    return true;
  }
}

/** A delivery id that is the same for the same notification and webhook (a redelivered alert makes no second POST). */
function deliveryIdOf(key: string): string {
  // a UUID-shaped digest of the key
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
