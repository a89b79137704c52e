// The market service's stored candles and its price-API polling, on a real broker and database.
import type { CandleStore } from '../../services/market/candles.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import type { CandleList, SessionResponse } from '@finexia/contracts/api.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Decimal } from '../../domain/money.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

let sims: Simulators;
let node: TestNode;
let user: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 71, bankVolume: 0.04, ticksPerSecond: 0, today: '2026-11-25' });
  // no exchange stream on this node: every held asset lacks a live price, so the price API is polled
  const { BINANCE_WS_URL: _stream, ...env } = sims.env;
  node = await startNode({ ...env, COINGECKO_POLL_INTERVAL: '1s' });
  user = await register(node.baseUrl);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

const ingest = (ticks: object[]) => node.broker.call('market.ingest', { ticks });

describe('candles', () => {
  it('folds ticks into minute candles, stores the closed ones once, and serves them with the open one', async () => {
    // two ticks in the previous minute (still fresh enough to be accepted) and one in this minute
    let now = Date.now();
    if (now % 60_000 > 45_000) await new Promise((r) => setTimeout(r, 60_000 - (now % 60_000) + 100));
    now = Date.now();
    const minute = now - (now % 60_000);
    await ingest([
      { symbol: 'ZZT', price: '10.5', ts: minute - 9_000, source: 'test' },
      { symbol: 'ZZT', price: '12', ts: minute - 5_000, source: 'test' },
    ]);
    await new Promise((r) => setTimeout(r, 250));
    await ingest([{ symbol: 'ZZT', price: '11', ts: now, source: 'test' }]);
    await new Promise((r) => setTimeout(r, 250));
    const { candleStore } = node.broker.getLocalService('market') as unknown as { candleStore: CandleStore };
    await candleStore.flush();
    await candleStore.flush(); // a second flush stores nothing twice

    const res = await request<CandleList>(
      node.baseUrl,
      'GET',
      '/api/v1/market/candles?symbol=ZZT&interval=1m',
    );
    expect(res.status).toBe(200);
    expect(res.body.candles).toEqual([
      {
        symbol: 'ZZT',
        interval: '1m',
        t: new Date(minute - 60_000).toISOString(),
        open: '10.5',
        high: '12',
        low: '10.5',
        close: '12',
        ticks: 2,
      },
      {
        symbol: 'ZZT',
        interval: '1m',
        t: new Date(minute).toISOString(),
        open: '11',
        high: '11',
        low: '11',
        close: '11',
        ticks: 1,
      },
    ]);
    const bad = await request<ErrorBody>(
      node.baseUrl,
      'GET',
      '/api/v1/market/candles?symbol=ZZT&interval=5m',
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields?.[0]?.field).toBe('interval');
  }, 80_000);
});

describe('FX rates', () => {
  it('are published as ticks: the price of a currency in USD', async () => {
    const eur = await waitFor(
      async () => {
        const { prices } = await node.broker.call<
          { prices: { symbol: string; price: string; source: string }[] },
          { symbols: string[] }
        >('market.prices', { symbols: ['EUR'] });
        return prices[0];
      },
      10_000,
      'an EUR rate',
    );
    const fx = (await (await fetch(`${sims.env.FX_URL}/v1/latest?base=USD&symbols=EUR`)).json()) as {
      rates: { EUR: number };
    };
    expect(eur).toMatchObject({ source: 'fx' });
    expect(eur.price).toBe(Decimal.parse('1').div(Decimal.fromJsonNumber(fx.rates.EUR)).toString());
  });
});

describe('price API polling', () => {
  it('prices held assets the stream lacks from CoinGecko', async () => {
    const creds = sims.binance.createAccount({ ADA: '1000' });
    const linked = await request(node.baseUrl, 'POST', '/api/v1/wallets/exchange', {
      token: user.accessToken,
      body: { provider: 'binance', ...creds },
    });
    expect(linked.status).toBe(201);
    const price = await waitFor(
      async () => {
        const { prices } = await node.broker.call<
          { prices: { symbol: string; price: string; source: string }[] },
          { symbols: string[] }
        >('market.prices', { symbols: ['ADA'] });
        return prices[0];
      },
      15_000,
      'an ADA price from the price API',
    );
    expect(price.source).toBe('coingecko');
    const quote = (await (
      await fetch(`${sims.env.COINGECKO_URL}/simple/price?ids=cardano&vs_currencies=usd`, {
        headers: { 'x-cg-demo-api-key': sims.env.COINGECKO_API_KEY as string },
      })
    ).json()) as { cardano?: { usd: number } };
    expect(Number(price.price)).toBeCloseTo(quote.cardano?.usd ?? NaN, 6);
  }, 30_000);
});
