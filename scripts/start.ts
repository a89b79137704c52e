// `npm start`: one node. Embedded by default (all services, no transporter, FerretDB
// started here, demo data); a cluster node when TRANSPORTER=nats (see README).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ConfigError, loadConfig, setConfig } from '../config/index.ts';
import { InfraError, ensureInfra } from './infra.ts';
import { seedDemoData, DEMO_USERS } from './seed.ts';
import { createBroker } from '../services/index.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** A development-only signing secret, created once and kept in .data/ (never in production). */
function developmentSecret(): string {
  const file = join(ROOT, '.data', 'dev-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

async function main(): Promise<void> {
  const useRepl = process.argv.includes('--repl');
  if (process.env.NODE_ENV !== 'production' && !process.env.JWT_SECRET)
    process.env.JWT_SECRET = developmentSecret();

  // Validate the environment before touching anything.
  let cfg = loadConfig();
  const infra = await ensureInfra({ storage: 'persistent', requireNats: cfg.transporter.kind === 'nats' });
  process.env.MONGO_URL = infra.mongoUrl;
  cfg = loadConfig();
  setConfig(cfg);

  const broker = await createBroker(cfg, {
    stopped: async () => {
      await infra.stop();
    },
  });
  await broker.start();

  const embedded = cfg.transporter.kind === 'none';
  if (embedded && cfg.services.includes('auth')) await seedDemoData(cfg);

  const api = broker.getLocalService('api') as { server?: Server } | undefined;
  const address = api?.server?.address() as AddressInfo | null | undefined;
  const lines = [
    `Finexia node ${broker.nodeID} is up (${embedded ? 'embedded' : 'cluster'}; services: ${cfg.services.join(', ')})`,
  ];
  if (address) {
    const base = `http://${address.address === '::' ? 'localhost' : address.address}:${address.port}`;
    lines.push(
      `  API        ${base}/api/v1`,
      `  WebSocket  ${base.replace('http', 'ws')}/ws`,
      `  Health     ${base}/healthz  ${base}/readyz`,
    );
  }
  if (embedded)
    for (const user of DEMO_USERS) lines.push(`  Demo login ${user.email} / ${user.password} (${user.role})`);
  lines.push(`  MongoDB    ${infra.mongoProvider}`);
  broker.logger.info(lines.join('\n'));
  if (useRepl) await broker.repl();
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof InfraError) {
    console.error(err.message);
  } else {
    console.error('Finexia failed to start:', err);
  }
  process.exit(1);
});
