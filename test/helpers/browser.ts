/// <reference lib="dom" />
// The one way browser tests drive the dashboard: Debian's Chromium through playwright-core,
// signing in, screenshots and failure artifacts in test-artifacts/, the main navigation at any width.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { GOOD_PASSWORD } from './http.ts';

export const ARTIFACTS = 'test-artifacts/e2e';

const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-background-networking'],
};

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch(CHROMIUM);
}

/**
 * A browser with a profile of its own (a context that is not incognito: Chromium will not say a
 * site is installable in one), closed with the context. `options`: viewport, touch.
 */
export async function launchProfile(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'finexia-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { ...CHROMIUM, ...options });
  // Chromium's helpers can still be writing into the profile when the context reports closed, so
  // the removal retries (ENOTEMPTY) and a directory left behind in tmp is reported, not thrown.
  context.on('close', () => {
    rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch((err: unknown) =>
      console.warn(`left the Chromium profile ${profile}: ${String(err)}`),
    );
  });
  return context;
}

/** The page in the light or the dark theme, whole, as test-artifacts/e2e/<name>-<theme>.png. */
export async function screenshot(page: Page, name: string, theme: 'light' | 'dark'): Promise<string> {
  const path = `${ARTIFACTS}/${name}-${theme}.png`;
  await page.emulateMedia({ colorScheme: theme });
  await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
  await page.waitForTimeout(150);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Page errors, console errors and refused requests, collected for a failure report. */
export function watchPage(page: Page, label: string, errors: string[]): void {
  page.on('pageerror', (err) => errors.push(`${label}: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`${label} ${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${label} console: ${msg.text()}`);
  });
}

/** What the page showed when a step failed, for whoever reads the CI run. */
export async function failureArtifacts(page: Page, label: string, errors: string[]): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}/${label}-FAILED.png`, fullPage: true }).catch(() => undefined);
  const invalid = await page
    .evaluate(() =>
      [...document.querySelectorAll('input,select,textarea')]
        .filter((e) => !(e as HTMLInputElement).checkValidity())
        .map((e) => `${(e as HTMLInputElement).name}: ${(e as HTMLInputElement).validationMessage}`),
    )
    .catch(() => []);
  if (invalid.length) console.error(`invalid fields: ${invalid.join('; ')}`);
  if (errors.length) console.error(`page errors:\n${errors.join('\n')}`);
  const text = await page
    .locator('body')
    .innerText()
    .catch(() => '');
  console.error(`${label} failed at ${page.url()}:\n${text.slice(0, 2000)}`);
}

/** A main-navigation link; at phone width it sits behind the Menu button. */
export async function goNav(page: Page, name: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  if (!(await link.isVisible())) await page.getByRole('button', { name: 'Menu' }).click();
  await link.click();
}

/** Signs in on the sign-in page; done when the app shows the dashboard (or onboarding, for a new account). */
export async function signIn(
  page: Page,
  baseUrl: string,
  email: string,
  password = GOOD_PASSWORD,
): Promise<void> {
  await page.goto(`${baseUrl}/signin`, { waitUntil: 'networkidle' });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/(dashboard|onboarding)/, { timeout: 30_000 });
}
