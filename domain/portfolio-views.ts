// What clients see of a live portfolio, built from its exact USD values: the full view (a
// snapshot) and the next push. A push after a burst of ticks is built from the assets whose
// price moved since the last push (their values, the accounts and classes holding them), and is
// exactly the delta diffView would give between the last view and a full one — without building
// the full view, diffing it, copying it, or formatting what did not move (the push path's cost
// per user, measured in bench:realtime).
import { Decimal, currencyDigits, divRoundHalfEven, minorText } from './money.ts';
import type { PortfolioState } from './portfolio.ts';
import { startOfLocalDay } from './history.ts';
import {
  diffView,
  type PortfolioDelta,
  type PortfolioMapKey,
  type PortfolioView,
} from '@finexia/contracts/portfolio.ts';

const DAY_MS = 86_400_000;
const ONE = Decimal.parse('1');
const SCALE = 10n ** 18n;

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

/**
 * Brings the portfolio's day and base rate up to date: a new local day opens at today's
 * prices; an FX tick on the base currency moves the rate. True when either changed (every
 * value of the view may have moved).
 */
function refresh(p: Valued, prices: ReadonlyMap<string, bigint>, now: number): boolean {
  let moved = false;
  if (now >= p.dayStart + DAY_MS) {
    p.dayStart = startOfLocalDay(now, p.base.timeZone);
    p.openPrices = new Map(p.state.assets().map((a) => [a, prices.get(a) ?? 0n]));
    moved = true;
  }
  const basePrice = p.base.currency === 'USD' ? undefined : prices.get(p.base.currency);
  if (basePrice && basePrice !== p.base.priceUnits) {
    p.base.perUsd = ONE.div(Decimal.fromUnits(basePrice));
    p.base.priceUnits = basePrice;
    moved = true;
  }
  return moved;
}

/**
 * Value units (10^-36 USD) as the user sees them: to 10^-18 USD (half-even), times the base
 * rate (half-even at 10^-18), to the currency's minor unit (half-even) — the same steps, and so
 * the same digits, as `valueToDecimal(v).mul(perUsd).round(digits)`, in bigints only.
 */
export class BaseFormat {
  readonly digits: number;
  private readonly toMinorScale: bigint;
  private readonly rate: bigint | undefined;

  constructor(base: Pick<Base, 'currency' | 'perUsd'>) {
    this.digits = currencyDigits(base.currency);
    this.toMinorScale = 10n ** BigInt(18 - this.digits);
    this.rate = base.currency === 'USD' ? undefined : base.perUsd.units;
  }

  /** Minor units of the base currency (cents for USD). */
  minor(valueUnits: bigint): bigint {
    const usd = divRoundHalfEven(valueUnits, SCALE);
    const inBase = this.rate === undefined ? usd : divRoundHalfEven(usd * this.rate, SCALE);
    return divRoundHalfEven(inBase, this.toMinorScale);
  }

  text(valueUnits: bigint): string {
    return minorText(this.minor(valueUnits), this.digits);
  }
}

/** The scalars of a view: net worth in the base currency and USD, and the day so far. */
function scalars(p: Valued, format: BaseFormat, seq: number, now: number) {
  const netWorthUnits = p.state.netWorthUnits();
  const netWorth = format.minor(netWorthUnits);
  const dayOpen = format.minor(p.state.valueAtPrices(p.openPrices));
  return {
    userId: p.userId,
    epoch: p.epoch,
    seq,
    currency: p.base.currency,
    netWorth: minorText(netWorth, format.digits),
    netWorthUsd: Decimal.fromUnits(divRoundHalfEven(netWorthUnits, SCALE)).toString(),
    // both sides rounded first, so that the numbers on screen add up
    dayChange: minorText(netWorth - dayOpen, format.digits),
    dayOpen: minorText(dayOpen, format.digits),
    asOf: new Date(now).toISOString(),
  };
}

/** The view clients see at sequence number `seq`. */
export function buildView(
  p: Valued,
  prices: ReadonlyMap<string, bigint>,
  seq: number,
  now = Date.now(),
): PortfolioView {
  refresh(p, prices, now);
  const format = new BaseFormat(p.base);
  const b = p.state.breakdownUnits();
  const convert = (m: Iterable<[string, bigint]>, keepZeros = false) => {
    const out: Record<string, string> = {};
    for (const [k, v] of m) if (keepZeros || v !== 0n) out[k] = format.text(v);
    return out;
  };
  const priceTexts: Record<string, string> = {};
  for (const asset of p.state.assets()) priceTexts[asset] = p.state.priceText(asset);
  return {
    ...scalars(p, format, seq, now),
    byAccount: convert(b.byAccount),
    byAsset: convert(b.byAsset),
    byClass: convert(Object.entries(b.byClass) as [string, bigint][], true),
    prices: priceTexts,
  };
}

/**
 * The push after `pushed`: `pushed` becomes the new view (updated in place: hand out copies of
 * it, never it) and the delta from the old one is returned. When only prices of held assets
 * moved since `pushed` (the usual case: a burst of ticks), only what they touch is formatted;
 * after a reload, a new day or a new base rate, the full view is built and diffed.
 * `sameState`: the portfolio's positions are those `pushed` was built from.
 */
export function nextPush(
  p: Valued,
  pushed: PortfolioView,
  prices: ReadonlyMap<string, bigint>,
  sameState: boolean,
  now = Date.now(),
): PortfolioDelta {
  const seq = pushed.seq + 1;
  if (refresh(p, prices, now) || !sameState || pushed.seq === 0 || pushed.currency !== p.base.currency) {
    const view = buildView(p, prices, seq, now);
    const delta = diffView(pushed, view);
    Object.assign(pushed, view);
    return delta;
  }
  const moved = new Set<string>();
  const changed: PortfolioDelta['changed'] = {};
  const removed: PortfolioDelta['removed'] = {};
  const set = (key: PortfolioMapKey, k: string, text: string | undefined) => {
    const map = pushed[key];
    if (text === undefined) {
      if (!(k in map)) return;
      delete map[k];
      (removed[key] ??= []).push(k);
    } else if (map[k] !== text) {
      map[k] = text;
      (changed[key] ??= {})[k] = text;
    }
  };
  for (const asset of p.state.assets()) {
    const text = p.state.priceText(asset);
    if (pushed.prices[asset] === text) continue;
    moved.add(asset);
    set('prices', asset, text);
  }
  const format = new BaseFormat(p.base);
  const part = p.state.partialBreakdown(moved);
  for (const [asset, v] of part.byAsset) set('byAsset', asset, v !== 0n ? format.text(v) : undefined);
  for (const [account, v] of part.byAccount) set('byAccount', account, v !== 0n ? format.text(v) : undefined);
  for (const c of part.classes) set('byClass', c, format.text(part.byClass[c]));
  const head = scalars(p, format, seq, now);
  Object.assign(pushed, head);
  return { ...head, prevSeq: seq - 1, changed, removed };
}
