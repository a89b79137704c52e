// The broker events that leave the service that emits them: each name with its payload.
// Emitters and handlers are typed by this map; the ws gateway forwards to browsers only the
// events listed in PUBLIC_EVENTS, and of each only the fields listed there.
import type { ExportProgress } from './export.ts';
import type { AnomalyStatus, NotificationView, SyncProgress, SyncReason, SyncState, Tick } from './api.ts';
import type { ErrorAction } from './errors.ts';
import type { PortfolioDelta } from './portfolio.ts';

/** A wallet's sync moved on (queued → running with progress → ok or failed with reason and fix). */
export interface WalletSyncStatusEvent {
  userId: string;
  walletId: string;
  state?: SyncState;
  /** why a sync was queued */
  trigger?: SyncReason;
  /** what went wrong, in words for the user */
  reason?: string | null;
  progress?: SyncProgress;
  fix?: ErrorAction | null;
  errorCode?: string | null;
  /** ISO instants */
  lastSyncedAt?: string | null;
  lastAttemptAt?: string;
}

export interface WalletEvent {
  userId: string;
  walletId: string;
}

/** A held position's price an hour ago and now (USD), and its value now in the base currency. */
export interface PositionMove {
  asset: string;
  from: string;
  to: string;
  value: string;
  currency: string;
}

export interface PortfolioMoved {
  userId: string;
  /** the user's local date */
  date: string;
  currency: string;
  netWorth: string;
  dayOpen: string;
  /** net worth fell more than the user's threshold since midnight */
  dropped: boolean;
  moves: PositionMove[];
}

/**
 * One `portfolio.updated` delta as it travels from a portfolio node to the gateways: the frame a
 * browser gets, serialized once where it was built (by `publicFrame`), beside what the gateway
 * needs to route it and to resume a reconnecting client.
 */
export interface PortfolioPush {
  userId: string;
  epoch: string;
  seq: number;
  prevSeq: number;
  /** JSON text of the EventFrame */
  frame: string;
}

export interface EventMap {
  'wallet.created': WalletEvent;
  'wallet.deleted': WalletEvent;
  /** a sync finished: balances and transactions are up to date */
  'wallet.synced': WalletEvent;
  'wallet.sync.status': WalletSyncStatusEvent;
  'wallet.holdings.changed': WalletEvent & {
    holdings: { accountId: string; asset: string; quantity: string }[];
  };
  'wallet.balance.changed': WalletEvent & { balance: string };
  /** transactions of a wallet were added, changed or removed (sync page, manual entry, import) */
  'transaction.changed': WalletEvent;
  'user.preferences.changed': { userId: string };
  /** a user's access tokens issued before `before` (ms) no longer work (the account was disabled) */
  'user.access.revoked': { userId: string; before: number };
  /**
   * A user's portfolio moved (the ws frame browsers get). Not a broker event of its own: the
   * portfolio nodes send these in batches, already framed (`portfolio.pushes`).
   */
  'portfolio.updated': PortfolioDelta;
  /** a live portfolio was rebuilt from its rows (after a wallet or preference change): views read before it are stale */
  'portfolio.reloaded': { userId: string };
  /** the user's past net worth was rebuilt from synced or imported history (charts ask again) */
  'portfolio.history.rebuilt': { userId: string; days: number; estimated: number };
  /** a slice of one burst's portfolio pushes, to every ws gateway */
  'portfolio.pushes': { pushes: PortfolioPush[] };
  'notification.created': { userId: string; notification: NotificationView; unread: number };
  'notification.read': { userId: string; unread: number };
  /** a batch of conflated ticks, broadcast to every portfolio node */
  'market.ticks': { ticks: Tick[] };
  /** users with a socket on a gateway node (renewed every minute) */
  'ws.watching': { userIds: string[] };
  /** a live portfolio's day so far and the positions that moved a lot within the hour (each minute, only when there is something to judge) */
  'portfolio.moved': PortfolioMoved;
  /** an anomaly's status changed (the user dismissed it or marked it expected) */
  'anomaly.updated': { userId: string; anomalyId: string; status: AnomalyStatus };
  /** an export of the user's data is under way: how far (per kind) */
  'export.progress': ExportProgress;
}

export type EventName = keyof EventMap;

/**
 * What a browser may see of each public event (all carry the user's own `userId`, by which
 * the gateway routes them). An internal field added to a payload stays internal.
 */
export const PUBLIC_EVENTS = {
  'portfolio.updated': [
    'userId',
    'epoch',
    'seq',
    'prevSeq',
    'currency',
    'netWorth',
    'netWorthUsd',
    'dayChange',
    'dayOpen',
    'asOf',
    'unpriced',
    'pegged',
    'changed',
    'removed',
  ],
  'wallet.sync.status': [
    'userId',
    'walletId',
    'state',
    'trigger',
    'reason',
    'progress',
    'fix',
    'lastSyncedAt',
  ],
  'wallet.synced': ['userId', 'walletId'],
  'wallet.created': ['userId', 'walletId'],
  'wallet.deleted': ['userId', 'walletId'],
  'notification.created': ['userId', 'notification', 'unread'],
  'notification.read': ['userId', 'unread'],
  'anomaly.updated': ['userId', 'anomalyId', 'status'],
  'portfolio.history.rebuilt': ['userId', 'days', 'estimated'],
  'export.progress': ['userId', 'stage', 'done', 'total'],
} as const satisfies { [K in EventName]?: readonly (keyof EventMap[K])[] };

export type PublicEventName = keyof typeof PUBLIC_EVENTS;

/** A public event as a browser receives it. */
export type PublicEvent<K extends PublicEventName> = Pick<
  EventMap[K],
  Extract<(typeof PUBLIC_EVENTS)[K][number], keyof EventMap[K]>
>;

export function isPublicEvent(name: string): name is PublicEventName {
  return Object.hasOwn(PUBLIC_EVENTS, name);
}

/** Only what a browser may see of a public event: the fields its contract lists. */
export function publicPayload<K extends PublicEventName>(name: K, payload: EventMap[K]): PublicEvent<K> {
  const out: Record<string, unknown> = {};
  for (const field of PUBLIC_EVENTS[name] as readonly (keyof EventMap[K] & string)[])
    if (payload[field] !== undefined) out[field] = payload[field];
  return out as PublicEvent<K>;
}
