// Broker events as their contracts shape them, for tests that emit them directly.
import { randomUUID } from 'node:crypto';
import type { NotificationView } from '@finexia/contracts/api.ts';
import type { EventMap } from '@finexia/contracts/events.ts';

export function notificationCreated(
  userId: string,
  title: string,
  options: { body?: string; unread?: number } = {},
): EventMap['notification.created'] {
  const notification: NotificationView = {
    id: randomUUID(),
    kind: 'wallet.linked',
    title,
    body: options.body ?? '',
    action: null,
    walletId: null,
    anomalyId: null,
    severity: null,
    read: false,
    createdAt: new Date().toISOString(),
  };
  return { userId, notification, unread: options.unread ?? 1 };
}
