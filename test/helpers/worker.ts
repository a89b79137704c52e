// Finexia nodes in their own processes (as an operator starts them), for tests that kill one.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { testConfig, TEST_CREDENTIALS_KEYS, TEST_JWT_SECRET } from './node.ts';

export interface WorkerOptions {
  name: string;
  namespace: string;
  services: string;
  env?: Record<string, string>;
  /** what runs (scripts/start.ts unless said) */
  script?: string;
  /** stdin and stdout piped to the test (the REPL); otherwise stdout is dropped */
  interactive?: boolean;
}

/** Set FINEXIA_DEBUG_WORKERS=1 to keep each worker's log in /tmp/finexia-<name>.log. */
export function startWorker(options: WorkerOptions): ChildProcess {
  const cfg = testConfig();
  const debug = Boolean(process.env.FINEXIA_DEBUG_WORKERS);
  const child = spawn(process.execPath, ['--import', 'tsx', options.script ?? 'scripts/start.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      NODE_ID: options.name,
      NAMESPACE: options.namespace,
      TRANSPORTER: 'nats',
      SERVICES: options.services,
      MONGO_URL: cfg.mongoUrl ?? '',
      NATS_URL: cfg.natsUrl,
      REDIS_URL: cfg.redisUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      CREDENTIALS_KEYS: TEST_CREDENTIALS_KEYS,
      SYNC_INTERVAL: '0s',
      METRICS: 'false',
      LOG_LEVEL: debug ? 'debug' : 'warn',
      PORT: '0',
      // the test process builds the dashboard once; workers never race to rebuild it
      FINEXIA_WEB: 'off',
      ...options.env,
    },
    stdio: options.interactive
      ? ['pipe', 'pipe', 'pipe']
      : ['ignore', debug ? openSync(`/tmp/finexia-${options.name}.log`, 'w') : 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
    if (debug) process.stderr.write(chunk);
  });
  child.once('exit', (code, signal) => {
    if (code && code !== 0) console.error(`worker ${options.name} exited with ${code ?? signal}:\n${tail}`);
  });
  return child;
}
