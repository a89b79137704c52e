/// <reference lib="dom" />
// The audit log in a real browser: an admin finds it in the navigation and sees a user's failed
// sign-in and a role change, filtered by kind; a user has no such link and is refused the page.
// Screenshot: test-artifacts/e2e/admin-audit-light.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startNode, type TestNode } from '../helpers/node.ts';
import { GOOD_PASSWORD, register, request, uniqueEmail } from '../helpers/http.ts';
import { failureArtifacts, goNav, launchBrowser, screenshot, signIn, watchPage } from '../helpers/browser.ts';
import type { SessionResponse } from '@finexia/contracts/api.ts';
import { User } from '../../infra/models/user.model.ts';

let node: TestNode;
let browser: Browser;
let admin: SessionResponse;
let user: SessionResponse;

beforeAll(async () => {
  node = await startNode();
  browser = await launchBrowser();
  const adminEmail = uniqueEmail('admin');
  await register(node.baseUrl, adminEmail);
  await User.updateOne({ email: adminEmail }, { $set: { role: 'admin' } });
  admin = (
    await request<SessionResponse>(node.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: adminEmail, password: GOOD_PASSWORD },
    })
  ).body;
  user = await register(node.baseUrl);
  // what the log will show: a failed sign-in of the user, and the user made an admin and back
  await request(node.baseUrl, 'POST', '/api/v1/auth/login', {
    body: { email: user.user.email, password: 'wrong one' },
  });
  for (const role of ['admin', 'user'])
    await request(node.baseUrl, 'PUT', `/api/v1/users/${user.user.id}/role`, {
      token: admin.accessToken,
      body: { role },
    });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

describe('the audit log in a browser', () => {
  it('is in the navigation for an admin, lists the events, and filters them by kind', async () => {
    const errors: string[] = [];
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    watchPage(page, 'audit', errors);
    try {
      await signIn(page, node.baseUrl, admin.user.email);
      await goNav(page, 'Audit log');
      await page.waitForURL('**/admin/audit');
      const failed = page.locator('tr[data-type="login.failed"]', { hasText: user.user.email });
      await failed.waitFor();
      const roles = page.locator('tr[data-type="role.changed"]');
      expect(await roles.count()).toBe(2);
      // people by their email, not their id: whose role, and which admin changed it
      expect(await roles.first().innerText()).toContain(user.user.email);
      expect(await roles.first().innerText()).toContain(admin.user.email);
      await screenshot(page, 'admin-audit', 'light');

      await page.getByLabel('Kind').selectOption('role.changed');
      await page.waitForURL('**/admin/audit?type=role.changed');
      await page.locator('tr[data-type="role.changed"]').first().waitFor();
      expect(await page.locator('tbody tr:not([data-type="role.changed"])').count()).toBe(0);
      expect(await page.locator('tbody').innerText()).toContain('to: user');
      expect(errors).toEqual([]);
    } catch (err) {
      await failureArtifacts(page, 'audit', errors);
      throw err;
    }
  });

  it('is not offered to a user, and refused if they go there', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, node.baseUrl, user.user.email);
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    const res = await page.goto(`${node.baseUrl}/admin/audit`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('tbody tr').count()).toBe(0);
  });
});
