// A day's open at a UTC midnight is the close of the day before (services/market/closes.ts): asked
// of the exchange once, then kept in MongoDB, so a market that starts later (a restart, another
// node) opens the day at the same prices without asking again — here with the exchange and the
// price API both down. Every close is checked against the simulator's own daily walk.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServices, type TestNode } from '../helpers/node.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { DailyClose, type DailyCloseRecord } from '../../infra/models/daily-close.model.ts';
import { Decimal } from '../../domain/money.ts';
import { addDays } from '../../domain/dates.ts';

const SYMBOLS = ['BTC', 'ETH', 'SOL'];
let sims: Simulators;
const nodes: TestNode[] = [];

beforeAll(async () => {
  sims = await startSimulators({ seed: 91, ticksPerSecond: 0 });
  nodes.push(await startServices(['market'], sims.env));
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await sims?.stop();
});

const opensAt = (node: TestNode, at: number) =>
  node.broker.call<{ opens: Record<string, string> }, { symbols: string[]; at: number }>('market.opensAt', {
    symbols: SYMBOLS,
    at,
  });

it('opens a UTC day at the close before, kept for the next market even with the sources down', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = addDays(today, -1);
  const midnight = Date.parse(`${today}T00:00:00Z`);
  // the simulator's own close of each symbol yesterday (USD, 1e-8), as exact decimals
  const truth = Object.fromEntries(
    SYMBOLS.map((symbol) => {
      const asset = sims.market.asset(symbol);
      if (!asset) throw new Error(`the simulator has no ${symbol}`);
      return [symbol, Decimal.fromMinor(sims.market.dailyClose(asset, yesterday), 8).toString()];
    }),
  );
  const exact = (opens: Record<string, string>) =>
    Object.fromEntries(Object.entries(opens).map(([s, p]) => [s, Decimal.parse(p).toString()]));

  expect(exact((await opensAt(nodes[0]!, midnight)).opens)).toEqual(truth);
  const stored = await DailyClose.find({ day: yesterday }).lean<DailyCloseRecord[]>();
  expect(
    Object.fromEntries(
      stored
        .filter((r) => SYMBOLS.includes(r.symbol))
        .map((r) => [r.symbol, Decimal.parse(r.close).toString()]),
    ),
  ).toEqual(truth);

  // the exchange and the price API answer nothing now; a market that starts still knows the opens
  sims.binance.faults.settings.serverErrorRate = 1;
  sims.coingecko.faults.settings.serverErrorRate = 1;
  nodes.push(await startServices(['market'], sims.env));
  expect(exact((await opensAt(nodes[1]!, midnight)).opens)).toEqual(truth);
}, 60_000);
