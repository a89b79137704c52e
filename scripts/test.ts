// The test suite in two tiers (what `scripts/finexia test` and .ci/run run): the fast tier first
// (unit, service, web: seconds per file, no NATS, no browser), then the full stack (providers,
// deploy, integration, security, e2e). A failure in the fast tier stops the run before the slow
// one starts. Each tier's time and the total are printed at the end, with the slowest files of each
// tier (from vitest's JSON report in test-artifacts/vitest-<tier>.json), so a slow CI run says where.
// With arguments (`scripts/finexia test test/service/notifications.test.ts`), vitest runs just those.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const TIERS = [
  { name: 'fast', projects: ['unit', 'service', 'web'] },
  { name: 'full stack', projects: ['providers', 'deploy', 'integration', 'security', 'e2e'] },
] as const;

const vitest = (args: string[]) =>
  spawnSync('npx', ['vitest', 'run', ...args], { stdio: 'inherit' }).status ?? 1;

const REPORTS = 'test-artifacts';

interface JsonReport {
  testResults: { name: string; startTime: number; endTime: number }[];
}

/** The `count` slowest files of a tier's JSON report, as "12.3 s test/…" lines. */
function slowestFiles(report: string, count: number): string[] {
  if (!existsSync(report)) return [];
  const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
  return testResults
    .map((file) => ({ file: file.name.replace(`${process.cwd()}/`, ''), ms: file.endTime - file.startTime }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map(({ file, ms }) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`);
}

const args = process.argv.slice(2);
if (args.length) process.exit(vitest(args));

const times: string[] = [];
const slowest: string[] = [];
const began = Date.now();
let status = 0;
mkdirSync(REPORTS, { recursive: true });
for (const tier of TIERS) {
  const started = Date.now();
  const report = `${REPORTS}/vitest-${tier.name.replace(' ', '-')}.json`;
  const reporters = ['--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  status = vitest([...tier.projects.flatMap((p) => ['--project', p]), ...reporters]);
  times.push(`${tier.name} (${tier.projects.join(', ')}): ${((Date.now() - started) / 1000).toFixed(0)} s`);
  slowest.push(`slowest files, ${tier.name} tier:`, ...slowestFiles(report, 12));
  if (status !== 0) break;
}
console.log(`\n${slowest.join('\n')}`);
console.log(
  `\ntest tiers: ${times.join('; ')}; total ${((Date.now() - began) / 1000).toFixed(0)} s${status ? ' (stopped at a failure)' : ''}`,
);
process.exit(status);
