// An Ethereum address against a real node (geth in dev mode, built with Go as FerretDB is), with
// real ERC-20 contracts compiled by solc and deployed on it, through the viem adapter: the native
// balance and every listed token's balance equal what was paid and minted (by hand, in base
// units), all read at one block; a transfer shows in the next block the adapter sees; a node
// that is not there is a provider failure, not a zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEthereumNode, type EthereumNode } from '../../scripts/ethereum-node.ts';
import { LocalEvmChain } from '../../providers/simulators/evm-chain.ts';
import { EvmAdapter } from '../../providers/evm.adapter.ts';
import { ProviderError } from '../../domain/providers.ts';
import { waitFor } from '../helpers/wait.ts';

let node: EthereumNode;
let chain: LocalEvmChain;
let adapter: EvmAdapter;
const ALICE = '0x00000000000000000000000000000000000a11ce';
const BOB = '0x0000000000000000000000000000000000000b0b';

beforeAll(async () => {
  node = await ensureEthereumNode();
  chain = await LocalEvmChain.setUp(node.rpcUrl);
  adapter = new EvmAdapter(chain.config, { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 });
}, 600_000);
afterAll(async () => {
  await node?.stop();
});

describe('an Ethereum address on a real node', () => {
  it('holds what was paid and minted to it, native and tokens, read at one block', async () => {
    expect(await adapter.chainId()).toBe(chain.config.chainId);
    await chain.pay(ALICE, 1_250_000_000_000_000_000n); // 1.25 ETH
    await chain.mint('USDC', ALICE, 1_234_560_000n); // 1,234.56 USDC (6 decimals)
    const last = await chain.mint('LINK', ALICE, 42n * 10n ** 18n); // 42 LINK
    const read = await adapter.readWallet(ALICE);
    expect(read.blockNumber).toBeGreaterThanOrEqual(last);
    expect(read.native).toBe(1_250_000_000_000_000_000n);
    expect(Object.fromEntries(read.tokens.map((t) => [t.token.symbol, t.balance]))).toEqual({
      USDC: 1_234_560_000n,
      LINK: 42_000_000_000_000_000_000n,
      WETH: 0n,
      FXT: 0n,
    });
    // an address written in lower case is the same address (EIP-55 is only a checksum)
    expect((await adapter.readWallet(ALICE.toLowerCase())).native).toBe(read.native);
  });

  it('sees a payment in the next block it is told of', async () => {
    const seen: bigint[] = [];
    const stop = adapter.watchBlocks(
      (n) => seen.push(n),
      (err) => {
        throw err;
      },
      200,
    );
    try {
      const before = (await adapter.readWallet(BOB)).native;
      const block = await chain.pay(BOB, 5n * 10n ** 17n);
      await waitFor(async () => (seen.some((n) => n >= block) ? true : undefined), 15_000, 'the new block');
      expect((await adapter.readWallet(BOB)).native - before).toBe(5n * 10n ** 17n);
    } finally {
      stop();
    }
  });

  it('reports a node that is not there as a provider failure, never as an empty wallet', async () => {
    const gone = new EvmAdapter(
      { ...chain.config, rpcUrl: 'http://127.0.0.1:9' },
      { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    );
    const err = await gone.readWallet(ALICE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).provider).toBe('ethereum');
    expect((err as ProviderError).retryable).toBe(true);
  });
});
