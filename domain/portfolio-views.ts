// What clients see of a live portfolio, built from its exact USD values: the full view (a
// snapshot) and the next push. A push after a burst of ticks is built from the assets whose
// price moved since the last push (their values, the accounts and classes holding them), and is
// exactly the delta diffView would give between the last view and a full one — without building
// the full view, diffing it, or formatting what did not move (the push path's cost per user,
// measured in bench:realtime).
import { Decimal, currencyDigits } from './money.ts';
import { valueToDecimal, type PortfolioState } from './portfolio.ts';
import { startOfLocalDay } from './history.ts';
import {
  diffView,
  type PortfolioDelta,
  type PortfolioMapKey,
  type PortfolioView,
} from '@finexia/contracts/portfolio.ts';

const DAY_MS = 86_400_000;
const ONE = Decimal.parse('1');

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

/** Value units (10^-36 USD) → the user's base currency, rounded to its minor unit. */
function inBaseOf(p: Valued): (units: bigint | Decimal) => Decimal {
  const digits = currencyDigits(p.base.currency);
  const usdBase = p.base.currency === 'USD';
  return (units) => {
    const usd = typeof units === 'bigint' ? valueToDecimal(units) : units;
    return (usdBase ? usd : usd.mul(p.base.perUsd)).round(digits);
  };
}

/** The scalars of a view: net worth in the base currency and USD, and the day so far. */
function scalars(p: Valued, seq: number, now: number) {
  const inBase = inBaseOf(p);
  const netWorthUsd = valueToDecimal(p.state.netWorthUnits());
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
  const inBase = inBaseOf(p);
  const b = p.state.breakdownUnits();
  const convert = (m: Iterable<[string, bigint]>, keepZeros = false) => {
    const out: Record<string, string> = {};
    for (const [k, v] of m) if (keepZeros || v !== 0n) out[k] = inBase(v).toString();
    return out;
  };
  const priceTexts: Record<string, string> = {};
  for (const asset of p.state.assets()) priceTexts[asset] = p.state.priceText(asset);
  return {
    ...scalars(p, seq, now),
    byAccount: convert(b.byAccount),
    byAsset: convert(b.byAsset),
    byClass: convert(Object.entries(b.byClass) as [string, bigint][], true),
    prices: priceTexts,
  };
}

/**
 * The push after `pushed`: the new view and the delta from `pushed` to it. When only prices of
 * held assets moved since `pushed` (the usual case: a burst of ticks), only what they touch is
 * formatted; after a reload, a new day or a new base rate, the full view is built and diffed.
 * `sameState`: the portfolio's positions are those `pushed` was built from.
 */
export function nextPush(
  p: Valued,
  pushed: PortfolioView,
  prices: ReadonlyMap<string, bigint>,
  sameState: boolean,
  now = Date.now(),
): { view: PortfolioView; delta: PortfolioDelta } {
  const seq = pushed.seq + 1;
  if (refresh(p, prices, now) || !sameState || pushed.seq === 0 || pushed.currency !== p.base.currency) {
    const view = buildView(p, prices, seq, now);
    return { view, delta: diffView(pushed, view) };
  }
  const moved = new Set<string>();
  const priceChanges: Record<string, string> = {};
  for (const asset of p.state.assets()) {
    const text = p.state.priceText(asset);
    if (pushed.prices[asset] !== text) {
      moved.add(asset);
      priceChanges[asset] = text;
    }
  }
  const inBase = inBaseOf(p);
  const part = p.state.partialBreakdown(moved);
  const changed: PortfolioDelta['changed'] = {};
  const removed: PortfolioDelta['removed'] = {};
  const view: PortfolioView = { ...pushed, ...scalars(p, seq, now) };
  const update = (key: PortfolioMapKey, values: Iterable<[string, string | undefined]>) => {
    let map: Record<string, string> | undefined;
    const own = () => (map ??= view[key] = { ...pushed[key] });
    for (const [k, text] of values) {
      if (text === undefined) {
        if (k in pushed[key]) {
          delete own()[k];
          (removed[key] ??= []).push(k);
        }
      } else if (pushed[key][k] !== text) {
        own()[k] = text;
        (changed[key] ??= {})[k] = text;
      }
    }
  };
  const text = (v: bigint, keepZero = false) => (keepZero || v !== 0n ? inBase(v).toString() : undefined);
  update('prices', Object.entries(priceChanges));
  update(
    'byAsset',
    [...part.byAsset].map(([k, v]) => [k, text(v)]),
  );
  update(
    'byAccount',
    [...part.byAccount].map(([k, v]) => [k, text(v)]),
  );
  update(
    'byClass',
    [...part.classes].map((c) => [c, text(part.byClass[c], true)]),
  );
  const { byAccount: _a, byAsset: _b, byClass: _c, prices: _p, ...viewScalars } = view;
  return { view, delta: { ...viewScalars, prevSeq: pushed.seq, changed, removed } };
}
