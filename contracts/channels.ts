// Durable work between services (JetStream through @moleculer/channels): each channel's name
// and its message. A message may arrive twice; every handler is idempotent.
import type { AnomalyType, Severity, SyncReason } from './api.ts';

export const CHANNELS = {
  /** sync one wallet with its provider (wallets) */
  walletsSync: 'wallets.sync',
  /** a user's transactions grew: read them into the anomaly detector (anomalies) */
  transactionsAdded: 'transactions.added',
  /** anomalies to turn into alerts (notifications) */
  alertsDeliver: 'alerts.deliver',
  /** one webhook delivery to make (notifications) */
  webhooksDeliver: 'webhooks.deliver',
  /** erase everything of a deleted account, in every service (users) */
  usersErase: 'users.erase',
} as const;

export interface WalletSyncJob {
  walletId: string;
  userId: string;
  reason: SyncReason;
}

export interface TransactionsAddedJob {
  userId: string;
  /** ms since the epoch, once the rows were stored (an analysis started after it has read them) */
  announcedAt?: number;
}

export interface AlertItem {
  id: string;
  type: AnomalyType;
  severity: Severity;
  date: string;
  historical: boolean;
  reason: string;
  transactionIds: string[];
  walletIds: string[];
}

export interface AlertJob {
  userId: string;
  /** when the anomalies were found (ms): groups are counted from it */
  foundAt: number;
  anomalies: AlertItem[];
}

export interface WebhookJob {
  deliveryId: string;
}

export interface UserEraseJob {
  userId: string;
  /** the admin who deleted the account (null: the user themself) */
  actorId: string | null;
}
