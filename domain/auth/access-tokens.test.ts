import { describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { signAccessToken, verifyAccessToken } from './access-tokens.ts';

const settings = { secret: 's'.repeat(40), issuer: 'finexia', audience: 'finexia-app', ttlMs: 60_000 };
const claims = { sub: 'user-1', role: 'user' as const, sid: 'family-1' };

describe('access tokens', () => {
  it('round-trip their claims', () => {
    const { token } = signAccessToken(claims, settings);
    const result = verifyAccessToken(token, settings);
    expect(result).toMatchObject({ ok: true, claims });
  });

  it('are refused when expired', () => {
    const token = jwt.sign({ role: 'user', sid: 'f' }, settings.secret, {
      algorithm: 'HS256',
      subject: 'u',
      issuer: settings.issuer,
      audience: settings.audience,
      expiresIn: -10,
    });
    expect(verifyAccessToken(token, settings)).toEqual({ ok: false, reason: 'expired' });
  });

  it('are refused when tampered with', () => {
    const { token } = signAccessToken(claims, settings);
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.role = 'admin';
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    expect(verifyAccessToken(forged, settings)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuse alg "none"', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({
        sub: 'u',
        role: 'admin',
        sid: 'f',
        iss: 'finexia',
        aud: 'finexia-app',
        exp: 9_999_999_999,
      }),
    ).toString('base64url');
    expect(verifyAccessToken(`${header}.${body}.`, settings)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuse another audience, another issuer and another key', () => {
    const { token } = signAccessToken(claims, { ...settings, audience: 'other-app' });
    expect(verifyAccessToken(token, settings).ok).toBe(false);
    const { token: t2 } = signAccessToken(claims, { ...settings, issuer: 'someone-else' });
    expect(verifyAccessToken(t2, settings).ok).toBe(false);
    const { token: t3 } = signAccessToken(claims, { ...settings, secret: 'o'.repeat(40) });
    expect(verifyAccessToken(t3, settings).ok).toBe(false);
  });

  it('refuse a token without the claims we rely on', () => {
    const token = jwt.sign({ role: 'root' }, settings.secret, {
      algorithm: 'HS256',
      subject: 'u',
      issuer: settings.issuer,
      audience: settings.audience,
      expiresIn: 60,
    });
    expect(verifyAccessToken(token, settings)).toEqual({ ok: false, reason: 'invalid' });
  });
});
