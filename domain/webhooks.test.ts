import { describe, expect, it } from 'vitest';
import { signature, verifySignature, webhookUrlProblem } from './webhooks.ts';

describe('webhook signatures', () => {
  const body = '{"id":"d1","event":"test"}';
  it('a receiver verifies what we sign, and nothing else', () => {
    const header = signature('s3cret', 1_700_000_000, body);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', header, body, 1_700_000_100)).toBe(true);
    expect(verifySignature('other', header, body, 1_700_000_100)).toBe(false);
    expect(verifySignature('s3cret', header, body.replace('test', 'alert'), 1_700_000_100)).toBe(false);
    // an old signature replayed later
    expect(verifySignature('s3cret', header, body, 1_700_001_000)).toBe(false);
    expect(verifySignature('s3cret', 'garbage', body, 1_700_000_000)).toBe(false);
  });
});

describe('webhook URLs', () => {
  it('takes public https URLs, and private ones only where allowed', () => {
    expect(webhookUrlProblem('https://hooks.example.com/finexia', false)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', true)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', false)).toBe('must use https');
    expect(webhookUrlProblem('https://10.0.0.4/hook', false)).toBe(
      'must not point at a private or loopback address',
    );
    expect(webhookUrlProblem('ftp://example.com', true)).toBe('must be an http(s) URL');
    expect(webhookUrlProblem('https://user:pw@example.com', true)).toBe('must not carry credentials');
    expect(webhookUrlProblem('not a url', true)).toBe('must be an absolute http(s) URL');
  });
});
