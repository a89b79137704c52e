// Our adapters (on the official SDKs) against the simulators, including injected faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlaidSimulator } from '../../providers/simulators/plaid.ts';
import { BinanceSimulator } from '../../providers/simulators/binance.ts';
import { CoinbaseSimulator } from '../../providers/simulators/coinbase.ts';
import { CoinGeckoSimulator } from '../../providers/simulators/coingecko.ts';
import { FxSimulator } from '../../providers/simulators/fx.ts';
import { CryptoMarket, FxMarket } from '../../providers/simulators/market.ts';
import { PlaidAdapter } from '../../providers/plaid.adapter.ts';
import { BinanceAdapter } from '../../providers/binance.adapter.ts';
import { CoinbaseAdapter } from '../../providers/coinbase.adapter.ts';
import { CoinGeckoAdapter } from '../../providers/coingecko.adapter.ts';
import { FxAdapter } from '../../providers/fx.adapter.ts';
import { ProviderError } from '../../domain/providers.ts';
import { Decimal } from '../../domain/money.ts';
import { waitFor } from '../helpers/wait.ts';

const market = new CryptoMarket({ seed: 9, assets: 30 });
const fxMarket = new FxMarket(9, '2026-11-25');
const plaidSim = new PlaidSimulator({ seed: 9, today: '2026-11-25', volume: 0.6 });
const binanceSim = new BinanceSimulator({ seed: 9, market, ticksPerSecond: 0 });
const coinbaseSim = new CoinbaseSimulator({ seed: 9, market });
const geckoSim = new CoinGeckoSimulator({ seed: 9, market, fx: fxMarket });
const fxSim = new FxSimulator({ seed: 9, fx: fxMarket });
const fast = { baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 2_000, maxAttempts: 6 };
let plaid: PlaidAdapter;
let binance: BinanceAdapter;
let coinbase: CoinbaseAdapter;
let gecko: CoinGeckoAdapter;
let fx: FxAdapter;

beforeAll(async () => {
  plaid = new PlaidAdapter({
    basePath: await plaidSim.listen(),
    clientId: 'finexia-client',
    secret: 'finexia-sandbox-secret',
    resilience: fast,
  });
  const binanceUrl = await binanceSim.listen();
  binance = new BinanceAdapter({
    basePath: binanceUrl,
    wsURL: binanceUrl.replace('http', 'ws'),
    resilience: fast,
  });
  coinbase = new CoinbaseAdapter({ baseUrl: await coinbaseSim.listen(), resilience: fast });
  gecko = new CoinGeckoAdapter({
    baseURL: `${await geckoSim.listen()}/api/v3`,
    demoApiKey: 'CG-finexia-demo-key',
    resilience: fast,
  });
  fx = new FxAdapter({ baseUrl: await fxSim.listen(), resilience: fast });
});
afterAll(async () => {
  await Promise.all([
    plaidSim.close(),
    binanceSim.close(),
    coinbaseSim.close(),
    geckoSim.close(),
    fxSim.close(),
  ]);
});

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error('expected a ProviderError');
}

describe('PlaidAdapter', () => {
  it('links, reads accounts with decimal-string balances, and syncs through 429s and 5xx', async () => {
    const link = await plaid.exchangePublicToken(await plaid.createSandboxPublicToken('ins_109508'));
    const accounts = await plaid.getAccounts(link.accessToken);
    expect(accounts).toHaveLength(3);
    expect(Decimal.tryParse(accounts[0]!.current ?? '')).toBeDefined();
    plaidSim.faults.update({ rateLimitBurst: 2, serverErrorRate: 0.2, retryAfterSeconds: 0 });
    const seen = new Map<string, string>();
    let cursor: string | null = null;
    for (;;) {
      const page = await plaid.syncTransactions(link.accessToken, cursor, 200);
      for (const t of [...page.added, ...page.modified]) seen.set(t.providerTransactionId, t.amount);
      for (const r of page.removed) seen.delete(r.providerTransactionId);
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    plaidSim.faults.update({ serverErrorRate: 0 });
    const truth = plaidSim.truth(plaidSim.itemIdFor(link.accessToken)!)!;
    expect(seen.size).toBe(truth.transactions.length);
    // Plaid's positive "money out" becomes our negative amount, exactly
    const t = truth.transactions[0]!;
    expect(seen.get(t.transaction_id)).toBe(Decimal.fromJsonNumber(t.amount).neg().toString());
    expect(plaidSim.faults.counts.rateLimited).toBeGreaterThanOrEqual(2);
  });

  it('explains ITEM_LOGIN_REQUIRED as "reconnect this bank" and does not retry it', async () => {
    const link = await plaid.exchangePublicToken(await plaid.createSandboxPublicToken('ins_109508'));
    await fetch(`${plaidSim.server.url}/sandbox/item/reset_login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'finexia-client',
        secret: 'finexia-sandbox-secret',
        access_token: link.accessToken,
      }),
    });
    const err = await providerError(plaid.getAccounts(link.accessToken));
    expect(err).toMatchObject({ code: 'ITEM_LOGIN_REQUIRED', action: 'reconnect', retryable: false });
    expect(err.userMessage).toMatch(/sign in again/i);
  });

  it('reports wrong sandbox credentials and mutation during pagination distinctly', async () => {
    const bad = await providerError(
      plaid.createSandboxPublicToken('ins_109508', { username: 'user_good', password: 'wrong' }),
    );
    expect(bad.code).toBe('INVALID_CREDENTIALS');
    const link = await plaid.exchangePublicToken(await plaid.createSandboxPublicToken('ins_109508'));
    const first = await plaid.syncTransactions(link.accessToken, null, 50);
    plaidSim.faults.update({ paginationMutationRate: 1 });
    const mutation = await providerError(plaid.syncTransactions(link.accessToken, first.nextCursor, 50));
    plaidSim.faults.update({ paginationMutationRate: 0 });
    expect(mutation.code).toBe('MUTATION_DURING_PAGINATION');
  });

  it('verifies webhook signatures and refuses forgeries', async () => {
    const body = JSON.stringify({
      webhook_type: 'TRANSACTIONS',
      webhook_code: 'SYNC_UPDATES_AVAILABLE',
      item_id: 'x',
    });
    expect(await plaid.verifyWebhook(body, undefined)).toBeUndefined();
    expect(await plaid.verifyWebhook(body, 'a.b.c')).toBeUndefined();
  });
});

describe('exchange adapters', () => {
  it('Binance: balances as decimal strings; a bad secret is INVALID_CREDENTIALS (check your keys)', async () => {
    const creds = binanceSim.createAccount({ BTC: '0.12345678', ETH: '3' });
    const balances = await binance.getBalances(creds);
    expect(balances).toEqual([
      { providerAccountId: 'BTC', asset: 'BTC', free: '0.12345678', locked: '0' },
      { providerAccountId: 'ETH', asset: 'ETH', free: '3', locked: '0' },
    ]);
    const err = await providerError(binance.getBalances({ apiKey: creds.apiKey, apiSecret: 'nope' }));
    expect(err).toMatchObject({ code: 'INVALID_CREDENTIALS', action: 'check-credentials' });
  });

  it('Binance: waits out a 429 burst', async () => {
    const creds = binanceSim.createAccount({ SOL: '10' });
    binanceSim.faults.update({ rateLimitBurst: 2, retryAfterSeconds: 0 });
    expect((await binance.getBalances(creds))[0]?.free).toBe('10');
  });

  it('Binance: streams the all-market tickers, and after a dropped stream reconnects and says so', async () => {
    const batches: { pair: string; price: string; ts: number }[][] = [];
    let reconnects = 0;
    const errors: Error[] = [];
    const stream = await binance.streamMiniTickers(
      {
        onTickers: (tickers) => void batches.push(tickers),
        onReconnect: () => void (reconnects += 1),
        onError: (err) => void errors.push(err),
      },
      50,
    );
    try {
      binanceSim.setTickRate(20);
      await waitFor(async () => (batches.length ? true : undefined), 20_000, 'a first batch of tickers');
      const first = batches[0]?.[0];
      expect(first?.pair).toMatch(/USDT$/);
      expect(Decimal.tryParse(first?.price ?? '')).toBeTruthy();
      expect(Math.abs((first?.ts ?? 0) - Date.now())).toBeLessThan(60_000);
      expect(binanceSim.dropStreams()).toBeGreaterThan(0);
      const before = batches.length;
      await waitFor(
        async () => (reconnects === 1 && batches.length > before ? true : undefined),
        20_000,
        'tickers again after the reconnect',
      );
    } finally {
      binanceSim.setTickRate(0);
      await stream.stop();
    }
  });

  it('Coinbase: pages every wallet; a wrong key is INVALID_CREDENTIALS', async () => {
    const creds = coinbaseSim.createKey('ES256');
    const balances = await coinbase.getBalances(creds);
    expect(balances.map((b) => b.providerAccountId).sort()).toEqual(
      coinbaseSim
        .truth(creds.apiKey)!
        .map((a) => a.uuid)
        .sort(),
    );
    const other = coinbaseSim.createKey('ES256');
    const err = await providerError(
      coinbase.getBalances({ apiKey: creds.apiKey, apiSecret: other.apiSecret }),
    );
    expect(err.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('price and FX adapters', () => {
  it('CoinGecko: prices as decimal strings, through a 429', async () => {
    geckoSim.faults.update({ rateLimitBurst: 1, retryAfterSeconds: 0 });
    const quotes = await gecko.getPrices(['bitcoin', 'ethereum'], ['USD', 'EUR']);
    expect(quotes).toHaveLength(4);
    expect(Decimal.parse(quotes[0]!.price).isNegative()).toBe(false);
  });

  it('CoinGecko: a token by contract, as its coin; an unknown contract left out, its history not found', async () => {
    const link = '0x514910771AF9Ca656af840dff83E8264EcF986CA';
    const unknown = '0x000000000000000000000000000000000000bEEF';
    geckoSim.registerContract('ethereum', link, 'chainlink');
    const [tokens, coins] = await Promise.all([
      gecko.getTokenPrices('ethereum', [link, unknown], ['USD']),
      gecko.getPrices(['chainlink'], ['USD']),
    ]);
    expect(tokens).toEqual([{ ...coins[0], id: link.toLowerCase() }]);
    const closes = await gecko.tokenDailyCloses('ethereum', link, 'USD', '2026-11-01', '2026-11-03');
    expect([...closes]).toEqual([
      ...(await gecko.dailyCloses('chainlink', 'USD', '2026-11-01', '2026-11-03')),
    ]);
    expect(closes.size).toBe(3);
    const err = await providerError(
      gecko.tokenDailyCloses('ethereum', unknown, 'USD', '2026-11-01', '2026-11-03'),
    );
    expect(err.code).toBe('NOT_FOUND');
  });

  it('FX: latest and dated rates', async () => {
    const latest = await fx.latest('USD', ['EUR', 'GBP']);
    expect(Object.keys(latest.rates).sort()).toEqual(['EUR', 'GBP']);
    const dated = await fx.on('2026-01-02', 'EUR', ['USD']);
    expect(dated.date).toBe('2026-01-02');
    const err = await providerError(fx.latest('XXX'));
    expect(err.code).toBe('INVALID_REQUEST');
  });
});
