// Bitcoin wallets by their public keys, watch-only: an extended public key (xpub, ypub, zpub and
// their testnet forms) gives the wallet's receive and change addresses (BIP32 derivation with
// @scure/bip32; the address kind follows the key's SLIP-132 prefix: xpub → P2PKH, ypub →
// P2SH-P2WPKH, zpub → native SegWit P2WPKH), scanned until a gap of 20 unused addresses (BIP44).
import { HDKey } from '@scure/bip32';
import { Address, NETWORK, TEST_NETWORK, p2pkh, p2sh, p2wpkh } from '@scure/btc-signer';
import { secretProblem } from './watch-only.ts';

export type AddressKind = 'p2pkh' | 'p2sh-p2wpkh' | 'p2wpkh';

/** SLIP-132: what each extended public key's prefix means. */
const PREFIXES: Record<string, { version: number; kind: AddressKind; testnet: boolean }> = {
  xpub: { version: 0x0488b21e, kind: 'p2pkh', testnet: false },
  ypub: { version: 0x049d7cb2, kind: 'p2sh-p2wpkh', testnet: false },
  zpub: { version: 0x04b24746, kind: 'p2wpkh', testnet: false },
  tpub: { version: 0x043587cf, kind: 'p2pkh', testnet: true },
  upub: { version: 0x044a5262, kind: 'p2sh-p2wpkh', testnet: true },
  vpub: { version: 0x045f1cf6, kind: 'p2wpkh', testnet: true },
};

/** The gap limit: this many unused addresses in a row end a chain's scan (BIP44). */
export const GAP_LIMIT = 20;

export interface ExtendedPublicKey {
  kind: AddressKind;
  testnet: boolean;
  key: HDKey;
}

/** An extended public key, or why it is not one (the text is never repeated back). */
export function parseExtendedPublicKey(text: string): ExtendedPublicKey | { problem: string } {
  const trimmed = text.trim();
  const prefix = PREFIXES[trimmed.slice(0, 4)];
  if (!prefix)
    return { problem: 'an extended public key starts with xpub, ypub or zpub (tpub, upub, vpub on testnet)' };
  try {
    const key = HDKey.fromExtendedKey(trimmed, { public: prefix.version, private: 0 });
    if (key.privateKey) return { problem: 'this key holds a private key; give the public one' };
    return { kind: prefix.kind, testnet: prefix.testnet, key };
  } catch {
    return { problem: 'not a valid extended public key (its checksum or length is wrong)' };
  }
}

/** The address at `chain` (0 receive, 1 change) and `index` below the key. */
export function addressAt(xpub: ExtendedPublicKey, chain: 0 | 1, index: number): string {
  const pub = xpub.key.deriveChild(chain).deriveChild(index).publicKey;
  if (!pub) throw new Error('a public key derives public keys');
  const network = xpub.testnet ? TEST_NETWORK : NETWORK;
  const payment =
    xpub.kind === 'p2pkh'
      ? p2pkh(pub, network)
      : xpub.kind === 'p2wpkh'
        ? p2wpkh(pub, network)
        : p2sh(p2wpkh(pub, network), network);
  if (!payment.address) throw new Error('no address for this payment');
  return payment.address;
}

export interface ScannedChain {
  chain: 0 | 1;
  /** addresses with history, with their index */
  used: { index: number; address: string }[];
  /** the first address after the last used one: where the next payment should go */
  next: { index: number; address: string };
}

/**
 * Each chain's addresses with history, asking `hasHistory` in order until GAP_LIMIT unused
 * addresses in a row (the last used one is where the scan of that chain ends).
 */
export async function scanWallet(
  xpub: ExtendedPublicKey,
  hasHistory: (address: string) => Promise<boolean>,
  gap = GAP_LIMIT,
): Promise<ScannedChain[]> {
  const chains: ScannedChain[] = [];
  for (const chain of [0, 1] as const) {
    const used: { index: number; address: string }[] = [];
    let unusedInARow = 0;
    for (let index = 0; unusedInARow < gap; index += 1) {
      const address = addressAt(xpub, chain, index);
      if (await hasHistory(address)) {
        used.push({ index, address });
        unusedInARow = 0;
      } else unusedInARow += 1;
    }
    const nextIndex = (used.at(-1)?.index ?? -1) + 1;
    chains.push({ chain, used, next: { index: nextIndex, address: addressAt(xpub, chain, nextIndex) } });
  }
  return chains;
}

/** A confirmed transaction as it touches addresses: what each input spent and each output paid, by address. */
export interface ChainTransaction {
  txid: string;
  height: number;
  /** the block's time, unix seconds */
  blockTime: number;
  inputs: { address: string | null; sats: number }[];
  outputs: { address: string | null; sats: number }[];
}

/** What one transaction did to a wallet: satoshis in (positive) or out (negative, its fee included). */
export interface WalletMovement {
  txid: string;
  height: number;
  blockTime: number;
  sats: number;
}

/**
 * A wallet's movements from its addresses' transactions (each listed once, however many of its
 * addresses it touched): what it paid to them less what it spent of theirs, so a payment out
 * counts its amount and fee, its change coming back nets off, and a move between the wallet's own
 * addresses costs only its fee. Oldest first.
 */
export function walletMovements(
  transactions: readonly ChainTransaction[],
  own: ReadonlySet<string>,
): WalletMovement[] {
  const seen = new Map<string, WalletMovement>();
  for (const t of transactions) {
    if (seen.has(t.txid)) continue;
    const sum = (parts: ChainTransaction['inputs']) =>
      parts.reduce((s, p) => (p.address !== null && own.has(p.address) ? s + p.sats : s), 0);
    const sats = sum(t.outputs) - sum(t.inputs);
    seen.set(t.txid, { txid: t.txid, height: t.height, blockTime: t.blockTime, sats });
  }
  return [...seen.values()]
    .filter((m) => m.sats !== 0)
    .sort((a, b) => a.height - b.height || (a.txid < b.txid ? -1 : 1));
}

/** What a Bitcoin wallet is watched by: one address, or an extended public key's addresses. */
export type BitcoinWatch = { kind: 'xpub'; key: ExtendedPublicKey } | { kind: 'address'; address: string };

/**
 * What someone gave to watch a Bitcoin wallet by, or why it cannot be taken: a secret is
 * refused first (watch-only, always), then it must be an extended public key or an address.
 */
export function bitcoinWatch(text: string): BitcoinWatch | { problem: string } {
  const secret = secretProblem(text);
  if (secret) return { problem: secret };
  const t = text.trim();
  if (/^[xyztuv]pub/.test(t)) {
    const key = parseExtendedPublicKey(t);
    return 'problem' in key ? key : { kind: 'xpub', key };
  }
  for (const network of [NETWORK, TEST_NETWORK])
    try {
      Address(network).decode(t);
      return { kind: 'address', address: t };
    } catch {
      // not of this network
    }
  return { problem: 'not a Bitcoin address or an extended public key (xpub, ypub, zpub)' };
}
