// The WebSocket protocol between the gateway (/ws) and browsers: subprotocol, close codes,
// what a client may send and what the server sends.
import type { PublicEvent, PublicEventName } from './events.ts';
import type { PortfolioView } from './portfolio.ts';

export const WS_PATH = '/ws';
export const WS_SUBPROTOCOL = 'finexia.v1';
/** Browsers cannot set headers on a WebSocket, so the token may ride in a subprotocol: `bearer.<jwt>`. */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

/** Close codes (4000–4999 is the application range). */
export const WS_CLOSE = {
  TOKEN_MISSING: 4001,
  TOKEN_INVALID: 4002,
  TOKEN_EXPIRED: 4003,
  ACCOUNT_MISMATCH: 4004,
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
} as const;

/** Close codes after which a client needs a new access token before it reconnects. */
export const WS_TOKEN_CLOSES: readonly number[] = [
  WS_CLOSE.TOKEN_MISSING,
  WS_CLOSE.TOKEN_INVALID,
  WS_CLOSE.TOKEN_EXPIRED,
];

export type ClientMessage =
  | { type: 'ping'; id?: string }
  | { type: 'auth'; token: string }
  | { type: 'resume'; epoch: string; seq: number };

export type WsErrorCode =
  | 'MESSAGE_TOO_LARGE'
  | 'MALFORMED_JSON'
  | 'VALIDATION_FAILED'
  | 'UNKNOWN_TYPE'
  | 'BINARY_NOT_SUPPORTED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_INVALID';

/** One `event` frame per public event name, shaped by its contract. */
export type EventFrame = {
  [K in PublicEventName]: { type: 'event'; event: K; data: PublicEvent<K> };
}[PublicEventName];

export type ServerFrame =
  | { type: 'welcome'; connectionId: string; userId: string; node: string; heartbeatMs: number }
  | { type: 'snapshot'; data: PortfolioView }
  | EventFrame
  | { type: 'resumed'; epoch: string; from: number; to: number }
  | { type: 'resync'; reason: 'slow-consumer' }
  | { type: 'pong'; id?: string }
  | { type: 'auth.ok'; expiresAt: string }
  | { type: 'error'; code: WsErrorCode; message: string };
