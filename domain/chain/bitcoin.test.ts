// Addresses from extended public keys against the published vectors (SLIP-132 for the mnemonic
// "abandon … about": m/44'/0'/0' xpub, m/49'/0'/0' ypub, m/84'/0'/0' zpub; BIP84 for the change
// address), the gap-limit scan, and the refusal of secrets.
import { describe, expect, it } from 'vitest';
import {
  addressAt,
  parseExtendedPublicKey,
  scanWallet,
  walletMovements,
  type ChainTransaction,
  type ExtendedPublicKey,
} from './bitcoin.ts';
import { secretProblem } from './watch-only.ts';

const XPUB =
  'xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj';
const YPUB =
  'ypub6Ww3ibxVfGzLrAH1PNcjyAWenMTbbAosGNB6VvmSEgytSER9azLDWCxoJwW7Ke7icmizBMXrzBx9979FfaHxHcrArf3zbeJJJUZPf663zsP';
const ZPUB =
  'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';
const ZPRV =
  'zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42nvgGpNgYSJA9iefm1yYNZKEm7z6qUWCroSQnE';

const parsed = (text: string) => {
  const key = parseExtendedPublicKey(text);
  if ('problem' in key) throw new Error(key.problem);
  return key;
};

describe('addresses from an extended public key', () => {
  it('derive the published first address of each kind', () => {
    expect(addressAt(parsed(XPUB), 0, 0)).toBe('1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA');
    expect(addressAt(parsed(YPUB), 0, 0)).toBe('37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf');
    expect(addressAt(parsed(ZPUB), 0, 0)).toBe('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu');
    // BIP84: m/84'/0'/0'/1/0, the first change address
    expect(addressAt(parsed(ZPUB), 1, 0)).toBe('bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el');
  });

  it('refuses what is not a public key, and never repeats it', () => {
    const bad = parseExtendedPublicKey(`${ZPUB.slice(0, -1)}x`);
    expect(bad).toEqual({ problem: 'not a valid extended public key (its checksum or length is wrong)' });
    expect(parseExtendedPublicKey('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu')).toMatchObject({
      problem: expect.stringContaining('starts with xpub, ypub or zpub'),
    });
  });
});

describe('the gap-limit scan', () => {
  it('finds used addresses past gaps shorter than 20, stops after 20 unused, and names the next one', async () => {
    const key: ExtendedPublicKey = parsed(ZPUB);
    // history on receive 0, 1 and 19 (a gap of 17), and on change 0
    const withHistory = new Set([
      addressAt(key, 0, 0),
      addressAt(key, 0, 1),
      addressAt(key, 0, 19),
      addressAt(key, 1, 0),
    ]);
    const asked: string[] = [];
    const chains = await scanWallet(key, async (address) => {
      asked.push(address);
      return withHistory.has(address);
    });
    expect(chains[0]!.used.map((u) => u.index)).toEqual([0, 1, 19]);
    expect(chains[0]!.next).toEqual({ index: 20, address: addressAt(key, 0, 20) });
    expect(chains[1]!.used.map((u) => u.index)).toEqual([0]);
    // receive: up to 19, then 20 unused (20…39); change: 0, then 1…20
    expect(asked).toHaveLength(40 + 21);
  });
});

describe('watch-only', () => {
  it('refuses a recovery phrase, a private key and an extended private key, without repeating them', () => {
    const phrase =
      'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
    const inputs = [
      phrase,
      ZPRV,
      '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318',
      // the WIF of the private key 1 (a key everyone knows; compressed)
      'KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn',
    ];
    for (const input of inputs) {
      const problem = secretProblem(input);
      expect(problem, input.slice(0, 8)).toMatch(/Finexia only watches/);
      expect(problem).not.toContain(input);
      expect(problem).not.toContain(input.slice(0, 12));
    }
    expect(secretProblem(phrase)).toContain('12-word recovery phrase');
  });

  it('takes what is public: addresses and public keys', () => {
    for (const input of [
      ZPUB,
      'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu',
      '1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA',
      '0x52908400098527886E0F7030069857D2E4169EE7',
      // eleven words of the list are not a phrase
      'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
    ])
      expect(secretProblem(input), input).toBeUndefined();
  });
});

describe("a wallet's movements from its addresses' transactions", () => {
  const own = new Set(['bc1-a', 'bc1-b', 'bc1-change']);
  const tx = (
    txid: string,
    height: number,
    inputs: [string | null, number][],
    outputs: [string | null, number][],
  ): ChainTransaction => ({
    txid,
    height,
    blockTime: 1_700_000_000 + height * 600,
    inputs: inputs.map(([address, sats]) => ({ address, sats })),
    outputs: outputs.map(([address, sats]) => ({ address, sats })),
  });
  const received = tx(
    't1',
    10,
    [['them', 60_000]],
    [
      ['bc1-a', 50_000],
      ['them', 9_800],
    ],
  );
  // pays 30,000 out with a 200 fee, the change back to the wallet: out 30,200
  const paid = tx(
    't2',
    12,
    [['bc1-a', 50_000]],
    [
      ['shop', 30_000],
      ['bc1-change', 19_800],
    ],
  );
  // moves its own funds between its addresses: costs the fee only
  const shuffled = tx('t3', 13, [['bc1-change', 19_800]], [['bc1-b', 19_600]]);

  it('nets each transaction once, however many of its addresses it touched, oldest first', () => {
    // each address lists the transactions that touched it: t2 under two addresses, t3 under two
    const listed = [shuffled, paid, shuffled, paid, received];
    const moves = walletMovements(listed, own);
    expect(moves.map((m) => [m.txid, m.sats])).toEqual([
      ['t1', 50_000],
      ['t2', -30_200],
      ['t3', -200],
    ]);
    // by hand: what the wallet's addresses hold now
    expect(moves.reduce((s, m) => s + m.sats, 0)).toBe(19_600);
  });

  it('leaves out a transaction that moved nothing of the wallet', () => {
    const passing = tx('t4', 14, [['bc1-b', 1_000]], [['bc1-b', 1_000]]);
    expect(walletMovements([passing], own)).toEqual([]);
  });
});
