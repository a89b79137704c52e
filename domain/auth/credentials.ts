// Rules for what users type when they sign up or sign in: no I/O, unit tested.
import type { FieldError } from '@finexia/contracts/errors.ts';

/** Emails are compared case-insensitively and without surrounding spaces. */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}

// Deliberately simple: one "@", a dot in the domain, no spaces. Deliverability is
// proven by mail, not by a regex.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@.]{2,}$/;

export function isValidEmail(normalized: string): boolean {
  return normalized.length <= 254 && EMAIL.test(normalized);
}

// bcrypt only reads the first 72 bytes of its input; a longer password would be
// silently truncated, so it is refused instead.
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_BYTES = 72;

const COMMON_PASSWORDS = new Set([
  'password',
  'password1',
  'password123',
  '123456789',
  '1234567890',
  'qwertyuiop',
  'iloveyou',
  'letmein123',
  'welcome123',
  'passw0rd123',
  'admin12345',
  'abc1234567',
  'qwerty1234',
  '1q2w3e4r5t',
  'finexia123',
  'changeme123',
]);

/** Returns the problems with a password (empty when it is acceptable). NIST 800-63B style: length, not common, not the email. */
export function passwordProblems(password: string, email?: string): FieldError[] {
  const problems: string[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH)
    problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES)
    problems.push(`must be at most ${PASSWORD_MAX_BYTES} bytes`);
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) problems.push('is too common');
  if (/^(.)\1+$/.test(password)) problems.push('must not repeat a single character');
  const local = email ? normalizeEmail(email).split('@')[0] : undefined;
  if (local && local.length >= 4 && lower.includes(local)) problems.push('must not contain your email name');
  return problems.map((message) => ({ field: 'password', message, type: 'passwordPolicy' }));
}
