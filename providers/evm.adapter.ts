// An EVM chain (Ethereum, or any chain that speaks its JSON-RPC) read with viem: an address's
// native balance and its balances of a list of ERC-20 tokens, in one multicall at one block, and
// the chain's new blocks as they come. Which chain, its RPC address, its Multicall3 and its
// tokens are configuration: another EVM chain is another entry, not more code.
import { createPublicClient, erc20Abi, getAddress, http, HttpRequestError, type PublicClient } from 'viem';
import { ProviderError, type EvmChainConfig, type EvmToken } from '../domain/providers.ts';

export type { EvmChainConfig, EvmToken };
import { resilientCaller, type ResilienceOptions } from './resilience.ts';

/** What an address holds at one block: its native balance and each listed token's, in base units. */
export interface EvmWalletRead {
  blockNumber: bigint;
  native: bigint;
  tokens: { token: EvmToken; balance: bigint }[];
}

export class EvmAdapter {
  private readonly client: PublicClient;
  private readonly call;

  constructor(
    readonly chain: EvmChainConfig,
    resilience?: Partial<ResilienceOptions>,
  ) {
    // viem's own retries are off: ours (with the circuit breaker) decide
    this.client = createPublicClient({ transport: http(chain.rpcUrl, { retryCount: 0, timeout: 10_000 }) });
    this.call = resilientCaller('ethereum', resilience, toProviderError);
  }

  /** The node's chain id (a node on another chain than configured is refused by the caller). */
  chainId(): Promise<number> {
    return this.call('chainId', () => this.client.getChainId());
  }

  blockNumber(): Promise<bigint> {
    return this.call('blockNumber', () => this.client.getBlockNumber({ cacheTime: 0 }));
  }

  /** An address's native balance and token balances, read at one block (the tokens in one eth_call). */
  readWallet(address: string): Promise<EvmWalletRead> {
    const owner = getAddress(address);
    const { multicallAddress, tokens } = this.chain;
    return this.call('readWallet', async () => {
      const blockNumber = await this.client.getBlockNumber({ cacheTime: 0 });
      const [native, balances] = await Promise.all([
        this.client.getBalance({ address: owner, blockNumber }),
        tokens.length
          ? this.client.multicall({
              multicallAddress,
              blockNumber,
              allowFailure: true,
              contracts: tokens.map((t) => ({
                address: t.address,
                abi: erc20Abi,
                functionName: 'balanceOf' as const,
                args: [owner] as const,
              })),
            })
          : [],
      ]);
      return {
        blockNumber,
        native,
        tokens: tokens.map((token, i) => {
          const r = balances[i];
          // a token whose call failed (no contract there at that block) is reported, not read as 0
          if (!r || r.status !== 'success')
            throw new ProviderError('ethereum', 'UNAVAILABLE', `balanceOf failed on ${token.symbol}`);
          return { token, balance: r.result };
        }),
      };
    });
  }

  /** Calls `onBlock` with each new block number (polled); returns the function that stops it. */
  watchBlocks(
    onBlock: (blockNumber: bigint) => void,
    onError: (err: Error) => void,
    pollMs = 1_000,
  ): () => void {
    return this.client.watchBlockNumber({
      emitOnBegin: false,
      poll: true,
      pollingInterval: pollMs,
      onBlockNumber: onBlock,
      onError,
    });
  }
}

function toProviderError(err: unknown): unknown {
  if (err instanceof ProviderError) return err;
  if (err instanceof HttpRequestError)
    return new ProviderError(
      'ethereum',
      err.status === 429
        ? 'RATE_LIMITED'
        : err.status && err.status < 500
          ? 'INVALID_REQUEST'
          : 'UNAVAILABLE',
      `ethereum RPC failed: ${err.shortMessage}`,
      { ...(err.status ? { status: err.status } : {}) },
    );
  return new ProviderError('ethereum', 'UNAVAILABLE', `ethereum RPC failed: ${(err as Error).message}`);
}
