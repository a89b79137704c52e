// Tick → market → portfolio actor → ws on a real broker: the live net worth moves by
// qty × Δp, equals a full recompute, and bad ticks change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request, type SessionBody } from '../helpers/http.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Decimal } from '../../domain/money.ts';

let sims: Simulators;
let node: TestNode;
let user: SessionBody;

interface Snapshot {
  seq: number;
  /** in the base currency, rounded to its minor unit */
  netWorth: string;
  /** exact */
  netWorthUsd: string;
  prices: Record<string, string>;
  byClass: Record<string, string>;
}

beforeAll(async () => {
  sims = await startSimulators({ seed: 55, bankVolume: 0.05, ticksPerSecond: 0, today: '2026-11-25' });
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
  (await request<Snapshot>(node.baseUrl, 'GET', '/api/v1/portfolio', { token: user.accessToken })).body;
const expected = (p: Snapshot) =>
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
    const frame = await ws.next(
      (f) =>
        f.type === 'event' &&
        f.event === 'portfolio.updated' &&
        (f.data as Snapshot).prices.BTC === '100000.12345678',
    );
    const pushed = frame.data as Snapshot;
    expect(pushed.seq).toBeGreaterThan(before.seq);
    expect(pushed.prices.BTC).toBe('100000.12345678');
    expect(pushed.netWorthUsd).toBe(expected(pushed).toString());
    const delta = Decimal.parse(pushed.netWorthUsd).sub(Decimal.parse(before.netWorthUsd));
    expect(delta.toString()).toBe(
      Decimal.parse('0.5')
        .mul(Decimal.parse('100000.12345678').sub(Decimal.parse(before.prices.BTC ?? '0')))
        .toString(),
    );
    await ws.close();
  });

  it('rejects bad ticks with a counter and changes nothing', async () => {
    const before = await portfolio();
    const statsBefore = await node.broker.call<{ rejected: Record<string, number> }>('market.stats');
    await node.broker.call('market.ingest', {
      ticks: [
        { symbol: 'BTC', price: '0', ts: Date.now() },
        { symbol: 'BTC', price: 'abc', ts: Date.now() },
        { symbol: 'BTC', price: '1', ts: Date.now() - 3_600_000 },
        { symbol: 'BTC', price: '-5', ts: Date.now() },
        'not a tick',
      ],
    });
    await new Promise((r) => setTimeout(r, 400));
    const stats = await node.broker.call<{ rejected: Record<string, number> }>('market.stats');
    const total = (s: { rejected: Record<string, number> }) =>
      Object.values(s.rejected).reduce((a, b) => a + b, 0);
    expect(total(stats) - total(statsBefore)).toBe(5);
    expect((await portfolio()).netWorthUsd).toBe(before.netWorthUsd);
  });

  it('follows holdings changes from a wallet sync', async () => {
    const creds = sims.binance.createAccount({ SOL: '10' });
    await request(node.baseUrl, 'POST', '/api/v1/wallets/exchange', {
      token: user.accessToken,
      body: { provider: 'binance', ...creds },
    });
    await new Promise((r) => setTimeout(r, 500));
    const p = await portfolio();
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
    await new Promise((r) => setTimeout(r, 300));
    const p = (
      await request<Snapshot & { currency: string }>(node.baseUrl, 'GET', '/api/v1/portfolio', {
        token: user.accessToken,
      })
    ).body;
    expect(p.currency).toBe('EUR');
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
    const snapshot = (await ws.next((f) => f.type === 'snapshot')).data as Snapshot;
    expect(snapshot.netWorthUsd).toBe((await portfolio()).netWorthUsd);
    await node.broker.call('market.ingest', {
      ticks: [{ symbol: 'ETH', price: '4000.5', ts: Date.now(), source: 'test' }],
    });
    const update = await ws.next((f) => f.type === 'event' && (f.data as Snapshot).prices.ETH === '4000.5');
    expect((update.data as Snapshot).seq).toBeGreaterThan(snapshot.seq);
    await ws.close();
  });
});
