import { describe, expect, it } from 'vitest';
import { signature, verifySignature } from './webhooks.ts';

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
