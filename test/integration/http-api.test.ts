// Every endpoint over real HTTP on a real broker, FerretDB and Redis: good input,
// bad input, and proof that a rejected request changes nothing in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import jwt from 'jsonwebtoken';
import { startNode, TEST_JWT_SECRET, type TestNode } from '../helpers/node.ts';
import { GOOD_PASSWORD, register, request, uniqueEmail } from '../helpers/http.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { User } from '../../infra/models/user.model.ts';
import type { Readiness, SessionList, SessionResponse, UserPage, UserView } from '@finexia/contracts/api.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

let node: TestNode;
let base: string;

const MAX_FAILS = 3;

beforeAll(async () => {
  node = await startNode({
    LOGIN_MAX_FAILS_PER_ACCOUNT: String(MAX_FAILS),
    LOGIN_MAX_ATTEMPTS_PER_IP: '1000',
  });
  base = node.baseUrl;
});

afterAll(async () => {
  await node?.stop();
});

/** Everything the auth and users services store, in a comparable form. */
async function dbSnapshot(): Promise<string> {
  const db = mongoose.connection.db!;
  const dump = async (name: string) =>
    (await db.collection(name).find({}).sort({ _id: 1 }).toArray()).map((doc) => JSON.stringify(doc));
  return JSON.stringify({ users: await dump('users'), tokens: await dump('refresh_tokens') });
}

function errorOf(res: { body: unknown }): ErrorBody['error'] {
  return (res.body as ErrorBody).error;
}

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(errorOf(res).code).toBe(code);
  expect(typeof errorOf(res).message).toBe('string');
}

function forgeToken(
  payload: Record<string, unknown>,
  options: jwt.SignOptions = {},
  secret = TEST_JWT_SECRET,
) {
  return jwt.sign({ role: 'user', sid: 'x', ...payload }, secret, {
    algorithm: 'HS256',
    issuer: 'finexia',
    audience: 'finexia-app',
    subject: '00000000-0000-4000-8000-000000000000',
    expiresIn: 60,
    ...options,
  });
}

describe('health', () => {
  it('/healthz answers for the process', async () => {
    const res = await request(base, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('/readyz reports MongoDB and Redis reachable', async () => {
    const res = await request<Readiness>(base, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.checks.mongo?.ok).toBe(true);
    expect(res.body.checks.redis?.ok).toBe(true);
  });
});

describe('the HTTP edge', () => {
  it('puts a request id on every response, keeping a sane client one', async () => {
    const minted = await request(base, 'GET', '/healthz');
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await request(base, 'GET', '/api/v1/nowhere', {
      headers: { 'x-request-id': 'client-req-12345' },
    });
    expect(kept.headers.get('x-request-id')).toBe('client-req-12345');
    const replaced = await request(base, 'GET', '/healthz', {
      headers: { 'x-request-id': 'bad id <script>' },
    });
    expect(replaced.headers.get('x-request-id')).not.toContain('<');
  });

  it('answers unknown routes with 404 in the error body', async () => {
    expectError(await request(base, 'GET', '/api/v1/does-not-exist'), 404, 'NOT_FOUND');
    // outside /api a missing page is the dashboard's 404 page (or the JSON one on an API-only node)
    expect((await fetch(`${base}/no-such-page`)).status).toBe(404);
    // internal actions are not reachable by guessing their names
    expectError(await request(base, 'POST', '/api/v1/auth/revokeAllForUser', { body: {} }), 404, 'NOT_FOUND');
  });

  it('rejects malformed JSON with 400', async () => {
    expectError(
      await request(base, 'POST', '/api/v1/auth/login', {
        raw: '{"email":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'MALFORMED_JSON',
    );
  });

  it('rejects a JSON body that is not an object with 400', async () => {
    expectError(await request(base, 'POST', '/api/v1/auth/login', { body: ['a', 'b'] }), 400, 'BAD_REQUEST');
  });

  it('rejects bodies that are not JSON with 415', async () => {
    expectError(
      await request(base, 'POST', '/api/v1/auth/login', {
        raw: 'email=a',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('rejects oversized bodies with 413', async () => {
    const res = await request(base, 'POST', '/api/v1/auth/register', {
      body: { email: uniqueEmail(), password: GOOD_PASSWORD, name: 'x'.repeat(200_000) },
    });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('allows the web origin through CORS and exposes the request id', async () => {
    const res = await fetch(base + '/api/v1/auth/login', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const other = await fetch(base + '/api/v1/auth/login', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('register', () => {
  it('creates an account, signs it in and normalizes the email', async () => {
    const email = uniqueEmail('Mixed.Case');
    const res = await request<SessionResponse>(base, 'POST', '/api/v1/auth/register', {
      body: { email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD, name: '  Ada  ' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user.email).toBe(email.toLowerCase());
    expect(res.body.user.name).toBe('Ada');
    expect(res.body.user.role).toBe('user');
    expect(res.body.user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|\$2[aby]\$/);
    const stored = await User.findOne({ email: email.toLowerCase() }).lean();
    expect(stored?.passwordHash).toMatch(/^\$2[aby]\$12\$/);
  });

  it('refuses a taken email with 409 and changes nothing', async () => {
    const email = uniqueEmail();
    await register(base, email);
    const before = await dbSnapshot();
    const res = await request(base, 'POST', '/api/v1/auth/register', {
      body: { email: email.toUpperCase(), password: GOOD_PASSWORD, name: 'Again' },
    });
    expectError(res, 409, 'EMAIL_TAKEN');
    expect(errorOf(res).fields?.[0]?.field).toBe('email');
    expect(await dbSnapshot()).toBe(before);
  });

  it.each([
    ['a missing field', { email: 'x@example.com', password: GOOD_PASSWORD }, 'name'],
    ['an extra field', { email: 'x@example.com', password: GOOD_PASSWORD, name: 'X', role: 'admin' }, 'role'],
    ['a wrong type', { email: 'x@example.com', password: 1234567890123, name: 'X' }, 'password'],
    ['an operator object', { email: { $gt: '' }, password: GOOD_PASSWORD, name: 'X' }, 'email'],
    ['a bad email', { email: 'not-an-email', password: GOOD_PASSWORD, name: 'X' }, 'email'],
    ['a weak password', { email: 'weak@example.com', password: 'password123', name: 'X' }, 'password'],
    ['an empty name', { email: 'x@example.com', password: GOOD_PASSWORD, name: '   ' }, 'name'],
  ])('rejects %s with 422 naming the field, changing nothing', async (_what, body, field) => {
    const before = await dbSnapshot();
    const res = await request(base, 'POST', '/api/v1/auth/register', { body });
    expectError(res, 422, 'VALIDATION_FAILED');
    expect(errorOf(res).fields?.map((f) => f.field)).toContain(field);
    expect(await dbSnapshot()).toBe(before);
  });
});

describe('login', () => {
  it('signs in with the right password (email in any case)', async () => {
    const email = uniqueEmail();
    await register(base, email);
    const res = await request<SessionResponse>(base, 'POST', '/api/v1/auth/login', {
      body: { email: email.toUpperCase(), password: GOOD_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    expect(res.body.refreshToken).toMatch(/^fxr_/);
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const email = uniqueEmail();
    await register(base, email);
    const wrong = await request(base, 'POST', '/api/v1/auth/login', {
      body: { email, password: 'not the password' },
    });
    const unknown = await request(base, 'POST', '/api/v1/auth/login', {
      body: { email: uniqueEmail('ghost'), password: 'not the password' },
    });
    expectError(wrong, 401, 'INVALID_CREDENTIALS');
    expect(unknown.body).toEqual(wrong.body);
  });

  it('rejects operator injection instead of matching any user', async () => {
    const before = await dbSnapshot();
    const res = await request(base, 'POST', '/api/v1/auth/login', {
      body: { email: { $gt: '' }, password: { $gt: '' } },
    });
    expectError(res, 422, 'VALIDATION_FAILED');
    expect(await dbSnapshot()).toBe(before);
  });

  it(`blocks an account after ${MAX_FAILS} failures with 429 and Retry-After, even for the right password`, async () => {
    const email = uniqueEmail('brute');
    await register(base, email);
    for (let i = 0; i < MAX_FAILS; i += 1) {
      expectError(
        await request(base, 'POST', '/api/v1/auth/login', { body: { email, password: `guess-${i}-xxxxxx` } }),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    const blocked = await request(base, 'POST', '/api/v1/auth/login', {
      body: { email, password: GOOD_PASSWORD },
    });
    expectError(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('tokens', () => {
  let session: SessionResponse;
  beforeAll(async () => {
    session = await register(base);
  });

  it('me returns the signed-in user', async () => {
    const res = await request<UserView>(base, 'GET', '/api/v1/auth/me', { token: session.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(session.user.id);
  });

  it('me without a token is 401', async () => {
    expectError(await request(base, 'GET', '/api/v1/auth/me'), 401, 'UNAUTHORIZED');
  });

  it.each([
    ['expired', () => forgeToken({}, { expiresIn: -5 }), 'TOKEN_EXPIRED'],
    ['tampered', () => session.accessToken.slice(0, -3) + 'AAA', 'TOKEN_INVALID'],
    ['for another audience', () => forgeToken({}, { audience: 'another-app' }), 'TOKEN_INVALID'],
    ['from another issuer', () => forgeToken({}, { issuer: 'evil' }), 'TOKEN_INVALID'],
    ['signed with another key', () => forgeToken({}, {}, 'k'.repeat(40)), 'TOKEN_INVALID'],
    [
      'alg none',
      () =>
        Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url') +
        '.' +
        Buffer.from(
          JSON.stringify({
            sub: session.user.id,
            role: 'admin',
            sid: 'x',
            iss: 'finexia',
            aud: 'finexia-app',
            exp: 9999999999,
          }),
        ).toString('base64url') +
        '.',
      'TOKEN_INVALID',
    ],
    ['not a JWT at all', () => 'garbage', 'TOKEN_INVALID'],
  ])('an %s access token is 401', async (_what, make, code) => {
    expectError(await request(base, 'GET', '/api/v1/auth/me', { token: make() }), 401, code);
  });

  it('refresh rotates; reusing the old token revokes the whole family', async () => {
    const login = await request<SessionResponse>(base, 'POST', '/api/v1/auth/login', {
      body: { email: session.user.email, password: GOOD_PASSWORD },
    });
    const first = login.body.refreshToken;
    const rotated = await request<SessionResponse>(base, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first);

    const reuse = await request(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: first } });
    expectError(reuse, 401, 'REFRESH_TOKEN_REUSED');
    // the legitimate newest token of that family is dead too
    const newest = await request(base, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: rotated.body.refreshToken },
    });
    expectError(newest, 401, 'REFRESH_TOKEN_INVALID');
    // other devices (families) are untouched
    const other = await request<SessionResponse>(base, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(other.status).toBe(200);
    session = other.body;
  });

  it('only one of two concurrent refreshes with the same token wins', async () => {
    const login = await request<SessionResponse>(base, 'POST', '/api/v1/auth/login', {
      body: { email: session.user.email, password: GOOD_PASSWORD },
    });
    const results = await Promise.all(
      [1, 2].map(() =>
        request(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it.each([
    ['garbage', { refreshToken: 'nope' }, 401, 'REFRESH_TOKEN_INVALID'],
    ['unknown', { refreshToken: 'fxr_' + 'A'.repeat(43) }, 401, 'REFRESH_TOKEN_INVALID'],
    ['missing', {}, 422, 'VALIDATION_FAILED'],
    ['an object', { refreshToken: { $ne: null } }, 422, 'VALIDATION_FAILED'],
  ])('refresh with a %s token is refused', async (_what, body, status, code) => {
    const before = await dbSnapshot();
    expectError(await request(base, 'POST', '/api/v1/auth/refresh', { body }), status, code);
    expect(await dbSnapshot()).toBe(before);
  });

  it('logout ends this device only; logout-all ends every device', async () => {
    const email = uniqueEmail('devices');
    const phone = await register(base, email);
    const laptop = (
      await request<SessionResponse>(base, 'POST', '/api/v1/auth/login', {
        body: { email, password: GOOD_PASSWORD },
      })
    ).body;
    const tablet = (
      await request<SessionResponse>(base, 'POST', '/api/v1/auth/login', {
        body: { email, password: GOOD_PASSWORD },
      })
    ).body;

    const sessions = await request<SessionList>(base, 'GET', '/api/v1/auth/sessions', {
      token: laptop.accessToken,
    });
    expect(sessions.body.sessions).toHaveLength(3);
    expect(sessions.body.sessions.filter((s) => s.current)).toHaveLength(1);

    expect((await request(base, 'POST', '/api/v1/auth/logout', { token: phone.accessToken })).status).toBe(
      204,
    );
    expectError(
      await request(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: phone.refreshToken } }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
    const laptopRefreshed = await request<SessionResponse>(base, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: laptop.refreshToken },
    });
    expect(laptopRefreshed.status).toBe(200);

    expect(
      (await request(base, 'POST', '/api/v1/auth/logout-all', { token: tablet.accessToken })).status,
    ).toBe(204);
    for (const token of [laptopRefreshed.body.refreshToken, tablet.refreshToken]) {
      expectError(
        await request(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: token } }),
        401,
        'REFRESH_TOKEN_INVALID',
      );
    }
  });

  it('logout without a token is 401', async () => {
    expectError(await request(base, 'POST', '/api/v1/auth/logout'), 401, 'UNAUTHORIZED');
  });
});

describe('users', () => {
  let me: SessionResponse;
  beforeAll(async () => {
    me = await register(base);
  });

  it('reads and renames the profile', async () => {
    const res = await request<UserView>(base, 'PATCH', '/api/v1/users/me', {
      token: me.accessToken,
      body: { name: 'Grace' },
    });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Grace');
    const read = await request<UserView>(base, 'GET', '/api/v1/users/me', { token: me.accessToken });
    expect(read.body.name).toBe('Grace');
  });

  it('updates preferences and validates each one', async () => {
    const ok = await request<UserView>(base, 'PATCH', '/api/v1/users/me/preferences', {
      token: me.accessToken,
      body: {
        baseCurrency: 'EUR',
        locale: 'de-de',
        timeZone: 'Europe/Berlin',
        theme: 'dark',
        alertThresholds: { largeTransaction: '2500.00', netWorthDropPercent: 7.5 },
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.preferences).toMatchObject({
      baseCurrency: 'EUR',
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
      theme: 'dark',
      alertThresholds: { largeTransaction: '2500.00', lowBalance: '100', netWorthDropPercent: 7.5 },
    });

    const before = await dbSnapshot();
    const bad = await request(base, 'PATCH', '/api/v1/users/me/preferences', {
      token: me.accessToken,
      body: {
        baseCurrency: 'EUX',
        timeZone: 'Mars/Base',
        alertThresholds: { lowBalance: '-5' },
        locale: 'en-US',
      },
    });
    expectError(bad, 422, 'VALIDATION_FAILED');
    expect(
      errorOf(bad)
        .fields?.map((f) => f.field)
        .sort(),
    ).toEqual(['alertThresholds.lowBalance', 'baseCurrency', 'timeZone'].sort());
    expectError(
      await request(base, 'PATCH', '/api/v1/users/me/preferences', {
        token: me.accessToken,
        body: { theme: 'neon' },
      }),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await request(base, 'PATCH', '/api/v1/users/me/preferences', {
        token: me.accessToken,
        body: { alertThresholds: { x: 1 } },
      }),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await request(base, 'PATCH', '/api/v1/users/me/preferences', { token: me.accessToken, body: {} }),
      400,
      'BAD_REQUEST',
    );
    expect(await dbSnapshot()).toBe(before);
  });

  it('changes the email only with the right password and to a free address', async () => {
    const taken = uniqueEmail('taken');
    await register(base, taken);
    const before = await dbSnapshot();
    const wrongPassword = await request(base, 'POST', '/api/v1/users/me/email', {
      token: me.accessToken,
      body: { newEmail: uniqueEmail('new'), password: 'wrong password!' },
    });
    expectError(wrongPassword, 422, 'PASSWORD_INCORRECT');
    expectError(
      await request(base, 'POST', '/api/v1/users/me/email', {
        token: me.accessToken,
        body: { newEmail: taken, password: GOOD_PASSWORD },
      }),
      409,
      'EMAIL_TAKEN',
    );
    expect(await dbSnapshot()).toBe(before);

    const fresh = uniqueEmail('Fresh');
    const ok = await request<UserView>(base, 'POST', '/api/v1/users/me/email', {
      token: me.accessToken,
      body: { newEmail: fresh, password: GOOD_PASSWORD },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.email).toBe(fresh.toLowerCase());
    const login = await request(base, 'POST', '/api/v1/auth/login', {
      body: { email: fresh, password: GOOD_PASSWORD },
    });
    expect(login.status).toBe(200);
  });

  it('admin-only routes are 403 for users', async () => {
    expectError(await request(base, 'GET', '/api/v1/users', { token: me.accessToken }), 403, 'FORBIDDEN');
    expectError(
      await request(base, 'PUT', `/api/v1/users/${me.user.id}/disabled`, {
        token: me.accessToken,
        body: { disabled: true },
      }),
      403,
      'FORBIDDEN',
    );
  });

  it('an admin lists users and disables one, which ends their sessions and blocks sign-in', async () => {
    const adminEmail = uniqueEmail('admin');
    await register(base, adminEmail);
    await User.updateOne({ email: adminEmail }, { $set: { role: 'admin' } });
    const admin = (
      await request<SessionResponse>(base, 'POST', '/api/v1/auth/login', {
        body: { email: adminEmail, password: GOOD_PASSWORD },
      })
    ).body;
    const victim = await register(base);

    const page = await request<UserPage>(base, 'GET', '/api/v1/users?limit=2', {
      token: admin.accessToken,
    });
    expect(page.status).toBe(200);
    expect(page.body.users).toHaveLength(2);
    expect(page.body.nextCursor).toMatch(/^[0-9a-f]{24}$/);
    const next = await request<UserPage>(
      base,
      'GET',
      `/api/v1/users?limit=2&cursor=${page.body.nextCursor}`,
      {
        token: admin.accessToken,
      },
    );
    expect(next.body.users.map((u) => u.id)).not.toContain(page.body.users[0]!.id);
    expectError(
      await request(base, 'GET', '/api/v1/users?limit=1000', { token: admin.accessToken }),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await request(base, 'GET', '/api/v1/users?cursor=%7B%24gt%7D', { token: admin.accessToken }),
      422,
      'VALIDATION_FAILED',
    );

    // the victim is signed in and has the dashboard open
    expect((await request(base, 'GET', '/api/v1/users/me', { token: victim.accessToken })).status).toBe(200);
    const socket = TestSocket.connect(node.wsUrl, { token: victim.accessToken });
    await socket.next((f) => f.type === 'welcome');

    const disabled = await request<UserView>(base, 'PUT', `/api/v1/users/${victim.user.id}/disabled`, {
      token: admin.accessToken,
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabled).toBe(true);
    // at once, not when the access token expires: the token is refused and the socket closed
    expectError(
      await request(base, 'GET', '/api/v1/users/me', { token: victim.accessToken }),
      401,
      'TOKEN_INVALID',
    );
    expect(await socket.closed).toBe(4002);
    const again = TestSocket.connect(node.wsUrl, { token: victim.accessToken });
    expect(await again.closed).toBe(4002);
    expectError(
      await request(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: victim.refreshToken } }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
    expectError(
      await request(base, 'POST', '/api/v1/auth/login', {
        body: { email: victim.user.email, password: GOOD_PASSWORD },
      }),
      403,
      'ACCOUNT_DISABLED',
    );

    expectError(
      await request(base, 'PUT', `/api/v1/users/00000000-0000-4000-8000-000000000000/disabled`, {
        token: admin.accessToken,
        body: { disabled: true },
      }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await request(base, 'PUT', `/api/v1/users/not-a-uuid/disabled`, {
        token: admin.accessToken,
        body: { disabled: true },
      }),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await request(base, 'PUT', `/api/v1/users/${admin.user.id}/disabled`, {
        token: admin.accessToken,
        body: { disabled: true },
      }),
      409,
      'CONFLICT',
    );
  });
});

describe('refresh race', () => {
  it('after a lost race the whole family is dead, including the winner’s new token', async () => {
    const s = await register(base);
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        request<SessionResponse>(base, 'POST', '/api/v1/auth/refresh', {
          body: { refreshToken: s.refreshToken },
        }),
      ),
    );
    const winner = [a!, b!].find((r) => r.status === 200);
    expect(winner).toBeDefined();
    expectError(
      await request(base, 'POST', '/api/v1/auth/refresh', {
        body: { refreshToken: winner!.body.refreshToken },
      }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
  });
});
