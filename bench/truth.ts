// The truth oracle at scale (prints figures; not a test): for each seed, a node and simulators of
// its own, then `--people` people of every kind set up through the public API while the market
// ticks (banks with checking, savings, a card and for some a student loan; Binance and Coinbase
// accounts with crypto, fiat and stablecoins; manual accounts in five currencies with balance
// histories; base currencies USD, EUR, GBP, CHF). Once they have synced and the market stops,
// every figure the API shows (net worth, by account, asset and class, prices, the day so far,
// nothing unpriced, the history at sampled past days, the score's liquid and owed) is compared
// with the oracle's own computation from the simulators' truth (test/oracle/, which imports none
// of the product's valuation). Rounding rule: the base currency's minor unit (a cent), half-even;
// a figure matches within one minor unit. Every mismatch is printed.
// Run: scripts/finexia bench:truth [-- --seeds 11,22,33 --people 200 --concurrency 8]
import { parseArgs } from 'node:util';
import { ensureInfra } from '../scripts/infra.ts';
import { startInProcessNode } from './env.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { ProviderTruth, providerUrls } from '../test/oracle/providers.ts';
import { describeMismatches, runOracle, type OracleRun } from '../test/oracle/run.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    seeds: { type: 'string', default: '11,22,33' },
    people: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
  },
});
const SEEDS = String(args.seeds).split(',').map(Number);
const PEOPLE = Number(args.people);

const infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: () => undefined });
const runs: OracleRun[] = [];
try {
  for (const seed of SEEDS) {
    const sims = await startSimulators({ seed, bankVolume: 0.5, bankMonths: 3, ticksPerSecond: 20 });
    const node = await startInProcessNode(infra, sims, 'btruth', {
      SYNC_ACK_WAIT: '20s',
      COINGECKO_POLL_INTERVAL: '2s',
    });
    try {
      const run = await runOracle({
        baseUrl: node.base,
        providers: new ProviderTruth(providerUrls(sims.env)),
        seed,
        count: PEOPLE,
        concurrency: Number(args.concurrency),
        settleTimeoutMs: 300_000,
        log: (line) => console.log(line),
      });
      runs.push(run);
      console.log(
        `seed ${seed}: ${run.people} people, ${run.figures} figures (${run.historyFigures} history days), ` +
          `${run.mismatches.length} mismatches, ${(run.ms / 1000).toFixed(1)} s`,
      );
      if (run.mismatches.length) console.log(describeMismatches(run.mismatches, 200));
    } finally {
      await node.stop();
      await sims.stop();
    }
  }
} finally {
  await infra.stop();
}

console.log('\n| Seed | People | Figures | of which history days | Mismatches | Time |');
console.log('| ---- | ------ | ------- | --------------------- | ---------- | ---- |');
for (const r of runs)
  console.log(
    `| ${r.seed} | ${r.people} | ${r.figures} | ${r.historyFigures} | ${r.mismatches.length} | ${(r.ms / 1000).toFixed(0)} s |`,
  );
const total = runs.reduce((n, r) => n + r.mismatches.length, 0);
console.log(`\n${total} mismatches beyond a cent in ${runs.reduce((n, r) => n + r.figures, 0)} figures`);
process.exit(total ? 1 : 0);
