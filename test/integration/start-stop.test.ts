// `scripts/finexia start` as a supervisor (or a terminal multiplexer) runs it: a SIGTERM to the
// script's pid stops the node after its drain, and the FerretDB it started with it; nothing of the
// run is left (the next start used to fail with EADDRINUSE on the metrics port).
import { spawn, execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../scripts/infra.ts';
import { testDatabaseUrl } from '../helpers/node.ts';
import { waitFor } from '../helpers/wait.ts';

const running: number[] = [];

afterAll(() => {
  for (const pid of running)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
});

/** The pids of processes whose command line contains `text`. */
function processesWith(text: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -eo'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

const answers = async (url: string) => {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
};

it('stops the node and the FerretDB it started when the start script gets SIGTERM', async () => {
  const [port, metricsPort, ferretPort] = [await freePort(), await freePort(), await freePort()];
  const database = new URL(testDatabaseUrl()).pathname.slice(1);
  const { MONGO_URL: _given, ...env } = process.env;
  const child = spawn('scripts/finexia', ['start'], {
    env: {
      ...env,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      FERRETDB_PORT: String(ferretPort),
      MONGO_DB: database,
      FINEXIA_WEB: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child.pid!);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // up: serving, its demo made
  await waitFor(async () => (output.includes('is up') ? true : undefined), 150_000, 'the node to be up');
  expect(await answers(`http://127.0.0.1:${port}/healthz`)).toBe(true);
  const ferret = processesWith(`--listen-addr=127.0.0.1:${ferretPort}`);
  expect(ferret, output).toHaveLength(1);
  expect(await answers(`http://127.0.0.1:${metricsPort}/metrics`)).toBe(true);

  child.kill('SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise<'still running'>((r) => setTimeout(() => r('still running'), 60_000)),
  ]);
  expect(code, output.slice(-2000)).toBe(0);
  // nothing of the run is left: no process, nothing on its ports
  await waitFor(
    async () => (processesWith(`--listen-addr=127.0.0.1:${ferretPort}`).length ? undefined : true),
    15_000,
    'FerretDB to stop',
  );
  expect(processesWith('scripts/start.ts').filter((pid) => pid === child.pid)).toEqual([]);
  expect(await answers(`http://127.0.0.1:${port}/healthz`)).toBe(false);
  expect(await answers(`http://127.0.0.1:${metricsPort}/metrics`)).toBe(false);
}, 240_000);
