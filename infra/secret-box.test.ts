import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openSecret, parseKeyRing, sealSecret, sealedWith } from './secret-box.ts';

const k = () => randomBytes(32).toString('base64');

describe('secret box', () => {
  it('round-trips and never shows the plaintext', () => {
    const ring = parseKeyRing(`a:${k()}`);
    const sealed = sealSecret(ring, 'access-sandbox-123', 'wallet-1');
    expect(sealed).not.toContain('access-sandbox');
    expect(openSecret(ring, sealed, 'wallet-1')).toBe('access-sandbox-123');
    expect(sealSecret(ring, 'x', 'w')).not.toBe(sealSecret(ring, 'x', 'w'));
  });

  it('refuses a ciphertext moved to another record or tampered with', () => {
    const ring = parseKeyRing(`a:${k()}`);
    const sealed = sealSecret(ring, 'secret', 'wallet-1');
    expect(() => openSecret(ring, sealed, 'wallet-2')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => openSecret(ring, parts.join('.'), 'wallet-1')).toThrow();
  });

  it('rotates: new key encrypts, old key still decrypts until removed', () => {
    const oldKey = k();
    const before = parseKeyRing(`k1:${oldKey}`);
    const sealed = sealSecret(before, 's', 'w');
    const rotated = parseKeyRing(`k2:${k()},k1:${oldKey}`);
    expect(openSecret(rotated, sealed, 'w')).toBe('s');
    expect(sealedWith(sealSecret(rotated, 's', 'w'))).toBe('k2');
    const withoutOld = parseKeyRing(`k2:${k()}`);
    expect(() => openSecret(withoutOld, sealed, 'w')).toThrow(/no longer configured/);
  });

  it('validates key specs', () => {
    expect(() => parseKeyRing('')).toThrow();
    expect(() => parseKeyRing('a:short')).toThrow(/32 bytes/);
    expect(() => parseKeyRing(`a:${k()},a:${k()}`)).toThrow(/twice/);
  });
});
