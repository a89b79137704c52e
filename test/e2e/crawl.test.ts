/// <reference lib="dom" />
// Every page of the dashboard for every kind of person, at desktop and phone width, in Debian's
// Chromium: the demo, its admin, and people the truth oracle sets up through the public API (new
// and empty, bank only, crypto only, heavily indebted, three currencies, everything at once).
// On no page: a response ≥ 500, a page error, a console error, or "NaN", "undefined", "null",
// "Infinity", "[object Object]" in its text, or a serious or critical accessibility violation by
// axe-core's rules (the pages before signing in and the offline page too). Screenshots:
// test-artifacts/crawl/.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startNode, type TestNode } from '../helpers/node.ts';
import { launchBrowser, signIn } from '../helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { DEMO_USERS, seedDemoUsers, seedDemoWallets } from '../../scripts/seed.ts';
import { ProviderTruth, providerUrls } from '../oracle/providers.ts';
import { people, PublicApi, setUp, type PersonKind } from '../oracle/people.ts';
import type { WalletList } from '@finexia/contracts/api.ts';

const ARTIFACTS = 'test-artifacts/crawl';
const PAGES = [
  '/dashboard',
  '/accounts',
  '/transactions',
  '/alerts',
  '/notifications',
  '/insights/score',
  '/insights/recommendations',
  '/insights/projection',
  '/settings',
  '/onboarding',
];
const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
/** Words a person should never read on a page: a value that was never filled in. */
const UNFILLED = /\bNaN\b|\bundefined\b|\bnull\b|\bInfinity\b|\[object Object\]/;
const PASSWORD = 'correct horse battery staple';

let sims: Simulators;
let node: TestNode;
let browser: Browser;
const accounts = new Map<string, { email: string; password: string; pages: string[] }>();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // the run's Ethereum node: the demo and the "everything" person watch an address on it
  sims = await startSimulators({
    seed: 4711,
    bankVolume: 0.5,
    bankMonths: 6,
    ticksPerSecond: 5,
    ethereumRpcUrl: inject('ethereumRpcUrl'),
  });
  node = await startNode(sims.env);
  browser = await launchBrowser();
  await seedDemoUsers(node.config);
  await seedDemoWallets(node.broker, sims);
  const [demo, admin] = DEMO_USERS;
  accounts.set('demo', { email: demo.email, password: demo.password, pages: PAGES });
  accounts.set('admin', {
    email: admin.email,
    password: admin.password,
    pages: ['/dashboard', '/admin/audit'],
  });
  // the oracle's people, one of each kind, set up as a person would
  const api = new PublicApi(node.baseUrl);
  const providers = new ProviderTruth(providerUrls(sims.env));
  const listed = [...(await providers.exchangePrices()).keys()].filter(
    (a) => /^[A-Z]+$/.test(a) && !a.startsWith('X'),
  );
  const today = new Date().toISOString().slice(0, 10);
  for (const spec of people(4711, 6, today, listed)) {
    const person = await setUp(api, providers, spec);
    accounts.set(spec.kind, { email: person.session.user.email, password: PASSWORD, pages: PAGES });
    // its wallets synced, so the pages show what there is to show
    await waitFor(
      async () => {
        const { wallets } = await api.call<WalletList>('GET', '/wallets', person.session.accessToken);
        return wallets.every((w) => w.kind === 'manual' || w.sync.state === 'ok') ? true : undefined;
      },
      120_000,
      `${spec.kind}'s wallets synced`,
    );
  }
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await sims?.stop();
});

/** axe-core's source, run in the page (through DevTools: the page's CSP does not apply to it). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The page's serious and critical accessibility violations, by axe-core's rules; `touch`: with
 * its target-size rule too (off by default: every control at least 24 × 24 px, WCAG 2.5.8).
 */
async function accessibilityProblems(page: Page, path: string, touch = false): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async (touchRules) => {
    const { axe } = window as unknown as {
      axe: { run(options: object): Promise<{ violations: AxeViolation[] }> };
    };
    const { violations: found } = await axe.run({ rules: { 'target-size': { enabled: touchRules } } });
    return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }, touch);
  return violations.map(
    (v) =>
      `${path}: accessibility ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s), e.g. ${v.nodes
        .slice(0, 2)
        .map((n) => n.target.join(' '))
        .join(', ')}`,
  );
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Visits every page the account may see, at one width; returns what went wrong on each. */
async function crawl(label: string, viewport: keyof typeof VIEWPORTS): Promise<string[]> {
  const account = accounts.get(label)!;
  const problems: string[] = [];
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport] });
  const page = await context.newPage();
  let at = 'sign-in';
  page.on('pageerror', (err) => problems.push(`${at}: page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${at}: console error: ${msg.text()}`);
  });
  page.on('response', (res) => {
    // a 5xx is a fault; a 4xx the page caused itself is one too (the console says only "failed")
    if (res.status() >= 400)
      problems.push(
        `${at}: ${res.status()} ${res.request().method()} ${res.url().replace(node.baseUrl, '')}`,
      );
  });
  try {
    await signIn(page, node.baseUrl, account.email, account.password);
    for (const path of account.pages) {
      at = path;
      // networkidle: the page's loads are done (the live socket's snapshot comes within them)
      const res = await page.goto(`${node.baseUrl}${path}`, { waitUntil: 'networkidle' });
      if (!res || res.status() >= 400) problems.push(`${path}: answered ${res?.status() ?? 'nothing'}`);
      const text = await page.locator('body').innerText();
      const unfilled = UNFILLED.exec(text);
      if (unfilled) {
        const around = text.slice(Math.max(0, unfilled.index - 60), unfilled.index + 60).replace(/\s+/g, ' ');
        problems.push(`${path}: shows "${unfilled[0]}" in "…${around}…"`);
      }
      problems.push(...(await accessibilityProblems(page, path, viewport === 'phone')));
      const name = `${label}-${path.slice(1).replace(/\//g, '-')}-${viewport}`;
      await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
    }
  } finally {
    await context.close();
  }
  return problems;
}

const KINDS: PersonKind[] = ['empty', 'bank', 'crypto', 'indebted', 'currencies', 'everything'];

describe('every page, for every kind of person, desktop and phone', () => {
  for (const label of ['demo', 'admin', ...KINDS])
    it(`${label}: no error, nothing unfilled`, async () => {
      // both widths at once: two pages of one browser
      const [desktop, phone] = await Promise.all([crawl(label, 'desktop'), crawl(label, 'phone')]);
      expect([...desktop, ...phone]).toEqual([]);
    }, 240_000);

  it('the pages before signing in, and the offline page, pass the same accessibility check', async () => {
    const problems: string[] = [];
    for (const viewport of ['desktop', 'phone'] as const) {
      const context = await browser.newContext({ viewport: VIEWPORTS[viewport] });
      const page = await context.newPage();
      try {
        for (const path of ['/signin', '/signup', '/offline.html']) {
          const res = await page.goto(`${node.baseUrl}${path}`, { waitUntil: 'networkidle' });
          if (!res || res.status() >= 400) problems.push(`${path}: answered ${res?.status() ?? 'nothing'}`);
          problems.push(
            ...(await accessibilityProblems(page, `${path} (${viewport})`, viewport === 'phone')),
          );
        }
      } finally {
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('the demo’s accounts page shows its card as owed (negative), as its net worth counts it', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await context.newPage();
    try {
      const { email, password } = accounts.get('demo')!;
      await signIn(page, node.baseUrl, email, password);
      await page.goto(`${node.baseUrl}/accounts`, { waitUntil: 'networkidle' });
      const card = page.getByRole('row').filter({ hasText: 'Plaid Credit Card' });
      await expect(card.getByTestId('account-balance').innerText()).resolves.toMatch(
        /^-\$[\d,]+\.\d\d\s+owed$/,
      );
      await page.goto(`${node.baseUrl}/dashboard`, { waitUntil: 'networkidle' });
      // the by-account bars draw it from the right, as a negative
      await expect(page.locator('li[data-negative="true"]').count()).resolves.toBeGreaterThanOrEqual(1);
    } finally {
      await context.close();
    }
  }, 120_000);
});
