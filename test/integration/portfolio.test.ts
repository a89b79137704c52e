// Tick → market → portfolio actor → ws on a real broker: the live net worth moves by
// qty × Δp, equals a full recompute, and bad ticks change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import type {
  AnomalyPage,
  HistoryResponse,
  SessionResponse,
  ValueAtResponse,
} from '@finexia/contracts/api.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Decimal } from '../../domain/money.ts';
import { applyDelta, type PortfolioDelta, type PortfolioView } from '@finexia/contracts/portfolio.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';
import type { MarketStats } from '@finexia/contracts/internal.ts';
import type { HistoryWritten, MovesReported } from '../../services/portfolio/portfolio.service.ts';
import { NetWorthPoint } from '../../infra/models/history.model.ts';

let sims: Simulators;
let node: TestNode;
let user: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 55, bankVolume: 0.1, ticksPerSecond: 0, today: '2026-11-25' });
  node = await startNode(sims.env);
  user = await register(node.baseUrl);
  const creds = sims.binance.createAccount({ BTC: '0.5', ETH: '2' });
  expect(
    (
      await request(node.baseUrl, 'POST', '/api/v1/wallets/exchange', {
        token: user.accessToken,
        body: { provider: 'binance', ...creds },
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await request(node.baseUrl, 'POST', '/api/v1/wallets/manual', {
        token: user.accessToken,
        body: { name: 'Cash', manualType: 'cash', currency: 'USD', balance: '100.25' },
      })
    ).status,
  ).toBe(201);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

const portfolio = async () =>
  (await request<PortfolioView>(node.baseUrl, 'GET', '/api/v1/portfolio', { token: user.accessToken })).body;
/** The portfolio once it shows what a test waits for (ticks, syncs and settings apply a moment later). */
const portfolioWhen = (shows: (p: PortfolioView) => boolean, what: string, timeoutMs = 20_000) =>
  waitFor(
    async () => {
      const p = await portfolio();
      return shows(p) ? p : undefined;
    },
    timeoutMs,
    what,
  );
const expected = (p: PortfolioView) =>
  Decimal.parse('0.5')
    .mul(Decimal.parse(p.prices.BTC ?? '0'))
    .add(Decimal.parse('2').mul(Decimal.parse(p.prices.ETH ?? '0')))
    .add(Decimal.parse('100.25'));

describe('live portfolio', () => {
  it('values holdings at the last prices plus cash', async () => {
    const p = await portfolio();
    expect(Decimal.parse(p.prices.BTC ?? '0').isZero()).toBe(false);
    expect(p.netWorthUsd).toBe(expected(p).toString());
    expect(p.netWorth).toBe(expected(p).round(2).toString());
  });

  it('moves with a tick and pushes the new net worth over ws with a higher sequence number', async () => {
    const before = await portfolio();
    const ws = TestSocket.connect(node.wsUrl, { token: user.accessToken });
    await ws.next((f) => f.type === 'welcome');
    await node.broker.call('market.ingest', {
      ticks: [{ symbol: 'BTC', price: '100000.12345678', ts: Date.now(), source: 'test' }],
    });
    // the client's view: the snapshot it got on connect with the pushed deltas applied
    const pushed = await ws.nextView((v) => v.prices.BTC === '100000.12345678');
    const delta = ws.frames.findLast((f) => f.type === 'event' && f.event === 'portfolio.updated');
    // a delta names what changed (BTC), not what did not (ETH)
    expect((delta?.data as { changed: { prices?: Record<string, string> } }).changed.prices).toEqual({
      BTC: '100000.12345678',
    });
    expect(pushed.seq).toBeGreaterThan(before.seq);
    expect(pushed.prices.BTC).toBe('100000.12345678');
    expect(pushed.netWorthUsd).toBe(expected(pushed).toString());
    const moved = Decimal.parse(pushed.netWorthUsd).sub(Decimal.parse(before.netWorthUsd));
    expect(moved.toString()).toBe(
      Decimal.parse('0.5')
        .mul(Decimal.parse('100000.12345678').sub(Decimal.parse(before.prices.BTC ?? '0')))
        .toString(),
    );
    await ws.close();
  });

  it('rejects bad ticks with a counter and changes nothing', async () => {
    const before = await portfolio();
    const statsBefore = await node.broker.call<MarketStats>('market.stats');
    await node.broker.call('market.ingest', {
      ticks: [
        { symbol: 'BTC', price: '0', ts: Date.now() },
        { symbol: 'BTC', price: 'abc', ts: Date.now() },
        { symbol: 'BTC', price: '1', ts: Date.now() - 3_600_000 },
        { symbol: 'BTC', price: '-5', ts: Date.now() },
        'not a tick',
      ],
    });
    const total = (s: { rejected: Record<string, number> }) =>
      Object.values(s.rejected).reduce((a, b) => a + b, 0);
    await waitFor(
      async () => {
        const stats = await node.broker.call<MarketStats>('market.stats');
        return total(stats) - total(statsBefore) >= 5 ? true : undefined;
      },
      20_000,
      'the five bad ticks counted',
    );
    // a good tick after them: once it shows, the bad ones have had every chance to apply
    await node.broker.call('market.ingest', {
      ticks: [{ symbol: 'ETH', price: '3333.33', ts: Date.now(), source: 'test' }],
    });
    const after = await portfolioWhen((p) => p.prices.ETH === '3333.33', 'the good tick');
    const stats = await node.broker.call<MarketStats>('market.stats');
    expect(total(stats) - total(statsBefore)).toBe(5);
    // BTC is where it was, and the net worth moved by the good tick alone
    expect(after.prices.BTC).toBe(before.prices.BTC);
    expect(after.netWorthUsd).toBe(expected(after).toString());
    expect(Decimal.parse(after.netWorthUsd).sub(Decimal.parse(before.netWorthUsd)).toString()).toBe(
      Decimal.parse('2')
        .mul(Decimal.parse('3333.33').sub(Decimal.parse(before.prices.ETH ?? '0')))
        .toString(),
    );
  });

  it('follows holdings changes from a wallet sync', async () => {
    const creds = sims.binance.createAccount({ SOL: '10' });
    await request(node.baseUrl, 'POST', '/api/v1/wallets/exchange', {
      token: user.accessToken,
      body: { provider: 'binance', ...creds },
    });
    const p = await portfolioWhen(
      (p) => p.prices.SOL !== undefined,
      'the SOL holding in the portfolio',
      30_000,
    );
    const sol = Decimal.parse('10').mul(Decimal.parse(p.prices.SOL ?? '0'));
    expect(Decimal.parse(p.netWorthUsd).sub(expected(p)).toString()).toBe(sol.toString());
  });
});

describe('base currency', () => {
  it('shows the portfolio in the user’s base currency, converted exactly from USD', async () => {
    const res = await request(node.baseUrl, 'PATCH', '/api/v1/users/me/preferences', {
      token: user.accessToken,
      body: { baseCurrency: 'EUR' },
    });
    expect(res.status).toBe(200);
    const p = await portfolioWhen((p) => p.currency === 'EUR', 'the portfolio in EUR');
    const fx = (await (await fetch(`${sims.env.FX_URL}/v1/latest?base=USD&symbols=EUR`)).json()) as {
      rates: { EUR: number };
    };
    expect(p.netWorth).toBe(
      Decimal.parse(p.netWorthUsd).mul(Decimal.fromJsonNumber(fx.rates.EUR)).round(2).toString(),
    );
  });
});

describe('subscribing', () => {
  it('sends a snapshot on connect, then deltas', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: user.accessToken });
    const snapshot = (await ws.next((f) => f.type === 'snapshot')).data as PortfolioView;
    expect(snapshot.netWorthUsd).toBe((await portfolio()).netWorthUsd);
    await node.broker.call('market.ingest', {
      ticks: [{ symbol: 'ETH', price: '4000.5', ts: Date.now(), source: 'test' }],
    });
    const update = await ws.nextView((v) => v.prices.ETH === '4000.5');
    expect(update.seq).toBeGreaterThan(snapshot.seq);
    // the SOL wallet from the sync test is part of it too
    expect(update.netWorthUsd).toBe(
      expected(update)
        .add(Decimal.parse('10').mul(Decimal.parse(update.prices.SOL ?? '0')))
        .toString(),
    );
    await ws.close();
  });

  it('resumes a reconnecting client from its last sequence number, or sends a snapshot', async () => {
    const first = TestSocket.connect(node.wsUrl, { token: user.accessToken });
    const start = await first.nextView(() => true);
    await first.close();
    // ticks while the client is away
    for (const price of ['4100', '4200']) {
      await node.broker.call('market.ingest', {
        ticks: [{ symbol: 'ETH', price, ts: Date.now(), source: 'test' }],
      });
      await portfolioWhen((p) => p.prices.ETH === price, `ETH at ${price}`);
    }
    // a second socket of the same user keeps the gateway's memory of the deltas warm
    const other = TestSocket.connect(node.wsUrl, { token: user.accessToken });
    await other.next((f) => f.type === 'snapshot');
    await node.broker.call('market.ingest', {
      ticks: [{ symbol: 'ETH', price: '4300', ts: Date.now(), source: 'test' }],
    });
    await other.nextView((v) => v.prices.ETH === '4300');
    const back = TestSocket.connect(`${node.wsUrl}?since=${start.epoch}.${start.seq}`, {
      token: user.accessToken,
    });
    const resumed = await back.next((f) => f.type === 'resumed' || f.type === 'snapshot');
    if (resumed.type === 'resumed') {
      // no snapshot: the missed deltas, in order, rebuild the current view from the old one
      expect(back.frames.some((f) => f.type === 'snapshot')).toBe(false);
      const deltas = back.frames.filter((f) => f.type === 'event').map((f) => f.data as PortfolioDelta);
      let view = start;
      for (const d of deltas) {
        const applied = applyDelta(view, d);
        expect(applied.ok).toBe(true);
        if (applied.ok) view = applied.view;
      }
      expect(view.prices.ETH).toBe('4300');
      expect(view.netWorthUsd).toBe((await portfolio()).netWorthUsd);
    } else {
      throw new Error('expected to resume from the deltas the gateway kept');
    }
    // an unknown epoch gets a fresh snapshot instead
    back.send({ type: 'resume', epoch: '00000000-0000-4000-8000-000000000000', seq: 1 });
    await back.next((f) => f.type === 'snapshot');
    // a bad resume message gets an error naming the field, and the socket stays open
    back.send({ type: 'resume', epoch: start.epoch, seq: 'x' });
    const err = await back.next((f) => f.type === 'error');
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining("'seq'") });
    await Promise.all([back.close(), other.close()]);
  });
});

describe('net worth history', () => {
  it('records points, answers ranges ending with the live value, and the value at a past instant', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const written = await node.broker.call<HistoryWritten>('portfolio.writeHistoryNow');
    const live = await portfolio();
    // this minute's point is stored: written now (then it holds the live value), or already by
    // the minute's first writer (the first point of a minute wins)
    const stored = await NetWorthPoint.findOne({
      userId: user.user.id,
      t: { $gte: new Date(minute) },
    }).lean();
    expect(stored).not.toBeNull();
    if (written.written > 0) expect(stored?.value).toBe(live.netWorth);
    const res = await request<HistoryResponse>(node.baseUrl, 'GET', '/api/v1/portfolio/history?range=1D', {
      token: user.accessToken,
    });
    expect(res.status).toBe(200);
    expect(res.body.currency).toBe(live.currency);
    // at least the point recorded when the actor activated, and the live value last
    expect(res.body.points.length).toBeGreaterThanOrEqual(2);
    expect(res.body.points.at(-1)?.value).toBe(live.netWorth);
    const times = res.body.points.map((p) => Date.parse(p.t));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const first = res.body.points[0] as { t: string; value: string };
    // an instant within the last second is answered with the live value (valueAt): in a run that
    // started in a minute's first second, the first point was that recent and the live value came back
    await waitFor(
      async () => (Date.now() - Date.parse(first.t) > 1_500 ? true : undefined),
      5_000,
      'the first point to be in the past',
    );
    const at = await request<ValueAtResponse>(
      node.baseUrl,
      'GET',
      `/api/v1/portfolio/history/at?t=${encodeURIComponent(first.t)}`,
      { token: user.accessToken },
    );
    expect(at.status).toBe(200);
    expect(at.body).toMatchObject({ value: first.value, recordedAt: first.t });

    const before = await request(node.baseUrl, 'GET', '/api/v1/portfolio/history/at?t=2001-01-01T00:00:00Z', {
      token: user.accessToken,
    });
    expect(before.status).toBe(404);
    const bad = await request<ErrorBody>(node.baseUrl, 'GET', '/api/v1/portfolio/history?range=2D', {
      token: user.accessToken,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields?.[0]?.field).toBe('range');
  });

  it('reports the day change against the value at the start of the user’s day', async () => {
    const before = await portfolio();
    expect(Decimal.parse(before.netWorth).sub(Decimal.parse(before.dayOpen)).toString()).toBe(
      before.dayChange,
    );
    await node.broker.call('market.ingest', {
      ticks: [{ symbol: 'BTC', price: '120000', ts: Date.now(), source: 'test' }],
    });
    const after = await portfolioWhen((p) => p.prices.BTC === '120000', 'BTC at 120000');
    // the tick moved it: a day change compared as 0 = 0 would prove nothing
    expect(after.netWorth).not.toBe(before.netWorth);
    expect(after.dayOpen).toBe(before.dayOpen);
    expect(Decimal.parse(after.dayChange).sub(Decimal.parse(before.dayChange)).toString()).toBe(
      Decimal.parse(after.netWorth).sub(Decimal.parse(before.netWorth)).toString(),
    );
    // money put in is not a gain: a new account raises the net worth and the day's open alike;
    // only what its currency did since midnight is the day's (EUR opened at yesterday's fixing)
    const added = await request(node.baseUrl, 'POST', '/api/v1/wallets/manual', {
      token: user.accessToken,
      body: { name: 'Savings jar', manualType: 'savings', currency: 'EUR', balance: '500' },
    });
    expect(added.status).toBe(201);
    const withJar = await portfolioWhen(
      (p) => p.netWorth !== after.netWorth,
      'the new account in the portfolio',
      10_000,
    );
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const fixing = (await (
      await fetch(`${sims.env.FX_URL}/v1/${yesterday}?base=USD&symbols=EUR`)
    ).json()) as {
      rates: { EUR: number };
    };
    const eurOpen = Decimal.parse('1').div(Decimal.fromJsonNumber(fixing.rates.EUR));
    // in USD; the view is in the user's base currency (EUR since the test above)
    const overnightUsd = Decimal.parse('500').mul(Decimal.parse(withJar.prices.EUR!).sub(eurOpen));
    const overnight =
      withJar.currency === 'USD' ? overnightUsd : overnightUsd.div(Decimal.parse(withJar.prices.EUR!));
    expect(
      Decimal.parse(withJar.dayChange)
        .sub(Decimal.parse(after.dayChange))
        .sub(overnight)
        .abs()
        .cmp(Decimal.parse('0.01')),
    ).toBeLessThanOrEqual(0);
    expect(Decimal.parse(withJar.netWorth).sub(Decimal.parse(withJar.dayOpen)).toString()).toBe(
      withJar.dayChange,
    );
  });
});

describe('a fall past the alert threshold', () => {
  it('is reported once a day, and the anomaly shows it', async () => {
    const before = await portfolio();
    // BTC from 120,000 to 1,000: the net worth falls far past the default 5 % of the day's open
    await node.broker.call('market.ingest', {
      ticks: [{ symbol: 'BTC', price: '1000', ts: Date.now(), source: 'test' }],
    });
    const fallen = await portfolioWhen((p) => p.prices.BTC === '1000', 'BTC at 1000');
    expect(Decimal.parse(fallen.dayChange).isNegative()).toBe(true);
    expect(Decimal.parse(fallen.netWorth).sub(Decimal.parse(before.netWorth)).isNegative()).toBe(true);
    const first = await node.broker.call<MovesReported>('portfolio.reportMovesNow');
    expect(first.reported).toBe(1);
    const drop = await waitFor(
      async () => {
        const res = await request<AnomalyPage>(node.baseUrl, 'GET', '/api/v1/anomalies?type=net_worth_drop', {
          token: user.accessToken,
        });
        return res.body.anomalies?.[0];
      },
      20_000,
      'a net worth drop anomaly',
    );
    expect(drop).toMatchObject({ type: 'net_worth_drop', severity: 'critical' });
    expect(drop.evidence).toMatchObject({ dayOpen: expect.any(String), netWorth: expect.any(String) });
    // the day's drop was reported: not again today
    expect((await node.broker.call<MovesReported>('portfolio.reportMovesNow')).reported).toBe(0);
  });
});

describe('no silent zero: stablecoins, unpriced assets, the peg', () => {
  let other: SessionResponse;
  const view = async () =>
    (await request<PortfolioView>(node.baseUrl, 'GET', '/api/v1/portfolio', { token: other.accessToken }))
      .body;
  const viewWhen = (shows: (p: PortfolioView) => boolean, what: string) =>
    waitFor(
      async () => {
        const p = await view();
        return shows(p) ? p : undefined;
      },
      30_000,
      what,
    );
  const connect = async (provider: 'binance' | 'coinbase', creds: { apiKey: string; apiSecret: string }) =>
    expect(
      (
        await request(node.baseUrl, 'POST', '/api/v1/wallets/exchange', {
          token: other.accessToken,
          body: { provider, ...creds },
        })
      ).status,
    ).toBe(201);
  /** The simulated market's own price of an asset (the truth the feeds serve). */
  const marketPrice = (symbol: string) => Decimal.fromUnits(sims.market.asset(symbol)!.priceE8 * 10n ** 10n);

  beforeAll(async () => {
    other = await register(node.baseUrl);
  });

  it('lists an asset no feed knows as unpriced, with its account, and leaves it out of the total', async () => {
    const before = await view();
    await connect('coinbase', sims.coinbase.createKey('ES256', { ZZQ: '5' }));
    const p = await viewWhen((v) => v.unpriced.length > 0, 'the unpriced holding');
    expect(p.unpriced).toEqual([
      {
        asset: 'ZZQ',
        quantity: '5',
        accountId: expect.any(String) as string,
        since: expect.any(String) as string,
      },
    ]);
    expect(p.prices.ZZQ).toBeUndefined();
    expect(p.byAsset.ZZQ).toBeUndefined();
    expect(Date.now() - Date.parse(p.unpriced[0]!.since)).toBeLessThan(120_000);
    expect(p.netWorthUsd).toBe(before.netWorthUsd);
  });

  it('values a stablecoin the price API cannot price at its peg, says so, then takes its market price', async () => {
    // the exchange quotes in USDT and has no pair of it: its price comes from the price API
    sims.market.setPrice('USDT', 99_950_000n);
    sims.coingecko.faults.update({ serverErrorRate: 1 });
    try {
      await connect('binance', sims.binance.createAccount({ USDT: '3090', BTC: '0.1' }));
      const p = await viewWhen((v) => v.pegged.includes('USDT'), 'USDT at its peg');
      expect(p.prices.USDT).toBe('1');
      expect(p.byClass.stablecoin).toBe('3090');
      // at its peg it is priced: not among the unpriced (ZZQ, above, still is)
      expect(p.unpriced.map((u) => u.asset)).toEqual(['ZZQ']);
    } finally {
      sims.coingecko.faults.update({ serverErrorRate: 0 });
    }
    // the next ask of the price API (a poll, or a portfolio asking for it) replaces the peg, once
    // its circuit breaker, opened by the outage, lets a call through again (15 s)
    const p = await waitFor(
      async () => {
        await node.broker.call('market.prices', { symbols: ['USDT'] });
        const v = await view();
        return v.pegged.length === 0 ? v : undefined;
      },
      60_000,
      'USDT at its market price',
    );
    const usdt = marketPrice('USDT');
    expect(p.prices.USDT).toBe(usdt.toString());
    const stable = Decimal.parse('3090').mul(usdt);
    expect(p.byClass.stablecoin).toBe(stable.round(2).toString());
    // BTC at the node's price: the tests above moved it with ticks of their own
    const btc = Decimal.parse('0.1').mul(Decimal.parse(p.prices.BTC!));
    // the unpriced ZZQ above adds nothing
    expect(p.netWorthUsd).toBe(stable.add(btc).toString());
  }, 90_000);
});
