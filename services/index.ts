// The one way to make a broker: options from moleculer.config.ts, the services this
// node hosts from config (SERVICES). Used by scripts/start.ts and by the tests.
import { ServiceBroker, type BrokerOptions } from 'moleculer';
import { brokerOptions } from '../moleculer.config.ts';
import { bindConfig, type Config, type ServiceName } from '../config/index.ts';
import { startHealthServer } from '../infra/health.ts';

// each service's module, loaded only on nodes that host it
const loaders = {
  api: () => import('./api/api.service.ts'),
  ws: () => import('./ws/ws.service.ts'),
  auth: () => import('./auth.service.ts'),
  users: () => import('./users/users.service.ts'),
  wallets: () => import('./wallets/wallets.service.ts'),
  transactions: () => import('./transactions/transactions.service.ts'),
  market: () => import('./market/market.service.ts'),
  portfolio: () => import('./portfolio/portfolio.service.ts'),
  notifications: () => import('./notifications/notifications.service.ts'),
  anomalies: () => import('./anomalies/anomalies.service.ts'),
  insights: () => import('./insights/insights.service.ts'),
} satisfies Record<ServiceName, () => Promise<{ default: { name: string } }>>;

export async function createBroker(
  cfg: Config,
  overrides: Partial<BrokerOptions> = {},
): Promise<ServiceBroker> {
  const broker = new ServiceBroker({ ...brokerOptions(cfg), ...overrides });
  // its services read this config (configOf(this.broker)), never a process-wide one
  bindConfig(broker, cfg);
  for (const name of cfg.services) broker.createService((await loaders[name]()).default);
  if (cfg.healthPort) {
    // up before the services start: a probe sees "not ready" rather than nothing while it starts
    const health = await startHealthServer(broker, cfg.healthPort, cfg.http.host);
    broker.localBus.on('$broker.stopped', () => health.close());
  }
  return broker;
}
