import { describe, expect, it } from 'vitest';
import { decideRefresh, hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from './refresh-tokens.ts';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-02-01T00:00:00Z');
const base = { familyId: 'f1', userId: 'u1', expiresAt: later, usedAt: null, revokedAt: null };

describe('decideRefresh', () => {
  it('rotates a live, unused token', () => expect(decideRefresh(base, now)).toEqual({ kind: 'rotate' }));
  it('reports an unknown token', () => expect(decideRefresh(null, now)).toEqual({ kind: 'unknown' }));
  it('treats a used token as reuse of its family', () =>
    expect(decideRefresh({ ...base, usedAt: now }, now)).toEqual({
      kind: 'reuse',
      familyId: 'f1',
      userId: 'u1',
    }));
  it('refuses an expired token', () =>
    expect(decideRefresh({ ...base, expiresAt: now }, now)).toEqual({ kind: 'expired' }));
  it('refuses a revoked token even if it was also used', () =>
    expect(decideRefresh({ ...base, usedAt: now, revokedAt: now }, now)).toEqual({ kind: 'revoked' }));
});

describe('refresh token values', () => {
  it('are random, well-formed and hashed deterministically', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(a).not.toBe(b);
    expect(looksLikeRefreshToken(a)).toBe(true);
    expect(hashRefreshToken(a)).toBe(hashRefreshToken(a));
    expect(hashRefreshToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(a)).not.toContain(a);
  });

  it('rejects garbage before it reaches the database', () => {
    for (const bad of ['', 'fxr_short', 'x'.repeat(47), `fxr_${'a'.repeat(42)}!`])
      expect(looksLikeRefreshToken(bad)).toBe(false);
  });
});
