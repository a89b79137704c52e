// Credentials at rest: AES-256-GCM with a random 96-bit IV, the record id as associated
// data (a ciphertext cannot be moved to another record), and a key id so keys can be
// rotated: encrypt with the newest key, decrypt with any key still configured.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface KeyRing {
  /** key id used for new encryptions */
  current: string;
  keys: Map<string, Buffer>;
}

/** "id1:base64key,id2:base64key" — the first is current. Each key is 32 bytes. */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let current: string | undefined;
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, material] = part.split(':', 2);
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || !material)
      throw new Error('each key is <id>:<base64 of 32 bytes>');
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) throw new Error(`key ${id} is not 32 bytes`);
    if (keys.has(id)) throw new Error(`key id ${id} appears twice`);
    keys.set(id, key);
    current ??= id;
  }
  if (!current) throw new Error('no key given');
  return { current, keys };
}

export function sealSecret(ring: KeyRing, plaintext: string, recordId: string): string {
  const key = ring.keys.get(ring.current) as Buffer;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(recordId));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    ring.current,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    data.toString('base64url'),
  ].join('.');
}

export function openSecret(ring: KeyRing, sealed: string, recordId: string): string {
  const [version, kid, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !kid || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
  const key = ring.keys.get(kid);
  if (!key) throw new Error(`key ${kid} is no longer configured`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(recordId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

export function sealedWith(sealed: string): string | undefined {
  return sealed.split('.')[1];
}
