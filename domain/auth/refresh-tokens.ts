// Refresh-token rotation rules. Tokens are opaque random strings; only their SHA-256
// hash is stored. Every use rotates the token; presenting a token that was already
// rotated means it leaked (or a client replayed it), so its whole family is revoked.
import { createHash, randomBytes } from 'node:crypto';

export interface RefreshTokenState {
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export type RefreshDecision =
  | { kind: 'rotate' }
  | { kind: 'unknown' }
  | { kind: 'expired' }
  | { kind: 'revoked' }
  | { kind: 'reuse'; familyId: string; userId: string };

export function decideRefresh(token: RefreshTokenState | null, now: Date): RefreshDecision {
  if (!token) return { kind: 'unknown' };
  if (token.revokedAt) return { kind: 'revoked' };
  if (token.usedAt) return { kind: 'reuse', familyId: token.familyId, userId: token.userId };
  if (token.expiresAt.getTime() <= now.getTime()) return { kind: 'expired' };
  return { kind: 'rotate' };
}

const TOKEN_PREFIX = 'fxr_';
const TOKEN_SHAPE = /^fxr_[A-Za-z0-9_-]{43}$/;

export function newRefreshToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Cheap shape check so garbage never reaches the database. */
export function looksLikeRefreshToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
