// The official SDKs of Binance (`@binance/spot`), Coinbase (`coinbase-api`) and
// CoinGecko (`@coingecko/coingecko-typescript`) against our simulators, changing only
// base URLs and keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { Spot, SpotRestAPI } from '@binance/spot';
import { CBAdvancedTradeClient } from 'coinbase-api';
import Coingecko from '@coingecko/coingecko-typescript';
import { BinanceSimulator } from '../../providers/simulators/binance.ts';
import { CoinbaseSimulator } from '../../providers/simulators/coinbase.ts';
import { CoinGeckoSimulator } from '../../providers/simulators/coingecko.ts';
import { FxSimulator } from '../../providers/simulators/fx.ts';
import { CryptoMarket, FxMarket } from '../../providers/simulators/market.ts';

const market = new CryptoMarket({ seed: 5, assets: 40 });
const binance = new BinanceSimulator({ seed: 5, market, ticksPerSecond: 40 });
const coinbase = new CoinbaseSimulator({ seed: 5, market });
const fxMarket = new FxMarket(5, '2026-11-25');
const coingecko = new CoinGeckoSimulator({ seed: 5, market, fx: fxMarket });
const fx = new FxSimulator({ seed: 5, fx: fxMarket });
let urls: { binance: string; coinbase: string; coingecko: string; fx: string };

beforeAll(async () => {
  urls = {
    binance: await binance.listen(),
    coinbase: await coinbase.listen(),
    coingecko: await coingecko.listen(),
    fx: await fx.listen(),
  };
});
afterAll(async () => {
  await Promise.all([binance.close(), coinbase.close(), coingecko.close(), fx.close()]);
});

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('Binance simulator with @binance/spot', () => {
  const spot = (apiKey: string, apiSecret: string) =>
    new Spot({
      configurationRestAPI: { apiKey, apiSecret, basePath: urls.binance, timeout: 3_000 },
      configurationWebsocketStreams: { wsURL: binance.wsUrl },
    });

  it('reads a signed account with decimal-string balances and weight headers', async () => {
    const { apiKey, apiSecret } = binance.createAccount({ BTC: '0.5', ETH: '12.25' });
    const res = await spot(apiKey, apiSecret).restAPI.getAccount();
    const data = await res.data();
    expect(data.accountType).toBe('SPOT');
    expect(data.balances).toEqual([
      { asset: 'BTC', free: '0.50000000', locked: '0.00000000' },
      { asset: 'ETH', free: '12.25000000', locked: '0.00000000' },
    ]);
    expect(Number(res.headers['x-mbx-used-weight-1m'])).toBeGreaterThanOrEqual(20);
  });

  it('lists margin pairs as Binance does (clients that load markets with keys set ask before a balance)', async () => {
    const { apiKey, apiSecret } = binance.createAccount({ BTC: '1' });
    const get = (path: string, headers: Record<string, string>) =>
      fetch(`${urls.binance}${path}`, { headers }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    // GET /sapi/v1/margin/allPairs (MARKET_DATA: the API key, no signature)
    const cross = await get('/sapi/v1/margin/allPairs', { 'X-MBX-APIKEY': apiKey });
    expect(cross.status).toBe(200);
    expect(cross.body[0]).toEqual({
      id: expect.any(Number),
      symbol: expect.stringMatching(/USDT$/),
      base: expect.any(String),
      quote: 'USDT',
      isMarginTrade: true,
      isBuyAllowed: true,
      isSellAllowed: true,
    });
    expect((await get('/sapi/v1/margin/allPairs', {})).body).toEqual({
      code: -2014,
      msg: 'API-key format invalid.',
    });
    // GET /sapi/v1/margin/isolated/allPairs (USER_DATA: signed)
    const query = `timestamp=${Date.now()}`;
    const signature = createHmac('sha256', apiSecret).update(query).digest('hex');
    const isolated = await get(`/sapi/v1/margin/isolated/allPairs?${query}&signature=${signature}`, {
      'X-MBX-APIKEY': apiKey,
    });
    expect(isolated.status).toBe(200);
    expect(Object.keys(isolated.body[0]).sort()).toEqual(
      ['base', 'isBuyAllowed', 'isMarginTrade', 'isSellAllowed', 'quote', 'symbol'].sort(),
    );
    const unsigned = await get(`/sapi/v1/margin/isolated/allPairs?${query}`, { 'X-MBX-APIKEY': apiKey });
    expect(unsigned.body.code).toBe(-1102);
  });

  it('serves ticker prices and exchange info', async () => {
    const client = spot('x'.repeat(64), 'y');
    const one = await (await client.restAPI.tickerPrice({ symbol: 'ETHUSDT' })).data();
    expect(one).toMatchObject({ symbol: 'ETHUSDT' });
    expect((one as { price: string }).price).toMatch(/^\d+\.\d{8}$/);
    const many = await (await client.restAPI.tickerPrice({ symbols: ['BTCUSDT', 'SOLUSDT'] })).data();
    expect((many as { symbol: string }[]).map((t) => t.symbol)).toEqual(['BTCUSDT', 'SOLUSDT']);
    const info = await (await client.restAPI.exchangeInfo({ symbol: 'BTCUSDT' })).data();
    expect(info.symbols?.[0]).toMatchObject({
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      status: 'TRADING',
    });
    const bad = await rejection(client.restAPI.tickerPrice({ symbol: 'NOPEUSDT' }));
    expect(bad.code).toBe(-1121);
  });

  it('rejects a bad signature (-1022), an unknown key (-2015), a malformed key (-2014) and a stale timestamp (-1021)', async () => {
    const { apiKey } = binance.createAccount();
    expect((await rejection(spot(apiKey, 'wrong-secret').restAPI.getAccount())).code).toBe(-1022);
    expect((await rejection(spot('Z'.repeat(64), 'secret').restAPI.getAccount())).code).toBe(-2015);
    expect((await rejection(spot('short-key', 'secret').restAPI.getAccount())).code).toBe(-2014);
    // A request signed a minute ago: built by hand, as the SDK always stamps "now".
    const account = binance.createAccount();
    const query = `timestamp=${Date.now() - 60_000}&recvWindow=5000`;
    const signature = createHmac('sha256', account.apiSecret).update(query).digest('hex');
    const res = await fetch(`${urls.binance}/api/v3/account?${query}&signature=${signature}`, {
      headers: { 'X-MBX-APIKEY': account.apiKey },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
  });

  it('answers 429 with Retry-After and {code,msg}', async () => {
    binance.faults.update({ rateLimitBurst: 1, retryAfterSeconds: 7 });
    const res = await fetch(`${urls.binance}/api/v3/ticker/price?symbol=BTCUSDT`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(((await res.json()) as { code: number }).code).toBe(-1003);
    const sdkError = await (async () => {
      binance.faults.update({ rateLimitBurst: 1 });
      return rejection(spot('x'.repeat(64), 'y').restAPI.tickerPrice({ symbol: 'BTCUSDT' }));
    })();
    expect(sdkError.name).toBe('TooManyRequestsError');
  });

  it('streams miniTicker, the all-market array and trades through the SDK, with live SUBSCRIBE', async () => {
    const conn = await spot('x'.repeat(64), 'y').websocketStreams.connect();
    const mini: unknown[] = [];
    const all: unknown[][] = [];
    const trades: unknown[] = [];
    conn.miniTicker({ symbol: 'btcusdt' }).on('message', (m) => void mini.push(m));
    conn.allMiniTicker().on('message', (m) => void all.push(m as unknown[]));
    conn.trade({ symbol: 'ethusdt' }).on('message', (m) => void trades.push(m));
    await new Promise((r) => setTimeout(r, 2_600));
    await conn.disconnect();
    expect(all.length).toBeGreaterThanOrEqual(1);
    expect(all[0]!.length).toBeGreaterThan(0);
    expect(all[0]![0]).toMatchObject({ e: '24hrMiniTicker' });
    expect(mini.length + trades.length).toBeGreaterThan(0);
  });
});

describe('Coinbase simulator with coinbase-api', () => {
  it.each(['ES256', 'EdDSA'] as const)(
    'lists accounts with cursor pagination using %s keys',
    async (kind) => {
      const { apiKey, apiSecret } = coinbase.createKey(kind);
      const client = new CBAdvancedTradeClient({ apiKey, apiSecret, baseUrl: urls.coinbase });
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page += 1) {
        const res = await client.getAccounts({ limit: 5, ...(cursor ? { cursor } : {}) });
        seen.push(...res.accounts.map((a) => a.uuid));
        if (!res.has_next) break;
        cursor = res.cursor;
      }
      expect(seen.sort()).toEqual(
        coinbase
          .truth(apiKey)!
          .map((a) => a.uuid)
          .sort(),
      );
    },
  );

  it('refuses a wrong key with 401', async () => {
    const good = coinbase.createKey('ES256');
    const other = coinbase.createKey('ES256');
    const client = new CBAdvancedTradeClient({
      apiKey: good.apiKey,
      apiSecret: other.apiSecret,
      baseUrl: urls.coinbase,
    });
    const err = await rejection(client.getAccounts({ limit: 5 }));
    expect(JSON.stringify(err)).toMatch(/401|UNAUTHENTICATED/);
  });
});

describe('CoinGecko simulator with @coingecko/coingecko-typescript', () => {
  it('answers simple/price and coins/list with a demo key', async () => {
    const client = new Coingecko({
      baseURL: `${urls.coingecko}/api/v3`,
      demoAPIKey: 'CG-finexia-demo-key',
      maxRetries: 0,
    });
    const prices = await client.simple.price.get({
      ids: 'bitcoin,ethereum',
      vs_currencies: 'usd,eur',
      include_24hr_change: true,
      include_last_updated_at: true,
    });
    expect(prices.bitcoin?.usd).toBeGreaterThan(0);
    expect((prices.ethereum as Record<string, number> | undefined)?.eur).toBeGreaterThan(0);
    expect(prices.bitcoin).toHaveProperty('usd_24h_change');
    const list = await client.coins.list.get();
    expect(list.find((c) => c.id === 'bitcoin')).toMatchObject({ symbol: 'btc', name: 'Bitcoin' });
  });

  it('tells a coin’s history through coins/{id}/market_chart/range, the same as Binance’s klines', async () => {
    const client = new Coingecko({
      baseURL: `${urls.coingecko}/api/v3`,
      demoAPIKey: 'CG-finexia-demo-key',
      maxRetries: 0,
    });
    const day = 86_400_000;
    const today = Math.floor(Date.now() / day) * day;
    const chart = await client.coins.marketChart.getRange('bitcoin', {
      vs_currency: 'usd',
      from: new Date(today - 400 * day).toISOString().slice(0, 10),
      to: new Date(today - day).toISOString().slice(0, 10),
    });
    expect(chart.prices).toHaveLength(400);
    const [first, last] = [chart.prices[0]!, chart.prices.at(-1)!];
    expect(first[0]).toBe(today - 400 * day);
    expect(last[0]).toBe(today - day);
    expect(chart.market_caps).toHaveLength(400);
    // the same history from the exchange: each midnight's price is the day before's close
    const spot = new Spot({ configurationRestAPI: { apiKey: '', basePath: urls.binance, timeout: 3_000 } });
    const klines = await (
      await spot.restAPI.klines({
        symbol: 'BTCUSDT',
        interval: SpotRestAPI.KlinesIntervalEnum.INTERVAL_1d,
        startTime: today - 401 * day,
        endTime: today - 2 * day,
      })
    ).data();
    expect(klines).toHaveLength(400);
    for (const [i, k] of klines.entries()) {
      const [openTime, open, high, low, close] = k as [number, string, string, string, string];
      expect(openTime).toBe(today - (401 - i) * day);
      expect(Number(high)).toBeGreaterThanOrEqual(Math.max(Number(open), Number(close)));
      expect(Number(low)).toBeLessThanOrEqual(Math.min(Number(open), Number(close)));
      expect(Number(close)).toBeCloseTo(chart.prices[i]![1]!, 2);
    }
    const err = await rejection(
      spot.restAPI.klines({ symbol: 'BTCUSDT', interval: SpotRestAPI.KlinesIntervalEnum.INTERVAL_1h }),
    );
    expect(String(err.message)).toMatch(/Invalid interval/);
  });

  it('prices a token by its contract address on a platform, and leaves an unknown contract out', async () => {
    const client = new Coingecko({
      baseURL: `${urls.coingecko}/api/v3`,
      demoAPIKey: 'CG-finexia-demo-key',
      maxRetries: 0,
    });
    const weth = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2';
    const unknown = '0x000000000000000000000000000000000000dEaD';
    coingecko.registerContract('ethereum', weth, 'ethereum');
    const [byContract, byId] = await Promise.all([
      client.simple.tokenPrice.getID('ethereum', {
        contract_addresses: `${weth},${unknown}`,
        vs_currencies: 'usd',
        include_24hr_change: true,
        include_last_updated_at: true,
      }),
      client.simple.price.get({ ids: 'ethereum', vs_currencies: 'usd', include_24hr_change: true }),
    ]);
    // keyed by the address in lower case, at the price of the coin the contract is
    expect(Object.keys(byContract)).toEqual([weth.toLowerCase()]);
    expect(byContract[weth.toLowerCase()]?.usd).toBe(byId.ethereum?.usd);
    expect(byContract[weth.toLowerCase()]?.usd_24h_change).toBe(
      (byId.ethereum as Record<string, number> | undefined)?.usd_24h_change,
    );
    // the contract on another platform is another token: unknown there
    expect(
      await client.simple.tokenPrice.getID('polygon-pos', { contract_addresses: weth, vs_currencies: 'usd' }),
    ).toEqual({});
    // its history is the coin's, found through the contract
    const range = { vs_currency: 'usd', from: '2026-10-01', to: '2026-10-31' };
    const [tokenChart, coinChart] = await Promise.all([
      client.coins.contract.marketChart.getRange(weth, { id: 'ethereum', ...range }),
      client.coins.marketChart.getRange('ethereum', range),
    ]);
    expect(tokenChart.prices).toHaveLength(31); // each midnight from the 1st to the 31st
    expect(tokenChart.prices).toEqual(coinChart.prices);
    const notFound = await rejection(
      client.coins.contract.marketChart.getRange(unknown, { id: 'ethereum', ...range }),
    );
    expect(notFound.status).toBe(404);
    const listed = await client.coins.list.get({ include_platform: true });
    expect(listed.find((c) => c.id === 'ethereum')?.platforms).toEqual({ ethereum: weth.toLowerCase() });
  });

  it('refuses a missing key and reports 429 in CoinGecko’s shape', async () => {
    const noKey = await fetch(`${urls.coingecko}/api/v3/simple/price?ids=bitcoin&vs_currencies=usd`);
    expect(noKey.status).toBe(401);
    coingecko.faults.update({ rateLimitBurst: 1, retryAfterSeconds: 3 });
    const client = new Coingecko({
      baseURL: `${urls.coingecko}/api/v3`,
      demoAPIKey: 'CG-finexia-demo-key',
      maxRetries: 0,
    });
    const err = await rejection(client.simple.price.get({ ids: 'bitcoin', vs_currencies: 'usd' }));
    expect(err.status).toBe(429);
    expect(err.error).toMatchObject({ status: { error_code: 429 } });
  });
});

describe('FX simulator', () => {
  it('gives latest, dated and ranged rates, consistently', async () => {
    type Rates = { rates: Record<string, Record<string, number>> & Record<string, number> };
    const latest = (await (await fetch(`${urls.fx}/v1/latest?base=USD&symbols=EUR,GBP`)).json()) as Rates;
    expect(Object.keys(latest.rates)).toEqual(['EUR', 'GBP']);
    const day = (await (await fetch(`${urls.fx}/v1/2026-01-15?base=EUR&symbols=USD`)).json()) as {
      rates: Record<string, number>;
    };
    const range = (await (
      await fetch(`${urls.fx}/v1/2026-01-14..2026-01-16?base=EUR&symbols=USD`)
    ).json()) as {
      rates: Record<string, Record<string, number>>;
    };
    expect(range.rates['2026-01-15']?.USD).toBe(day.rates.USD);
    expect((await fetch(`${urls.fx}/v1/latest?base=XXX`)).status).toBe(422);
  });
});
