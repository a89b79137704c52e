// Ethereum wallets on chain, watch-only, on the service tier (wallets on one broker, the real
// database, a real geth node with our ERC-20s deployed): added by address, holding what the
// chain says (ether and the listed tokens it holds, by symbol, figures by hand), moved by the
// next block after a transfer (the node follows the chain, no sync asked); a private key refused with why, stored nowhere, in no log line.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callAs, startServices, type TestNode } from '../helpers/node.ts';
import { captureConsole } from '../helpers/logs.ts';
import { waitFor } from '../helpers/wait.ts';
import { ensureEthereumNode, type EthereumNode } from '../../scripts/ethereum-node.ts';
import { LocalEvmChain } from '../../providers/simulators/evm-chain.ts';
import type { ChainList, WalletList, WalletView } from '@finexia/contracts/api.ts';

const KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const ADDRESS = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const logged: string[] = [];
let eth: EthereumNode;
let chain: LocalEvmChain;
let node: TestNode;
const user = { id: randomUUID() };

beforeAll(async () => {
  captureConsole(logged);
  eth = await ensureEthereumNode((line) => logged.push(line));
  chain = await LocalEvmChain.setUp(eth.rpcUrl);
  // a second EVM chain is configuration only: the same node under another name
  node = await startServices(['wallets'], {
    EVM_CHAINS: JSON.stringify([chain.config, { ...chain.config, name: 'devnet' }]),
    LOG_LEVEL: 'info',
  });
}, 600_000);

afterAll(async () => {
  await node?.stop();
  await eth?.stop();
  vi.restoreAllMocks();
});

const holdingsOf = (w: WalletView) =>
  Object.fromEntries((w.accounts[0]?.holdings ?? []).map((h) => [h.asset, h.quantity]));

describe('an Ethereum wallet, watch-only', () => {
  it('refuses a private key, says why, stores nothing and logs nothing of it', async () => {
    const err = (await callAs(node, user, 'wallets.connectChain', { chain: 'ethereum', watch: KEY }).then(
      () => undefined,
      (e: unknown) => e,
    )) as { type?: string; data?: { fields?: { field: string; message: string }[] } } | undefined;
    expect(err?.type).toBe('VALIDATION_FAILED');
    expect(err?.data?.fields?.[0]).toMatchObject({
      field: 'watch',
      message: expect.stringMatching(/private key/),
    });
    expect((await callAs<WalletList>(node, user, 'wallets.list')).wallets).toHaveLength(0);
    expect(logged.join('\n')).not.toContain(KEY.slice(2, 30));
  });

  it('by address: ether and the listed tokens it holds, as the chain holds them; a transfer shows within a block', async () => {
    await chain.pay(ADDRESS, 2_500_000_000_000_000_000n); // 2.5 ETH
    await chain.mint('USDC', ADDRESS, 1_000_500_000n); // 1,000.50 USDC
    await chain.mint('FXT', ADDRESS, 7n * 10n ** 18n); // 7 of a token nobody prices
    const wallet = await callAs<WalletView>(node, user, 'wallets.connectChain', {
      chain: 'ethereum',
      watch: ADDRESS.toLowerCase(),
    });
    expect(wallet).toMatchObject({
      kind: 'chain',
      provider: 'evm',
      chain: 'ethereum',
      name: 'Ethereum wallet',
    });
    // LINK, which it does not hold, is not listed
    expect(holdingsOf(wallet)).toEqual({ ETH: '2.5', USDC: '1000.5', FXT: '7' });
    // no sync asked for: the node follows the chain's blocks and reads the address again
    await chain.pay(ADDRESS, 10n ** 17n);
    const moved = await waitFor(
      async () => {
        const w = await callAs<WalletView>(node, user, 'wallets.get', { id: wallet.id });
        return holdingsOf(w).ETH === '2.6' ? w : undefined;
      },
      30_000,
      'the transfer in the wallet',
    );
    expect(holdingsOf(moved)).toEqual({ ETH: '2.6', USDC: '1000.5', FXT: '7' });
  });

  it('watches on any configured EVM chain, and says which chains there are', async () => {
    const { chains } = await callAs<ChainList>(node, user, 'wallets.chains');
    expect(chains.map((c) => [c.name, c.kind, c.nativeSymbol])).toEqual([
      ['bitcoin', 'bitcoin', 'BTC'],
      ['ethereum', 'evm', 'ETH'],
      ['devnet', 'evm', 'ETH'],
    ]);
    const other = await callAs<WalletView>(node, user, 'wallets.connectChain', {
      chain: 'devnet',
      watch: ADDRESS,
    });
    expect(other).toMatchObject({ provider: 'evm', chain: 'devnet', name: 'Devnet wallet' });
    expect(holdingsOf(other).USDC).toBe('1000.5');
    const err = (await callAs(node, user, 'wallets.connectChain', { chain: 'polygon', watch: ADDRESS }).then(
      () => undefined,
      (e: unknown) => e,
    )) as { type?: string; data?: { fields?: { field: string; message: string }[] } } | undefined;
    expect(err?.type).toBe('VALIDATION_FAILED');
    expect(err?.data?.fields?.[0]).toMatchObject({
      field: 'chain',
      message: 'is not a chain this server watches (bitcoin, ethereum, devnet)',
    });
  });

  it('refuses what is not an address, and a mistyped checksum', async () => {
    for (const watch of ['0x1234', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'])
      await expect(
        callAs(node, user, 'wallets.connectChain', { chain: 'ethereum', watch }),
      ).rejects.toMatchObject({
        type: 'VALIDATION_FAILED',
      });
  });
});
