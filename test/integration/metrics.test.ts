// Finexia's own Prometheus metrics, scraped from /metrics as Prometheus would, after the things
// they count happened: ticks accepted and refused, live and watched portfolios, a burst's tick →
// push time, WebSocket clients, wallet syncs by state, provider errors by code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { freePort } from '../../scripts/infra.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import type { SessionResponse, WalletView } from '@finexia/contracts/api.ts';

let sims: Simulators;
let node: TestNode;
let metricsUrl: string;
let user: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 12, bankVolume: 0.04, ticksPerSecond: 0 });
  const port = await freePort();
  node = await startNode({ ...sims.env, METRICS: 'true', METRICS_PORT: String(port) });
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  user = await register(node.baseUrl);
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

/** A metric's value for the given labels (the sum over series when no label is given). */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = match[2] ?? '';
    if (Object.entries(labels).some(([k, v]) => !series.includes(`${k}="${v}"`))) continue;
    sum += Number(match[3]);
    found = true;
  }
  if (!found) throw new Error(`no ${name}${JSON.stringify(labels)} in /metrics`);
  return sum;
}

describe('/metrics', () => {
  it('counts what the node does: ticks, portfolios, sockets, pushes, syncs and provider errors', async () => {
    const as = { token: user.accessToken };
    // a Binance account with BTC: a sync, a live portfolio, someone watching it
    const { apiKey, apiSecret } = sims.binance.createAccount({ BTC: '1' });
    const wallet = await request<WalletView>(node.baseUrl, 'POST', '/api/v1/wallets/exchange', {
      ...as,
      body: { provider: 'binance', apiKey, apiSecret },
    });
    expect(wallet.status).toBe(201);
    const ws = TestSocket.connect(node.wsUrl, { token: user.accessToken });
    await ws.next((f) => f.type === 'snapshot', 15_000);

    const accepted = await metric('finexia_market_ticks_accepted_total').catch(() => 0);
    await node.broker.call('market.ingest', {
      ticks: [
        { symbol: 'BTC', price: '101234.5', ts: Date.now(), source: 'test' },
        { symbol: 'BTC', price: '-1', ts: Date.now(), source: 'test' },
        { symbol: 'ETH', price: 'abc', ts: Date.now(), source: 'test' },
      ],
    });
    await ws.nextView((v) => v.prices.BTC === '101234.5', 15_000);
    await waitFor(
      async () => ((await metric('finexia_market_ticks_accepted_total')) > accepted ? true : undefined),
      15_000,
      'accepted ticks counted',
    );
    expect(
      await metric('finexia_market_ticks_rejected_total', { reason: 'non-positive' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metric('finexia_market_ticks_rejected_total', { reason: 'malformed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await metric('finexia_portfolio_tick_to_push_ms_bucket', { le: '+Inf' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(await metric('finexia_ws_clients')).toBe(1);
    // a sync of the wallet: queued, running, ok
    expect((await request(node.baseUrl, 'POST', `/api/v1/wallets/${wallet.body.id}/sync`, as)).status).toBe(
      202,
    );
    await waitFor(
      async () =>
        (await metric('finexia_sync_jobs_total', { state: 'ok' }).catch(() => 0)) >= 1 ? true : undefined,
      30_000,
      'a sync counted as ok',
    );
    expect(await metric('finexia_sync_jobs_total', { state: 'queued' })).toBeGreaterThanOrEqual(1);
    // the gauges of live portfolios are set every few seconds
    await waitFor(
      async () => ((await metric('finexia_portfolio_watched').catch(() => 0)) >= 1 ? true : undefined),
      20_000,
      'the watched gauge',
    );
    expect(await metric('finexia_portfolio_actors')).toBeGreaterThanOrEqual(1);

    // a provider failing: its errors are counted by code
    sims.binance.faults.update({ serverErrorRate: 1 });
    await request(node.baseUrl, 'POST', `/api/v1/wallets/${wallet.body.id}/sync`, as);
    await waitFor(
      async () =>
        (await metric('finexia_provider_errors_total', { provider: 'binance' }).catch(() => 0)) > 0
          ? true
          : undefined,
      30_000,
      'provider errors counted',
    );
    sims.binance.faults.update({ serverErrorRate: 0 });
    ws.close();
  }, 120_000);
});
