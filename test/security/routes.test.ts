// The security suite, generated from the route table the gateway serves (`api.listAliases` with
// each action's schema): a route added tomorrow is probed without editing this file. Per route:
// no token → 401; another user's ids → 404 and nothing changed; admin routes → 403 for a user;
// NoSQL operators in every parameter → refused; unknown (mass-assigned) fields → refused. Then
// the token attacks, refresh reuse, oversized and deeply nested bodies, headers and CORS, the
// audit log, and every log line written meanwhile checked for secrets.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { startNode, TEST_CREDENTIALS_KEYS, TEST_JWT_SECRET, type TestNode } from '../helpers/node.ts';
import { captureConsole } from '../helpers/logs.ts';
import { GOOD_PASSWORD, register, request, uniqueEmail, type JsonResponse } from '../helpers/http.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { WS_CLOSE } from '@finexia/contracts/ws.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';
import type { AuditPage, SessionResponse, WalletView } from '@finexia/contracts/api.ts';
import { User } from '../../infra/models/user.model.ts';
import { Anomaly } from '../../infra/models/anomaly.model.ts';
import { Notification } from '../../infra/models/notification.model.ts';

interface Alias {
  actionName: string;
  fullPath: string;
  methods: string;
  action?: { params?: Record<string, unknown>; roles?: string[]; auth?: string; visibility?: string };
}

/** Routes anyone may call: each must be named here, so a new public route is a decision. */
const PUBLIC = new Set([
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/wallets/webhooks/plaid', // authenticated by Plaid's signed JWT instead
  'GET /healthz',
  'GET /readyz',
  // market data, the same for everybody (no user's data in it)
  'GET /api/v1/market/prices',
  'GET /api/v1/market/candles',
  'GET /api/v1/market/changes',
]);

let node: TestNode;
let routes: Alias[];
let alice: SessionResponse; // owns everything probed
let mallory: SessionResponse; // probes alice's ids
let admin: SessionResponse;
const owned: Record<string, string> = {};
const logged: string[] = [];
/** how many cases each generated check ran (printed at the end, for the record) */
const generated: Record<string, number> = {};
const secrets: string[] = [];

const key = (a: Alias) => `${a.methods} ${a.fullPath}`;
const hasBody = (method: string) => ['POST', 'PUT', 'PATCH'].includes(method);
const pathParams = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

/** Fixtures are named by the path before a parameter ("notifications/webhooks.id"), or by its name. */
function fixtureKey(path: string, name: string): string {
  const before = path
    .slice(0, path.indexOf(`:${name}`))
    .split('/')
    .slice(3)
    .filter(Boolean);
  return `${before.filter((segment) => !segment.startsWith(':')).join('/')}.${name}`;
}

/** A path with alice's ids in it; `any` fills every parameter with a fresh id instead. */
function fill(alias: Alias, ids: Record<string, string> | 'any' = owned): string {
  return alias.fullPath.replace(/:(\w+)/g, (_m, name: string) => {
    if (ids === 'any') return randomUUID();
    const id = ids[fixtureKey(alias.fullPath, name)] ?? ids[name];
    if (!id) throw new Error(`${key(alias)}: no fixture for :${name} (add one to the security suite)`);
    return encodeURIComponent(id);
  });
}

const call = <T = ErrorBody>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> =>
  request<T>(node.baseUrl, method, path, {
    ...options,
    // a body only where the method carries one ({} when none is given)
    body: hasBody(method) ? (options.body ?? (options.raw === undefined ? {} : undefined)) : undefined,
  });

async function login(email: string): Promise<SessionResponse> {
  const res = await call<SessionResponse>('POST', '/api/v1/auth/login', {
    body: { email, password: GOOD_PASSWORD },
  });
  if (res.status !== 200) throw new Error(`login ${res.status}`);
  return res.body;
}

/** Everything alice can see of her own data: must be the same after every probe. */
async function aliceState(): Promise<string> {
  const paths = [
    '/api/v1/users/me',
    '/api/v1/wallets?includeArchived=true',
    '/api/v1/transactions',
    '/api/v1/notifications',
    '/api/v1/notifications/webhooks',
    '/api/v1/anomalies',
    '/api/v1/insights/goals',
    `/api/v1/wallets/${owned['wallets.id']}/balances`,
  ];
  const bodies = await Promise.all(paths.map((p) => call<unknown>('GET', p, { token: alice.accessToken })));
  for (const [i, b] of bodies.entries()) expect(b.status, paths[i]).toBe(200);
  return JSON.stringify(bodies.map((b) => b.body));
}

beforeAll(async () => {
  // every line any logger writes during the suite, to look for secrets in at the end
  captureConsole(logged);
  node = await startNode({ LOG_LEVEL: 'debug', BODY_LIMIT: '100kb' });
  [alice, mallory] = await Promise.all([register(node.baseUrl), register(node.baseUrl)]);
  const adminEmail = uniqueEmail('admin');
  await register(node.baseUrl, adminEmail);
  await User.updateOne({ email: adminEmail }, { $set: { role: 'admin' } });
  admin = await login(adminEmail);
  secrets.push(GOOD_PASSWORD, TEST_JWT_SECRET, TEST_CREDENTIALS_KEYS.split(':')[1]!);
  for (const s of [alice, mallory, admin]) secrets.push(s.accessToken, s.refreshToken);

  routes = (
    await node.broker.call<Alias[], { withActionSchema: boolean }>('api.listAliases', {
      withActionSchema: true,
    })
  ).map((a) => ({ ...a, methods: String(a.methods).toUpperCase() }));

  // alice's things, one of each kind a path can name
  const token = alice.accessToken;
  const wallet = await call<WalletView>('POST', '/api/v1/wallets/manual', {
    token,
    body: { name: 'Cash', manualType: 'cash', currency: 'USD', balance: '100.00', date: '2026-01-02' },
  });
  expect(wallet.status).toBe(201);
  owned['wallets.id'] = wallet.body.id;
  owned.walletId = wallet.body.id;
  owned.date = '2026-01-02';
  owned.asset = 'BTC';
  const tx = await call<{ id: string }>('POST', '/api/v1/transactions', {
    token,
    body: { walletId: wallet.body.id, amount: '-12.50', date: '2026-01-03', name: 'Coffee' },
  });
  expect(tx.status).toBe(201);
  owned['transactions.id'] = tx.body.id;
  const preview = await call<{ importId: string }>('POST', '/api/v1/transactions/import/preview', {
    token,
    body: { walletId: wallet.body.id, csv: 'Date,Description,Amount\n2026-01-04,Lunch,-9.00\n' },
  });
  expect(preview.status).toBe(201);
  owned['transactions/import.importId'] = preview.body.importId;
  const hook = await call<{ webhook: { id: string } } & { id?: string }>(
    'POST',
    '/api/v1/notifications/webhooks',
    {
      token,
      body: { url: 'http://127.0.0.1:9/finexia-hook' },
    },
  );
  expect(hook.status).toBe(201);
  owned['notifications/webhooks.id'] = hook.body.webhook?.id ?? hook.body.id!;
  const goal = await call<{ id: string }>('POST', '/api/v1/insights/goals', {
    token,
    body: { name: 'House', target: '50000', date: '2030-01-01' },
  });
  expect(goal.status).toBe(201);
  owned['insights/goals.id'] = goal.body.id;
  // an anomaly and a notification as detection and delivery leave them
  const anomalyId = randomUUID();
  await Anomaly.create({
    publicId: anomalyId,
    userId: alice.user.id,
    key: `test:${anomalyId}`,
    type: 'unusual_amount',
    severity: 'medium',
    date: '2026-01-03',
    reason: 'Larger than usual',
  });
  owned['anomalies.id'] = anomalyId;
  const notificationId = randomUUID();
  await Notification.create({
    publicId: notificationId,
    userId: alice.user.id,
    kind: 'wallet.linked',
    title: 'Cash added',
    body: 'Your cash wallet is in.',
    groupKey: `test:${notificationId}`,
  });
  owned['notifications.id'] = notificationId;
  owned['users.id'] = alice.user.id;
}, 180_000);

afterAll(async () => {
  vi.restoreAllMocks();
  const total = Object.values(generated).reduce((a, b) => a + b, 0);
  process.stderr.write(
    `security suite: ${routes?.length ?? 0} routes, ${total} generated cases\n` +
      Object.entries(generated)
        .map(([what, n]) => `  ${what}: ${n}\n`)
        .join(''),
  );
  await node?.stop();
});

describe('the route table', () => {
  it('is what the gateway serves, and each alias has its action schema', () => {
    expect(routes.length).toBeGreaterThan(60);
    for (const r of routes) expect(r.action, key(r)).toBeDefined();
  });

  it('requires a token on every route not declared public (401 UNAUTHORIZED, nothing done)', async () => {
    const checked: string[] = [];
    for (const r of routes) {
      const res = await call(r.methods, fill(r, 'any'));
      if (PUBLIC.has(key(r))) continue;
      expect(res.status, key(r)).toBe(401);
      expect(res.body.error.code, key(r)).toBe('UNAUTHORIZED');
      checked.push(key(r));
    }
    expect(checked.length).toBeGreaterThan(50);
    generated['no token → 401'] = checked.length;
    // every declared public route still exists (a renamed one would leave a stale exception)
    for (const p of PUBLIC) expect(routes.map(key), p).toContain(p);
  });

  it("answers another user's ids with 404 on every route that names one, and changes nothing", async () => {
    const before = await aliceState();
    const probed: string[] = [];
    for (const r of routes.filter((r) => pathParams(r.fullPath).length && !r.action?.roles)) {
      const res = await call(r.methods, fill(r), { token: mallory.accessToken, body: {} });
      // 404 for the owned thing; a 422 only when the body is refused before the lookup
      expect([404, 422], `${key(r)} → ${res.status}`).toContain(res.status);
      // with a body that passes validation the answer must be 404 too: sent where one is known
      probed.push(key(r));
    }
    expect(probed.length).toBeGreaterThan(15);
    generated["another user's ids → 404"] = probed.length;
    // the writes with a valid body, the ones that would change alice's data
    const writes: [string, string, unknown][] = [
      ['PATCH', `/api/v1/wallets/${owned['wallets.id']}`, { name: 'Mine now' }],
      ['DELETE', `/api/v1/wallets/${owned['wallets.id']}`, undefined],
      ['POST', `/api/v1/wallets/${owned['wallets.id']}/archive`, {}],
      ['PUT', `/api/v1/wallets/${owned['wallets.id']}/balances/2026-01-05`, { balance: '1' }],
      ['PATCH', `/api/v1/transactions/${owned['transactions.id']}`, { name: 'Mine now' }],
      ['DELETE', `/api/v1/transactions/${owned['transactions.id']}`, undefined],
      [
        'POST',
        `/api/v1/transactions/import/${owned['transactions/import.importId']}/commit`,
        {
          mapping: {
            date: 'Date',
            amount: 'Amount',
            description: 'Description',
            dateFormat: 'YYYY-MM-DD',
            decimalSeparator: '.',
          },
        },
      ],
      ['POST', `/api/v1/notifications/${owned['notifications.id']}/read`, {}],
      ['POST', `/api/v1/anomalies/${owned['anomalies.id']}/dismiss`, {}],
      ['DELETE', `/api/v1/notifications/webhooks/${owned['notifications/webhooks.id']}`, undefined],
      ['PATCH', `/api/v1/insights/goals/${owned['insights/goals.id']}`, { name: 'Mine now' }],
      ['DELETE', `/api/v1/insights/goals/${owned['insights/goals.id']}`, undefined],
      [
        'POST',
        '/api/v1/transactions',
        { walletId: owned.walletId, amount: '-1', date: '2026-01-05', name: 'x' },
      ],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(method, path, { token: mallory.accessToken, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect(await aliceState()).toBe(before);
  });

  it('refuses admin routes to users (403 FORBIDDEN) and serves them to admins', async () => {
    const adminRoutes = routes.filter((r) => r.action?.roles?.includes('admin'));
    generated['admin route as a user → 403'] = adminRoutes.length;
    expect(adminRoutes.map(key)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/users',
        'PUT /api/v1/users/:id/disabled',
        'GET /api/v1/users/audit',
      ]),
    );
    // an account the admin may delete (alice's must stay for the other probes)
    const victim = await register(node.baseUrl);
    for (const r of adminRoutes) {
      const ids = key(r) === 'DELETE /api/v1/users/:id' ? { ...owned, 'users.id': victim.user.id } : owned;
      const res = await call(r.methods, fill(r, ids), { token: alice.accessToken, body: {} });
      expect(res.status, key(r)).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      const asAdmin = await call(r.methods, fill(r, ids), { token: admin.accessToken, body: {} });
      expect(asAdmin.status, key(r)).not.toBe(403);
    }
  });

  it('refuses a NoSQL operator object in every parameter of every route (never 2xx, never 5xx)', async () => {
    let cases = 0;
    for (const r of routes) {
      const params = Object.keys(r.action?.params ?? {}).filter((p) => !p.startsWith('$$'));
      for (const param of params) {
        if (pathParams(r.fullPath).includes(param)) continue; // path segments are strings by construction
        const token = r.action?.roles ? admin.accessToken : alice.accessToken;
        const res = hasBody(r.methods)
          ? await call(r.methods, fill(r), { token, body: { [param]: { $ne: null } } })
          : await call(r.methods, `${fill(r)}?${param}[$ne]=x`, { token });
        expect(res.status, `${key(r)} ${param} → ${res.status}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${key(r)} ${param} → ${res.status}`).toBeLessThan(500);
        cases += 1;
      }
    }
    expect(cases).toBeGreaterThan(80);
    generated['NoSQL operator per parameter → 4xx'] = cases;
    // and the classic: a login that matches any user
    const res = await call('POST', '/api/v1/auth/login', {
      body: { email: { $ne: null }, password: { $gt: '' } },
    });
    expect(res.status).toBe(422);
  });

  it('refuses server-owned fields in every body (mass assignment): strict schemas, 422 naming the field', async () => {
    const bodies = routes.filter((r) => hasBody(r.methods) && r.action?.params);
    generated['server-owned fields per body → 422'] = bodies.length;
    for (const r of bodies) {
      if (PUBLIC.has(key(r)) && r.fullPath.includes('webhooks')) continue; // raw signed body
      expect(r.action!.params!.$$strict, `${key(r)} must declare $$strict`).toBe(true);
      const token = r.action?.roles ? admin.accessToken : alice.accessToken;
      const res = await call(r.methods, fill(r), {
        token,
        body: { role: 'admin', userId: mallory.user.id, id: randomUUID(), createdAt: '2020-01-01' },
      });
      expect(res.status, key(r)).toBe(422);
    }
    // with an otherwise valid body too
    const signup = await call<SessionResponse>('POST', '/api/v1/auth/register', {
      body: { email: uniqueEmail(), password: GOOD_PASSWORD, name: 'Eve', role: 'admin' },
    });
    expect(signup.status).toBe(422);
    expect(JSON.stringify(signup.body)).toContain('role');
    const rename = await call('PATCH', '/api/v1/users/me', {
      token: alice.accessToken,
      body: { name: 'A', role: 'admin' },
    });
    expect(rename.status).toBe(422);
    expect(
      (await call<{ role: string }>('GET', '/api/v1/users/me', { token: alice.accessToken })).body.role,
    ).toBe('user');
  });
});

describe('tokens', () => {
  const me = (token: string) => call('GET', '/api/v1/users/me', { token });
  const claims = () => ({ role: 'user', sid: 'attack' });
  const base = () => ({ issuer: 'finexia', audience: 'finexia-app', subject: alice.user.id, expiresIn: 300 });

  it.each([
    ['alg none', () => jwt.sign(claims(), '', { ...base(), algorithm: 'none' })],
    [
      'RS256 (algorithm confusion)',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return jwt.sign(claims(), privateKey, { ...base(), algorithm: 'RS256' });
      },
    ],
    [
      'HS512 with the right secret',
      () => jwt.sign(claims(), TEST_JWT_SECRET, { ...base(), algorithm: 'HS512' }),
    ],
    ['expired', () => jwt.sign(claims(), TEST_JWT_SECRET, { ...base(), expiresIn: -10 })],
    ['wrong issuer', () => jwt.sign(claims(), TEST_JWT_SECRET, { ...base(), issuer: 'evil' })],
    ['wrong audience', () => jwt.sign(claims(), TEST_JWT_SECRET, { ...base(), audience: 'evil' })],
    ['another secret', () => jwt.sign(claims(), 'x'.repeat(48), base())],
    [
      'tampered payload',
      () => {
        const [header, , signature] = alice.accessToken.split('.');
        const payload = Buffer.from(
          JSON.stringify({ sub: mallory.user.id, role: 'admin', sid: 'x' }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
  ])('refuses a token with %s over HTTP and WebSocket', async (_what, make) => {
    const token = make();
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(['TOKEN_INVALID', 'TOKEN_EXPIRED']).toContain(res.body.error.code);
    const ws = TestSocket.connect(node.wsUrl, { token });
    expect([WS_CLOSE.TOKEN_INVALID, WS_CLOSE.TOKEN_EXPIRED]).toContain(await ws.closed);
    expect(ws.frames).toEqual([]);
  });

  it("refuses a disabled user's token at once, and their refresh token", async () => {
    const victim = await register(node.baseUrl);
    secrets.push(victim.accessToken, victim.refreshToken);
    expect((await me(victim.accessToken)).status).toBe(200);
    const disabled = await call('PUT', `/api/v1/users/${victim.user.id}/disabled`, {
      token: admin.accessToken,
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    expect((await me(victim.accessToken)).status).toBe(401);
    const refreshed = await call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: victim.refreshToken },
    });
    expect(refreshed.status).toBeGreaterThanOrEqual(401);
    expect(refreshed.status).toBeLessThan(500);
  });

  it('detects refresh token reuse: the whole session ends', async () => {
    const session = await login(alice.user.email);
    secrets.push(session.accessToken, session.refreshToken);
    const next = await call<SessionResponse>('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(next.status).toBe(200);
    secrets.push(next.body.accessToken, next.body.refreshToken);
    const replay = await call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    const afterReuse = await call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: next.body.refreshToken },
    });
    expect(afterReuse.status).toBe(401);
  });
});

describe('bodies, headers and CORS', () => {
  it('refuses an oversized body with 413 and a deeply nested one with a 4xx; the node keeps serving', async () => {
    const big = await call('POST', '/api/v1/wallets/manual', {
      token: alice.accessToken,
      raw: JSON.stringify({ name: 'x'.repeat(300_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const depth = 20_000;
    const nested = await call('POST', '/api/v1/wallets/manual', {
      token: alice.accessToken,
      raw: '{"name":' + '['.repeat(depth) + ']'.repeat(depth) + '}',
      headers: { 'content-type': 'application/json' },
    });
    expect(nested.status).toBeGreaterThanOrEqual(400);
    expect(nested.status).toBeLessThan(500);
    expect((await call('GET', '/api/v1/users/me', { token: alice.accessToken })).status).toBe(200);
  });

  it('sends no-sniff and no-store on API answers and hides the server', async () => {
    const res = await fetch(`${node.baseUrl}/api/v1/users/me`, {
      headers: { authorization: `Bearer ${alice.accessToken}` },
    });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('answers CORS for the configured origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${node.baseUrl}/api/v1/users/me`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const good = await preflight('http://localhost:3000');
    expect(good.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the audit log', () => {
  it('records sign-ins, failures, refresh reuse, role and account changes, password changes; admins read it', async () => {
    const failed = await call('POST', '/api/v1/auth/login', {
      body: { email: alice.user.email, password: 'wrong' },
    });
    expect(failed.status).toBe(401);
    const promoted = await register(node.baseUrl);
    secrets.push(promoted.accessToken, promoted.refreshToken);
    expect(
      (
        await call('PUT', `/api/v1/users/${promoted.user.id}/role`, {
          token: admin.accessToken,
          body: { role: 'admin' },
        })
      ).status,
    ).toBe(200);
    // the promoted user's old token is refused: it says "user"
    expect((await call('GET', '/api/v1/users/me', { token: promoted.accessToken })).status).toBe(401);
    const newPassword = 'a much longer passphrase 2026';
    secrets.push(newPassword);
    const changed = await call('POST', '/api/v1/users/me/password', {
      token: mallory.accessToken,
      body: { currentPassword: GOOD_PASSWORD, newPassword },
    });
    expect(changed.status).toBe(200);
    expect(
      (
        await call('POST', '/api/v1/auth/login', {
          body: { email: mallory.user.email, password: newPassword },
        })
      ).status,
    ).toBe(200);
    const wrongCurrent = await call('POST', '/api/v1/users/me/password', {
      token: mallory.accessToken,
      body: { currentPassword: 'not it', newPassword: 'another long passphrase 2026' },
    });
    expect(wrongCurrent.status).toBe(422);
    expect(wrongCurrent.body.error.code).toBe('PASSWORD_INCORRECT');

    const log = await call<AuditPage>('GET', '/api/v1/users/audit?limit=200', { token: admin.accessToken });
    expect(log.status).toBe(200);
    const types = new Set(log.body.events.map((e) => e.type));
    for (const type of [
      'login.succeeded',
      'login.failed',
      'refresh.reused',
      'account.disabled',
      'role.changed',
      'password.changed',
    ] as const)
      expect(types, type).toContain(type);
    const role = log.body.events.find((e) => e.type === 'role.changed')!;
    expect(role).toMatchObject({ userId: promoted.user.id, details: { from: 'user', to: 'admin' } });
    expect(role.actorId).toBe(admin.user.id);
    const miss = log.body.events.find((e) => e.type === 'login.failed' && e.userId === alice.user.id)!;
    expect(miss.ip).toBeTruthy();
    // filtered by type, and not for users
    const only = await call<AuditPage>('GET', '/api/v1/users/audit?type=role.changed', {
      token: admin.accessToken,
    });
    expect(only.body.events.every((e) => e.type === 'role.changed')).toBe(true);
    expect((await call('GET', '/api/v1/users/audit', { token: alice.accessToken })).status).toBe(403);
    expect(JSON.stringify(log.body)).not.toContain(GOOD_PASSWORD);
  });
});

describe('the logs written during the whole suite', () => {
  it('hold no password, token, refresh token, JWT secret or sealing key', () => {
    const text = logged.join('\n');
    expect(logged.length).toBeGreaterThan(50);
    for (const secret of secrets)
      expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…) in the logs`).toBe(false);
    // refresh tokens have a recognisable shape: none at all
    expect(text).not.toMatch(/fxr_[A-Za-z0-9_-]{20,}/);
  });
});
