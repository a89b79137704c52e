/// <reference lib="dom" />
// A person's data rights, in a real browser against a real node: Settings → "Export my data"
// downloads a zip whose manifest counts what the API holds; the zip chosen in another account's
// Settings brings the cash account and its transactions back, with a report; then "Delete my
// account" (password, DELETE typed) lands on the sign-in page saying so, and the account is gone:
// its password no longer signs in, its token no longer opens anything.
// Screenshot of the Settings data card: test-artifacts/e2e/settings-your-data-light.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import yauzl from 'yauzl';
import { startNode, type TestNode } from '../helpers/node.ts';
import { GOOD_PASSWORD, register, request } from '../helpers/http.ts';
import {
  ARTIFACTS,
  failureArtifacts,
  launchBrowser,
  screenshot,
  signIn,
  watchPage,
} from '../helpers/browser.ts';
import { EXPORT_FILES, type ExportManifest } from '@finexia/contracts/export.ts';
import type { SessionResponse, TransactionPage, WalletList, WalletView } from '@finexia/contracts/api.ts';

let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  node = await startNode();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

async function call<T>(user: SessionResponse, method: string, path: string, body?: unknown) {
  const res = await request<T>(node.baseUrl, method, `/api/v1${path}`, { token: user.accessToken, body });
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** One file of a zip, as text. */
async function fileOf(archive: Buffer, name: string): Promise<string> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(archive, { lazyEntries: true }, (err, f) => (err ? reject(err) : resolve(f))),
  );
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== name) return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
    });
    zip.on('end', () => reject(new Error(`${name} is not in the zip`)));
    zip.readEntry();
  });
}

describe('data rights in a browser', () => {
  it('exports from Settings, imports into another account, then deletes the account', async () => {
    const errors: string[] = [];
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    watchPage(page, 'data-rights', errors);
    try {
      const alice = await register(node.baseUrl);
      const cash = await call<WalletView>(alice, 'POST', '/wallets/manual', {
        name: 'Biscuit tin',
        manualType: 'cash',
        currency: 'USD',
        balance: '310',
        date: daysAgo(30),
      });
      for (const [i, amount] of ['-4.20', '-12.75', '25'].entries())
        await call(alice, 'POST', '/transactions', {
          walletId: cash.id,
          date: daysAgo(10 - i),
          amount,
          name: `Entry ${i + 1}`,
        });

      await signIn(page, node.baseUrl, alice.user.email);
      await page.goto(`${node.baseUrl}/settings`, { waitUntil: 'networkidle' });
      // every account starts in UTC, which the browser's own list of zones leaves out
      await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('UTC');
      const card = page.getByRole('region', { name: 'Your data' });
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        card.getByRole('button', { name: 'Export my data' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^finexia-export-\d{4}-\d{2}-\d{2}\.zip$/);
      const zipPath = `${ARTIFACTS}/data-rights-export.zip`;
      await download.saveAs(zipPath);
      await card.getByRole('status').filter({ hasText: 'Exported:' }).waitFor({ timeout: 30_000 });
      const manifest = JSON.parse(
        await fileOf(await readFile(zipPath), EXPORT_FILES.manifest),
      ) as ExportManifest;
      const held = await call<TransactionPage>(alice, 'GET', '/transactions?limit=200');
      expect(manifest.userId).toBe(alice.user.id);
      expect(manifest.counts.transactions).toBe(held.transactions.length);
      expect(manifest.counts.transactions).toBe(3);
      expect(manifest.counts.wallets).toBe(1);

      // another account brings it in from its own Settings
      const bob = await register(node.baseUrl);
      const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const bobPage = await other.newPage();
      watchPage(bobPage, 'data-rights-import', errors);
      await signIn(bobPage, node.baseUrl, bob.user.email);
      await bobPage.goto(`${node.baseUrl}/settings`, { waitUntil: 'networkidle' });
      const bobCard = bobPage.getByRole('region', { name: 'Your data' });
      await bobCard.getByLabel('Export file').setInputFiles(zipPath);
      await bobCard.getByRole('button', { name: 'Import' }).click();
      await bobCard
        .getByRole('status')
        .filter({ hasText: 'Imported 1 account,' })
        .waitFor({ timeout: 60_000 });
      await expect(bobCard.getByRole('status').innerText()).resolves.toContain(
        '3 transactions, 0 merchant rules',
      );
      await screenshot(bobPage, 'settings-your-data', 'light');
      const shown = async (user: SessionResponse) => {
        const { wallets } = await call<WalletList>(user, 'GET', '/wallets');
        const { transactions } = await call<TransactionPage>(user, 'GET', '/transactions?limit=200');
        return {
          wallets: wallets.map((w) => [w.name, w.accounts.map((a) => a.current)]),
          amounts: transactions.map((t) => t.amount).sort(),
        };
      };
      const bobs = await shown(bob);
      expect(bobs).toEqual(await shown(alice));
      expect(bobs.amounts).toEqual(['-12.75', '-4.2', '25']);
      await other.close();

      // and Alice deletes her account
      const danger = page.getByRole('region', { name: 'Delete your account' });
      await danger.getByLabel('Password').fill(GOOD_PASSWORD);
      await danger.getByLabel('Type DELETE to confirm').fill('DELETE');
      await danger.getByRole('button', { name: 'Delete my account' }).click();
      await page.waitForURL('**/signin**', { timeout: 30_000 });
      await page.getByText('Your account and all of its data are deleted.').waitFor();
      const again = await request(node.baseUrl, 'POST', '/api/v1/auth/login', {
        body: { email: alice.user.email, password: GOOD_PASSWORD },
      });
      expect(again.status).toBe(401);
      const opened = await request(node.baseUrl, 'GET', '/api/v1/wallets', { token: alice.accessToken });
      expect(opened.status).toBe(401);
      expect(errors.filter((e) => !/401 POST .*\/auth\/login/.test(e))).toEqual([]);
    } catch (err) {
      await failureArtifacts(page, 'data-rights', errors);
      throw err;
    } finally {
      await context.close();
    }
  }, 240_000);
});
