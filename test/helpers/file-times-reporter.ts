// A vitest reporter beside the default one: each test file's wall time, from the moment a worker
// takes it (imports and hooks included, which the default reporter's per-file time leaves out)
// to its end, and the slowest files listed when the run ends. The CI log keeps only its tail, so
// a run over its time says there where the time went.
import type { Reporter, TestModule } from 'vitest/node';

const LISTED = 12;

export default class FileTimesReporter implements Reporter {
  private readonly startedAt = new Map<string, number>();
  private readonly took = new Map<string, number>();

  onTestModuleQueued(module: TestModule): void {
    this.startedAt.set(module.moduleId, performance.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const started = this.startedAt.get(module.moduleId);
    if (started !== undefined)
      this.took.set(`${module.project.name}: ${module.relativeModuleId}`, performance.now() - started);
  }

  onTestRunEnd(): void {
    if (this.took.size < 2) return;
    const slowest = [...this.took].sort((a, b) => b[1] - a[1]).slice(0, LISTED);
    const lines = slowest.map(([file, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`);
    process.stdout.write(
      `\nslowest of ${this.took.size} test files (wall time, imports and hooks included):\n${lines.join('\n')}\n`,
    );
  }
}
