// Token settings from config, shared by the gateway, the ws gateway and the auth service.
import type { Config } from '../config/index.ts';
import type { TokenSettings } from '../domain/auth/access-tokens.ts';

/** The access-token settings of a config's `auth` (fails when it has no JWT secret). */
export function accessTokenSettings(auth: Config['auth']): TokenSettings {
  if (!auth.jwtSecret) {
    throw new Error(
      'JWT_SECRET is not set (at least 32 characters); scripts/start.ts creates one for development',
    );
  }
  return {
    secret: auth.jwtSecret,
    issuer: auth.issuer,
    audience: auth.audience,
    ttlMs: auth.accessTokenTtlMs,
  };
}
