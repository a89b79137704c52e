import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { NOTIFICATION_KINDS, type NotificationView } from '@finexia/contracts/api.ts';
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
    readAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'notifications' },
);
notificationSchema.index({ publicId: 1 }, { unique: true });
notificationSchema.index({ userId: 1, createdAt: -1 });

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
    read: Boolean(n.readAt),
    createdAt: (n.createdAt as Date).toISOString(),
  };
}
