// An address on an EVM chain (Ethereum and the chains that share its addresses), watch-only: a
// 20-byte hex address, its EIP-55 checksum checked when it is written in mixed case (a typo in a
// checksummed address is refused, not watched). A secret is refused first (watch-only.ts).
import { getAddress, isAddress } from 'viem';
import { secretProblem } from './watch-only.ts';

export type EvmWatch = { address: `0x${string}` } | { problem: string };

export function evmWatch(text: string): EvmWatch {
  const t = text.trim();
  const secret = secretProblem(t);
  if (secret) return { problem: secret };
  if (!/^0x[0-9a-fA-F]{40}$/.test(t))
    return { problem: 'is not an Ethereum address (0x followed by 40 hexadecimal digits)' };
  // all lower or all upper case carries no checksum; mixed case must match it
  if (!isAddress(t, { strict: /[a-f]/.test(t.slice(2)) && /[A-F]/.test(t.slice(2)) }))
    return { problem: 'has a wrong checksum (EIP-55): a letter is mistyped; copy the address again' };
  return { address: getAddress(t) };
}
