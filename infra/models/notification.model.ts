import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { NOTIFICATION_KINDS, SEVERITIES, type NotificationView } from '@finexia/contracts/api.ts';
import { ERROR_ACTIONS } from '@finexia/contracts/errors.ts';

/** Something the user should know, kept until they read it (and after, for the list). */
const notificationSchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    kind: { type: String, enum: NOTIFICATION_KINDS, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    /** what fixes it, when something can: reconnect | check-credentials | retry-later | contact-support */
    action: { type: String, enum: [...ERROR_ACTIONS, null], default: null },
    walletId: { type: String, default: null },
    /** an alert: the anomaly it is about, its severity, and the group it stands for (one notification each) */
    anomalyId: { type: String, default: null },
    severity: { type: String, enum: [...SEVERITIES, null], default: null },
    groupKey: { type: String, required: true },
    /** an alert held by the user's quiet hours shows (and is pushed) once this has passed */
    heldUntil: { type: Date, default: null },
    readAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'notifications' },
);
notificationSchema.index({ publicId: 1 }, { unique: true });
notificationSchema.index({ userId: 1, createdAt: -1 });
// one notification per group (an alert's group, or the notification itself), however often its job is delivered
notificationSchema.index({ userId: 1, groupKey: 1 }, { unique: true });
notificationSchema.index({ heldUntil: 1 });

export type NotificationRecord = InferSchemaType<typeof notificationSchema>;
export const Notification = mongoose.model('Notification', notificationSchema);

export function notificationView(n: NotificationRecord): NotificationView {
  return {
    id: n.publicId,
    kind: n.kind,
    title: n.title,
    body: n.body,
    action: n.action ?? null,
    walletId: n.walletId ?? null,
    anomalyId: n.anomalyId ?? null,
    severity: n.severity ?? null,
    read: Boolean(n.readAt),
    createdAt: (n.createdAt as Date).toISOString(),
  };
}

/** Where a user's alerts also go: a URL we POST to, signed with the webhook's own secret. */
const webhookSchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    url: { type: String, required: true },
    /** AES-256-GCM sealed (the credentials box), never returned after creation */
    secret: { type: String, required: true, select: false },
    secretHint: { type: String, required: true },
    minSeverity: { type: String, enum: SEVERITIES, default: 'medium' },
    enabled: { type: Boolean, default: true },
  },
  { timestamps: true, collection: 'webhooks' },
);
webhookSchema.index({ publicId: 1 }, { unique: true });
webhookSchema.index({ userId: 1 });

export type WebhookRecord = InferSchemaType<typeof webhookSchema> & { createdAt: Date };
export const Webhook = mongoose.model('Webhook', webhookSchema);

/** One POST to one webhook and what came of it (the delivery log). */
const webhookDeliverySchema = new Schema(
  {
    publicId: { type: String, required: true },
    webhookId: { type: String, required: true },
    userId: { type: String, required: true },
    event: { type: String, enum: ['alert', 'test'], required: true },
    /** the exact JSON body sent (signed as is) */
    body: { type: String, required: true },
    status: { type: String, enum: ['pending', 'delivered', 'failed'], default: 'pending' },
    attempts: { type: Number, default: 0 },
    lastStatusCode: { type: Number, default: null },
    lastError: { type: String, default: null },
    deliveredAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'webhook_deliveries' },
);
webhookDeliverySchema.index({ publicId: 1 }, { unique: true });
webhookDeliverySchema.index({ webhookId: 1, createdAt: -1 });

export type WebhookDeliveryRecord = InferSchemaType<typeof webhookDeliverySchema> & { createdAt: Date };
export const WebhookDelivery = mongoose.model('WebhookDelivery', webhookDeliverySchema);
