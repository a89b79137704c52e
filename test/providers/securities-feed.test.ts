// The securities feed simulator through Alpaca's official SDK (@alpacahq/alpaca-trade-api) and
// through our adapter: snapshots against the previous session's close, daily bars paged, and
// trades streamed (msgpack) only while a session is open on the market's calendar — nothing on
// a Saturday, on Thanksgiving, or after the 13:00 early close the day after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketData, streaming } from '@alpacahq/alpaca-trade-api';
import { SecuritiesMarket } from '../../providers/simulators/securities.ts';
import {
  SecuritiesFeedSimulator,
  SIM_FEED_KEY_ID,
  SIM_FEED_SECRET,
} from '../../providers/simulators/securities-feed.ts';
import { AlpacaAdapter } from '../../providers/alpaca.adapter.ts';
import { waitFor } from '../helpers/wait.ts';

const ANCHOR = '2026-11-25';
let market: SecuritiesMarket;
let feed: SecuritiesFeedSimulator;
let url: string;
let clock = Date.parse('2026-11-25T15:00:00Z'); // Wednesday 10:00 in New York: open

beforeAll(async () => {
  market = new SecuritiesMarket(5, ANCHOR);
  feed = new SecuritiesFeedSimulator({ seed: 5, market, now: () => clock });
  url = await feed.listen();
});
afterAll(() => feed.close());

const sdk = () =>
  new marketData.StockApi(
    new marketData.Configuration({ basePath: url, keyId: SIM_FEED_KEY_ID, secret: SIM_FEED_SECRET }),
  );
const cents = (n: number) => Math.round(n * 100);

describe('the securities feed with the Alpaca SDK', () => {
  it('answers snapshots measured against the previous session close, for US stocks and ETFs only', async () => {
    const snaps = await sdk().stockSnapshots({ symbols: 'AAPL,VTI,SAP,VTSAX' });
    expect(Object.keys(snaps).sort()).toEqual(['AAPL', 'VTI']);
    const apple = market.security('AAPL');
    expect(cents(snaps.AAPL!.prevDailyBar!.c)).toBe(market.closeCents(apple, '2026-11-24'));
    expect(snaps.AAPL!.prevDailyBar!.t.toISOString().slice(0, 10)).toBe('2026-11-24');
  });

  it('pages daily bars, one per session, each the market close', async () => {
    const apple = market.security('AAPL');
    const seen: [string, number][] = [];
    let pageToken: string | undefined;
    do {
      const page = await sdk().stockBars({
        symbols: 'AAPL',
        timeframe: '1Day',
        start: new Date('2026-10-28T00:00:00Z'),
        end: new Date('2026-11-24T23:59:59Z'),
        limit: 7,
        ...(pageToken ? { pageToken } : {}),
      });
      // the SDK types a bar's time as a Date; it hands over the JSON's text
      for (const bar of page.bars.AAPL ?? [])
        seen.push([new Date(bar.t).toISOString().slice(0, 10), cents(bar.c)]);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    // 28 October to 24 November 2026: 20 sessions (weekdays; no holiday falls in it)
    expect(seen).toHaveLength(20);
    for (const [day, close] of seen) expect(close, day).toBe(market.closeCents(apple, day));
    expect(seen.map(([d]) => d)).not.toContain('2026-11-07'); // a Saturday
  });

  it('streams trades in msgpack while a session is open, and none when the market is closed', async () => {
    const trades: { symbol: string; price: number }[] = [];
    const stream = new streaming.StockDataStream({
      credentials: { keyId: SIM_FEED_KEY_ID, secret: SIM_FEED_SECRET },
      url: `${feed.wsUrl}/v2/iex`,
      reconnect: false,
    });
    stream.onTrade((t) => trades.push({ symbol: t.symbol, price: t.price }));
    stream.onConnect(() => stream.subscribeForTrades(['AAPL']));
    stream.connect();
    try {
      await waitFor(async () => (feed.subscribed('AAPL') ? true : undefined), 5_000, 'the subscription');
      expect(feed.trade('AAPL', 23_012)).toBe(true);
      await waitFor(async () => (trades.length ? true : undefined), 5_000, 'the trade');
      expect(trades).toEqual([{ symbol: 'AAPL', price: 230.12 }]);
      // the snapshot's last trade is that trade
      expect((await sdk().stockSnapshots({ symbols: 'AAPL' })).AAPL!.latestTrade!.p).toBe(230.12);
      for (const closed of [
        '2026-11-28T15:00:00Z', // Saturday
        '2026-11-26T15:00:00Z', // Thanksgiving
        '2026-11-27T18:30:00Z', // the day after, after its 13:00 close
        '2026-11-25T13:00:00Z', // before the open (08:00 in New York)
      ]) {
        clock = Date.parse(closed);
        expect(feed.trade('AAPL', 25_000), closed).toBe(false);
      }
      clock = Date.parse('2026-11-27T17:30:00Z'); // 12:30 the day after Thanksgiving: still open
      expect(feed.trade('AAPL', 23_100)).toBe(true);
      await waitFor(async () => (trades.length === 2 ? true : undefined), 5_000, 'the second trade');
      expect(trades[1]).toEqual({ symbol: 'AAPL', price: 231 });
      // a new session measures its change against the last one's close: Wednesday's last trade
      expect(cents((await sdk().stockSnapshots({ symbols: 'AAPL' })).AAPL!.prevDailyBar!.c)).toBe(23_012);
    } finally {
      stream.disconnect();
      clock = Date.parse('2026-11-25T15:00:00Z');
    }
  });

  it('refuses wrong keys on REST and on the stream', async () => {
    const wrong = new marketData.StockApi(
      new marketData.Configuration({ basePath: url, keyId: SIM_FEED_KEY_ID, secret: 'nope' }),
    );
    await expect(wrong.stockSnapshots({ symbols: 'AAPL' })).rejects.toMatchObject({ status: 401 });
    const stream = new streaming.StockDataStream({
      credentials: { keyId: SIM_FEED_KEY_ID, secret: 'nope' },
      url: `${feed.wsUrl}/v2/iex`,
      reconnect: false,
    });
    stream.connect();
    const result = await stream.waitForAuthenticationResult(5_000);
    expect(result.authenticated).toBe(false);
    stream.disconnect();
  });
});

describe('our Alpaca adapter', () => {
  it('gives snapshots, closes by day and trades in decimal text', async () => {
    const adapter = new AlpacaAdapter({
      dataUrl: url,
      streamUrl: `${feed.wsUrl}/v2/iex`,
      keyId: SIM_FEED_KEY_ID,
      secret: SIM_FEED_SECRET,
    });
    const vti = market.security('VTI');
    const [snap] = await adapter.snapshots(['VTI']);
    expect(snap).toMatchObject({
      symbol: 'VTI',
      previousClose: (market.closeCents(vti, '2026-11-24') / 100).toString(),
    });
    // many symbols at once (a market-open follow) are asked a hundred a request; none is lost
    const many = [...Array.from({ length: 150 }, (_, i) => `ZZ${i}`), 'AAPL', 'VTI'];
    expect((await adapter.snapshots(many)).map((x) => x.symbol).sort()).toEqual(['AAPL', 'VTI']);
    const closes = await adapter.dailyCloses('VTI', '2026-11-16', '2026-11-20');
    expect([...closes.keys()]).toEqual([
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
    ]);
    expect(closes.get('2026-11-18')).toBe((market.closeCents(vti, '2026-11-18') / 100).toString());
    const trades: string[] = [];
    const stream = adapter.streamTrades({
      onTrade: (t) => trades.push(`${t.symbol} ${t.price}`),
      onReconnect: () => undefined,
      onError: () => undefined,
    });
    stream.subscribe(['VTI']);
    try {
      // the subscription reaches the feed once the socket is authenticated
      await waitFor(
        async () => (feed.trade('VTI', 29_105) && trades.length ? true : undefined),
        5_000,
        'a trade',
      );
      expect(trades[0]).toBe('VTI 291.05');
    } finally {
      stream.stop();
    }
  });
});
