// Deleting an account leaves nothing of it: a user with data of every kind (a bank synced with its
// anomalies and alerts, an exchange, a manual account with balances, entries, an import and a
// merchant rule, a goal, answers, a dismissal, a webhook and its deliveries, history, position
// packs, counted budgets, sessions, a failed sign-in) deletes their account; then every collection
// of the database and every key of the cluster's Redis space is read, and none holds their id or
// email. Their bank's item is removed at Plaid. Jobs for them that arrive afterwards are dropped,
// not resurrected. An admin's deletion does the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { analyzeNow, startNode, testDatabaseUrl, type TestNode } from '../helpers/node.ts';
import { GOOD_PASSWORD, importCsv, register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Wallet, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { User } from '../../infra/models/user.model.ts';
import { credentialsBox } from '../../infra/credentials.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';
import { CHANNELS } from '@finexia/contracts/channels.ts';
import type {
  AnomalyPage,
  RecommendationList,
  SessionResponse,
  TransactionView,
  WalletView,
  WebhookCreated,
} from '@finexia/contracts/api.ts';

let sims: Simulators;
let node: TestNode;

beforeAll(async () => {
  sims = await startSimulators({ seed: 909, bankVolume: 0.3, bankMonths: 3, ticksPerSecond: 0 });
  node = await startNode(sims.env);
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** Every document of every collection, and every key (with its value) of this cluster's Redis space, that mentions one of `needles`. */
async function traces(needles: string[]): Promise<string[]> {
  const found: string[] = [];
  const db = await mongoose.createConnection(testDatabaseUrl()).asPromise();
  try {
    for (const { name } of await db.db!.listCollections().toArray()) {
      for await (const doc of db.db!.collection(name).find({})) {
        const text = JSON.stringify(doc);
        for (const needle of needles) if (text.includes(needle)) found.push(`${name}: ${text.slice(0, 200)}`);
      }
    }
  } finally {
    await db.close();
  }
  const redis = new Redis(inject('redisUrl'));
  try {
    for await (const keys of redis.scanStream({ match: `finexia:${node.config.namespace}:*`, count: 500 }))
      for (const key of keys as string[]) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(key, 0, -1))
                : '';
        for (const needle of needles)
          if (key.includes(needle) || value?.includes(needle)) found.push(`redis ${key}`);
      }
  } finally {
    redis.disconnect();
  }
  return found;
}

async function call<T>(user: SessionResponse, method: string, path: string, body?: unknown) {
  const res = await request<T>(node.baseUrl, method, `/api/v1${path}`, { token: user.accessToken, body });
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A user with data of every kind the product keeps. */
async function userWithEverything(): Promise<{ user: SessionResponse; bank: WalletRecord }> {
  const user = await register(node.baseUrl);
  // a failed sign-in: an audit event with their email, a count under it in Redis
  await request(node.baseUrl, 'POST', '/api/v1/auth/login', {
    body: { email: user.user.email, password: 'not the password at all' },
  });
  const bank = await call<WalletView>(user, 'POST', '/wallets/bank', { institutionId: 'ins_109511' });
  await call(user, 'POST', '/wallets/exchange', {
    provider: 'binance',
    ...sims.binance.createAccount({ BTC: '0.2' }),
  });
  const cash = await call<WalletView>(user, 'POST', '/wallets/manual', {
    name: 'Cash',
    manualType: 'cash',
    currency: 'EUR',
    balance: '300',
    date: daysAgo(40),
  });
  await call(user, 'PUT', `/wallets/${cash.id}/balances/${daysAgo(10)}`, { balance: '280' });
  const entry = await call<TransactionView>(user, 'POST', '/transactions', {
    walletId: cash.id,
    date: daysAgo(3),
    amount: '-12.50',
    name: 'Corner Bakery',
    merchant: 'Corner Bakery',
  });
  await call(user, 'PATCH', `/transactions/${entry.id}`, {
    category: { primary: 'FOOD_AND_DRINK' },
    rememberForMerchant: true,
    notes: 'croissants',
  });
  await importCsv(
    node.baseUrl,
    user.accessToken,
    cash.id,
    `Date,Description,Amount\n${daysAgo(5)},Velo Bikes,-1450.00\n`,
  );
  await call(user, 'POST', '/insights/goals', { name: 'Bike', target: '2000', date: daysAgo(-200) });
  await call(user, 'PUT', '/insights/questionnaire', { answers: { insurance: 3 } });
  await call(user, 'POST', '/insights/projection', { paths: 100 });
  const hook = await call<WebhookCreated>(user, 'POST', '/notifications/webhooks', {
    url: 'http://127.0.0.1:9/finexia',
  });
  await call(user, 'POST', `/notifications/webhooks/${hook.id}/test`);
  await waitFor(
    async () => {
      const w = await call<WalletView>(user, 'GET', `/wallets/${bank.id}`);
      return w.sync.state === 'ok' ? true : undefined;
    },
    60_000,
    'the bank synced',
  );
  await analyzeNow(node, user.user.id);
  await waitFor(
    async () => ((await call<AnomalyPage>(user, 'GET', '/anomalies')).anomalies.length ? true : undefined),
    30_000,
    'anomalies',
  );
  const recs = await call<RecommendationList>(user, 'GET', '/insights/recommendations');
  if (recs.recommendations[0])
    await call(user, 'POST', '/insights/recommendations/dismiss', { id: recs.recommendations[0].id });
  await node.broker.call('portfolio.rebuildHistory', { userId: user.user.id });
  await call(user, 'GET', '/portfolio');
  await node.broker.call('portfolio.writeHistoryNow');
  const stored = await Wallet.findOne({ publicId: bank.id }).select('+credentials').lean<WalletRecord>();
  return { user, bank: stored! };
}

describe('deleting an account', () => {
  it('leaves nothing of it anywhere, ends its bank link at Plaid, and drops its late jobs', async () => {
    const { user, bank } = await userWithEverything();
    const other = await register(node.baseUrl);
    const needles = [user.user.id, user.user.email];
    expect((await traces(needles)).length).toBeGreaterThan(50);
    const socket = TestSocket.connect(node.wsUrl, { token: user.accessToken });
    await socket.next((f) => f.type === 'welcome', 15_000);
    const { accessToken } = JSON.parse(
      credentialsBox(node.config.credentialsKeys).open(bank.credentials!, bank.publicId),
    ) as {
      accessToken: string;
    };

    // a wrong confirmation or password changes nothing
    const unconfirmed = await request(node.baseUrl, 'DELETE', '/api/v1/users/me', {
      token: user.accessToken,
      body: { password: GOOD_PASSWORD, confirm: 'yes' },
    });
    expect(unconfirmed.status).toBe(422);
    const wrong = await request(node.baseUrl, 'DELETE', '/api/v1/users/me', {
      token: user.accessToken,
      body: { password: 'wrong password here', confirm: 'DELETE' },
    });
    expect(wrong.status).toBe(422);
    expect(await User.exists({ publicId: user.user.id })).toBeTruthy();

    const deleted = await request(node.baseUrl, 'DELETE', '/api/v1/users/me', {
      token: user.accessToken,
      body: { password: GOOD_PASSWORD, confirm: 'DELETE' },
    });
    expect(deleted.status).toBe(202);
    // access ends at once: the socket closes, the token is refused, signing in fails
    await Promise.race([
      socket.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('the socket stayed open')), 15_000)),
    ]);
    expect((await request(node.baseUrl, 'GET', '/api/v1/auth/me', { token: user.accessToken })).status).toBe(
      401,
    );
    // while the erasing runs, the account is gone to its owner: the right password is refused as
    // any wrong one (not "disabled", which a deleted account is not)
    const during = await request<ErrorBody>(node.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: user.user.email, password: GOOD_PASSWORD },
    });
    expect([during.status, during.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    await waitFor(
      async () => ((await User.exists({ publicId: user.user.id })) ? undefined : true),
      60_000,
      'the erasing',
    );
    expect(await traces(needles)).toEqual([]);
    const login = await request(node.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: user.user.email, password: GOOD_PASSWORD },
    });
    expect(login.status).toBe(401);
    // the bank's item is gone at the provider
    const item = await fetch(`${sims.env.PLAID_URL}/item/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: sims.env.PLAID_CLIENT_ID,
        secret: sims.env.PLAID_SECRET,
        access_token: accessToken,
      }),
    });
    expect(item.status).toBe(400);
    // what is left: one record that an account was deleted, without its id or email
    const audit = await request<{ events: { type: string; userId: string | null; email: string | null }[] }>(
      node.baseUrl,
      'GET',
      '/api/v1/users/audit?type=account.deleted',
      { token: (await adminSession()).accessToken },
    );
    expect(audit.body.events.some((e) => e.type === 'account.deleted' && !e.userId && !e.email)).toBe(true);

    // jobs for them that arrive afterwards are dropped, not resurrected (another user's beside
    // them, to know when the channels have worked through them)
    await node.broker.sendToChannel(CHANNELS.walletsSync, {
      walletId: bank.publicId,
      userId: user.user.id,
      reason: 'user',
    });
    await node.broker.sendToChannel(CHANNELS.transactionsAdded, {
      userId: user.user.id,
      announcedAt: Date.now(),
    });
    await node.broker.sendToChannel(CHANNELS.alertsDeliver, {
      userId: user.user.id,
      foundAt: Date.now(),
      anomalies: [
        {
          id: '00000000-0000-4000-8000-000000000001',
          type: 'unusual_amount',
          severity: 'high',
          date: daysAgo(1),
          historical: false,
          reason: 'a late alert for a deleted account',
          transactionIds: [],
          walletIds: [],
        },
      ],
    });
    await node.broker.sendToChannel(CHANNELS.alertsDeliver, {
      userId: other.user.id,
      foundAt: Date.now(),
      anomalies: [
        {
          id: '00000000-0000-4000-8000-000000000002',
          type: 'unusual_amount',
          severity: 'high',
          date: daysAgo(1),
          historical: false,
          reason: 'an alert for someone still here',
          transactionIds: [],
          walletIds: [],
        },
      ],
    });
    await waitFor(
      async () => {
        const list = await call<{ items: unknown[] }>(other, 'GET', '/notifications');
        return list.items.length ? true : undefined;
      },
      30_000,
      'the other user’s alert',
    );
    await analyzeNow(node, user.user.id);
    // (by the id only: the sign-in tried above with their email after the deletion is a new
    // event, kept as any failed sign-in of an unknown email is)
    expect(await traces([user.user.id])).toEqual([]);
  }, 240_000);

  it('by an admin: the same, and never the admin’s own account', async () => {
    const admin = await adminSession();
    const user = await register(node.baseUrl);
    await call(user, 'POST', '/wallets/manual', {
      name: 'Jar',
      manualType: 'savings',
      currency: 'USD',
      balance: '50',
    });
    const self = await request(node.baseUrl, 'DELETE', `/api/v1/users/${admin.user.id}`, {
      token: admin.accessToken,
    });
    expect(self.status).toBe(409);
    const byAdmin = await request(node.baseUrl, 'DELETE', `/api/v1/users/${user.user.id}`, {
      token: admin.accessToken,
    });
    expect(byAdmin.status).toBe(202);
    await waitFor(
      async () => ((await User.exists({ publicId: user.user.id })) ? undefined : true),
      60_000,
      'the erasing',
    );
    expect(await traces([user.user.id, user.user.email])).toEqual([]);
    // a user cannot delete someone else
    const stranger = await register(node.baseUrl);
    const refused = await request(node.baseUrl, 'DELETE', `/api/v1/users/${admin.user.id}`, {
      token: stranger.accessToken,
    });
    expect(refused.status).toBe(403);
  }, 120_000);
});

let admin: SessionResponse | undefined;
async function adminSession(): Promise<SessionResponse> {
  if (admin) return admin;
  const made = await register(node.baseUrl);
  await User.updateOne({ publicId: made.user.id }, { $set: { role: 'admin' } });
  const login = await request<SessionResponse>(node.baseUrl, 'POST', '/api/v1/auth/login', {
    body: { email: made.user.email, password: GOOD_PASSWORD },
  });
  admin = login.body;
  return admin;
}
