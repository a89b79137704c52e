// `npm start`: one node. Embedded by default (all services, no transporter, FerretDB
// started here, demo data); a cluster node when TRANSPORTER=nats (see README).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ConfigError, loadConfig, setConfig } from '../config/index.ts';
import { InfraError, ensureInfra } from './infra.ts';
import { developmentSecrets } from './dev-secrets.ts';
import { seedDemoUsers, seedDemoWallets, DEMO_USERS } from './seed.ts';
import { startSimulators, type Simulators } from '../providers/simulators/index.ts';
import { createBroker } from '../services/index.ts';
import { ensureWebBuild } from './web-build.ts';

async function main(): Promise<void> {
  const useRepl = process.argv.includes('--repl');
  if (process.env.NODE_ENV !== 'production') Object.assign(process.env, developmentSecrets());

  // Validate the environment before touching anything.
  let cfg = loadConfig();
  const infra = await ensureInfra({ storage: 'persistent', requireNats: cfg.transporter.kind === 'nats' });
  process.env.MONGO_URL = infra.mongoUrl;

  // The embedded default talks to in-process simulators of Plaid, Binance, Coinbase, CoinGecko and FX;
  // in a cluster, the one node given SIM_PORT hosts them for every node (docker/compose.yaml).
  const embedded = cfg.transporter.kind === 'none';
  const hostsDemo =
    cfg.simulators.mode === 'in-process' &&
    !process.env.PLAID_URL &&
    (embedded || cfg.simulators.basePort > 0);
  let sims: Simulators | undefined;
  if (hostsDemo) {
    sims = await startSimulators({
      seed: cfg.simulators.seed,
      bankAnomalyRate: cfg.simulators.bankAnomalyRate,
      host: cfg.simulators.host,
      basePort: cfg.simulators.basePort,
    });
    Object.assign(process.env, sims.env);
    process.env.PLAID_WEBHOOK_URL ||= `http://${cfg.http.host}:${cfg.http.port}/api/v1/wallets/webhooks/plaid`;
  }
  cfg = loadConfig();
  setConfig(cfg);
  // the node that serves HTTP serves the dashboard too: build it if its sources changed
  // (FINEXIA_WEB=prebuilt: the image built it and carries no sources; off: no dashboard build)
  const web = process.env.FINEXIA_WEB ?? 'build';
  if (cfg.services.includes('api') && web !== 'off' && web !== 'prebuilt') ensureWebBuild();

  const broker = await createBroker(cfg, {
    stopped: async () => {
      await sims?.stop();
      await infra.stop();
    },
  });
  await broker.start();

  if (hostsDemo) await seedDemoUsers(cfg);
  if (sims) {
    const demoSims = sims;
    // in a cluster the wallets service may be on a node that is still starting
    const seedWallets = async () => {
      if (!embedded) await broker.waitForServices(['wallets'], 300_000);
      await seedDemoWallets(broker, demoSims);
    };
    const seeding = seedWallets().catch((err: Error) =>
      broker.logger.warn('demo wallets were not created', err.message),
    );
    if (embedded) await seeding;
  }

  const api = broker.getLocalService('api') as { server?: Server } | undefined;
  const address = api?.server?.address() as AddressInfo | null | undefined;
  const lines = [
    `Finexia node ${broker.nodeID} is up (${embedded ? 'embedded' : 'cluster'}; services: ${cfg.services.join(', ')})`,
  ];
  if (address) {
    const base = `http://${address.address === '::' ? 'localhost' : address.address}:${address.port}`;
    lines.push(
      `  Dashboard  ${base}/`,
      `  API        ${base}/api/v1`,
      `  WebSocket  ${base.replace('http', 'ws')}/ws`,
      `  Health     ${base}/healthz  ${base}/readyz`,
    );
  }
  if (embedded)
    for (const user of DEMO_USERS) lines.push(`  Demo login ${user.email} / ${user.password} (${user.role})`);
  lines.push(`  MongoDB    ${infra.mongoProvider}`);
  if (sims)
    lines.push(
      `  Simulators Plaid ${sims.env.PLAID_URL}, Binance ${sims.env.BINANCE_URL}, Coinbase ${sims.env.COINBASE_URL}, CoinGecko ${sims.env.COINGECKO_URL}, FX ${sims.env.FX_URL}`,
    );
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
