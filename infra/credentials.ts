// Provider credentials at rest, sealed with the keys in CREDENTIALS_KEYS (see domain/secret-box.ts).
import { config } from '../config/index.ts';
import { openSecret, parseKeyRing, sealSecret, sealedWith, type KeyRing } from './secret-box.ts';

let ring: { spec: string; keys: KeyRing } | undefined;

function keys(): KeyRing {
  const spec = config().credentialsKeys;
  if (!spec) throw new Error('CREDENTIALS_KEYS is not set; scripts/start.ts creates one for development');
  if (ring?.spec !== spec) ring = { spec, keys: parseKeyRing(spec) };
  return ring.keys;
}

export function credentialsBox() {
  return {
    seal: (plaintext: string, recordId: string) => sealSecret(keys(), plaintext, recordId),
    open: (sealed: string, recordId: string) => openSecret(keys(), sealed, recordId),
    /** true when the sealed value was made with an older key and should be re-sealed */
    isStale: (sealed: string) => sealedWith(sealed) !== keys().current,
  };
}

/** Fails at start, not at the first link, when the keys are missing or malformed. */
export function assertCredentialsKeys(): void {
  keys();
}
