// What a portfolio is worth to its user: the base currency (the user's preference, with its
// FX rate) and the day's opening prices (the market's hour candle at the user's midnight).
// The view itself is built in domain/portfolio-views.ts.
import { preferencesOf } from '../../infra/user-preferences.ts';
import { callAction } from '../../infra/actions.ts';
import type { ServiceBroker } from 'moleculer';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import { providersOf } from '../../infra/providers.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { Decimal } from '../../domain/money.ts';
import { notFound } from '../../domain/errors.ts';
import type { PriceBook } from '../../domain/portfolio.ts';
import type { PositionInput } from '../../domain/valuation.ts';
import { buildView, type Base, type Valued } from '../../domain/portfolio-views.ts';

const DAY_MS = 86_400_000;
const ONE = Decimal.parse('1');

export interface UserPreferences {
  baseCurrency?: string;
  timeZone?: string;
  alertThresholds?: { netWorthDropPercent?: number; marketMovePercent?: number };
}

export type { Base, Valued };

type Logger = ServiceBroker['logger'];

export class Valuation {
  /**
   * Prices at a day's start by that instant: users of one time zone share it, so a node asks
   * the market once per symbol, not once per activation. null: no price then (a past hour only).
   */
  private readonly opens = new Map<number, Map<string, bigint | null>>();
  /**
   * Opens being asked for, by day and symbol: portfolios activating together (16 at a time, most
   * holding the same popular coins) wait for one answer instead of each asking the market again.
   */
  private readonly asking = new Map<number, Map<string, Promise<void>>>();

  constructor(
    private readonly broker: ServiceBroker,
    private readonly logger: Logger,
    private readonly book: PriceBook,
  ) {}

  /** The user's base currency, its rate per USD (USD when FX is unavailable) and time zone. */
  /** `preferences` as loaded already (null: the user has none), or undefined to load them. */
  async baseOf(userId: string, preferences?: UserPreferences | null): Promise<Base> {
    let prefs = preferences;
    if (prefs === undefined) {
      const stored = await preferencesOf(userId);
      // no portfolio comes up for an account that does not exist (one deleted since was asked for)
      if (stored === undefined) throw notFound('User');
      prefs = stored;
    }
    const currency = prefs?.baseCurrency ?? 'USD';
    const timeZone = prefs?.timeZone ?? 'UTC';
    const limits = {
      dropPercent: prefs?.alertThresholds?.netWorthDropPercent ?? 5,
      movePercent: prefs?.alertThresholds?.marketMovePercent ?? 10,
    };
    if (currency === 'USD') return { currency, perUsd: ONE, timeZone, ...limits };
    try {
      const rate = (await providersOf(this.broker).fx().latest('USD', [currency])).rates[currency];
      if (rate) return { currency, perUsd: Decimal.parse(rate), timeZone, ...limits };
    } catch (err) {
      this.logger.warn(
        { userId, err: (err as Error).message },
        'no FX rate for the base currency; showing USD',
      );
    }
    return { currency: 'USD', perUsd: ONE, timeZone, ...limits };
  }

  /** Asks the market for the opens of `symbols` at `dayStart` and keeps what it knows in `known`. */
  private async askOpens(
    known: Map<string, bigint | null>,
    symbols: string[],
    dayStart: number,
  ): Promise<void> {
    try {
      const res = await callAction(this.broker, 'market.opensAt', { symbols, at: dayStart });
      // a symbol without a price may still get one while that hour runs (and its candle is stored)
      const hourDone = Date.now() > dayStart - (dayStart % 3_600_000) + 3_600_000 + 60_000;
      for (const symbol of symbols) {
        const price = res.opens[symbol];
        if (price !== undefined) known.set(symbol, Decimal.parse(price).units);
        else if (hourDone) known.set(symbol, null);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'no opening prices: the day change starts now');
    }
  }

  /** The USD rate for amounts recorded in another currency than today's base (fetched only if one is). */
  async rateFor(userId: string, currency: string, recordedIn: readonly string[]): Promise<Decimal> {
    return recordedIn.some((c) => c !== currency) ? (await this.baseOf(userId)).perUsd : ONE;
  }

  /** Each held asset's price at the start of the user's day (from the market's hour candles). */
  async opensAt(byAccount: Map<string, PositionInput[]>, dayStart: number): Promise<Map<string, bigint>> {
    const symbols = [...new Set([...byAccount.values()].flat().map((p) => p.asset))].filter(
      (a) => a !== 'USD',
    );
    let known = this.opens.get(dayStart);
    if (!known) {
      // days that ended more than a day ago are nobody's today any more
      for (const day of this.opens.keys()) if (day < dayStart - DAY_MS) this.opens.delete(day);
      this.opens.set(dayStart, (known = new Map()));
    }
    const missing = symbols.filter((symbol) => !known.has(symbol));
    if (missing.length && nodesRunning(this.broker, 'market').length) {
      let asking = this.asking.get(dayStart);
      if (!asking) {
        for (const day of this.asking.keys()) if (day < dayStart - DAY_MS) this.asking.delete(day);
        this.asking.set(dayStart, (asking = new Map()));
      }
      const inFlight = asking;
      const ask = missing.filter((symbol) => !inFlight.has(symbol));
      if (ask.length) {
        const asked = this.askOpens(known, ask, dayStart).finally(() => {
          for (const symbol of ask) if (inFlight.get(symbol) === asked) inFlight.delete(symbol);
        });
        for (const symbol of ask) inFlight.set(symbol, asked);
      }
      await Promise.all(new Set(missing.map((symbol) => inFlight.get(symbol))));
    }
    const opens = new Map<string, bigint>([['USD', 10n ** 18n]]);
    for (const symbol of symbols) {
      const price = known.get(symbol);
      if (price !== undefined && price !== null) opens.set(symbol, price);
    }
    return opens;
  }

  /** The view clients see at sequence number `seq`. */
  view(p: Valued, seq: number): PortfolioView {
    return buildView(p, this.book.prices, seq);
  }
}
