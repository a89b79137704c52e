// Anomalies end to end on one node: bank sync, CSV import and manual entry all reach the same
// detector; history is listed but not notified; recent anomalies become alerts that follow the
// user's preferences and quiet hours; feedback changes what is flagged next; webhooks are signed
// and retried; every route is scoped to its owner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { AddressInfo } from 'node:net';
import { analyzeNow, startNode, type TestNode } from '../helpers/node.ts';
import { importCsv, register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Wallet } from '../../infra/models/wallet.model.ts';
import { Notification } from '../../infra/models/notification.model.ts';
import { Transaction } from '../../infra/models/transaction.model.ts';
import { Anomaly, DetectorStateModel } from '../../infra/models/anomaly.model.ts';
import type { DetectorState } from '../../domain/anomalies/detector.ts';
import { idSeconds } from '../../domain/anomalies/feed.ts';
import { callJsonLines } from '../../infra/streams.ts';
import { verifySignature } from '../../domain/webhooks.ts';
import type {
  AnomalyPage,
  AnomalyView,
  NotificationList,
  SessionResponse,
  TransactionView,
  UserView,
  WalletView,
  WebhookCreated,
  WebhookDeliveries,
  WebhookPayload,
} from '@finexia/contracts/api.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

const TODAY = new Date().toISOString().slice(0, 10);
let sims: Simulators;
let node: TestNode;
let base: string;

beforeAll(async () => {
  sims = await startSimulators({ seed: 4242, bankVolume: 1, ticksPerSecond: 0, today: TODAY });
  node = await startNode({ ...sims.env, SYNC_ACK_WAIT: '3s' });
  base = node.baseUrl;
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

const as = (user: SessionResponse) => ({ token: user.accessToken });

async function anomaliesOf(user: SessionResponse, query = ''): Promise<AnomalyView[]> {
  const res = await request<AnomalyPage>(base, 'GET', `/api/v1/anomalies?limit=200${query}`, as(user));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.anomalies;
}

async function alertsOf(user: SessionResponse) {
  const res = await request<NotificationList>(base, 'GET', '/api/v1/notifications?limit=100', as(user));
  return res.body.items.filter((n) => n.kind === 'anomaly');
}

async function linkBank(user: SessionResponse): Promise<{ wallet: WalletView; itemId: string }> {
  const res = await request<WalletView>(base, 'POST', '/api/v1/wallets/bank', {
    ...as(user),
    body: { institutionId: 'ins_109508' },
  });
  expect(res.status).toBe(201);
  await waitFor(
    async () => {
      const w = await request<WalletView>(base, 'GET', `/api/v1/wallets/${res.body.id}`, as(user));
      return w.body.sync.state === 'ok' ? true : undefined;
    },
    90_000,
    'the first sync',
  );
  const itemId = (await Wallet.findOne({ publicId: res.body.id }).lean())?.providerItemId as string;
  return { wallet: res.body, itemId };
}

async function manualWallet(user: SessionResponse, name = 'Cash'): Promise<WalletView> {
  const res = await request<WalletView>(base, 'POST', '/api/v1/wallets/manual', {
    ...as(user),
    body: { name, manualType: 'cash', currency: 'USD', balance: '5000' },
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** Transactions added by hand, one after another (each is one more for the detector). */
async function spend(
  user: SessionResponse,
  walletId: string,
  entries: [date: string, amount: string, name: string][],
) {
  for (const [date, amount, name] of entries) {
    const res = await request(base, 'POST', '/api/v1/transactions', {
      ...as(user),
      body: { walletId, date, amount, name, merchant: name },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('a bank’s two years of history', () => {
  let alice: SessionResponse;
  let itemId: string;

  beforeAll(async () => {
    alice = await register(base);
    ({ itemId } = await linkBank(alice));
    // the detector reads the sync once it is stored (a durable job); an analysis asked now runs
    // after it in the user's mailbox, so when it answers, the sync's detection is complete
    await waitFor(async () => ((await anomaliesOf(alice)).length ? true : undefined), 60_000, 'anomalies');
    await analyzeNow(node, alice.user.id);
  }, 180_000);

  it('are learnt in date order: the injected anomalies are found, old ones marked historical', async () => {
    const truth = sims.plaid.truth(itemId)!.anomalies;
    const found = await anomaliesOf(alice);
    const ours = await providerIdMap(alice);
    const kinds: Record<string, string> = {
      outsized_amount: 'unusual_amount',
      burst: 'spending_burst',
      subscription_charged_twice: 'recurring_twice',
      missed_salary: 'income_missing',
    };
    // every injected anomaly the bank has posted is found, by its transactions (a salary that did
    // not come: by its date), with its type; the first weeks of a history only teach the detector
    const start = addDays(TODAY, -Math.round(24 * 30.44));
    const judged = truth.filter((t) => t.date <= daysAgo(8) && t.date >= addDays(start, 30));
    const missed = judged.filter((t) => {
      const ids = t.transaction_ids.map((pid) => ours.get(pid));
      const type = kinds[t.kind] ?? t.kind;
      return !found.some(
        (a) =>
          a.type === type &&
          (ids.length
            ? a.transactionIds.some((id) => ids.includes(id))
            : Math.abs(Date.parse(a.date) - Date.parse(t.date)) <= 10 * 86_400_000),
      );
    });
    expect(judged.length).toBeGreaterThan(3);
    expect(missed.map((m) => `${m.kind} ${m.date}`)).toEqual([]);
    // old ones are history: listed, never notified
    const old = found.filter((a) => a.date < daysAgo(31));
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((a) => a.historical)).toBe(true);
    const alerts = await alertsOf(alice);
    expect(alerts.every((n) => found.find((a) => a.id === n.anomalyId)?.historical === false)).toBe(true);
  });

  it('learns a row stored late (an id older than its cursor, as a node with a slower clock makes) once, and marks no row', async () => {
    const userId = alice.user.id;
    const state = async () => {
      const doc = await DetectorStateModel.findById(userId).lean();
      return {
        learnt: (JSON.parse(doc!.detector) as DetectorState).transactions,
        feed: JSON.parse(doc!.feed!),
      };
    };
    const before = await state();
    expect(before.learnt).toBeGreaterThan(1000);
    const model = await Transaction.findOne({ userId, pending: false }).lean();
    const { _id: _ignored, publicId: _p, providerTransactionId: _t, ...fields } = model!;
    // stored now by a node whose clock is a minute behind the newest row the detector has learnt
    const lateId = mongoose.Types.ObjectId.createFromTime(idSeconds(before.feed.last) - 60);
    await Transaction.create({
      ...fields,
      _id: lateId,
      publicId: randomUUID(),
      providerTransactionId: `late-${randomUUID()}`,
      date: TODAY,
    });
    expect((await analyzeNow(node, userId)).read).toBe(1);
    expect((await state()).learnt).toBe(before.learnt + 1);
    // nothing is read twice, whatever runs next
    expect((await analyzeNow(node, userId)).read).toBe(0);
    expect((await state()).learnt).toBe(before.learnt + 1);
    // the detector wrote nothing on the rows it read (a write there would race with the user's edits)
    expect(await Transaction.countDocuments({ userId, analyzed: { $exists: true } })).toBe(0);
  });

  it('hears the minute of each card payment from the bank, so a spree is judged by hours', async () => {
    // the bank's own state: the minute each posted card payment was made
    const atTheBank = new Map(
      sims.plaid
        .truth(itemId)!
        .transactions.filter((t) => !t.pending)
        .map((t) => [t.transaction_id, t.authorized_datetime]),
    );
    const timed = [...atTheBank.values()].filter((v) => v !== null).length;
    expect(timed).toBeGreaterThan(100);
    expect(timed).toBeLessThan(atTheBank.size);
    // what the detector reads: every stored row with the bank's minute, as ms since the epoch
    const stored = await Transaction.find({ userId: alice.user.id, source: 'plaid', pending: false })
      .select({ publicId: 1, providerTransactionId: 1 })
      .lean();
    const rows = await callJsonLines(
      node.broker,
      'transactions.storedSince',
      { userId: alice.user.id },
      30_000,
    );
    const read = new Map(rows.map((r) => [r.id, r.at]));
    // (the row the test before stored by hand is not the bank's)
    const fromTheBank = stored.filter((t) => atTheBank.has(t.providerTransactionId as string));
    const wrong = fromTheBank.filter((t) => {
      const minute = atTheBank.get(t.providerTransactionId as string);
      return read.get(t.publicId) !== (minute ? Date.parse(minute) : undefined);
    });
    expect(fromTheBank.length).toBeGreaterThan(1000);
    expect(wrong.map((t) => t.providerTransactionId)).toEqual([]);
  });

  it('explain themselves: a reason with its evidence, and the transactions they are about', async () => {
    const found = await anomaliesOf(alice);
    for (const a of found) {
      expect(a.reason.length).toBeGreaterThan(20);
      expect(Object.keys(a.evidence).length).toBeGreaterThan(0);
      if (!['income_missing', 'low_balance', 'net_worth_drop', 'market_move'].includes(a.type))
        expect(a.transactionIds.length).toBeGreaterThan(0);
    }
  });
});

/** Our transaction id for each of the simulator's (for comparing with its truth). */
async function providerIdMap(user: SessionResponse): Promise<Map<string, string>> {
  const rows = await Transaction.find({ userId: user.user.id })
    .select({ publicId: 1, providerTransactionId: 1 })
    .lean();
  return new Map(rows.map((r) => [r.providerTransactionId, r.publicId]));
}

describe('manual entries and CSV imports reach the same detector', () => {
  let bob: SessionResponse;
  let cash: WalletView;

  beforeAll(async () => {
    bob = await register(base);
    cash = await manualWallet(bob);
    // two months of ordinary coffee and groceries: the detector's baseline
    const usual: [string, string, string][] = [];
    for (let d = 70; d >= 10; d -= 2) {
      usual.push([daysAgo(d), `-${(4 + (d % 3)).toFixed(2)}`, 'Blue Bottle']);
      usual.push([daysAgo(d), `-${(40 + (d % 17)).toFixed(2)}`, 'Green Grocer']);
    }
    const csv = ['Date,Description,Amount', ...usual.map(([d, a, n]) => `${d},${n},${a}`)].join('\n');
    await importStatement(bob, cash.id, csv);
  }, 120_000);

  it('a CSV with a planted outlier: the anomaly names that row’s transaction', async () => {
    const csv = `Date,Description,Amount\n${daysAgo(5)},Green Grocer,-43.10\n${daysAgo(4)},Green Grocer,-612.00\n`;
    await importStatement(bob, cash.id, csv);
    const [outlier] = await waitFor(
      async () => {
        const found = (await anomaliesOf(bob, '&type=unusual_amount')).filter((a) => a.date === daysAgo(4));
        return found.length ? found : undefined;
      },
      30_000,
      'the outlier',
    );
    const tx = await request<TransactionView>(
      base,
      'GET',
      `/api/v1/transactions/${outlier!.transactionIds[0]}`,
      as(bob),
    );
    expect(tx.body).toMatchObject({ amount: '-612', name: 'Green Grocer', source: 'csv' });
    expect(outlier!.reason).toMatch(
      /^\$612\.00 at Green Grocer; usually \$4\d\.00–\$5\d\.00 over your last \d+ visits\.$/,
    );
    expect(outlier!.historical).toBe(false);
    // it became an alert
    await waitFor(
      async () => ((await alertsOf(bob)).some((n) => n.anomalyId === outlier!.id) ? true : undefined),
      30_000,
      'the alert',
    );
  });

  it('a manual entry at a new merchant above the threshold, then marked expected: the next one there is not flagged', async () => {
    await spend(bob, cash.id, [[daysAgo(2), '-1450.00', 'Velo Bikes']]);
    const [found] = await waitFor(
      async () => {
        const a = await anomaliesOf(bob, '&type=new_merchant_large');
        return a.length ? a : undefined;
      },
      30_000,
      'the new merchant',
    );
    const marked = await request<AnomalyView>(
      base,
      'POST',
      `/api/v1/anomalies/${found!.id}/expected`,
      as(bob),
    );
    expect(marked.body.status).toBe('expected');
    await spend(bob, cash.id, [[daysAgo(1), '-1320.00', 'Velo Bikes']]);
    await analyzeNow(node, bob.user.id);
    expect(await anomaliesOf(bob, '&type=new_merchant_large')).toHaveLength(1);
    // the list filters by status
    expect((await anomaliesOf(bob, '&status=expected')).map((a) => a.id)).toEqual([found!.id]);
  });

  it('income that stopped names the wallet it came into, is alerted, and an anomaly stored without lists reads as empty ones', async () => {
    const carol = await register(base);
    const salaryWallet = await manualWallet(carol, 'Salary account');
    // four salaries a month apart, the last 45 days ago: the next was due ~15 days ago
    for (const back of [135, 105, 75, 45]) {
      const res = await request(base, 'POST', '/api/v1/transactions', {
        ...as(carol),
        body: {
          walletId: salaryWallet.id,
          date: daysAgo(back),
          amount: '3200.00',
          name: 'ACME PAYROLL',
          merchant: 'Acme Corp',
          category: { primary: 'INCOME' },
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    // the account's entries go on until 3 days ago: nothing is missing past the end of its data
    await spend(carol, salaryWallet.id, [[daysAgo(3), '-42.00', 'Grocer']]);
    await analyzeNow(node, carol.user.id);
    const [missing] = await waitFor(
      async () => {
        const found = await anomaliesOf(carol, '&type=income_missing');
        return found.length ? found : undefined;
      },
      30_000,
      'the missing income',
    );
    expect(missing!.walletIds).toEqual([salaryWallet.id]);
    expect(missing!.transactionIds).toEqual([]);
    // its alert is delivered (it went to the dead letters when the anomaly had no wallet list)
    const [alert] = await waitFor(
      async () => {
        const alerts = (await alertsOf(carol)).filter((n) => n.anomalyId === missing!.id);
        return alerts.length ? alerts : undefined;
      },
      30_000,
      'the alert',
    );
    expect(alert!.walletId).toBe(salaryWallet.id);
    // FerretDB v1 stores no empty array from an upsert's $setOnInsert: such a record still
    // answers with the lists its contract promises (the Alerts page read their length)
    await Anomaly.updateOne({ publicId: missing!.id }, { $unset: { walletIds: 1, transactionIds: 1 } });
    const one = await request<AnomalyView>(base, 'GET', `/api/v1/anomalies/${missing!.id}`, as(carol));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ walletIds: [], transactionIds: [] });
    expect((await anomaliesOf(carol)).find((a) => a.id === missing!.id)).toMatchObject({
      walletIds: [],
      transactionIds: [],
    });
  });

  it('deleting a wallet deletes its anomalies and alerts, and the detector forgets what it learnt there', async () => {
    const dave = await register(base);
    const salary = await manualWallet(dave, 'Salary account');
    const pocket = await manualWallet(dave, 'Pocket money');
    for (const back of [135, 105, 75, 45]) {
      const res = await request(base, 'POST', '/api/v1/transactions', {
        ...as(dave),
        body: {
          walletId: salary.id,
          date: daysAgo(back),
          amount: '3200.00',
          name: 'ACME PAYROLL',
          merchant: 'Acme Corp',
          category: { primary: 'INCOME' },
        },
      });
      expect(res.status).toBe(201);
    }
    // the salary account's entries go on until 3 days ago: the missed salary is within its data
    await spend(dave, salary.id, [[daysAgo(3), '-42.00', 'Grocer']]);
    await spend(dave, pocket.id, [
      [daysAgo(20), '-4.50', 'Blue Bottle'],
      [daysAgo(19), '-5.10', 'Blue Bottle'],
    ]);
    await analyzeNow(node, dave.user.id);
    const [missing] = await waitFor(
      async () => {
        const found = await anomaliesOf(dave, '&type=income_missing');
        return found.length ? found : undefined;
      },
      30_000,
      'the missing income',
    );
    await waitFor(
      async () => ((await alertsOf(dave)).some((n) => n.anomalyId === missing!.id) ? true : undefined),
      30_000,
      'its alert',
    );
    expect((await request(base, 'DELETE', `/api/v1/wallets/${salary.id}`, as(dave))).status).toBe(200);
    await waitFor(
      async () => ((await anomaliesOf(dave)).length === 0 ? true : undefined),
      30_000,
      'the deleted wallet’s anomalies gone',
    );
    expect((await request(base, 'GET', `/api/v1/anomalies/${missing!.id}`, as(dave))).status).toBe(404);
    await waitFor(
      async () => ((await alertsOf(dave)).length === 0 ? true : undefined),
      30_000,
      'its alert gone',
    );
    // what is left to learn from: the two coffees, and nothing of the salaries
    await analyzeNow(node, dave.user.id);
    const doc = await DetectorStateModel.findById(dave.user.id).lean();
    const detector = JSON.parse(doc!.detector) as DetectorState;
    expect(detector.transactions).toBe(2);
    expect(Object.keys(detector.income)).toEqual([]);
  });

  it('is scoped to its owner: another user’s anomaly answers 404 on every route and does not change', async () => {
    const eve = await register(base);
    const [one] = await anomaliesOf(bob);
    for (const [method, path] of [
      ['GET', `/api/v1/anomalies/${one!.id}`],
      ['POST', `/api/v1/anomalies/${one!.id}/dismiss`],
      ['POST', `/api/v1/anomalies/${one!.id}/expected`],
    ] as const) {
      const res = await request<ErrorBody>(base, method, path, as(eve));
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect(await anomaliesOf(eve)).toEqual([]);
    expect(
      (await request<AnomalyView>(base, 'GET', `/api/v1/anomalies/${one!.id}`, as(bob))).body.status,
    ).toBe(one!.status);
    // bad filters are refused with the field
    const bad = await request<ErrorBody>(
      base,
      'GET',
      '/api/v1/anomalies?type=nonsense&from=2024-02-30',
      as(bob),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields?.map((f) => f.field).sort()).toEqual(['from', 'type']);
  });
});

describe('alerts follow the user’s preferences and quiet hours', () => {
  let carol: SessionResponse;
  let cash: WalletView;

  beforeAll(async () => {
    carol = await register(base);
    cash = await manualWallet(carol);
    // old enough history that the detector judges (a single early entry starts it)
    await spend(carol, cash.id, [[daysAgo(60), '-3.00', 'Corner Shop']]);
  });

  const setPrefs = (alerts: object) =>
    request<UserView>(base, 'PATCH', '/api/v1/users/me/preferences', { ...as(carol), body: { alerts } });

  it('a type switched off or below its minimum severity stays in the list without an alert', async () => {
    expect((await setPrefs({ types: { new_merchant_large: { enabled: false } } })).status).toBe(200);
    await spend(carol, cash.id, [[daysAgo(3), '-2000.00', 'Gadget Hut']]);
    await analyzeNow(node, carol.user.id);
    const [found] = await anomaliesOf(carol, '&type=new_merchant_large');
    expect(found).toBeDefined();
    expect((await alertsOf(carol)).some((n) => n.anomalyId === found!.id)).toBe(false);
  });

  it('quiet hours hold an alert until they end (a critical one goes through)', async () => {
    const now = new Date();
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    const res = await setPrefs({
      types: { new_merchant_large: { enabled: true, minSeverity: 'medium' } },
      quietHours: {
        enabled: true,
        start: hhmm(new Date(now.getTime() - 3_600_000)),
        end: hhmm(new Date(now.getTime() + 3_600_000)),
      },
    });
    expect(res.body.preferences.alerts.quietHours.enabled).toBe(true);
    await spend(carol, cash.id, [[daysAgo(2), '-1500.00', 'Lamp Store']]);
    await analyzeNow(node, carol.user.id);
    const [held] = await anomaliesOf(carol, '&type=new_merchant_large&from=' + daysAgo(2));
    // a critical one (5 × the threshold) is not held
    await spend(carol, cash.id, [[daysAgo(1), '-9000.00', 'Jewel Box']]);
    await analyzeNow(node, carol.user.id);
    const [critical] = (await anomaliesOf(carol, '&type=new_merchant_large&from=' + daysAgo(1))).filter(
      (a) => a.severity === 'critical',
    );
    await waitFor(
      async () => ((await alertsOf(carol)).some((n) => n.anomalyId === critical!.id) ? true : undefined),
      30_000,
      'the critical alert',
    );
    expect((await alertsOf(carol)).some((n) => n.anomalyId === held!.id)).toBe(false);
    const stored = await waitFor(
      async () => (await Notification.findOne({ anomalyId: held!.id }).lean()) ?? undefined,
      30_000,
      'the held alert',
    );
    expect(stored.heldUntil?.getTime()).toBeGreaterThan(Date.now());
    // when quiet hours are over, it is shown and pushed
    const ws = TestSocket.connect(node.wsUrl, { token: carol.accessToken });
    await ws.next((f) => f.type === 'welcome');
    await Notification.updateOne(
      { anomalyId: held!.id },
      { $set: { heldUntil: new Date(Date.now() - 1000) } },
    );
    await node.broker.call('notifications.releaseHeld');
    const pushed = await ws.next(
      (f) =>
        f.type === 'event' &&
        f.event === 'notification.created' &&
        f.data.notification.anomalyId === held!.id,
      10_000,
    );
    expect(pushed.type).toBe('event');
    expect((await alertsOf(carol)).some((n) => n.anomalyId === held!.id)).toBe(true);
    await ws.close();
  });
});

describe('webhooks', () => {
  let dave: SessionResponse;
  let receiver: Server;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    dave = await register(base);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(503).end();
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('are signed (HMAC-SHA256 over the timestamp and body), retried on 5xx, and logged', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const created = await request<WebhookCreated>(base, 'POST', '/api/v1/notifications/webhooks', {
      ...as(dave),
      body: { url, minSeverity: 'low' },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const listed = await request<{ webhooks: object[] }>(
      base,
      'GET',
      '/api/v1/notifications/webhooks',
      as(dave),
    );
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    failuresLeft = 2;
    const test = await request<{ deliveryId: string }>(
      base,
      'POST',
      `/api/v1/notifications/webhooks/${created.body.id}/test`,
      as(dave),
    );
    expect(test.status).toBe(202);
    const log = await waitFor(
      async () => {
        const d = await request<WebhookDeliveries>(
          base,
          'GET',
          `/api/v1/notifications/webhooks/${created.body.id}/deliveries`,
          as(dave),
        );
        return d.body.deliveries[0]?.status === 'delivered' ? d.body.deliveries : undefined;
      },
      30_000,
      'the delivery',
    );
    expect(log[0]).toMatchObject({ event: 'test', attempts: 3, lastStatusCode: 204 });
    expect(received).toHaveLength(3);
    const last = received.at(-1)!;
    expect(
      verifySignature(
        created.body.secret,
        last.headers['finexia-signature'] as string,
        last.body,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(true);
    expect(
      verifySignature(
        'whsec_wrong',
        last.headers['finexia-signature'] as string,
        last.body,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(false);
    expect((JSON.parse(last.body) as WebhookPayload).event).toBe('test');
  });

  it('refuse a URL that is not http(s), and another user’s webhook answers 404', async () => {
    const bad = await request<ErrorBody>(base, 'POST', '/api/v1/notifications/webhooks', {
      ...as(dave),
      body: { url: 'ftp://example.com/hook' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields?.[0]?.field).toBe('url');
    const hooks = await request<{ webhooks: { id: string }[] }>(
      base,
      'GET',
      '/api/v1/notifications/webhooks',
      as(dave),
    );
    const eve = await register(base);
    for (const [method, path] of [
      ['POST', `/api/v1/notifications/webhooks/${hooks.body.webhooks[0]!.id}/test`],
      ['GET', `/api/v1/notifications/webhooks/${hooks.body.webhooks[0]!.id}/deliveries`],
      ['DELETE', `/api/v1/notifications/webhooks/${hooks.body.webhooks[0]!.id}`],
    ] as const)
      expect((await request(base, method, path, as(eve))).status, path).toBe(404);
  });
});

async function importStatement(user: SessionResponse, walletId: string, csv: string) {
  await importCsv(base, user.accessToken, walletId, csv);
}
