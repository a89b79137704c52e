// Finexia's own Prometheus metrics, beside Moleculer's (requests, events, process): what an
// operator watches on a live node. Every name is here, registered once per broker by the
// middleware; services report through `broker.metrics` by these names. Dots become
// underscores on /metrics; counters end in `_total`, as Prometheus names them.
import type { Middleware, ServiceBroker } from 'moleculer';
import { providerErrorListeners } from '../providers/resilience.ts';

export const METRICS = {
  /** ticks accepted by the market service (before conflation) */
  ticksAccepted: 'finexia.market.ticks.accepted.total',
  /** ticks refused by validation, by reason */
  ticksRejected: 'finexia.market.ticks.rejected.total',
  /** live portfolios on this node, and those someone watches */
  actors: 'finexia.portfolio.actors',
  watched: 'finexia.portfolio.watched',
  /** from a burst's oldest tick (its exchange time) to the last push it caused, ms */
  tickToPush: 'finexia.portfolio.tick_to_push_ms',
  /** sockets open on this gateway, and frames dropped for clients that read too slowly */
  wsClients: 'finexia.ws.clients',
  wsDropped: 'finexia.ws.frames_dropped.total',
  /** wallet syncs by the state they reached (queued, running, ok, failed) */
  syncJobs: 'finexia.sync.jobs.total',
  /** failed provider calls (each attempt), by provider and error code */
  providerErrors: 'finexia.provider.errors.total',
  /** alerts delivered, by channel (inbox, webhook) */
  alertsSent: 'finexia.alerts.sent.total',
} as const;

function register(broker: ServiceBroker): void {
  const m = broker.metrics;
  const fresh = (name: string) => !m.getMetric(name);
  const counter = (name: string, description: string, labelNames: string[] = []) => {
    if (fresh(name)) m.register({ type: 'counter', name, description, labelNames });
  };
  const gauge = (name: string, description: string) => {
    if (fresh(name)) m.register({ type: 'gauge', name, description });
  };
  counter(METRICS.ticksAccepted, 'Ticks accepted');
  counter(METRICS.ticksRejected, 'Ticks refused by validation', ['reason']);
  gauge(METRICS.actors, 'Live portfolios on this node');
  gauge(METRICS.watched, 'Live portfolios someone watches');
  if (fresh(METRICS.tickToPush))
    m.register({
      type: 'histogram',
      name: METRICS.tickToPush,
      description: "From a burst's oldest tick to its last push, ms",
      buckets: [10, 25, 50, 100, 200, 400, 800, 1600],
    });
  gauge(METRICS.wsClients, 'WebSocket clients on this gateway');
  counter(METRICS.wsDropped, 'Frames dropped for slow clients');
  counter(METRICS.syncJobs, 'Wallet syncs by state', ['state']);
  counter(METRICS.providerErrors, 'Failed provider calls', ['provider', 'code']);
  counter(METRICS.alertsSent, 'Alerts delivered', ['channel']);
}

/** Registers the metrics when a broker is made, and counts provider errors while it runs. */
export function MetricsMiddleware(): Middleware {
  let listener: ((provider: string, code: string) => void) | undefined;
  return {
    name: 'FinexiaMetrics',
    created(broker: ServiceBroker) {
      register(broker);
      listener = (provider, code) => broker.metrics.increment(METRICS.providerErrors, { provider, code });
    },
    async started() {
      if (listener) providerErrorListeners.add(listener);
    },
    async stopped() {
      if (listener) providerErrorListeners.delete(listener);
    },
  };
}
