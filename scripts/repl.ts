// `scripts/finexia repl`: joins a running cluster as an ops node (it hosts no service) and opens
// the Moleculer REPL with Finexia's commands (infra/repl-commands.ts; `help` lists them). Give
// it the cluster's TRANSPORTER, NATS_URL and NAMESPACE, and MONGO_URL for `readiness`.
// The embedded single process has its REPL with `scripts/finexia start --repl`.
import { hostname } from 'node:os';
import { ConfigError, loadConfig } from '../config/index.ts';
import { createBroker } from '../services/index.ts';

async function main(): Promise<void> {
  const cfg = loadConfig();
  if (cfg.transporter.kind !== 'nats') {
    console.error(
      'repl joins a cluster: set TRANSPORTER=nats, NATS_URL and NAMESPACE as on its nodes (the embedded process: scripts/finexia start --repl)',
    );
    process.exit(2);
  }
  const ops = {
    ...cfg,
    services: [],
    healthPort: 0,
    nodeID: cfg.nodeID ?? `ops-${hostname()}-${process.pid}`,
  };
  const broker = await createBroker(ops, { metrics: false });
  await broker.start();
  // the other nodes introduce themselves within a heartbeat
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const nodes = broker.registry.nodes.toArray().filter((n) => n.available && !n.local);
  broker.logger.info(
    `ops node ${broker.nodeID} joined namespace "${cfg.namespace}": ${nodes.length} other node(s)`,
  );
  await broker.repl();
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
