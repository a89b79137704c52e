// What clients see of a portfolio: a full view (snapshot) and the deltas between two views.
// The server diffs, the browser and test clients apply — the same code on both sides.

/** A portfolio as pushed to clients. Every amount is a decimal string in `currency` unless named USD. */
export interface PortfolioView {
  userId: string;
  /** one id per actor activation: sequence numbers count within an epoch */
  epoch: string;
  seq: number;
  currency: string;
  netWorth: string;
  /** the same net worth in USD, exact */
  netWorthUsd: string;
  /** net worth change since the user's local midnight (FX at today's rate) */
  dayChange: string;
  dayOpen: string;
  byAccount: Record<string, string>;
  byAsset: Record<string, string>;
  byClass: Record<string, string>;
  /** last price in USD of each held asset (fiat: USD per unit) */
  prices: Record<string, string>;
  asOf: string;
}

type MapKey = 'byAccount' | 'byAsset' | 'byClass' | 'prices';
const MAP_KEYS: readonly MapKey[] = ['byAccount', 'byAsset', 'byClass', 'prices'];

/** The change from one view to the next: scalars always, map entries only when they changed. */
export interface PortfolioDelta extends Omit<PortfolioView, MapKey> {
  /** the seq this delta applies on top of */
  prevSeq: number;
  changed: Partial<Record<MapKey, Record<string, string>>>;
  removed: Partial<Record<MapKey, string[]>>;
}

export function diffView(prev: PortfolioView, next: PortfolioView): PortfolioDelta {
  const { byAccount: _a, byAsset: _b, byClass: _c, prices: _p, ...scalars } = next;
  const changed: PortfolioDelta['changed'] = {};
  const removed: PortfolioDelta['removed'] = {};
  for (const key of MAP_KEYS) {
    const before = prev[key];
    const after = next[key];
    const c = Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k] !== v));
    const r = Object.keys(before).filter((k) => !(k in after));
    if (Object.keys(c).length) changed[key] = c;
    if (r.length) removed[key] = r;
  }
  return { ...scalars, prevSeq: prev.seq, changed, removed };
}

export type ApplyResult = { ok: true; view: PortfolioView } | { ok: false; reason: 'epoch' | 'gap' };

/** Applies a delta; refuses one from another epoch or one that skips a sequence number (ask for a snapshot). */
export function applyDelta(view: PortfolioView, delta: PortfolioDelta): ApplyResult {
  if (delta.epoch !== view.epoch) return { ok: false, reason: 'epoch' };
  if (delta.prevSeq !== view.seq) return { ok: false, reason: 'gap' };
  const { changed, removed, prevSeq: _prev, ...scalars } = delta;
  const next: PortfolioView = { ...view, ...scalars };
  for (const key of MAP_KEYS) {
    const map = { ...view[key], ...(changed[key] ?? {}) };
    for (const k of removed[key] ?? []) delete map[k];
    next[key] = map;
  }
  return { ok: true, view: next };
}
