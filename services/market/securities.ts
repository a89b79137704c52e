// Securities' prices in the pipeline. A security is quoted in its listing's currency (a XETRA
// stock in euros); the pipeline prices in USD, so a quote is converted at the market's own last
// FX price of that currency (the FX provider's when it has none yet). Quotes come from the
// brokerages' syncs (a stock's last close, a fund's NAV: funds move once a day) and, for a
// security nobody quoted since this node started, from the last quote a brokerage stored.
import type { ServiceBroker } from 'moleculer';
import type { SecurityQuote } from '@finexia/contracts/internal.ts';
import { Decimal } from '../../domain/money.ts';
import { isSecurityAsset } from '../../domain/securities.ts';
import { Holding } from '../../infra/models/wallet.model.ts';
import type { Providers } from '../../infra/providers.ts';
import type { TickPipeline } from './ticks.ts';

export class SecurityQuotes {
  constructor(
    private readonly ticks: TickPipeline,
    private readonly logger: ServiceBroker['logger'],
    private readonly providers: Providers,
  ) {}

  /** USD per unit of each currency: the pipeline's FX prices, else the FX provider's now. */
  private async usdPer(currencies: string[]): Promise<Map<string, Decimal>> {
    const rates = new Map<string, Decimal>([['USD', Decimal.parse('1')]]);
    const missing: string[] = [];
    for (const c of new Set(currencies)) {
      if (rates.has(c)) continue;
      const last = this.ticks.lastPrices.get(c);
      if (last) rates.set(c, Decimal.parse(last.price));
      else missing.push(c);
    }
    if (missing.length)
      try {
        const fx = await this.providers.fx().latest('USD', missing);
        for (const [c, perUsd] of Object.entries(fx.rates))
          rates.set(c, Decimal.parse('1').div(Decimal.parse(perUsd)));
      } catch (err) {
        this.logger.warn(
          { currencies: missing, err: (err as Error).message },
          'no FX rate: securities quoted in it stay unpriced',
        );
      }
    return rates;
  }

  /** Quotes into the pipeline as USD ticks; returns how many were priced. */
  async quote(quotes: SecurityQuote[]): Promise<number> {
    const valid = quotes.filter((q) => isSecurityAsset(q.asset));
    const rates = await this.usdPer(valid.map((q) => q.currency));
    const now = Date.now();
    let priced = 0;
    for (const q of valid) {
      const rate = rates.get(q.currency);
      if (!rate) continue;
      this.ticks.push({
        symbol: q.asset,
        price: Decimal.parse(q.price).mul(rate).toString(),
        ts: now,
        source: 'brokerage',
      });
      priced += 1;
    }
    // the pipeline publishes on the next turn of the event loop: wait for it
    await new Promise((resolve) => setImmediate(resolve));
    return priced;
  }

  /** Securities among `symbols` with no price yet, quoted from the last price a brokerage stored. */
  async fill(symbols: string[]): Promise<void> {
    const lacking = symbols.filter((s) => isSecurityAsset(s) && !this.ticks.lastPrices.has(s));
    if (!lacking.length) return;
    const stored = await Holding.find({ asset: { $in: lacking }, price: { $ne: null } })
      .select({ asset: 1, price: 1, priceCurrency: 1, priceAsOf: 1 })
      .sort({ priceAsOf: -1 })
      .lean();
    const latest = new Map<string, SecurityQuote>();
    for (const h of stored)
      if (!latest.has(h.asset) && h.price && h.priceCurrency)
        latest.set(h.asset, {
          asset: h.asset,
          price: h.price,
          currency: h.priceCurrency,
          asOf: h.priceAsOf ?? null,
        });
    await this.quote([...latest.values()]);
  }
}
