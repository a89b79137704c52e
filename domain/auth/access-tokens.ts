// Access tokens: short-lived HS256 JWTs. Verification pins the algorithm, issuer and
// audience, so `alg: none`, RS/HS confusion and tokens minted for another app all fail.
import jwt from 'jsonwebtoken';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import type { Role } from '@finexia/contracts/api.ts';

export interface AccessClaims {
  /** public user id */
  sub: string;
  role: Role;
  /** session (refresh-token family) id: identifies the device */
  sid: string;
}

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlMs: number;
}

export type VerifyResult =
  | { ok: true; claims: AccessClaims; expiresAt: number; /** ms (the token's iat) */ issuedAt: number }
  | { ok: false; reason: 'expired' | 'invalid' };

const ALGORITHM = 'HS256';

/**
 * The secret as a key, made once: given a string, jsonwebtoken makes the key on every call, first
 * by trying to parse the string as a public key and catching the failure — 53 ms of one 239 ms
 * event-loop stall of the ws gateway while sockets connected (a profile with 10,000 sockets).
 */
let cachedKey: { secret: string; key: KeyObject } | undefined;
function keyOf(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret)) };
  return cachedKey.key;
}

export function signAccessToken(
  claims: AccessClaims,
  settings: TokenSettings,
): { token: string; expiresAt: Date } {
  const expiresInSeconds = Math.max(1, Math.floor(settings.ttlMs / 1000));
  const token = jwt.sign({ role: claims.role, sid: claims.sid }, keyOf(settings.secret), {
    algorithm: ALGORITHM,
    subject: claims.sub,
    issuer: settings.issuer,
    audience: settings.audience,
    expiresIn: expiresInSeconds,
    jwtid: randomUUID(),
  });
  return { token, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
}

export function verifyAccessToken(token: string, settings: Omit<TokenSettings, 'ttlMs'>): VerifyResult {
  try {
    const payload = jwt.verify(token, keyOf(settings.secret), {
      algorithms: [ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
    });
    if (typeof payload !== 'object' || payload === null) return { ok: false, reason: 'invalid' };
    const { sub, role, sid, exp, iat } = payload as Record<string, unknown>;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof exp !== 'number' ||
      typeof iat !== 'number'
    )
      return { ok: false, reason: 'invalid' };
    if (role !== 'user' && role !== 'admin') return { ok: false, reason: 'invalid' };
    return { ok: true, claims: { sub, role, sid }, expiresAt: exp * 1000, issuedAt: iat * 1000 };
  } catch (err) {
    return { ok: false, reason: err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
  }
}
