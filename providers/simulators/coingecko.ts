// CoinGecko-compatible simulator: /api/v3/ping, /api/v3/simple/price, /api/v3/coins/list,
// a coin's market chart, and a token's by its contract address on a platform
// (/simple/token_price/:platform, /coins/:platform/contract/:address/market_chart/range), demo or
// pro key in headers (or query), 429 with retry-after. Prices come from the shared simulated
// market, converted to fiat with the simulated FX rates; which contract is which coin is the
// simulator's platform table (registerContract: our tokens deployed on a local chain).
import { seedFrom } from './random.ts';
import { CryptoMarket, FxMarket, e8ToDecimal, type Asset } from './market.ts';
import { Faults, SimServer, type FaultSettings, type Route, type SimResponse } from './sim-server.ts';

export interface CoinGeckoSimOptions {
  seed?: number;
  market?: CryptoMarket;
  fx?: FxMarket;
  apiKeys?: string[];
  faults?: Partial<FaultSettings>;
}

const status = (code: number, message: string, headers?: Record<string, string>): SimResponse => ({
  status: code,
  body: { status: { error_code: code, error_message: message } },
  ...(headers ? { headers } : {}),
});

export class CoinGeckoSimulator {
  readonly faults: Faults;
  readonly server: SimServer;
  private readonly market: CryptoMarket;
  private readonly fx: FxMarket;
  private readonly keys: Set<string>;
  /** contracts by platform, then lower-case address: the coin each one is (CoinGecko's `platforms`) */
  private readonly contracts = new Map<string, Map<string, Asset>>();

  constructor(options: CoinGeckoSimOptions = {}) {
    const seed = options.seed ?? 1;
    this.market = options.market ?? new CryptoMarket({ seed });
    this.fx = options.fx ?? new FxMarket(seed, new Date().toISOString().slice(0, 10));
    this.keys = new Set(options.apiKeys ?? ['CG-finexia-demo-key']);
    this.faults = new Faults(seedFrom(seed, 'coingecko-faults'), options.faults);
    this.server = new SimServer({
      name: 'coingecko',
      routes: this.routes(),
      faults: this.faults,
      errors: {
        rateLimited: (retryAfter) =>
          status(
            429,
            "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits.",
            { 'retry-after': String(retryAfter) },
          ),
        serverError: () => status(500, 'Internal Server Error'),
        notFound: () => ({ status: 404, body: { error: 'Not Found' } }),
        badRequest: (message) => status(400, message),
      },
    });
  }

  /** Lists a token contract on a platform as the coin `coinId` (a contract not listed is unknown). */
  registerContract(platform: string, address: string, coinId: string): void {
    const asset = this.market.assetById(coinId);
    if (!asset) throw new Error(`no coin ${coinId} in the simulated market`);
    const table = this.contracts.get(platform) ?? new Map<string, Asset>();
    table.set(address.toLowerCase(), asset);
    this.contracts.set(platform, table);
  }

  listen(port = 0, host?: string): Promise<string> {
    return this.server.listen(port, host);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private keyOk(headers: Record<string, string | string[] | undefined>, query: URLSearchParams): boolean {
    const key =
      headers['x-cg-demo-api-key'] ??
      headers['x-cg-pro-api-key'] ??
      query.get('x_cg_demo_api_key') ??
      query.get('x_cg_pro_api_key');
    return typeof key === 'string' && this.keys.has(key);
  }

  /**
   * A coin's price, market cap and volume over a range: one point per UTC midnight (the simulator
   * always answers daily; CoinGecko answers hourly for ranges under 90 days).
   */
  private chart(asset: Asset, query: URLSearchParams): SimResponse {
    const vs = (query.get('vs_currency') ?? '').toUpperCase();
    if (!vs) return status(400, 'Missing parameter vs_currency');
    const instant = (text: string | null) =>
      text === null
        ? NaN
        : /^\d+$/.test(text)
          ? Number(text) * 1000
          : Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`);
    const from = instant(query.get('from'));
    const to = instant(query.get('to'));
    if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) return status(400, 'Invalid from or to');
    const day = 86_400_000;
    const prices: [number, number][] = [];
    for (let t = Math.ceil(from / day) * day; t <= to && prices.length < 3700; t += day) {
      const rate = this.fx.ratesOn(new Date(t - day).toISOString().slice(0, 10))[vs];
      if (rate === undefined) return status(400, `Invalid vs_currency ${vs.toLowerCase()}`);
      // at midnight: the close of the day that just ended
      const usd = Number(
        e8ToDecimal(this.market.dailyClose(asset, new Date(t - day).toISOString().slice(0, 10))),
      );
      prices.push([t, Number((usd * rate).toPrecision(10))]);
    }
    return {
      body: {
        prices,
        market_caps: prices.map(([t, p]) => [t, Math.round(p * 19_000_000)]),
        total_volumes: prices.map(([t, p]) => [t, Math.round(p * 400_000)]),
      },
    };
  }

  /** A coin's entry in a simple price answer, in the currencies asked, with the extras asked for. */
  private quote(asset: Asset, query: URLSearchParams, vs: string[]): Record<string, number> {
    const rates = this.fx.ratesOn(new Date().toISOString().slice(0, 10));
    const flag = (name: string) => query.get(name) === 'true';
    const usd = Number(e8ToDecimal(asset.priceE8));
    const entry: Record<string, number> = {};
    for (const currency of vs) {
      const rate = rates[currency.toUpperCase()];
      if (rate === undefined) continue;
      const price = usd * rate;
      entry[currency] = Number(price.toPrecision(10));
      if (flag('include_market_cap')) entry[`${currency}_market_cap`] = Math.round(price * 19_000_000);
      if (flag('include_24hr_vol')) entry[`${currency}_24h_vol`] = Math.round(price * 400_000);
      if (flag('include_24hr_change'))
        entry[`${currency}_24h_change`] = Number(
          ((Number(asset.priceE8 - asset.openE8) / Number(asset.openE8)) * 100).toFixed(6),
        );
    }
    if (flag('include_last_updated_at')) entry.last_updated_at = Math.floor(asset.updatedAt / 1000);
    return entry;
  }

  private routes(): Route[] {
    const denied = status(401, 'Missing or invalid API key. Set x-cg-demo-api-key.');
    const vsOf = (query: URLSearchParams) =>
      (query.get('vs_currencies') ?? '').toLowerCase().split(',').filter(Boolean);
    return [
      {
        method: 'GET',
        path: '/api/v3/ping',
        handler: (req) =>
          this.keyOk(req.headers, req.query) ? { body: { gecko_says: '(V3) To the Moon!' } } : denied,
      },
      {
        method: 'GET',
        path: '/api/v3/coins/list',
        handler: (req) => {
          if (!this.keyOk(req.headers, req.query)) return denied;
          const withPlatforms = req.query.get('include_platform') === 'true';
          return {
            body: this.market.assets.map((a) => ({
              id: a.id,
              symbol: a.symbol.toLowerCase(),
              name: a.name,
              ...(withPlatforms ? { platforms: this.platformsOf(a) } : {}),
            })),
          };
        },
      },
      {
        method: 'GET',
        path: '/api/v3/coins/:id/market_chart/range',
        handler: (req) => {
          if (!this.keyOk(req.headers, req.query)) return denied;
          const asset = this.market.assetById(req.params.id ?? '');
          return asset ? this.chart(asset, req.query) : status(404, 'coin not found');
        },
      },
      {
        // a token's chart by its contract on a platform (the id is the platform's, not the coin's)
        method: 'GET',
        path: '/api/v3/coins/:id/contract/:address/market_chart/range',
        handler: (req) => {
          if (!this.keyOk(req.headers, req.query)) return denied;
          const asset = this.contracts
            .get(req.params.id ?? '')
            ?.get((req.params.address ?? '').toLowerCase());
          return asset ? this.chart(asset, req.query) : { status: 404, body: { error: 'coin not found' } };
        },
      },
      {
        method: 'GET',
        path: '/api/v3/simple/price',
        handler: (req) => {
          if (!this.keyOk(req.headers, req.query)) return denied;
          const vs = vsOf(req.query);
          if (!vs.length) return status(400, 'Missing parameter vs_currencies');
          const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
          const symbols = (req.query.get('symbols') ?? '').toLowerCase().split(',').filter(Boolean);
          if (!ids.length && !symbols.length) return status(400, 'Missing parameter ids');
          const out: Record<string, Record<string, number>> = {};
          const assets = [
            ...ids.map((id) => this.market.assetById(id)),
            ...symbols.map((s) => this.market.asset(s.toUpperCase())),
          ];
          for (const asset of assets) {
            if (!asset) continue; // CoinGecko silently omits unknown ids
            out[ids.includes(asset.id) ? asset.id : asset.symbol.toLowerCase()] = this.quote(
              asset,
              req.query,
              vs,
            );
          }
          return { body: out };
        },
      },
      {
        // tokens by contract address on a platform: keyed by the address in lower case; an
        // address CoinGecko does not know is left out of the answer
        method: 'GET',
        path: '/api/v3/simple/token_price/:id',
        handler: (req) => {
          if (!this.keyOk(req.headers, req.query)) return denied;
          const vs = vsOf(req.query);
          if (!vs.length) return status(400, 'Missing parameter vs_currencies');
          const addresses = (req.query.get('contract_addresses') ?? '')
            .toLowerCase()
            .split(',')
            .filter(Boolean);
          if (!addresses.length) return status(400, 'Missing parameter contract_addresses');
          const table = this.contracts.get(req.params.id ?? '') ?? new Map<string, Asset>();
          const out: Record<string, Record<string, number>> = {};
          for (const address of addresses) {
            const asset = table.get(address);
            if (asset) out[address] = this.quote(asset, req.query, vs);
          }
          return { body: out };
        },
      },
    ];
  }

  /** A coin's contracts by platform, as `/coins/list?include_platform=true` lists them. */
  private platformsOf(asset: Asset): Record<string, string> {
    const platforms: Record<string, string> = {};
    for (const [platform, table] of this.contracts)
      for (const [address, a] of table) if (a === asset) platforms[platform] = address;
    return platforms;
  }
}
