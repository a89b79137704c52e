// All provider simulators in one place: started in-process by `npm start` and the tests,
// or one at a time by `npm run sim:<name>`. They share one simulated market.
import { LOCAL_PRICE_PLATFORM, LOCAL_TOKENS, LocalEvmChain } from './evm-chain.ts';
import { PlaidSimulator } from './plaid.ts';
import { BinanceSimulator } from './binance.ts';
import { CoinbaseSimulator } from './coinbase.ts';
import { CoinGeckoSimulator } from './coingecko.ts';
import { EsploraSimulator } from './esplora.ts';
import { FxSimulator } from './fx.ts';
import { CryptoMarket, FxMarket } from './market.ts';
import { SecuritiesMarket } from './securities.ts';
import { SecuritiesFeedSimulator, SIM_FEED_KEY_ID, SIM_FEED_SECRET } from './securities-feed.ts';
import type { FaultSettings } from './sim-server.ts';

export const SIM_PLAID_CLIENT_ID = 'finexia-client';
export const SIM_PLAID_SECRET = 'finexia-sandbox-secret';
export const SIM_COINGECKO_KEY = 'CG-finexia-demo-key';

export interface SimulatorOptions {
  seed: number;
  /** crypto assets in the market (Binance symbols) */
  assets?: number;
  ticksPerSecond?: number;
  /** trades a second on the securities feed while the US market is open (default: ticksPerSecond / 4) */
  securityTradesPerSecond?: number;
  /** synthetic US stocks beside the listed securities (benchmarks) */
  stocks?: number;
  /** bank data volume (1 ≈ 2,600 transactions per item over 24 months: a household's two to four card payments a day) */
  bankVolume?: number;
  /** months of history a new bank item has (24 by default) */
  bankMonths?: number;
  /** chance a bank day carries an injected anomaly (0.02 by default: the anomaly evaluation's rate) */
  bankAnomalyRate?: number;
  today?: string;
  faults?: Partial<FaultSettings>;
  /** where they listen: loopback and free ports by default; a deployment's demo node gives
   * 0.0.0.0 and a base port (Plaid on it, then Binance, Coinbase, CoinGecko, FX, Esplora, the securities feed) */
  host?: string;
  basePort?: number;
  /** a real Ethereum node (its first account unlocked and funded): our tokens are deployed on it */
  ethereumRpcUrl?: string;
}

export interface Simulators {
  plaid: PlaidSimulator;
  binance: BinanceSimulator;
  coinbase: CoinbaseSimulator;
  coingecko: CoinGeckoSimulator;
  /** a Bitcoin chain (Esplora's REST shape) */
  esplora: EsploraSimulator;
  fx: FxSimulator;
  market: CryptoMarket;
  /** stocks, funds and bonds: what brokerage items hold */
  securities: SecuritiesMarket;
  /** US stocks' and ETFs' trades and closes (Alpaca's shape) */
  securitiesFeed: SecuritiesFeedSimulator;
  /** an EVM chain on a real node, when one was given (ethereumRpcUrl) */
  evm?: LocalEvmChain;
  /** the environment variables that point Finexia's adapters at these simulators */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSimulators(options: SimulatorOptions): Promise<Simulators> {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const market = new CryptoMarket({ seed: options.seed, assets: options.assets ?? 60 });
  const fxMarket = new FxMarket(options.seed, today);
  const securities = new SecuritiesMarket(options.seed, today, options.stocks ?? 0);
  const plaid = new PlaidSimulator({
    securities,
    seed: options.seed,
    today,
    volume: options.bankVolume ?? 1,
    ...(options.bankMonths === undefined ? {} : { months: options.bankMonths }),
    ...(options.bankAnomalyRate === undefined ? {} : { anomalyRate: options.bankAnomalyRate }),
    faults: options.faults,
  });
  const binance = new BinanceSimulator({
    seed: options.seed,
    market,
    ticksPerSecond: options.ticksPerSecond ?? 20,
    faults: options.faults,
  });
  const coinbase = new CoinbaseSimulator({ seed: options.seed, market, faults: options.faults });
  const coingecko = new CoinGeckoSimulator({
    seed: options.seed,
    market,
    fx: fxMarket,
    faults: options.faults,
  });
  const fx = new FxSimulator({ seed: options.seed, fx: fxMarket, faults: options.faults });
  const esplora = new EsploraSimulator({ seed: options.seed, faults: options.faults });
  const securitiesFeed = new SecuritiesFeedSimulator({
    seed: options.seed,
    market: securities,
    tradesPerSecond: options.securityTradesPerSecond ?? Math.round((options.ticksPerSecond ?? 20) / 4),
    faults: options.faults,
  });
  const port = (i: number) => (options.basePort ? options.basePort + i : 0);
  const [plaidUrl, binanceUrl, coinbaseUrl, geckoUrl, fxUrl, esploraUrl, feedUrl] = await Promise.all([
    plaid.listen(port(0), options.host),
    binance.listen(port(1), options.host),
    coinbase.listen(port(2), options.host),
    coingecko.listen(port(3), options.host),
    fx.listen(port(4), options.host),
    esplora.listen(port(5), options.host),
    securitiesFeed.listen(port(6), options.host),
  ]);
  const evm = options.ethereumRpcUrl ? await LocalEvmChain.setUp(options.ethereumRpcUrl) : undefined;
  // the price API knows the chain's tokens by their contracts, as CoinGecko knows Ethereum's
  for (const token of evm?.config.tokens ?? []) {
    const coinId = LOCAL_TOKENS.find((t) => t.symbol === token.symbol)?.coinId;
    if (coinId) coingecko.registerContract(LOCAL_PRICE_PLATFORM, token.address, coinId);
  }
  return {
    plaid,
    binance,
    coinbase,
    coingecko,
    fx,
    esplora,
    market,
    securities,
    securitiesFeed,
    ...(evm ? { evm } : {}),
    env: {
      ...evm?.env,
      PLAID_URL: plaidUrl,
      PLAID_CLIENT_ID: SIM_PLAID_CLIENT_ID,
      PLAID_SECRET: SIM_PLAID_SECRET,
      BINANCE_URL: binanceUrl,
      BINANCE_WS_URL: binance.wsUrl,
      COINBASE_URL: coinbaseUrl,
      COINGECKO_URL: `${geckoUrl}/api/v3`,
      COINGECKO_API_KEY: SIM_COINGECKO_KEY,
      FX_URL: fxUrl,
      ESPLORA_URL: esploraUrl,
      SECURITIES_FEED_URL: feedUrl,
      SECURITIES_FEED_WS_URL: `${securitiesFeed.wsUrl}/v2/iex`,
      SECURITIES_FEED_KEY_ID: SIM_FEED_KEY_ID,
      SECURITIES_FEED_SECRET: SIM_FEED_SECRET,
    },
    async stop() {
      await Promise.all([
        plaid.close(),
        binance.close(),
        coinbase.close(),
        coingecko.close(),
        fx.close(),
        esplora.close(),
        securitiesFeed.close(),
      ]);
    },
  };
}
