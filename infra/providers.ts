// The process's provider adapters, built once from config. A provider that is not
// configured fails with a clear message when first used, not at start.
import { config } from '../config/index.ts';
import { PlaidAdapter } from '../providers/plaid.adapter.ts';
import { BinanceAdapter } from '../providers/binance.adapter.ts';
import { CoinbaseAdapter } from '../providers/coinbase.adapter.ts';
import { CoinGeckoAdapter } from '../providers/coingecko.adapter.ts';
import { FxAdapter } from '../providers/fx.adapter.ts';
import { ProviderError } from '../domain/providers.ts';
import type { ExchangeProvider } from '../domain/providers.ts';
import type { ResilienceOptions } from '../providers/resilience.ts';

let cache: {
  plaid?: PlaidAdapter;
  binance?: BinanceAdapter;
  coinbase?: CoinbaseAdapter;
  coingecko?: CoinGeckoAdapter;
  fx?: FxAdapter;
} = {};
let resilience: Partial<ResilienceOptions> = {};

/** Tests shorten backoff delays; production keeps the defaults. */
export function setProviderResilience(options: Partial<ResilienceOptions>): void {
  resilience = options;
  cache = {};
}

function missing(provider: 'plaid' | 'binance' | 'coinbase' | 'coingecko' | 'fx', variables: string) {
  return new ProviderError(provider, 'UNAVAILABLE', `${provider} is not configured (set ${variables})`, {
    userMessage: `${provider} is not available on this server.`,
  });
}

export const providers = {
  plaid(): PlaidAdapter {
    const cfg = config().providers.plaid;
    if (!cfg) throw missing('plaid', 'PLAID_URL, PLAID_CLIENT_ID, PLAID_SECRET');
    cache.plaid ??= new PlaidAdapter({
      basePath: cfg.url,
      clientId: cfg.clientId,
      secret: cfg.secret,
      webhookUrl: cfg.webhookUrl,
      resilience,
    });
    return cache.plaid;
  },
  exchange(name: 'binance' | 'coinbase'): ExchangeProvider {
    if (name === 'binance') {
      const cfg = config().providers.binance;
      if (!cfg) throw missing('binance', 'BINANCE_URL');
      cache.binance ??= new BinanceAdapter({
        basePath: cfg.url,
        ...(cfg.wsUrl ? { wsURL: cfg.wsUrl } : {}),
        resilience,
      });
      return cache.binance;
    }
    const cfg = config().providers.coinbase;
    if (!cfg) throw missing('coinbase', 'COINBASE_URL');
    cache.coinbase ??= new CoinbaseAdapter({ baseUrl: cfg.url, resilience });
    return cache.coinbase;
  },
  coingecko(): CoinGeckoAdapter {
    const cfg = config().providers.coingecko;
    if (!cfg) throw missing('coingecko', 'COINGECKO_URL, COINGECKO_API_KEY');
    cache.coingecko ??= new CoinGeckoAdapter({ baseURL: cfg.url, demoApiKey: cfg.apiKey, resilience });
    return cache.coingecko;
  },
  fx(): FxAdapter {
    const cfg = config().providers.fx;
    if (!cfg) throw missing('fx', 'FX_URL');
    cache.fx ??= new FxAdapter({ baseUrl: cfg.url, resilience });
    return cache.fx;
  },
};
