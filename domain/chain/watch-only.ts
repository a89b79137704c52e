// Watch-only, always: what someone pastes where an address or a public key belongs may be a
// secret (a recovery phrase, a private key, an extended private key). Such an input is refused
// with why, and never stored, logged or repeated back (the reason names what it looked like,
// never the text).
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';

const WORDS = new Set(wordlist);
const PHRASE_LENGTHS = new Set([12, 15, 18, 21, 24]);
const PRIVATE_PREFIXES = /^(xprv|yprv|zprv|tprv|uprv|vprv|Yprv|Zprv)/;
const base58check = createBase58check(sha256);

/** Why `text` must not be taken (it looks like a secret), or undefined. */
export function secretProblem(text: string): string | undefined {
  const t = text.trim();
  const words = t.toLowerCase().split(/\s+/);
  if (PHRASE_LENGTHS.has(words.length) && words.every((w) => WORDS.has(w)))
    return `this looks like a ${words.length}-word recovery phrase, which controls the wallet. Finexia only watches: give the wallet's address or its public key (xpub, ypub, zpub), and keep the phrase to yourself`;
  if (PRIVATE_PREFIXES.test(t))
    return 'this is an extended private key, which controls the wallet. Finexia only watches: give the matching public key (xpub, ypub or zpub)';
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(t))
    return 'this looks like a private key (64 hexadecimal digits). Finexia only watches: give the wallet address instead';
  if (/^[5KLc9][1-9A-HJ-NP-Za-km-z]{50,51}$/.test(t) && isBase58check(t))
    return 'this looks like a private key (wallet import format). Finexia only watches: give the wallet address instead';
  return undefined;
}

function isBase58check(text: string): boolean {
  try {
    base58check.decode(text);
    return true;
  } catch {
    return false;
  }
}
