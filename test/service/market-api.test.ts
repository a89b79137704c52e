// The market's public routes at the HTTP edge (api and market on one broker): a list in the query
// string is a list however long it is, up to the route's limit.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServices, type TestNode } from '../helpers/node.ts';
import { request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startServices(['api', 'market']);
}, 60_000);
afterAll(() => node?.stop());

const changes = (symbols: string[]) =>
  request<{ changes: unknown[] } & ErrorBody>(
    node.baseUrl,
    'GET',
    `/api/v1/market/changes?${symbols.map((s) => `symbols=${encodeURIComponent(s)}`).join('&')}`,
  );

it('takes 24 symbols (a dashboard with stocks, funds and coins), and refuses 501 by field', async () => {
  const held = [
    '91282CLW9.BOND',
    'AAPL.STOCK',
    'ADA',
    'AVAX',
    'BNB',
    'BND.ETF',
    'BTC',
    'DOGE',
    'DOT',
    'ETH',
    'JPM.STOCK',
    'KO.STOCK',
    'LTC',
    'MATIC',
    'MSFT.STOCK',
    'NVDA.STOCK',
    'SAP-XETR.STOCK',
    'SOL',
    'USDC',
    'USDT',
    'VFIAX.FUND',
    'VMFXX.MMF',
    'VTI.ETF',
    'VTSAX.FUND',
  ];
  // the route appears once the gateway has seen the market service
  const ok = await waitFor(
    async () => {
      const res = await changes(held);
      return res.status === 404 ? undefined : res;
    },
    30_000,
    'the market route',
  );
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  const tooMany = await changes(Array.from({ length: 501 }, (_, i) => `X${i}`));
  expect(tooMany.status).toBe(422);
  expect(tooMany.body.error.fields?.[0]?.field).toBe('symbols');
});
