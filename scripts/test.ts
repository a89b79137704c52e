// The test suite in two tiers (what `scripts/finexia test` and .ci/run run): the fast tier first
// (unit, service, web: seconds per file, no NATS, no browser), then the full stack (providers,
// deploy, integration, security, e2e). A failure in the fast tier stops the run before the slow
// one starts. Each tier's time and the total are printed at the end (each vitest run ends with its
// slowest files: test/helpers/file-times-reporter.ts).
// With arguments (`scripts/finexia test test/service/notifications.test.ts`), vitest runs just those.
import { spawnSync } from 'node:child_process';

const TIERS = [
  { name: 'fast', projects: ['unit', 'service', 'web'] },
  { name: 'full stack', projects: ['providers', 'deploy', 'integration', 'security', 'e2e'] },
] as const;

const vitest = (args: string[]) =>
  spawnSync('npx', ['vitest', 'run', ...args], { stdio: 'inherit' }).status ?? 1;

const args = process.argv.slice(2);
if (args.length) process.exit(vitest(args));

const times: string[] = [];
const began = Date.now();
let status = 0;
for (const tier of TIERS) {
  const started = Date.now();
  status = vitest(tier.projects.flatMap((p) => ['--project', p]));
  times.push(`${tier.name} (${tier.projects.join(', ')}): ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (status !== 0) break;
}
console.log(
  `\ntest tiers: ${times.join('; ')}; total ${((Date.now() - began) / 1000).toFixed(0)} s${status ? ' (stopped at a failure)' : ''}`,
);
process.exit(status);
