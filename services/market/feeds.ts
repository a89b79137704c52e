// The feeds that push ticks into the pipeline besides the price API: the exchange's all-market
// WebSocket stream (refilled from REST at start and after a reconnect) and FX rates (a currency's
// price is USD per unit, so fiat values move like any price).
import type { ServiceBroker } from 'moleculer';
import { Decimal } from '../../domain/money.ts';
import { assetOfPair } from '../../domain/ticks.ts';
import { FIAT_CURRENCIES } from '../../domain/portfolio.ts';
import type { Providers } from '../../infra/providers.ts';
import type { TickPipeline } from './ticks.ts';

/** FX rates now, as ticks. */
export async function pollFx(ticks: TickPipeline, providers: Providers): Promise<void> {
  const currencies = [...FIAT_CURRENCIES].filter((c) => c !== 'USD');
  const fx = await providers.fx().latest('USD', currencies);
  const now = Date.now();
  for (const [currency, rate] of Object.entries(fx.rates))
    ticks.push({
      symbol: currency,
      price: Decimal.parse('1').div(Decimal.parse(rate)).toString(),
      ts: now,
      source: 'fx',
    });
}

/** The exchange's stream of every market's price, feeding the pipeline until stopped. */
export async function startExchangeStream(
  ticks: TickPipeline,
  logger: ServiceBroker['logger'],
  providers: Providers,
): Promise<{ stop(): Promise<void> }> {
  const adapter = providers.binance();
  const toTick = (pair: string, price: string, ts: number) => {
    const symbol = assetOfPair(pair);
    return symbol ? { symbol, price, ts, source: 'binance' } : undefined;
  };
  const fillFromRest = async () => {
    try {
      const quotes = await adapter.tickerPrices([]);
      const now = Date.now();
      for (const q of quotes) {
        const tick = toTick(q.id, q.price, now);
        if (tick) ticks.push(tick);
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not fill prices from REST');
    }
  };
  await fillFromRest();
  return adapter.streamMiniTickers({
    onTickers: (tickers) => {
      for (const t of tickers) {
        const tick = toTick(t.pair, t.price, t.ts);
        if (tick) ticks.push(tick);
      }
    },
    onReconnect: () => {
      logger.info('exchange stream reconnected; filling the gap from REST');
      void fillFromRest();
    },
    onError: (err) => logger.warn({ err: err.message }, 'exchange stream error'),
  });
}
