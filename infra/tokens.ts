// Token settings from config, shared by the gateway, the ws gateway and the auth service.
import { config } from '../config/index.ts';
import type { TokenSettings } from '../domain/auth/access-tokens.ts';

export function accessTokenSettings(): TokenSettings {
  const { auth } = config();
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
