// What a portfolio is worth to its user: the base currency (the user's preference, with its
// FX rate) and the day's opening prices (the market's hour candle at the user's midnight),
// and the view clients see, built from the exact USD values without parsing any text.
import type { ServiceBroker } from 'moleculer';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import { providers } from '../../infra/providers.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { User } from '../../infra/models/user.model.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';
import type { PortfolioState } from '../../domain/portfolio.ts';
import { valueToDecimal, type PositionInput, type PriceBook } from '../../domain/portfolio.ts';
import { startOfLocalDay } from '../../domain/history.ts';

const DAY_MS = 86_400_000;
const ONE = Decimal.parse('1');

export interface UserPreferences {
  baseCurrency?: string;
  timeZone?: string;
  alertThresholds?: { netWorthDropPercent?: number; marketMovePercent?: number };
}

export interface Base {
  currency: string;
  /** units of `currency` one USD buys (from the FX provider) */
  perUsd: Decimal;
  timeZone: string;
  /** the node's price of the base currency (USD per unit) when perUsd was taken: an FX tick changes it */
  priceUnits?: bigint;
  /** the user's alert thresholds: a day's net worth drop, a position's move within an hour (percent) */
  dropPercent: number;
  movePercent: number;
}

/** The part of a live portfolio a view is built from. */
export interface Valued {
  userId: string;
  state: PortfolioState;
  base: Base;
  epoch: string;
  /** the user's local midnight and each asset's price then */
  dayStart: number;
  openPrices: Map<string, bigint>;
}

type Logger = ServiceBroker['logger'];

export class Valuation {
  /**
   * Prices at a day's start by that instant: users of one time zone share it, so a node asks
   * the market once per symbol, not once per activation. null: no price then (a past hour only).
   */
  private readonly opens = new Map<number, Map<string, bigint | null>>();

  constructor(
    private readonly broker: ServiceBroker,
    private readonly logger: Logger,
    private readonly book: PriceBook,
  ) {}

  /** The user's base currency, its rate per USD (USD when FX is unavailable) and time zone. */
  /** `preferences` as loaded already (null: the user has none), or undefined to load them. */
  async baseOf(userId: string, preferences?: UserPreferences | null): Promise<Base> {
    const prefs =
      preferences === undefined
        ? (await User.findOne({ publicId: userId }).select({ preferences: 1 }).lean())?.preferences
        : preferences;
    const currency = prefs?.baseCurrency ?? 'USD';
    const timeZone = prefs?.timeZone ?? 'UTC';
    const limits = {
      dropPercent: prefs?.alertThresholds?.netWorthDropPercent ?? 5,
      movePercent: prefs?.alertThresholds?.marketMovePercent ?? 10,
    };
    if (currency === 'USD') return { currency, perUsd: ONE, timeZone, ...limits };
    try {
      const rate = (await providers.fx().latest('USD', [currency])).rates[currency];
      if (rate) return { currency, perUsd: Decimal.parse(rate), timeZone, ...limits };
    } catch (err) {
      this.logger.warn(
        { userId, err: (err as Error).message },
        'no FX rate for the base currency; showing USD',
      );
    }
    return { currency: 'USD', perUsd: ONE, timeZone, ...limits };
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
      try {
        const res = await this.broker.call<
          { opens: Record<string, string> },
          { symbols: string[]; at: number }
        >('market.opensAt', { symbols: missing, at: dayStart });
        // a symbol without a price may still get one while that hour runs (and its candle is stored)
        const hourDone = Date.now() > dayStart - (dayStart % 3_600_000) + 3_600_000 + 60_000;
        for (const symbol of missing) {
          const price = res.opens[symbol];
          if (price !== undefined) known.set(symbol, Decimal.parse(price).units);
          else if (hourDone) known.set(symbol, null);
        }
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'no opening prices: the day change starts now');
      }
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
    const now = Date.now();
    if (now >= p.dayStart + DAY_MS) {
      // a new local day began: today opens at the current prices
      p.dayStart = startOfLocalDay(now, p.base.timeZone);
      p.openPrices = new Map(p.state.assets().map((a) => [a, this.book.prices.get(a) ?? 0n]));
    }
    const b = p.state.breakdownUnits();
    // values are exact in USD; the base-currency view is one exact multiplication, rounded
    // to the currency's minor unit (from units: no text is parsed on this path)
    const digits = currencyDigits(p.base.currency);
    const usdBase = p.base.currency === 'USD';
    const basePrice = usdBase ? undefined : this.book.prices.get(p.base.currency);
    if (basePrice && basePrice !== p.base.priceUnits) {
      // an FX tick moved the base currency: the view follows the new rate
      p.base.perUsd = ONE.div(Decimal.fromUnits(basePrice));
      p.base.priceUnits = basePrice;
    }
    const inBase = (units: bigint | Decimal) => {
      const usd = typeof units === 'bigint' ? valueToDecimal(units) : units;
      return (usdBase ? usd : usd.mul(p.base.perUsd)).round(digits);
    };
    const convert = (m: Iterable<[string, bigint]>, keepZeros = false) => {
      const out: Record<string, string> = {};
      for (const [k, v] of m) if (keepZeros || v !== 0n) out[k] = inBase(v).toString();
      return out;
    };
    const prices: Record<string, string> = {};
    for (const asset of p.state.assets()) prices[asset] = p.state.priceText(asset);
    const netWorthUsd = valueToDecimal(b.netWorth);
    const netWorth = inBase(netWorthUsd);
    const dayOpen = inBase(p.state.valueAtPrices(p.openPrices));
    return {
      userId: p.userId,
      epoch: p.epoch,
      seq,
      currency: p.base.currency,
      netWorth: netWorth.toString(),
      netWorthUsd: netWorthUsd.toString(),
      // both sides rounded first, so that the numbers on screen add up
      dayChange: netWorth.sub(dayOpen).toString(),
      dayOpen: dayOpen.toString(),
      byAccount: convert(b.byAccount),
      byAsset: convert(b.byAsset),
      byClass: convert(Object.entries(b.byClass) as [string, bigint][], true),
      prices,
      asOf: new Date(now).toISOString(),
    };
  }
}
