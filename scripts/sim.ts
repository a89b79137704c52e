// `npm run sim:<name> [-- --port N --seed N]`: one provider simulator on its own.
// `npm run sim:all [-- --seed N]`: all seven on ports 7101-7107, sharing one market (as the embedded
// start's), printing the environment a node needs to reach them (a cluster started by hand).
import { PlaidSimulator } from '../providers/simulators/plaid.ts';
import { BinanceSimulator } from '../providers/simulators/binance.ts';
import { CoinbaseSimulator } from '../providers/simulators/coinbase.ts';
import { CoinGeckoSimulator } from '../providers/simulators/coingecko.ts';
import { FxSimulator } from '../providers/simulators/fx.ts';
import { EsploraSimulator } from '../providers/simulators/esplora.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { SecuritiesMarket } from '../providers/simulators/securities.ts';
import { SecuritiesFeedSimulator } from '../providers/simulators/securities-feed.ts';

const [name = ''] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flag = (key: string, fallback: number) => {
  const index = process.argv.indexOf(`--${key}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${key} must be a non-negative integer`);
    process.exit(2);
  }
  return value;
};
const seed = flag('seed', 42);
const ports: Record<string, number> = {
  plaid: 7101,
  binance: 7102,
  coinbase: 7103,
  coingecko: 7104,
  fx: 7105,
  esplora: 7106,
  'securities-feed': 7107,
};
const factories: Record<string, () => { listen(port: number): Promise<string>; close(): Promise<void> }> = {
  plaid: () => new PlaidSimulator({ seed }),
  binance: () => new BinanceSimulator({ seed, ticksPerSecond: flag('ticks', 50) }),
  coinbase: () => new CoinbaseSimulator({ seed }),
  coingecko: () => new CoinGeckoSimulator({ seed }),
  fx: () => new FxSimulator({ seed }),
  esplora: () => new EsploraSimulator({ seed }),
  'securities-feed': () =>
    new SecuritiesFeedSimulator({
      seed,
      market: new SecuritiesMarket(seed, new Date().toISOString().slice(0, 10)),
      tradesPerSecond: flag('ticks', 5),
    }),
};
if (name === 'all') {
  const sims = await startSimulators({ seed, basePort: ports.plaid });
  console.log(`simulators (seed ${seed}) listening; give every node this environment:`);
  for (const [key, value] of Object.entries(sims.env)) console.log(`export ${key}=${value}`);
  const stopAll = async () => {
    await sims.stop();
    process.exit(0);
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  await new Promise(() => undefined);
}
const factory = factories[name];
if (!factory) {
  console.error(`usage: npm run sim:<${Object.keys(factories).join('|')}|all> [-- --port N --seed N]`);
  process.exit(2);
}
const sim = factory();
const url = await sim.listen(flag('port', ports[name] ?? 0));
console.log(`${name} simulator (seed ${seed}) listening on ${url}; fault knobs at ${url}/__sim/faults`);
const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
