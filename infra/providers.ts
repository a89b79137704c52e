// A broker's provider adapters, built from its config on first use. A provider that is not
// configured fails with a clear message when first used, not at start.
import { configOf, type Config } from '../config/index.ts';
import { PlaidAdapter } from '../providers/plaid.adapter.ts';
import { BinanceAdapter } from '../providers/binance.adapter.ts';
import { CoinbaseAdapter } from '../providers/coinbase.adapter.ts';
import { CoinGeckoAdapter } from '../providers/coingecko.adapter.ts';
import { FxAdapter } from '../providers/fx.adapter.ts';
import { EsploraAdapter } from '../providers/esplora.adapter.ts';
import { EvmAdapter } from '../providers/evm.adapter.ts';
import { AlpacaAdapter } from '../providers/alpaca.adapter.ts';
import { ProviderError } from '../domain/providers.ts';
import type { ExchangeProvider, ProviderName } from '../domain/providers.ts';

function missing(provider: ProviderName, variables: string) {
  return new ProviderError(provider, 'UNAVAILABLE', `${provider} is not configured (set ${variables})`, {
    userMessage: `${provider} is not available on this server.`,
  });
}

/** The adapters one config reaches; each is made once, when first asked for. */
export class Providers {
  private plaidAdapter?: PlaidAdapter;
  private binanceAdapter?: BinanceAdapter;
  private coinbaseAdapter?: CoinbaseAdapter;
  private coingeckoAdapter?: CoinGeckoAdapter;
  private fxAdapter?: FxAdapter;
  private esploraAdapter?: EsploraAdapter;
  private alpacaAdapter?: AlpacaAdapter;
  private readonly evmAdapters = new Map<string, EvmAdapter>();

  constructor(private readonly cfg: Pick<Config, 'providers' | 'providerRetry'>) {}

  plaid(): PlaidAdapter {
    const plaid = this.cfg.providers.plaid;
    if (!plaid) throw missing('plaid', 'PLAID_URL, PLAID_CLIENT_ID, PLAID_SECRET');
    this.plaidAdapter ??= new PlaidAdapter({
      basePath: plaid.url,
      clientId: plaid.clientId,
      secret: plaid.secret,
      webhookUrl: plaid.webhookUrl,
      resilience: this.cfg.providerRetry,
    });
    return this.plaidAdapter;
  }

  exchange(name: 'binance' | 'coinbase'): ExchangeProvider {
    return name === 'binance' ? this.binance() : this.coinbase();
  }

  binance(): BinanceAdapter {
    const binance = this.cfg.providers.binance;
    if (!binance) throw missing('binance', 'BINANCE_URL');
    this.binanceAdapter ??= new BinanceAdapter({
      basePath: binance.url,
      ...(binance.wsUrl ? { wsURL: binance.wsUrl } : {}),
      resilience: this.cfg.providerRetry,
    });
    return this.binanceAdapter;
  }

  coinbase(): CoinbaseAdapter {
    const coinbase = this.cfg.providers.coinbase;
    if (!coinbase) throw missing('coinbase', 'COINBASE_URL');
    this.coinbaseAdapter ??= new CoinbaseAdapter({
      baseUrl: coinbase.url,
      resilience: this.cfg.providerRetry,
    });
    return this.coinbaseAdapter;
  }

  coingecko(): CoinGeckoAdapter {
    const coingecko = this.cfg.providers.coingecko;
    if (!coingecko) throw missing('coingecko', 'COINGECKO_URL, COINGECKO_API_KEY');
    this.coingeckoAdapter ??= new CoinGeckoAdapter({
      baseURL: coingecko.url,
      demoApiKey: coingecko.apiKey,
      resilience: this.cfg.providerRetry,
    });
    return this.coingeckoAdapter;
  }

  fx(): FxAdapter {
    const fx = this.cfg.providers.fx;
    if (!fx) throw missing('fx', 'FX_URL');
    this.fxAdapter ??= new FxAdapter({ baseUrl: fx.url, resilience: this.cfg.providerRetry });
    return this.fxAdapter;
  }

  /** US stocks' and ETFs' live prices and past closes. */
  securitiesFeed(): AlpacaAdapter {
    const feed = this.cfg.providers.securitiesFeed;
    if (!feed)
      throw missing(
        'alpaca',
        'SECURITIES_FEED_URL, SECURITIES_FEED_WS_URL, SECURITIES_FEED_KEY_ID, SECURITIES_FEED_SECRET',
      );
    this.alpacaAdapter ??= new AlpacaAdapter({
      dataUrl: feed.url,
      streamUrl: feed.wsUrl,
      keyId: feed.keyId,
      secret: feed.secret,
      resilience: this.cfg.providerRetry,
    });
    return this.alpacaAdapter;
  }

  esplora(): EsploraAdapter {
    const esplora = this.cfg.providers.esplora;
    if (!esplora) throw missing('esplora', 'ESPLORA_URL');
    this.esploraAdapter ??= new EsploraAdapter({ baseURL: esplora.url, resilience: this.cfg.providerRetry });
    return this.esploraAdapter;
  }

  /** The EVM chains configured (EVM_CHAINS), by name. */
  evmChains(): string[] {
    return this.cfg.providers.evm.map((c) => c.name);
  }

  evm(name: string): EvmAdapter {
    let adapter = this.evmAdapters.get(name);
    if (adapter) return adapter;
    const chain = this.cfg.providers.evm.find((c) => c.name === name);
    if (!chain) throw missing('ethereum', `EVM_CHAINS with a chain named ${name}`);
    this.evmAdapters.set(name, (adapter = new EvmAdapter(chain, this.cfg.providerRetry)));
    return adapter;
  }
}

const byConfig = new WeakMap<Config, Providers>();

/** The providers of the broker a service runs on (one set of adapters per config). */
export function providersOf(broker: object): Providers {
  const cfg = configOf(broker);
  let providers = byConfig.get(cfg);
  if (!providers) byConfig.set(cfg, (providers = new Providers(cfg)));
  return providers;
}
