import { describe, expect, it } from 'vitest';
import { evmWatch } from './evm.ts';

describe('an Ethereum address to watch', () => {
  it('is taken in any case and kept checksummed (EIP-55’s own examples)', () => {
    for (const a of [
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
      '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    ]) {
      expect(evmWatch(a)).toEqual({ address: a });
      expect(evmWatch(a.toLowerCase())).toEqual({ address: a });
    }
  });

  it('refuses a mistyped checksum, something else, and a private key (saying why, never repeating it)', () => {
    const typo = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD';
    expect(evmWatch(typo)).toEqual({ problem: expect.stringMatching(/checksum/) });
    expect(evmWatch('0x1234')).toEqual({ problem: expect.stringMatching(/not an Ethereum address/) });
    const key = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
    const refused = evmWatch(key);
    expect(refused).toEqual({ problem: expect.stringMatching(/private key/) });
    expect(JSON.stringify(refused)).not.toContain(key.slice(2, 20));
  });
});
