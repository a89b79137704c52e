// Projection benchmark (prints figures; not a test): the Monte Carlo as the insights API runs it,
// 10,000 seeded paths × 30 years of monthly steps over three asset classes, with two goals
// (each goal's needed saving is searched on the same draws). One core, in process.
// Run: scripts/finexia bench:projection [-- --paths 10000 --years 30]
import { parseArgs } from 'node:util';
import { DEFAULT_CLASS_ASSUMPTIONS, activeClasses, project } from '../domain/projection.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { paths: { type: 'string', default: '10000' }, years: { type: 'string', default: '30' } },
});
const PATHS = Number(args.paths);
const YEARS = Number(args.years);
const input = {
  start: {
    cash: 25_000,
    stablecoin: 2_000,
    crypto: 18_000,
    equity: 0,
    fund: 0,
    bond: 0,
    property: 0,
    vehicle: 0,
    valuables: 0,
    debt: 0,
  },
  monthlySavings: 900,
  incomeGrowth: 0.02,
  inflation: 0.03,
  inflationAdjusted: true,
  years: YEARS,
  classes: DEFAULT_CLASS_ASSUMPTIONS,
  paths: PATHS,
  seed: 1,
  goals: [
    { id: 'house', name: 'House deposit', target: 120_000, months: 96 },
    { id: 'retire', name: 'Retirement', target: 1_000_000, months: YEARS * 12 },
  ],
};
console.log(
  `Projection: ${PATHS} paths × ${YEARS} years monthly (${PATHS * YEARS * 12 * activeClasses(input.start).length} class-steps), 2 goals`,
);
for (let run = 0; run <= 3; run += 1) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = project({ ...input, seed: run });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const last = result.years.at(-1)!;
  if (run === 0) continue; // warm-up
  console.log(
    `  run ${run}: ${ms.toFixed(0)} ms wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU; year ${YEARS}: p10 ${last.p10.toFixed(0)} / p50 ${last.p50.toFixed(0)} / p90 ${last.p90.toFixed(0)} (today's money); house goal ${(result.goals[0]!.probability * 100).toFixed(1)} %`,
  );
}
