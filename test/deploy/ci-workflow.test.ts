// .github/workflows/ci.yml runs what .ci/run runs, against the same services (no GitHub runner
// here: the file is read and its references checked).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, readText, readYaml } from './files.ts';

interface Step {
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Job {
  services?: Record<string, { image: string; ports?: string[] }>;
  steps: Step[];
  env?: Record<string, string>;
  'timeout-minutes'?: number;
}

const workflow = readYaml('.github/workflows/ci.yml')[0] as { on: unknown; jobs: Record<string, Job> };
const jobs = Object.values(workflow.jobs);

describe('.github/workflows/ci.yml', () => {
  it('runs .ci/run, which runs lint, typecheck and the README test command', () => {
    const runs = jobs.flatMap((j) => j.steps.map((s) => s.run ?? ''));
    expect(runs.filter((r) => r.trim() === '.ci/run')).toHaveLength(1);
    const ci = readText('.ci/run');
    for (const step of ['scripts/finexia lint', 'scripts/finexia typecheck', 'scripts/finexia test'])
      expect(ci).toContain(step);
    expect(readText('README.md')).toContain('scripts/finexia test');
    expect(jobs[0]!['timeout-minutes']).toBeLessThanOrEqual(90);
  });

  it('provides Redis and PostgreSQL as service containers and NATS with JetStream, on their usual ports', () => {
    const services = jobs[0]!.services ?? {};
    expect(services.redis?.image).toMatch(/^redis:/);
    expect(services.redis?.ports).toContain('6379:6379');
    expect(services.postgres?.image).toMatch(/^postgres:/);
    expect(services.postgres?.ports).toContain('5432:5432');
    const runs = jobs[0]!.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/nats:2[^\n]*--jetstream/);
    expect(runs).toContain('-p 4222:4222');
    // the PostgreSQL URL FerretDB is given reaches that service container
    expect(new URL(jobs[0]!.env!.FERRETDB_POSTGRESQL_URL!).port).toBe('5432');
    expect(readText('scripts/infra.ts')).toContain('FERRETDB_POSTGRESQL_URL');
  });

  it('uses only files that exist and installs what the tests need that the runner lacks', () => {
    const runs = jobs[0]!.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('nginx');
    expect(existsSync(join(ROOT, '.ci/run'))).toBe(true);
    expect(readText('test/helpers/browser.ts')).toContain('CHROMIUM_PATH');
    expect(jobs[0]!.env!.CHROMIUM_PATH).toBeDefined();
  });
});
