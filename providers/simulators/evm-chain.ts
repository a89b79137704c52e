// A local EVM chain made ready for the product: a real node (geth in dev mode, started by
// scripts/infra.ts, or any node at ETH_RPC_URL whose first account is unlocked and funded)
// with our contracts deployed on it — a Multicall3-compatible multicall and ERC-20 tokens,
// compiled from providers/evm/*.sol with solc (the compiler's npm build; the output is cached
// by source hash). Hooks pay an address ether, mint it tokens and move them, as people would on
// a real chain; the chain itself is the truth the tests compare with.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from 'viem';
import type { EvmChainConfig, EvmToken } from '../evm.adapter.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCES = join(HERE, '..', 'evm');
const CACHE = join(HERE, '..', '..', '.cache', 'evm');

interface Compiled {
  abi: Abi;
  bytecode: Hex;
}

/**
 * The tokens a local chain starts with, and the coin CoinGecko's platform table lists each one as
 * (the simulator's, by contract address): two coins an exchange also streams, wrapped ether that
 * only the price API prices (by contract: no exchange and no coin carries its symbol), and one
 * nobody prices.
 */
export const LOCAL_TOKENS = [
  { name: 'USD Coin', symbol: 'USDC', decimals: 6, coinId: 'usd-coin' },
  { name: 'Chainlink', symbol: 'LINK', decimals: 18, coinId: 'chainlink' },
  { name: 'Wrapped Ether', symbol: 'WETH', decimals: 18, coinId: 'ethereum' },
  { name: 'Finexia Test Token', symbol: 'FXT', decimals: 18, coinId: null },
] as const;

/** The price API's platform the local chain's tokens are listed on (as if they were Ethereum's). */
export const LOCAL_PRICE_PLATFORM = 'ethereum';

/** Our contracts, compiled once per version of their sources (solc-js takes ~2 s). */
export async function compiledContracts(): Promise<Record<'FinexiaToken' | 'Multicall', Compiled>> {
  const files = ['FinexiaToken.sol', 'Multicall.sol'];
  const sources = Object.fromEntries(
    files.map((f) => [f, { content: readFileSync(join(SOURCES, f), 'utf8') }]),
  );
  const { default: solc } = (await import('solc')) as {
    default: { compile(input: string): string; version(): string };
  };
  const hash = createHash('sha256')
    .update(solc.version())
    .update(JSON.stringify(sources))
    .digest('hex')
    .slice(0, 16);
  const cached = join(CACHE, `contracts-${hash}.json`);
  if (existsSync(cached))
    return JSON.parse(readFileSync(cached, 'utf8')) as Record<'FinexiaToken' | 'Multicall', Compiled>;
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources,
        settings: {
          optimizer: { enabled: true, runs: 200 },
          // geth's dev mode runs the latest fork; paris bytecode runs on every chain since the merge
          evmVersion: 'paris',
          outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
        },
      }),
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  const pick = (file: string, name: string): Compiled => {
    const c = output.contracts[file]?.[name];
    if (!c) throw new Error(`solc gave no ${name}`);
    return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  };
  const result = {
    FinexiaToken: pick('FinexiaToken.sol', 'FinexiaToken'),
    Multicall: pick('Multicall.sol', 'Multicall'),
  };
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${cached}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(result));
  renameSync(tmp, cached);
  return result;
}

export class LocalEvmChain {
  private constructor(
    readonly config: EvmChainConfig,
    private readonly publicClient: PublicClient,
    private readonly walletClient: WalletClient,
    /** the node's funded account that deployed everything (geth --dev's developer account) */
    private readonly funder: Address,
    private readonly token: Compiled,
  ) {}

  /** Deploys the multicall and LOCAL_TOKENS on the node at `rpcUrl`. */
  static async setUp(rpcUrl: string): Promise<LocalEvmChain> {
    const transport = http(rpcUrl, { retryCount: 2 });
    const publicClient = createPublicClient({ transport, pollingInterval: 200 });
    const walletClient = createWalletClient({ transport });
    const [funder] = await walletClient.getAddresses();
    if (!funder) throw new Error(`the node at ${rpcUrl} has no unlocked account to deploy from`);
    const chainId = await publicClient.getChainId();
    const contracts = await compiledContracts();
    const deploy = async (c: Compiled, args: readonly unknown[] = []) => {
      const hash = await walletClient.deployContract({
        abi: c.abi,
        bytecode: c.bytecode,
        args,
        account: funder,
        chain: null,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });
      if (!receipt.contractAddress) throw new Error('a deployment gave no contract address');
      return receipt.contractAddress;
    };
    const multicallAddress = await deploy(contracts.Multicall);
    const tokens: EvmToken[] = [];
    for (const t of LOCAL_TOKENS)
      tokens.push({
        address: await deploy(contracts.FinexiaToken, [t.name, t.symbol, t.decimals]),
        symbol: t.symbol,
        decimals: t.decimals,
      });
    const config: EvmChainConfig = {
      chainId,
      name: 'ethereum',
      rpcUrl,
      nativeSymbol: 'ETH',
      nativeDecimals: 18,
      multicallAddress,
      tokens,
      priceApiPlatform: LOCAL_PRICE_PLATFORM,
    };
    return new LocalEvmChain(config, publicClient, walletClient, funder, contracts.FinexiaToken);
  }

  /** The environment the product reads the chain from (config/index.ts). */
  get env(): Record<string, string> {
    return { EVM_CHAINS: JSON.stringify([this.config]) };
  }

  /** Sends `wei` of ether to an address; resolves once a block holds it. */
  async pay(to: string, wei: bigint): Promise<bigint> {
    const hash = await this.walletClient.sendTransaction({
      account: this.funder,
      to: getAddress(to),
      value: wei,
      chain: null,
    });
    return (await this.publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 })).blockNumber;
  }

  /** Mints `amount` base units of a token to an address; resolves once a block holds it. */
  async mint(symbol: string, to: string, amount: bigint): Promise<bigint> {
    const token = this.config.tokens.find((t) => t.symbol === symbol);
    if (!token) throw new Error(`no token ${symbol} on this chain`);
    const hash = await this.walletClient.writeContract({
      address: token.address,
      abi: this.token.abi,
      functionName: 'mint',
      args: [getAddress(to), amount],
      account: this.funder,
      chain: null,
    });
    return (await this.publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 })).blockNumber;
  }
}
