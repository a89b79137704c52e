// The operator's REPL (`scripts/finexia repl`) joined to a running cluster, driven through its
// stdin like a person would: actors per node, one user's live state, simulator faults, a sync
// that fails into the dead letters, its replay once the provider is back, a forced resync,
// a rebalance, readiness, and clear errors for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { ReplSession } from '../helpers/repl.ts';
import type { SessionResponse, WalletView } from '@finexia/contracts/api.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';

const namespace = testNamespace('ops');
let sims: Simulators;
let main: TestNode;
let second: TestNode;
let repl: ReplSession;
let user: SessionResponse;
let walletId: string;

const wallet = async () =>
  (await request<WalletView>(main.baseUrl, 'GET', `/api/v1/wallets/${walletId}`, { token: user.accessToken }))
    .body;

beforeAll(async () => {
  sims = await startSimulators({ seed: 5, bankVolume: 0.2, ticksPerSecond: 0 });
  const cluster = { ...sims.env, TRANSPORTER: 'nats', NAMESPACE: namespace, SYNC_MAX_RETRIES: '0' };
  main = await startNode({ ...cluster, SERVICES: 'api,auth,users,wallets,transactions,portfolio' });
  second = await startNode({ ...cluster, SERVICES: 'portfolio' });
  await waitForRoutes(main);
  user = await register(main.baseUrl);
  const linked = await request<WalletView>(main.baseUrl, 'POST', '/api/v1/wallets/bank', {
    token: user.accessToken,
    body: { institutionId: 'ins_109508' },
  });
  expect(linked.status).toBe(201);
  walletId = linked.body.id;
  await waitFor(
    async () => ((await wallet()).sync.state === 'ok' ? true : undefined),
    90_000,
    'the first sync',
  );
  repl = await ReplSession.start(namespace, sims.env);
}, 240_000);

afterAll(async () => {
  await repl?.exit();
  await second?.stop();
  await main?.stop();
  await sims?.stop();
});

describe('the ops REPL', () => {
  it('lists actors per node for both portfolio nodes and the wallets node', async () => {
    // the user's portfolio is live somewhere after the sync
    await request(main.baseUrl, 'GET', '/api/v1/portfolio', { token: user.accessToken });
    const printed = await repl.run('actors', (out) => out.includes(second.broker.nodeID));
    expect(printed).toContain(main.broker.nodeID);
    expect(printed).toContain(second.broker.nodeID);
    expect(printed).toMatch(/portfolio/);
    expect(printed).toMatch(/wallets/);
  });

  it("shows one user's live portfolio from its owner", async () => {
    const printed = await repl.run(`portfolio ${user.user.id}`);
    const state = JSON.parse(printed.slice(printed.indexOf('{'), printed.lastIndexOf('}') + 1)) as {
      owner: string;
      netWorth: string;
    };
    expect([main.broker.nodeID, second.broker.nodeID]).toContain(state.owner);
    const api = await request<{ netWorth: string }>(main.baseUrl, 'GET', '/api/v1/portfolio', {
      token: user.accessToken,
    });
    expect(state.netWorth).toBe(api.body.netWorth);
  });

  it('sets simulator faults; a resync fails into the dead letters; replay runs it once the bank is back', async () => {
    const set = await repl.run(`sim-faults plaid '{"serverErrorRate":1}'`);
    expect(set).toContain('"serverErrorRate": 1');
    expect(sims.plaid.faults.settings.serverErrorRate).toBe(1);

    const queued = await repl.run(`resync ${walletId}`);
    expect(queued).toContain('"queued": true');
    await waitFor(
      async () => ((await wallet()).sync.state === 'failed' ? true : undefined),
      60_000,
      'the failed sync',
    );

    // the job failed with no retries left (SYNC_MAX_RETRIES=0): it is a dead letter now
    const letters = await waitFor(
      async () => {
        const out = await repl.run('dead-letters');
        return out.includes(walletId) ? out : undefined;
      },
      60_000,
      'the dead letter',
    );
    // console.table: │ (index) │ sequence │ channel │ …
    const row = letters.split('\n').find((line) => line.includes(walletId))!;
    const sequence = Number(row.split('│')[2]);
    expect(row).toContain('wallets');
    expect(sequence).toBeGreaterThan(0);

    await repl.run(`sim-faults plaid '{"serverErrorRate":0}'`);
    const replayed = await repl.run(`replay ${sequence}`);
    expect(replayed).toContain(`"replayed": ${sequence}`);
    await waitFor(
      async () => ((await wallet()).sync.state === 'ok' ? true : undefined),
      60_000,
      'the replayed sync',
    );
    expect(await repl.run('dead-letters')).not.toContain(walletId);
  }, 180_000);

  it('rebalances: every actor node answers with its ring', async () => {
    const printed = await repl.run('rebalance', (out) => out.includes(second.broker.nodeID));
    expect(printed).toContain(main.broker.nodeID);
    expect(printed).toMatch(/before/);
  });

  it('checks readiness from the ops node', async () => {
    const printed = await repl.run('readiness');
    expect(printed).toMatch(/"transporterConnected": true/);
    expect(printed).toMatch(/"mongo": \{\s*"ok": true/);
  });

  it('answers bad input with a usage line or the error code, and changes nothing', async () => {
    expect(await repl.run('replay 999999')).toContain('error: NOT_FOUND');
    expect(await repl.run('replay x')).toContain('usage: replay <sequence>');
    expect(await repl.run('sim-faults nope')).toContain('error: VALIDATION_FAILED');
    expect(await repl.run(`sim-faults plaid '{"serverErrorRate":"all"}'`)).toContain(
      'a JSON object of numbers',
    );
    expect(await repl.run('resync 00000000-0000-4000-8000-000000000000')).toContain('error: NOT_FOUND');
    expect(sims.plaid.faults.settings.serverErrorRate).toBe(0);
  });
});
