// Past days' closes (USD per unit), for history rebuilt before the market saw a tick and for a
// day's open when this node has no candle of its own: the exchange's daily candles, or the price
// API's history for a coin the exchange has no pair of (its quote currency, USDT, among them); a
// dollar stablecoin neither knows is at its peg. FX fixings price currencies. Securities: see
// securityCloses. A past day's close never changes, so what was fetched is kept (the closes of
// the day before a day's open also in MongoDB, infra/models/daily-close.model.ts, for the next
// market that starts).
import { feedSymbolOf, isSecurityAsset } from '../../domain/securities.ts';
import type { ServiceBroker } from 'moleculer';
import { Decimal } from '../../domain/money.ts';
import { addDays, carriedForward } from '../../domain/dates.ts';
import { daysBetween } from '../../domain/reconstruction.ts';
import { FIAT_CURRENCIES } from '../../domain/portfolio.ts';
import { USD_STABLECOINS } from '../../domain/valuation.ts';
import type { Providers } from '../../infra/providers.ts';
import { forEachConcurrently } from '../../infra/concurrency.ts';
import { insertNew } from '../../infra/db.ts';
import { DailyClose, type DailyCloseRecord } from '../../infra/models/daily-close.model.ts';
import type { PriceApi } from './price-api.ts';
import { latestQuotes } from './securities.ts';

/** Days of stored closes kept (a day's open needs only the day before's). */
const KEPT_DAYS = 7;

interface ClosesBefore {
  closes: Map<string, string | null>;
  stored?: Promise<void>;
}

export class DailyCloses {
  /** past days' closes by symbol, and the days each covers */
  private readonly known = new Map<string, { from: string; to: string; byDay: Map<string, string> }>();
  /**
   * By day: the closes of the day before it, by symbol (null: no source has it), and the one read
   * of those stored in MongoDB (unset again when it failed, so the next ask reads again)
   */
  private readonly closesBefore = new Map<string, ClosesBefore>();

  /** `sources`: which providers are configured (the exchange's history, FX fixings). */
  constructor(
    private readonly priceApi: PriceApi,
    private readonly logger: ServiceBroker['logger'],
    private readonly providers: Providers,
    private readonly sources: { exchange: boolean; fx: boolean; securitiesFeed?: boolean },
  ) {}

  /**
   * Each symbol's close on the UTC days from `from` to `to` (past days only); a symbol no source
   * knows is left out (its history is unknown).
   */
  async between(
    symbols: string[],
    from: string,
    until: string,
  ): Promise<Record<string, Record<string, string>>> {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const to = until < yesterday ? until : yesterday;
    const closes: Record<string, Record<string, string>> = {};
    if (from > to) return closes;
    for (const symbol of symbols) {
      let known = this.known.get(symbol);
      if (!known || known.from > from || known.to < to) {
        try {
          const fetched = await this.of(symbol, from, to);
          known = {
            from: known && known.from < from ? known.from : from,
            to: known && known.to > to ? known.to : to,
            byDay: new Map([...(known?.byDay ?? []), ...fetched]),
          };
          this.known.set(symbol, known);
        } catch (err) {
          this.logger.info({ symbol, err: (err as Error).message }, 'no daily history for a symbol');
          continue;
        }
      }
      const days: Record<string, string> = {};
      for (const [day, price] of known.byDay) if (day >= from && day <= to) days[day] = price;
      closes[symbol] = days;
    }
    return closes;
  }

  /**
   * Each symbol's close on the day before `day`: FX fixings for currencies, the exchange's (or the
   * price API's) daily closes for assets. Symbols none knows are left out.
   */
  async before(symbols: string[], day: string): Promise<Record<string, string>> {
    const before = addDays(day, -1);
    const out: Record<string, string> = {};
    // a past day's close does not change: each symbol's is asked once a day, whoever asks
    let kept = this.closesBefore.get(day);
    if (!kept) {
      for (const d of this.closesBefore.keys()) if (d < before) this.closesBefore.delete(d);
      this.closesBefore.set(day, (kept = { closes: new Map() }));
      // only the last days' are ever asked for: older rows go, once a day
      DailyClose.deleteMany({ day: { $lt: addDays(before, -KEPT_DAYS) } }).catch((err: unknown) =>
        this.logger.warn({ err: (err as Error).message }, 'old daily closes not pruned'),
      );
    }
    await (kept.stored ??= this.readStored(before, kept));
    const cache = kept.closes;
    const fresh: string[] = [];
    for (const symbol of symbols) {
      const close = cache.get(symbol);
      if (close === undefined) fresh.push(symbol);
      else if (close !== null) out[symbol] = close;
    }
    const fetched = await this.beforeFromSources(fresh, before, cache);
    Object.assign(out, fetched);
    await this.store(before, fetched);
    return out;
  }

  /** The closes of `before` another market (or this one before a restart) stored, into the day's closes. */
  private readStored(before: string, day: ClosesBefore): Promise<void> {
    return DailyClose.find({ day: before })
      .lean<DailyCloseRecord[]>()
      .then((rows) => {
        for (const row of rows) if (!day.closes.has(row.symbol)) day.closes.set(row.symbol, row.close);
      })
      .catch((err: unknown) => {
        // the sources answer instead, and the next ask reads again
        day.stored = undefined;
        this.logger.warn({ day: before, err: (err as Error).message }, 'stored daily closes not read');
      });
  }

  /** Keeps what the sources answered for `before`; a store that fails only costs the next market the asking. */
  private async store(before: string, closes: Record<string, string>): Promise<void> {
    const rows = Object.entries(closes).map(([symbol, close]) => ({
      _id: `${symbol}:${before}`,
      symbol,
      day: before,
      close,
    }));
    if (!rows.length) return;
    try {
      await insertNew(DailyClose, rows);
    } catch (err) {
      this.logger.warn({ day: before, err: (err as Error).message }, 'daily closes not stored');
    }
  }

  /** Each symbol's close on `before` from its source; what a source answered is kept in `cache` (null: none has it). */
  private async beforeFromSources(
    symbols: string[],
    before: string,
    cache: Map<string, string | null>,
  ): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (!symbols.length) return out;
    const currencies = symbols.filter((s) => FIAT_CURRENCIES.has(s) && s !== 'USD');
    if (currencies.length && this.sources.fx)
      try {
        const { rates } = await this.providers.fx().on(before, 'USD', currencies);
        for (const [currency, rate] of Object.entries(rates))
          out[currency] = Decimal.parse('1').div(Decimal.parse(rate)).toString();
        for (const currency of currencies) cache.set(currency, out[currency] ?? null);
      } catch (err) {
        this.logger.info({ day: before, err: (err as Error).message }, 'no FX fixing for the day open');
      }
    const assets = symbols.filter((s) => !FIAT_CURRENCIES.has(s));
    if (assets.length && this.sources.exchange)
      await forEachConcurrently(assets, 4, async (symbol) => {
        try {
          const close = (await this.of(symbol, before, before)).get(before);
          if (close !== undefined) out[symbol] = close;
          cache.set(symbol, close ?? null);
        } catch {
          // no history anywhere: the asset opens at its price when first valued (asked again
          // next time: a source that failed may answer then)
        }
      });
    return out;
  }

  /** A symbol's daily closes: the exchange's, else the price API's, else a stablecoin's peg. */
  private async of(symbol: string, from: string, to: string): Promise<Map<string, string>> {
    // a stock's or a fund's past closes are not the crypto sources' to give (not asked: a
    // wasted call each, and an error in their logs)
    if (isSecurityAsset(symbol)) return this.securityCloses(symbol, from, to);
    try {
      return await this.providers.binance().dailyCloses(`${symbol}USDT`, from, to);
    } catch (exchangeErr) {
      try {
        const fromApi = await this.priceApi.dailyCloses(symbol, from, to);
        if (fromApi) return fromApi;
      } catch (err) {
        this.logger.info({ symbol, err: (err as Error).message }, 'no daily history from the price API');
      }
      if (!USD_STABLECOINS.has(symbol)) throw exchangeErr;
      const days = new Map<string, string>();
      for (let d = from; d <= to; d = addDays(d, 1)) days.set(d, '1');
      return days;
    }
  }

  /**
   * A security's close on each day: a US stock's or ETF's from the securities feed, a day
   * without a session (a weekend, a holiday) at the session's before it. A fund, a bond or a
   * listing abroad has no daily source here: its days are valued at its latest brokerage price
   * in its own currency, at each day's FX fixing (an estimate, as history marks it).
   */
  private async securityCloses(symbol: string, from: string, to: string): Promise<Map<string, string>> {
    const days = daysBetween(from, to);
    const feedSymbol = feedSymbolOf(symbol);
    // asked from a week before `from`: the session (or fixing) a weekend or a holiday at its start carries
    if (feedSymbol && this.sources.securitiesFeed)
      return carriedForward(
        await this.providers.securitiesFeed().dailyCloses(feedSymbol, addDays(from, -7), to),
        days,
      );
    const quote = (await latestQuotes([symbol])).get(symbol);
    if (!quote) throw new Error(`no daily history source for ${symbol}, and no brokerage price`);
    if (quote.currency === 'USD') return new Map(days.map((d) => [d, quote.price]));
    if (!this.sources.fx) throw new Error(`no FX fixings for ${symbol}'s ${quote.currency} price`);
    const fixings = await this.providers.fx().range(addDays(from, -7), to, 'USD', [quote.currency]);
    const perUsd = new Map(
      Object.entries(fixings).flatMap(([d, rates]) => {
        const rate = rates[quote.currency];
        return rate ? [[d, rate] as const] : [];
      }),
    );
    const price = Decimal.parse(quote.price);
    return new Map(
      [...carriedForward(perUsd, days)].map(([d, rate]) => [d, price.div(Decimal.parse(rate)).toString()]),
    );
  }
}
