// The truth oracle on a dozen people of every kind (new and empty, bank only, crypto only, heavily
// indebted, three currencies, everything at once): every figure the API shows them — net worth,
// by account, asset and class, the day so far, the history at past days, the score's liquid and
// owed; homes, cars, loans, Bitcoin and Ethereum wallets among them — equals the one computed from what the simulated providers hold (test/oracle/).
// `scripts/finexia bench:truth` runs the same at 200 people × 3 seeds.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { ProviderTruth, providerUrls } from '../oracle/providers.ts';
import { describeMismatches, runOracle } from '../oracle/run.ts';

let sims: Simulators;
let node: TestNode;

beforeAll(async () => {
  sims = await startSimulators({
    seed: 7301,
    bankVolume: 0.5,
    bankMonths: 3,
    ticksPerSecond: 20,
    ethereumRpcUrl: inject('ethereumRpcUrl'),
  });
  // the price API's prices (stablecoins) are polled every 2 s here, every minute by default
  node = await startNode({ ...sims.env, COINGECKO_POLL_INTERVAL: '2s' });
}, 90_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

it('every figure of twelve people matches the providers’ truth', async () => {
  const run = await runOracle({
    baseUrl: node.baseUrl,
    providers: new ProviderTruth(providerUrls(sims.env)),
    seed: 7301,
    count: 12,
    concurrency: 4,
  });
  expect(run.people).toBe(12);
  // every kind of figure was compared: the live view's and the history's
  expect(run.figures).toBeGreaterThan(150);
  expect(run.historyFigures).toBeGreaterThan(20);
  expect(run.mismatches, `mismatches:\n${describeMismatches(run.mismatches)}`).toEqual([]);
}, 300_000);
