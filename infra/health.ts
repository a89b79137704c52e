// Liveness and readiness of a node, for every role: the api serves them at /healthz and
// /readyz; every node can also serve them on HEALTH_PORT (Kubernetes probes and the image's
// HEALTHCHECK reach nodes that host no api there).
import { createServer, type Server } from 'node:http';
import type { ServiceBroker } from 'moleculer';
import type { Readiness } from '@finexia/contracts/api.ts';
import { configOf } from '../config/index.ts';
import { probeMongo, probeRedis } from './connections.ts';

export function liveness(broker: ServiceBroker) {
  return { status: 'ok' as const, node: broker.nodeID, uptimeSeconds: Math.round(process.uptime()) };
}

/**
 * Ready: the database and the transporter answer and the node is not stopping. Redis is
 * reported but does not make a node unready: it holds the cache and the login limiter's
 * counters, which fall back to per-node memory; an outage must not take every pod out of
 * the load balancer.
 */
export async function readiness(broker: ServiceBroker): Promise<Readiness> {
  const checks: Readiness['checks'] = {};
  const cfg = configOf(broker);
  const [mongo, redis] = await Promise.all([probeMongo(cfg.mongoUrl), probeRedis(cfg.redisUrl)]);
  checks.mongo = mongo;
  checks.redis = redis;
  checks.nats =
    cfg.transporter.kind === 'nats'
      ? broker.transit?.connected
        ? { ok: true, latencyMs: 0 }
        : { ok: false, error: 'not connected to NATS' }
      : { ok: true, skipped: 'embedded mode: no transporter' };
  // a stopping node takes no new work: a load balancer should stop sending it requests
  if (broker.stopping) checks.node = { ok: false, error: 'stopping' };
  const ready = Object.entries(checks).every(([name, check]) => check.ok || name === 'redis');
  return { status: ready ? 'ready' : 'unavailable', node: broker.nodeID, checks };
}

/** /healthz and /readyz on their own port; nothing else is served there. */
export function startHealthServer(broker: ServiceBroker, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return answer(405, { error: { code: 'BAD_REQUEST', message: 'GET only' } });
    if (path === '/healthz') return answer(200, liveness(broker));
    if (path === '/readyz')
      return void readiness(broker).then(
        (ready) => answer(ready.status === 'ready' ? 200 : 503, ready),
        (err: Error) => answer(503, { status: 'unavailable', node: broker.nodeID, error: err.message }),
      );
    answer(404, { error: { code: 'NOT_FOUND', message: 'only /healthz and /readyz here' } });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
