import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.ts';

describe('the client address', () => {
  it('is the peer when nobody we trust stands in between (a forged header is ignored)', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', false)).toBe('203.0.113.9');
  });

  it('is what a proxy on this host appended (the dashboard server, an nginx beside the node)', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.7', false)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:127.0.0.1', '198.51.100.7, 127.0.0.1', false)).toBe('198.51.100.7');
  });

  it('cannot be forged through a proxy: what the client wrote sits left of what the proxy appended', () => {
    // the client sent X-Forwarded-For: 10.9.9.9; nginx appended the address it saw
    expect(clientAddress('127.0.0.1', '10.9.9.9, 198.51.100.7', false)).toBe('198.51.100.7');
  });

  it('is the leftmost address behind a trusted load balancer (TRUST_PROXY), and this host when it is all there is', () => {
    expect(clientAddress('10.0.0.5', '198.51.100.7, 10.0.0.4', true)).toBe('198.51.100.7');
    expect(clientAddress('127.0.0.1', undefined, false)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', 'not-an-address', false)).toBe('127.0.0.1');
  });
});
