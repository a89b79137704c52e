// The WebSocket protocol between the gateway and browsers: close codes and the
// messages a client may send (contracts/ws.ts). Pure parsing, so bad input is rejected before any state changes.
import { BEARER_PROTOCOL_PREFIX, type ClientMessage, type WsErrorCode } from '@finexia/contracts/ws.ts';

/** `epoch.seq` in the connect URL's `since` parameter: where a reconnecting client left off. */
export function parseSince(url: string | undefined): { epoch: string; seq: number } | undefined {
  const query = (url ?? '').split('?')[1];
  const since = query ? new URLSearchParams(query).get('since') : null;
  const match = since ? /^([0-9a-f-]{36})\.(\d{1,15})$/.exec(since) : null;
  return match ? { epoch: match[1] as string, seq: Number(match[2]) } : undefined;
}

export type ParseResult =
  { ok: true; message: ClientMessage } | { ok: false; code: WsErrorCode; message: string };

const MAX_TEXT = 16 * 1024;

export function parseClientMessage(raw: string): ParseResult {
  if (raw.length > MAX_TEXT)
    return { ok: false, code: 'MESSAGE_TOO_LARGE', message: 'Messages are limited to 16 KiB.' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'MALFORMED_JSON', message: 'Messages must be JSON objects.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, code: 'MALFORMED_JSON', message: 'Messages must be JSON objects.' };
  const msg = value as Record<string, unknown>;
  switch (msg.type) {
    case 'ping':
      if (msg.id !== undefined && (typeof msg.id !== 'string' || msg.id.length > 64))
        return {
          ok: false,
          code: 'VALIDATION_FAILED',
          message: "'id' must be a string of at most 64 characters.",
        };
      return { ok: true, message: msg.id === undefined ? { type: 'ping' } : { type: 'ping', id: msg.id } };
    case 'auth':
      if (typeof msg.token !== 'string' || msg.token.length > 4096)
        return { ok: false, code: 'VALIDATION_FAILED', message: "'token' must be a string." };
      return { ok: true, message: { type: 'auth', token: msg.token } };
    case 'resume':
      if (typeof msg.epoch !== 'string' || msg.epoch.length > 64)
        return {
          ok: false,
          code: 'VALIDATION_FAILED',
          message: "'epoch' must be the epoch of the last view.",
        };
      if (typeof msg.seq !== 'number' || !Number.isSafeInteger(msg.seq) || msg.seq < 0)
        return {
          ok: false,
          code: 'VALIDATION_FAILED',
          message: "'seq' must be the sequence number of the last view (an integer ≥ 0).",
        };
      return { ok: true, message: { type: 'resume', epoch: msg.epoch, seq: msg.seq } };
    default:
      return { ok: false, code: 'UNKNOWN_TYPE', message: "Unknown message 'type'." };
  }
}

/** Finds the access token in the request: subprotocol `bearer.<jwt>` first, then `?access_token=`. */
export function tokenFromUpgrade(
  protocolHeader: string | undefined,
  url: string | undefined,
): string | undefined {
  const fromProtocol = (protocolHeader ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  if (fromProtocol) return fromProtocol.slice(BEARER_PROTOCOL_PREFIX.length) || undefined;
  const query = (url ?? '').split('?')[1];
  if (!query) return undefined;
  return new URLSearchParams(query).get('access_token') ?? undefined;
}
