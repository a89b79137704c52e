/// <reference lib="dom" />
// Alerts in a real browser against a real node: an outsized charge arrives while the user is
// on the Alerts page → a toast appears without a reload and dismisses the anomaly → the list
// follows. Then a bank's history: the Alerts page with its evidence and transactions, a marker
// on a flagged transaction, and a webhook's "Send test" reaching a local receiver.
// Screenshots of the Alerts page in test-artifacts/e2e/alerts-page-{light,dark}.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { analyzeNow, startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { failureArtifacts, goNav, launchBrowser, screenshot, signIn, watchPage } from '../helpers/browser.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import type { AnomalyPage, AnomalyView, SessionResponse, WalletView } from '@finexia/contracts/api.ts';

const TODAY = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
let sims: Simulators;
let node: TestNode;
let browser: Browser;
let receiver: Server;
const received: string[] = [];

beforeAll(async () => {
  sims = await startSimulators({ seed: 515, bankVolume: 0.6, ticksPerSecond: 0, today: TODAY });
  node = await startNode(sims.env);
  browser = await launchBrowser();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  receiver?.close();
  await node?.stop();
  await sims?.stop();
});

const as = (user: SessionResponse) => ({ token: user.accessToken });

async function anomalies(user: SessionResponse, query = ''): Promise<AnomalyView[]> {
  const res = await request<AnomalyPage>(
    node.baseUrl,
    'GET',
    `/api/v1/anomalies?limit=200${query}`,
    as(user),
  );
  return res.body.anomalies;
}

describe('alerts in a browser', () => {
  it('a new alert arrives as a toast, is dismissed from it, and the Alerts page shows the evidence', async () => {
    const errors: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    watchPage(page, 'alerts', errors);
    try {
      const user = await register(node.baseUrl);
      // a cash account with ten ordinary visits to a grocer over the last weeks
      const cash = await request<WalletView>(node.baseUrl, 'POST', '/api/v1/wallets/manual', {
        ...as(user),
        body: { name: 'Cash', manualType: 'cash', currency: 'USD', balance: '2000' },
      });
      for (let i = 0; i < 10; i += 1) {
        const res = await request(node.baseUrl, 'POST', '/api/v1/transactions', {
          ...as(user),
          body: {
            walletId: cash.body.id,
            date: daysAgo(45 - i * 4),
            amount: `-${40 + (i % 4) * 3}.50`,
            name: 'Green Grocer',
            merchant: 'Green Grocer',
          },
        });
        expect(res.status).toBe(201);
      }
      await analyzeNow(node, user.user.id);
      expect(await anomalies(user)).toEqual([]);

      await signIn(page, node.baseUrl, user.user.email);
      await goNav(page, 'Alerts');
      await page.waitForURL('**/alerts');
      await page.getByText('Nothing needs a look').waitFor();

      // the charge that is not like the others, entered elsewhere (another device, a sync)
      const outlier = await request<{ id: string }>(node.baseUrl, 'POST', '/api/v1/transactions', {
        ...as(user),
        body: {
          walletId: cash.body.id,
          date: daysAgo(1),
          amount: '-612.00',
          name: 'Green Grocer',
          merchant: 'Green Grocer',
        },
      });
      expect(outlier.status).toBe(201);

      // a toast, live, naming the charge; and the list shows it without a reload
      const toast = page.getByTestId('alert-toast');
      await toast.waitFor({ timeout: 45_000 });
      expect(await toast.textContent()).toContain('Green Grocer');
      expect(await toast.textContent()).toContain('$612.00');
      const card = page.getByTestId('anomaly').filter({ hasText: '$612.00' });
      await card.waitFor({ timeout: 15_000 });
      expect(await card.getAttribute('data-status')).toBe('open');

      // dismissed from the toast: stored, and the card follows
      await toast.getByRole('button', { name: 'Dismiss' }).click();
      await toast.getByText('Dismissed.').waitFor();
      const [found] = await anomalies(user, `&transactionId=${outlier.body.id}`);
      expect(found).toMatchObject({ type: 'unusual_amount', status: 'dismissed' });
      await page.waitForFunction(
        () => document.querySelector('[data-testid="anomaly"]')?.getAttribute('data-status') === 'dismissed',
        null,
        { timeout: 15_000 },
      );

      // a bank's two years: history is listed (never toasted), with evidence and its transactions
      const bank = await request<WalletView>(node.baseUrl, 'POST', '/api/v1/wallets/bank', {
        ...as(user),
        body: { institutionId: 'ins_109508' },
      });
      await waitFor(
        async () => {
          const w = await request<WalletView>(
            node.baseUrl,
            'GET',
            `/api/v1/wallets/${bank.body.id}`,
            as(user),
          );
          return w.body.sync.state === 'ok' ? true : undefined;
        },
        90_000,
        'the bank sync',
      );
      await analyzeNow(node, user.user.id);
      const open = (await anomalies(user, '&status=open')).filter((a) => a.transactionIds.length);
      expect(open.length).toBeGreaterThan(3);

      await page.goto(`${node.baseUrl}/alerts?status=`, { waitUntil: 'networkidle' });
      await page.getByTestId('anomaly').nth(3).waitFor();
      const card2 = page.locator(`[data-testid="anomaly"][data-id="${(open[0] as AnomalyView).id}"]`);
      await card2.getByRole('button', { name: /^Show/ }).click();
      await card2.getByRole('list', { name: 'Transactions of this alert' }).waitFor();
      expect(await card2.getByRole('listitem').count()).toBe((open[0] as AnomalyView).transactionIds.length);
      await screenshot(page, 'alerts-page', 'light');
      await screenshot(page, 'alerts-page', 'dark');

      // a flagged transaction carries a marker in Transactions
      const flagged = open[0] as AnomalyView;
      await page.goto(
        `${node.baseUrl}/transactions?from=${flagged.date}&to=${flagged.date}&walletId=${flagged.walletIds[0]}`,
        { waitUntil: 'networkidle' },
      );
      await page.getByTestId('flagged').first().waitFor();

      // a webhook: made, tested, and the delivery shows in its log
      await goNav(page, 'Settings');
      const port = (receiver.address() as AddressInfo).port;
      await page.getByLabel('URL').fill(`http://127.0.0.1:${port}/hook`);
      await page.getByRole('button', { name: 'Add webhook' }).click();
      await page.getByTestId('webhook-secret').waitFor();
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByTestId('delivery').filter({ hasText: 'Delivered' }).waitFor({ timeout: 30_000 });
      expect(received.some((b) => b.includes('"event":"test"'))).toBe(true);
    } catch (err) {
      await failureArtifacts(page, 'alerts', errors);
      throw err;
    } finally {
      await context.close();
    }
  }, 300_000);
});
