// Work a write starts survives the writer's death: a node SIGKILLed after an import's rows are
// stored and before it announced them to the anomaly detector. Its outbox entry (written before
// the rows) is announced by the transactions node that takes over, and the anomalies are found
// all the same; a retried commit says "already committed" and no row is stored twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { register, request, STATEMENT_MAPPING } from '../helpers/http.ts';
import { startWorker } from '../helpers/worker.ts';
import { waitFor } from '../helpers/wait.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { Transaction } from '../../infra/models/transaction.model.ts';
import type { AnomalyPage, ImportPreview, ImportResult, WalletView } from '@finexia/contracts/api.ts';

const namespace = testNamespace('ob');
const workers: ChildProcess[] = [];
let gateway: TestNode;

const transactionsNode = (name: string, env: Record<string, string> = {}) => {
  const worker = startWorker({
    name: `${namespace}-${name}`,
    namespace,
    services: 'transactions',
    env: { OUTBOX_STALE_AFTER: '2s', ...env },
  });
  workers.push(worker);
  return worker;
};

beforeAll(async () => {
  gateway = await startNode({
    NAMESPACE: namespace,
    TRANSPORTER: 'nats',
    SERVICES: 'api,auth,users,wallets,anomalies',
  });
  await waitForRoutes(gateway);
}, 90_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await gateway?.stop();
});

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** Two months of coffee, then one streaming charge taken twice on the same day. */
function statement(): { csv: string; rows: number } {
  const lines = ['Date,Description,Amount'];
  for (let d = 70; d >= 5; d -= 1) lines.push(`${daysAgo(d)},Corner Cafe,-${(3 + (d % 4) * 0.5).toFixed(2)}`);
  lines.push(`${daysAgo(10)},Streamly Premium,-89.99`, `${daysAgo(10)},Streamly Premium,-89.99`);
  return { csv: lines.join('\n'), rows: lines.length - 1 };
}

describe('an import whose writer dies before it announced the rows', () => {
  it('is analysed all the same: the next transactions node announces what the dead one owed', async () => {
    const doomed = transactionsNode('t1', { FAILPOINTS: 'import-rows-stored' });
    await waitFor(
      async () => (nodesRunning(gateway.broker, 'transactions').length ? true : undefined),
      60_000,
      'a transactions node',
    );
    await waitForRoutes(gateway, '/api/v1/transactions/import/preview');
    const user = await register(gateway.baseUrl);
    const auth = { token: user.accessToken };
    const wallet = await request<WalletView>(gateway.baseUrl, 'POST', '/api/v1/wallets/manual', {
      ...auth,
      body: { name: 'Checking (CSV)', manualType: 'other', currency: 'USD', balance: '0' },
    });
    expect(wallet.status).toBe(201);
    const { csv, rows } = statement();
    const preview = await request<ImportPreview>(
      gateway.baseUrl,
      'POST',
      '/api/v1/transactions/import/preview',
      {
        ...auth,
        body: { walletId: wallet.body.id, csv },
      },
    );
    expect(preview.status).toBe(201);
    const commitPath = `/api/v1/transactions/import/${preview.body.importId}/commit`;

    // the node stores the rows and dies (SIGKILL) before it announces them
    const exited = new Promise((resolve) => doomed.once('exit', resolve));
    const cut = await request(gateway.baseUrl, 'POST', commitPath, {
      ...auth,
      body: { mapping: STATEMENT_MAPPING },
    });
    expect(cut.status).toBeGreaterThanOrEqual(500);
    await exited;
    expect(doomed.signalCode).toBe('SIGKILL');
    expect(await Transaction.countDocuments({ userId: user.user.id })).toBe(rows);

    // another transactions node comes; nobody announces anything by hand
    transactionsNode('t2');
    const found = await waitFor(
      async () => {
        const res = await request<AnomalyPage>(gateway.baseUrl, 'GET', '/api/v1/anomalies?limit=50', auth);
        return res.body.anomalies?.some((a) => a.type === 'duplicate_charge')
          ? res.body.anomalies
          : undefined;
      },
      90_000,
      'the duplicate charge found after the writer died',
    );
    expect(found.find((a) => a.type === 'duplicate_charge')?.reason).toContain('Streamly Premium');

    // the person retries (once the gateway has the route again): already committed, nothing stored twice
    await waitForRoutes(gateway, commitPath);
    const retried = await request<ImportResult>(gateway.baseUrl, 'POST', commitPath, {
      ...auth,
      body: { mapping: STATEMENT_MAPPING },
    });
    expect(retried.status).toBe(200);
    expect(retried.body.alreadyCommitted).toBe(true);
    expect(await Transaction.countDocuments({ userId: user.user.id })).toBe(rows);
  }, 240_000);
});
