import { describe, expect, it } from 'vitest';
import { safeNext } from './forms.ts';

const after = (next: string) =>
  safeNext(new URL(`https://app.example/signin?next=${encodeURIComponent(next)}`), '/dashboard');

describe('the page to go to after signing in', () => {
  it('follows a path on this site', () => {
    expect(after('/transactions?q=rent#list')).toBe('/transactions?q=rent#list');
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    'https://evil.example',
    'javascript:alert(1)',
    '/\ttab',
    '',
  ])('refuses %j (it would leave the site)', (next) => {
    expect(after(next)).toBe('/dashboard');
  });
});
