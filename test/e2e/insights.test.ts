/// <reference lib="dom" />
// Insights in a real browser against a real node, for a user with a linked bank's two years:
// the health score with its measured indicators → the questionnaire answered → the score changes
// in place; recommendations ranked and one dismissed; the projection → an assumption changed →
// the band moves without a reload; a goal added with its chance. Screenshots of the three pages,
// light and dark, in test-artifacts/e2e/insights-{score,recommendations,projection}-{light,dark}.png;
// and the dashboard's ALL range, full on day one (dashboard-history-all-light.png).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { failureArtifacts, goNav, launchBrowser, screenshot, signIn, watchPage } from '../helpers/browser.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import type { SessionResponse, WalletView } from '@finexia/contracts/api.ts';

const TODAY = new Date().toISOString().slice(0, 10);
let sims: Simulators;
let node: TestNode;
let browser: Browser;
let user: SessionResponse;

beforeAll(async () => {
  sims = await startSimulators({ seed: 77, bankVolume: 0.6, ticksPerSecond: 0, today: TODAY });
  node = await startNode(sims.env);
  browser = await launchBrowser();
  user = await register(node.baseUrl);
  const as = { token: user.accessToken };
  const bank = await request<WalletView>(node.baseUrl, 'POST', '/api/v1/wallets/bank', {
    ...as,
    body: { institutionId: 'ins_109508' },
  });
  await waitFor(
    async () => {
      const w = await request<WalletView>(node.baseUrl, 'GET', `/api/v1/wallets/${bank.body.id}`, as);
      return w.body.sync.state === 'ok' ? true : undefined;
    },
    90_000,
    'the bank sync',
  );
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await sims?.stop();
});

describe('insights in a browser', () => {
  it('score → questionnaire → the score changes; recommendations; projection → an assumption moves the band', async () => {
    const errors: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    watchPage(page, 'insights', errors);
    try {
      await signIn(page, node.baseUrl, user.user.email);

      // the bank's two years are the history already: ALL is a chart on day one
      await page.getByRole('button', { name: 'ALL' }).click();
      await page.getByRole('img', { name: 'Net worth over the selected range' }).waitFor({ timeout: 30_000 });
      await screenshot(page, 'dashboard-history-all', 'light');

      // the score, rendered on the server, with what the bank's history measures
      await goNav(page, 'Health score');
      await page.waitForURL('**/insights/score');
      const score = page.getByTestId('health-score');
      const before = Number(await score.textContent());
      expect(before).toBeGreaterThanOrEqual(0);
      await page.getByTestId('score-partial').waitFor();
      expect(await page.getByTestId('indicator-liquid_savings').textContent()).toMatch(/measured.*cover/s);

      // the questionnaire: the three indicators data cannot measure, at their best
      for (const indicator of ['prime_credit', 'insurance', 'planning_ahead']) {
        // the best answer (4) of each; the form is disabled while the answer is saved
        await page.locator(`input[name="${indicator}"][value="4"]`).check();
        await page.waitForFunction(
          (name) =>
            !document.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.closest('fieldset')?.disabled,
          indicator,
        );
      }
      await page.getByTestId('score-partial').waitFor({ state: 'detached' });
      const after = Number(await score.textContent());
      expect(after).toBeGreaterThan(before);
      expect(await page.getByTestId('indicator-prime_credit').textContent()).toContain('your answer');
      await screenshot(page, 'insights-score', 'light');
      await screenshot(page, 'insights-score', 'dark');

      // recommendations, ranked; one dismissed
      await goNav(page, 'Recommendations');
      await page.waitForURL('**/insights/recommendations');
      const cards = page.getByTestId('recommendation');
      await cards.first().waitFor();
      const count = await cards.count();
      await screenshot(page, 'insights-recommendations', 'light');
      await screenshot(page, 'insights-recommendations', 'dark');
      await cards.first().getByRole('button', { name: 'Dismiss' }).click();
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="recommendation"]').length === n - 1,
        count,
      );

      // the projection: a wilder cash assumption widens the band, without a reload
      await goNav(page, 'Projection');
      await page.waitForURL('**/insights/projection');
      const chart = page.getByTestId('fan-chart');
      const width = async () =>
        Number(await chart.getAttribute('data-p90')) - Number(await chart.getAttribute('data-p10'));
      const narrow = await width();
      const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      await page.getByTestId('volatility-cash').fill('40');
      await page.waitForFunction(
        (w) => {
          const c = document.querySelector('[data-testid="fan-chart"]');
          return Number(c?.getAttribute('data-p90')) - Number(c?.getAttribute('data-p10')) > w * 2;
        },
        narrow,
        { timeout: 30_000 },
      );
      expect(await width()).toBeGreaterThan(narrow * 2);
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(marker);

      // a goal: its chance and the saving that reaches it
      await page.getByLabel('Name').fill('House deposit');
      await page.getByLabel(/^Target/).fill('50000');
      await page.getByLabel('By').fill(`${Number(TODAY.slice(0, 4)) + 5}-06-01`);
      await page.getByRole('button', { name: 'Add goal' }).click();
      const goal = page.getByTestId('goal').filter({ hasText: 'House deposit' });
      await goal.waitFor({ timeout: 30_000 });
      expect(await goal.textContent()).toMatch(/\d+ %/);
      await page.getByTestId('volatility-cash').fill('3');
      await page.waitForTimeout(1_000);
      await screenshot(page, 'insights-projection', 'light');
      await screenshot(page, 'insights-projection', 'dark');
    } catch (err) {
      await failureArtifacts(page, 'insights', errors);
      throw err;
    } finally {
      await context.close();
    }
  }, 300_000);
});
