// Development-only secrets, created once and kept in .data/ (never used in production),
// shared by `npm start` and `npm run cluster` so every local node signs and seals alike.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DATA = join(resolve(fileURLToPath(new URL('..', import.meta.url))), '.data');

function developmentSecret(name: string, make: () => string): string {
  const file = join(DATA, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(DATA, { recursive: true });
  const secret = make();
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** JWT_SECRET and CREDENTIALS_KEYS from the environment, or the development ones. */
export function developmentSecrets(): { JWT_SECRET: string; CREDENTIALS_KEYS: string } {
  return {
    JWT_SECRET:
      process.env.JWT_SECRET ||
      developmentSecret('dev-jwt-secret', () => randomBytes(48).toString('base64url')),
    CREDENTIALS_KEYS:
      process.env.CREDENTIALS_KEYS ||
      developmentSecret('dev-credentials-keys', () => `dev1:${randomBytes(32).toString('base64')}`),
  };
}
