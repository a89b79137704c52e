// Securities' prices in the pipeline: US stocks and ETFs live from the securities feed
// (SecuritiesStream), everything else from the brokerages. A security is quoted in its listing's currency (a XETRA
// stock in euros); the pipeline prices in USD, so a quote is converted at the market's own last
// FX price of that currency (the FX provider's when it has none yet). Quotes come from the
// brokerages' syncs (a stock's last close, a fund's NAV: funds move once a day) and, for a
// security nobody quoted since this node started, from the last quote a brokerage stored.
import type { ServiceBroker } from 'moleculer';
import type { SecurityQuote } from '@finexia/contracts/internal.ts';
import { Decimal } from '../../domain/money.ts';
import { feedSymbolOf, isSecurityAsset } from '../../domain/securities.ts';
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
    // a live trade is newer than any brokerage's close
    const valid = quotes.filter(
      (q) => isSecurityAsset(q.asset) && this.ticks.lastPrices.get(q.asset)?.source !== 'feed',
    );
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
    const latest = await latestQuotes(lacking);
    await this.quote([...latest.values()]);
  }
}

/** Each security's latest price as a brokerage stored it (its currency, its day), by asset. */
export async function latestQuotes(assets: string[]): Promise<Map<string, SecurityQuote>> {
  const stored = await Holding.find({ asset: { $in: assets }, price: { $ne: null } })
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
  return latest;
}

/**
 * US stocks' and ETFs' live prices from the securities feed: each held one is followed (its last
 * trade at once, then every trade as it happens), as USD ticks. Outside a session nothing trades,
 * so nothing moves; a session's first trade moves the price from the last close.
 */
export class SecuritiesStream {
  private stream: { subscribe(symbols: string[]): void; stop(): void } | undefined;
  /** feed symbol → our asset (AAPL → AAPL.STOCK) */
  private readonly followed = new Map<string, string>();

  constructor(
    private readonly ticks: TickPipeline,
    private readonly logger: ServiceBroker['logger'],
    private readonly providers: Providers,
  ) {}

  start(): void {
    this.stream = this.providers.securitiesFeed().streamTrades({
      onTrade: (t) => {
        const asset = this.followed.get(t.symbol);
        if (asset) this.ticks.push({ symbol: asset, price: t.price, ts: t.ts, source: 'feed' });
      },
      // trades missed while the socket was down: the last trade of each, at once
      onReconnect: () => void this.snapshot([...this.followed.keys()]),
      onError: (err) => this.logger.warn({ err: err.message }, 'securities feed stream error'),
    });
  }

  stop(): void {
    this.stream?.stop();
    this.stream = undefined;
  }

  /** Follows the feed's securities among `assets` that are not followed yet. */
  async follow(assets: string[]): Promise<void> {
    if (!this.stream) return;
    const added: string[] = [];
    for (const asset of assets) {
      const symbol = feedSymbolOf(asset);
      if (!symbol || this.followed.has(symbol)) continue;
      this.followed.set(symbol, asset);
      added.push(symbol);
    }
    if (!added.length) return;
    this.stream.subscribe(added);
    await this.snapshot(added);
  }

  /** The last trade of each symbol, stamped when learnt (a closed market's last trade can be days old and is still the price). */
  private async snapshot(symbols: string[]): Promise<void> {
    if (!symbols.length) return;
    try {
      const now = Date.now();
      for (const s of await this.providers.securitiesFeed().snapshots(symbols)) {
        const asset = this.followed.get(s.symbol);
        if (asset) this.ticks.push({ symbol: asset, price: s.price, ts: now, source: 'feed' });
      }
      await new Promise((resolve) => setImmediate(resolve));
    } catch (err) {
      this.logger.warn(
        { symbols: symbols.length, err: (err as Error).message },
        'securities feed snapshots failed',
      );
    }
  }
}
