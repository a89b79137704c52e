// Provider credentials at rest, sealed with the keys in CREDENTIALS_KEYS (see domain/secret-box.ts).
import { openSecret, parseKeyRing, sealSecret, sealedWith, type KeyRing } from './secret-box.ts';

const rings = new Map<string, KeyRing>();

function keys(spec: string | undefined): KeyRing {
  if (!spec) throw new Error('CREDENTIALS_KEYS is not set; scripts/start.ts creates one for development');
  let ring = rings.get(spec);
  if (!ring) rings.set(spec, (ring = parseKeyRing(spec)));
  return ring;
}

/** Seals and opens with the key ring `spec` (a broker's config.credentialsKeys). */
export function credentialsBox(spec: string | undefined) {
  const ring = keys(spec);
  return {
    seal: (plaintext: string, recordId: string) => sealSecret(ring, plaintext, recordId),
    open: (sealed: string, recordId: string) => openSecret(ring, sealed, recordId),
    /** true when the sealed value was made with an older key and should be re-sealed */
    isStale: (sealed: string) => sealedWith(sealed) !== ring.current,
  };
}
