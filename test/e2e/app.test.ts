/// <reference lib="dom" />
// The dashboard as an installable app, in Debian's Chromium: the browser itself says it can be
// installed (DevTools' Page.getInstallabilityErrors returns none), and a phone that loses the
// network opens it offline with the last known net worth, marked "as of"; when the network
// returns it is back on the live dashboard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import {
  failureArtifacts,
  launchBrowser,
  launchProfile,
  screenshot,
  signIn,
  watchPage,
} from '../helpers/browser.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import type { SessionResponse } from '@finexia/contracts/api.ts';

let sims: Simulators;
let node: TestNode;
let browser: Browser;
let person: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 808, bankVolume: 0.2, ticksPerSecond: 0 });
  node = await startNode(sims.env);
  browser = await launchBrowser();
  person = await register(node.baseUrl);
  // a net worth known by hand: one cash account of 1,234.56
  const cash = await request(node.baseUrl, 'POST', '/api/v1/wallets/manual', {
    token: person.accessToken,
    body: { name: 'Wallet', manualType: 'cash', currency: 'USD', balance: '1234.56' },
  });
  expect(cash.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await sims?.stop();
});

describe('the installable app', () => {
  it('is installable by Chromium’s own account, with a manifest and icons it can fetch', async () => {
    const context = await launchProfile({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const errors: string[] = [];
    watchPage(page, 'install', errors);
    try {
      await signIn(page, node.baseUrl, person.user.email);
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: { errorId: string }[];
      };
      expect(installabilityErrors).toEqual([]);
      const manifest = await request<{ icons: { src: string; sizes: string }[]; start_url: string }>(
        node.baseUrl,
        'GET',
        '/manifest.webmanifest',
      );
      expect(manifest.status).toBe(200);
      for (const icon of manifest.body.icons) {
        const res = await fetch(`${node.baseUrl}${icon.src}`);
        expect(res.status, icon.src).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/image\/png/);
      }
    } catch (err) {
      await failureArtifacts(page, 'app-install', errors);
      throw err;
    } finally {
      await context.close();
    }
  });

  it('opens offline on a phone with the last known net worth, as of when it was true, and goes live again', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    try {
      await signIn(page, node.baseUrl, person.user.email);
      await page.goto(`${node.baseUrl}/dashboard`);
      await page.getByTestId('net-worth').filter({ hasText: '$1,234.56' }).waitFor({ timeout: 30_000 });
      // the service worker controls the page, and the figures are kept on the device
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
        timeout: 30_000,
      });
      await page.waitForFunction(() => localStorage.getItem('finexia:last-known') !== null, null, {
        timeout: 30_000,
      });
      await context.setOffline(true);
      await page.goto(`${node.baseUrl}/dashboard`);
      await page.getByRole('heading', { name: 'You are offline' }).waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('offline-net-worth').textContent()).toContain('1,234.56');
      expect(await page.getByTestId('as-of').textContent()).toMatch(/^\s*As of /);
      await screenshot(page, 'phone-offline', 'light');
      // the network is back: the live dashboard again
      await context.setOffline(false);
      await page.waitForURL('**/dashboard', { timeout: 30_000 });
      await page.getByTestId('net-worth').filter({ hasText: '$1,234.56' }).waitFor({ timeout: 30_000 });
    } catch (err) {
      await failureArtifacts(page, 'app-offline', errors);
      throw err;
    } finally {
      await context.close();
    }
  });
});
