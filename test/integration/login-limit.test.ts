// The per-address login limit sees each person's own address, whether they sign in through the
// dashboard (its server calls the API over loopback and forwards the address it saw) or call the
// API behind a proxy on this host; a forged X-Forwarded-For from outside changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { GOOD_PASSWORD, register, request } from '../helpers/http.ts';
import type { SessionResponse } from '@finexia/contracts/api.ts';

let node: TestNode;
let user: SessionResponse;
const ALICE = '198.51.100.1';
const BOB = '198.51.100.2';

beforeAll(async () => {
  node = await startNode({ LOGIN_MAX_ATTEMPTS_PER_IP: '3', LOGIN_MAX_FAILS_PER_ACCOUNT: '100' });
  user = await register(node.baseUrl);
}, 90_000);

afterAll(async () => {
  await node?.stop();
});

/** A sign-in through the dashboard's form, from a browser at `address` (as a proxy in front reports it). */
async function dashboardSignIn(address: string, email: string, password: string) {
  const res = await fetch(`${node.baseUrl}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: node.baseUrl,
      'x-sveltekit-action': 'true',
      'x-forwarded-for': address,
    },
    body: new URLSearchParams({ email, password }).toString(),
  });
  return (await res.json()) as { type: string; status: number };
}

describe('the per-address login limit', () => {
  it('locks the address that failed through the dashboard, not everyone who signs in there', async () => {
    for (let i = 0; i < 3; i += 1)
      expect((await dashboardSignIn(ALICE, `nobody${i}@example.test`, 'wrong-password-1')).status).toBe(401);
    // the fourth from that address is refused before any password is checked…
    expect((await dashboardSignIn(ALICE, user.user.email, GOOD_PASSWORD)).status).toBe(429);
    // …while another person signing in through the same dashboard server is not
    expect(await dashboardSignIn(BOB, user.user.email, GOOD_PASSWORD)).toMatchObject({ type: 'redirect' });
  });

  it('sees the same addresses on the API itself behind a proxy on this host', async () => {
    const login = (address: string) =>
      request(node.baseUrl, 'POST', '/api/v1/auth/login', {
        body: { email: user.user.email, password: GOOD_PASSWORD },
        headers: { 'x-forwarded-for': address },
      });
    expect((await login(ALICE)).status).toBe(429);
    expect((await login(BOB)).status).toBe(200);
    // what a client writes left of the proxy's own entry is not believed
    expect((await login(`${BOB}, ${ALICE}`)).status).toBe(429);
  });
});
