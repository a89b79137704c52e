// What clients see of a portfolio: a full view (the snapshot) and the delta between two
// views. The server diffs, the browser and test clients apply: the same code on both sides.

import type { DecimalText } from './decimal.ts';

/** Classes of what is held (a brokerage's stocks are equity, its ETFs and mutual funds fund, its bonds bond), and `debt`: what cards and loans owe (negative), apart from the cash they are not. */
export const ASSET_CLASSES = [
  'crypto',
  'cash',
  'stablecoin',
  'equity',
  'fund',
  'bond',
  'property',
  'vehicle',
  'valuables',
  'debt',
] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

/** The classes new savings go into (a home or a car is not bought a slice a month; a brokerage's holdings are). */
export const SAVED_CLASSES: ReadonlySet<AssetClass> = new Set([
  'cash',
  'stablecoin',
  'crypto',
  'equity',
  'fund',
  'bond',
]);

/** A portfolio as pushed to clients. Every amount is a decimal string in `currency` unless named USD. */
export interface PortfolioView {
  userId: string;
  /** one id per actor activation: sequence numbers count within an epoch */
  epoch: string;
  seq: number;
  currency: string;
  netWorth: DecimalText;
  /** the same net worth in USD, exact */
  netWorthUsd: DecimalText;
  /** net worth change since the user's local midnight (FX at today's rate) */
  dayChange: DecimalText;
  dayOpen: DecimalText;
  byAccount: Record<string, DecimalText>;
  byAsset: Record<string, DecimalText>;
  byClass: Record<string, DecimalText>;
  /** last price in USD of each held asset that has one (fiat: USD per unit) */
  prices: Record<string, DecimalText>;
  /** held assets no price could be found for: left out of every total above, never valued at 0 */
  unpriced: UnpricedHolding[];
  /** held stablecoins valued at their peg (1 USD) because no market price could be had */
  pegged: string[];
  asOf: string;
}

/** A position the portfolio could not value. */
export interface UnpricedHolding {
  asset: string;
  quantity: DecimalText;
  accountId: string;
  /** when this node first looked for its price and found none (ISO time) */
  since: string;
}

/** Scalars of a view that a delta carries only when they changed. */
export type PortfolioListKey = 'unpriced' | 'pegged';

/** The entries of a view that are maps (a delta carries only their changed entries). */
export type PortfolioMapKey = 'byAccount' | 'byAsset' | 'byClass' | 'prices';
export const PORTFOLIO_MAP_KEYS: readonly PortfolioMapKey[] = ['byAccount', 'byAsset', 'byClass', 'prices'];

/** The change from one view to the next: scalars always (the lists when they changed), map entries only when they changed. */
export interface PortfolioDelta
  extends
    Omit<PortfolioView, PortfolioMapKey | PortfolioListKey>,
    Partial<Pick<PortfolioView, PortfolioListKey>> {
  /** the seq this delta applies on top of */
  prevSeq: number;
  changed: Partial<Record<PortfolioMapKey, Record<string, string>>>;
  removed: Partial<Record<PortfolioMapKey, string[]>>;
}

/** An operator's look at a live portfolio: the view and the node that owns the actor. */
export interface PortfolioInspection extends PortfolioView {
  owner: string;
}

export function diffView(prev: PortfolioView, next: PortfolioView): PortfolioDelta {
  const { byAccount: _a, byAsset: _b, byClass: _c, prices: _p, unpriced, pegged, ...scalars } = next;
  const lists: Partial<Pick<PortfolioView, PortfolioListKey>> = {};
  if (JSON.stringify(unpriced) !== JSON.stringify(prev.unpriced)) lists.unpriced = unpriced;
  if (JSON.stringify(pegged) !== JSON.stringify(prev.pegged)) lists.pegged = pegged;
  const changed: PortfolioDelta['changed'] = {};
  const removed: PortfolioDelta['removed'] = {};
  for (const key of PORTFOLIO_MAP_KEYS) {
    const before = prev[key];
    const after = next[key];
    const c = Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k] !== v));
    const r = Object.keys(before).filter((k) => !(k in after));
    if (Object.keys(c).length) changed[key] = c;
    if (r.length) removed[key] = r;
  }
  return { ...scalars, ...lists, prevSeq: prev.seq, changed, removed };
}

export type ApplyResult = { ok: true; view: PortfolioView } | { ok: false; reason: 'epoch' | 'gap' };

/** Applies a delta; refuses one from another epoch or one that skips a sequence number (ask for a snapshot). */
export function applyDelta(view: PortfolioView, delta: PortfolioDelta): ApplyResult {
  if (delta.epoch !== view.epoch) return { ok: false, reason: 'epoch' };
  if (delta.prevSeq !== view.seq) return { ok: false, reason: 'gap' };
  const { changed, removed, prevSeq: _prev, ...scalars } = delta;
  const next: PortfolioView = { ...view, ...scalars };
  for (const key of PORTFOLIO_MAP_KEYS) {
    const map = { ...view[key], ...(changed[key] ?? {}) };
    for (const k of removed[key] ?? []) delete map[k];
    next[key] = map;
  }
  return { ok: true, view: next };
}
