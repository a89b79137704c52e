import { describe, expect, it } from 'vitest';
import { isValidEmail, normalizeEmail, passwordProblems } from './credentials.ts';

describe('emails', () => {
  it('are trimmed and lower-cased', () =>
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com'));
  it.each(['a@b.co', 'first.last+tag@sub.example.org'])('%s is valid', (e) =>
    expect(isValidEmail(e)).toBe(true),
  );
  it.each(['', 'plain', 'a@b', 'a b@c.com', '@example.com', 'a@@b.com'])('%s is invalid', (e) =>
    expect(isValidEmail(e)).toBe(false),
  );
});

describe('password policy', () => {
  it('accepts a long passphrase', () =>
    expect(passwordProblems('correct horse battery', 'ada@example.com')).toEqual([]));
  it('explains every problem with the field name', () => {
    const problems = passwordProblems('short');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'password', message: 'must be at least 10 characters' });
  });
  it('refuses common passwords, repeated characters and the email name', () => {
    expect(passwordProblems('password123').map((p) => p.message)).toContain('is too common');
    expect(passwordProblems('aaaaaaaaaaaa').map((p) => p.message)).toContain(
      'must not repeat a single character',
    );
    expect(passwordProblems('my-adalovelace-pw', 'adalovelace@example.com').map((p) => p.message)).toContain(
      'must not contain your email name',
    );
  });
  it('refuses what bcrypt would silently truncate (over 72 bytes)', () => {
    expect(passwordProblems('é'.repeat(40)).map((p) => p.message)).toContain('must be at most 72 bytes');
  });
});
