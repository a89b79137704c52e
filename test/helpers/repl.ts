// The operator's REPL as a person uses it: `scripts/repl.ts` in its own process, joined to the
// test's cluster, commands typed on its stdin and answers read from its stdout.
import type { ChildProcess } from 'node:child_process';
import { startWorker } from './worker.ts';
import { waitFor } from './wait.ts';

export class ReplSession {
  private output = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(namespace: string, env: Record<string, string> = {}): Promise<ReplSession> {
    const child = startWorker({
      name: `ops-${namespace}`,
      namespace,
      services: 'users', // ignored: the ops node hosts none
      script: 'scripts/repl.ts',
      interactive: true,
      env,
    });
    const session = new ReplSession(child);
    await waitFor(
      async () => (session.output.includes('finexia $') ? true : undefined),
      60_000,
      'the REPL prompt',
    );
    return session;
  }

  /** Types a command; resolves with what it printed once `done` holds for it (60 s at most). */
  async run(line: string, done: (printed: string) => boolean = () => true): Promise<string> {
    const from = this.output.length;
    this.child.stdin!.write(line + '\n');
    return waitFor(
      async () => {
        const printed = this.output.slice(from);
        // the answer is complete when the prompt comes back after it
        const end = printed.lastIndexOf('finexia $');
        return end > 0 && done(printed.slice(0, end)) ? printed.slice(0, end) : undefined;
      },
      60_000,
      `the REPL's answer to "${line}"`,
    );
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.write('exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
