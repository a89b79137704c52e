// A user's portfolio as a portfolio actor holds it: holdings per account, last prices, and
// net worth kept up to date incrementally. A tick for asset s changes the value of every
// account holding s by qty × (p_new − p_old); nothing else is recomputed. All arithmetic is
// exact (Decimal), so the incremental value equals a full recompute digit for digit.
import { Decimal } from './money.ts';
import type { AssetClass } from '@finexia/contracts/portfolio.ts';
import { FIAT_CURRENCY_CODES } from '@finexia/contracts/api.ts';

export interface PositionInput {
  accountId: string;
  /** crypto asset (BTC) or fiat currency (USD) */
  asset: string;
  quantity: string;
}

interface Position {
  accountId: string;
  asset: string;
  quantity: Decimal;
}

const STABLECOINS = new Set(['USDT', 'USDC', 'DAI', 'BUSD']);

export function assetClassOf(asset: string, fiat: ReadonlySet<string>): AssetClass {
  if (fiat.has(asset)) return 'cash';
  if (STABLECOINS.has(asset)) return 'stablecoin';
  return 'crypto';
}

/** The breakdown in value units (10^-36), for views that format it themselves. */
export interface BreakdownUnits {
  netWorth: bigint;
  byAccount: ReadonlyMap<string, bigint>;
  byAsset: ReadonlyMap<string, bigint>;
  byClass: Record<AssetClass, bigint>;
}

/** Price texts per shared price map: each new price is printed once per node, not once per holder. */
const priceTexts = new WeakMap<Map<string, bigint>, Map<string, { units: bigint; text: string }>>();

export interface Breakdown {
  netWorth: string;
  byAccount: Record<string, string>;
  byAsset: Record<string, string>;
  byClass: Record<AssetClass, string>;
}

const SCALE = 10n ** 18n;
/** Currencies valued by FX rates rather than market ticks. */
export const FIAT_CURRENCIES: ReadonlySet<string> = new Set(FIAT_CURRENCY_CODES);

/** value units (10^-36) → Decimal (10^-18), rounding half-even; the same on every path. */
export function valueToDecimal(units: bigint): Decimal {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  let q = abs / SCALE;
  const r = abs % SCALE;
  if (r * 2n > SCALE || (r * 2n === SCALE && q % 2n === 1n)) q += 1n;
  return Decimal.fromUnits(negative ? -q : q);
}

/**
 * Prices are in the quote currency (USD); fiat positions use FX rates (USD per unit).
 * Quantities and prices are Decimal units (10^-18); values are kept as their exact
 * products (10^-36) in plain bigints, so the hot path is a multiply and an add, with no
 * rounding and no allocation of Decimal objects. Views convert on read.
 */
export class PortfolioState {
  private readonly positions = new Map<string, Position>();
  /** asset → account → quantity units: who a tick touches */
  private readonly holders = new Map<string, Map<string, bigint>>();
  /** asset → total quantity units across accounts */
  private readonly totals = new Map<string, bigint>();
  /** last price units (USD per unit) for crypto assets and fiat currencies */
  private readonly prices: Map<string, bigint>;
  private readonly accountValues = new Map<string, bigint>();
  private readonly assetValues = new Map<string, bigint>();
  private netWorthValue = 0n;
  private viewsStale = false;
  /** ticks applied (for metrics) */
  ticks = 0;
  /** moved since its owner last pushed it (set by a PriceBook, cleared by the owner) */
  changed = false;

  constructor(
    readonly fiat: ReadonlySet<string> = FIAT_CURRENCIES,
    /** a price book shared by the portfolios of one node (a tick writes it once) */
    sharedPrices?: Map<string, bigint>,
  ) {
    this.prices = sharedPrices ?? new Map();
    this.prices.set('USD', SCALE);
  }

  /** Replaces an account's positions (holdings changed after a sync or an edit). */
  setAccountPositions(accountId: string, positions: PositionInput[]): void {
    // per-account values must be current before positions change under them
    this.settleViews();
    for (const [key, p] of this.positions) if (p.accountId === accountId) this.removePosition(key, p);
    for (const input of positions) {
      const quantity = Decimal.parse(input.quantity);
      if (quantity.isZero()) continue;
      const key = `${accountId}\u0000${input.asset}`;
      const existing = this.positions.get(key);
      const merged = existing ? existing.quantity.add(quantity) : quantity;
      if (existing) this.removePosition(key, existing);
      this.addPosition(key, { accountId, asset: input.asset, quantity: merged });
    }
  }

  removeAccount(accountId: string): void {
    this.setAccountPositions(accountId, []);
    this.accountValues.delete(accountId);
  }

  private addPosition(key: string, p: Position): void {
    this.positions.set(key, p);
    const q = p.quantity.units;
    let byAccount = this.holders.get(p.asset);
    if (!byAccount) this.holders.set(p.asset, (byAccount = new Map()));
    byAccount.set(p.accountId, (byAccount.get(p.accountId) ?? 0n) + q);
    this.totals.set(p.asset, (this.totals.get(p.asset) ?? 0n) + q);
    this.adjust(p.accountId, p.asset, q * (this.prices.get(p.asset) ?? 0n));
  }

  private removePosition(key: string, p: Position): void {
    this.positions.delete(key);
    const q = p.quantity.units;
    const byAccount = this.holders.get(p.asset);
    const left = (byAccount?.get(p.accountId) ?? 0n) - q;
    if (left === 0n) byAccount?.delete(p.accountId);
    else byAccount?.set(p.accountId, left);
    if (byAccount && byAccount.size === 0) this.holders.delete(p.asset);
    const total = (this.totals.get(p.asset) ?? 0n) - q;
    if (total === 0n) this.totals.delete(p.asset);
    else this.totals.set(p.asset, total);
    this.adjust(p.accountId, p.asset, -(q * (this.prices.get(p.asset) ?? 0n)));
  }

  private adjust(accountId: string, asset: string, delta: bigint): void {
    if (delta === 0n) return;
    this.netWorthValue += delta;
    this.accountValues.set(accountId, (this.accountValues.get(accountId) ?? 0n) + delta);
    this.assetValues.set(asset, (this.assetValues.get(asset) ?? 0n) + delta);
  }

  priceOf(asset: string): Decimal {
    return Decimal.fromUnits(this.prices.get(asset) ?? 0n);
  }

  holds(asset: string): boolean {
    return this.totals.has(asset);
  }

  /** The assets this portfolio needs prices for. */
  assets(): string[] {
    return [...this.totals.keys()];
  }

  /**
   * A new price for an asset (or an FX rate for a fiat currency, USD per unit).
   * Δ = Σ qty × (p_new − p_old) over the accounts holding it; returns Δ (zero when not held).
   */
  applyPrice(asset: string, price: Decimal): Decimal {
    return valueToDecimal(this.applyPriceUnits(asset, price.units));
  }

  /**
   * The hot path: returns Δ in value units (10^-36). Net worth moves by
   * Δ = total qty × (p_new − p_old); per-account and per-asset values are settled lazily,
   * when a view is read (pushes are conflated to a few per second, ticks are not).
   */
  applyPriceUnits(asset: string, price: bigint): bigint {
    const old = this.prices.get(asset) ?? 0n;
    if (price === old) return 0n;
    this.prices.set(asset, price);
    return this.applyMove(asset, price - old);
  }

  /**
   * With a shared price book: the caller moved the price in the book once; each holder
   * only adds its Δ = total qty × move.
   */
  applyMove(asset: string, move: bigint): bigint {
    const total = this.totals.get(asset);
    if (total === undefined || move === 0n) return 0n;
    this.ticks += 1;
    const delta = total * move;
    this.netWorthValue += delta;
    this.viewsStale = true;
    return delta;
  }

  /** Total quantity per held asset (for a PriceBook). */
  quantities(): [string, bigint][] {
    return [...this.totals];
  }

  /** A Δ computed by a PriceBook for this portfolio. */
  addToNetWorth(delta: bigint): void {
    this.netWorthValue += delta;
    this.viewsStale = true;
  }

  /** Per-account and per-asset values from positions and current prices, once ticks made them stale. */
  private settleViews(): void {
    if (!this.viewsStale) return;
    this.accountValues.clear();
    this.assetValues.clear();
    for (const p of this.positions.values()) {
      const value = p.quantity.units * (this.prices.get(p.asset) ?? 0n);
      if (value === 0n) continue;
      this.accountValues.set(p.accountId, (this.accountValues.get(p.accountId) ?? 0n) + value);
      this.assetValues.set(p.asset, (this.assetValues.get(p.asset) ?? 0n) + value);
    }
    this.viewsStale = false;
  }

  netWorth(): Decimal {
    return valueToDecimal(this.netWorthValue);
  }

  /** Current values in units; no text, no sorting (the hot path of pushes). */
  breakdownUnits(): BreakdownUnits {
    this.settleViews();
    const byClass: Record<AssetClass, bigint> = { crypto: 0n, cash: 0n, stablecoin: 0n };
    for (const [asset, value] of this.assetValues) byClass[assetClassOf(asset, this.fiat)] += value;
    return {
      netWorth: this.netWorthValue,
      byAccount: this.accountValues,
      byAsset: this.assetValues,
      byClass,
    };
  }

  /** The last price of an asset as text, printed once per price change for every portfolio sharing the prices. */
  priceText(asset: string): string {
    const units = this.prices.get(asset) ?? 0n;
    let cache = priceTexts.get(this.prices);
    if (!cache) priceTexts.set(this.prices, (cache = new Map()));
    const hit = cache.get(asset);
    if (hit && hit.units === units) return hit.text;
    const text = Decimal.fromUnits(units).toString();
    cache.set(asset, { units, text });
    return text;
  }

  /** The breakdown as decimal text, keys sorted (so that equal portfolios print equally). */
  breakdown(): Breakdown {
    const { byAccount, byAsset, byClass } = this.breakdownUnits();
    const text = (m: ReadonlyMap<string, bigint>) =>
      Object.fromEntries(
        [...m]
          .filter(([, v]) => v !== 0n)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => [k, valueToDecimal(v).toString()]),
      );
    return {
      netWorth: this.netWorth().toString(),
      byAccount: text(byAccount),
      byAsset: text(byAsset),
      byClass: {
        crypto: valueToDecimal(byClass.crypto).toString(),
        cash: valueToDecimal(byClass.cash).toString(),
        stablecoin: valueToDecimal(byClass.stablecoin).toString(),
      },
    };
  }

  /** The same numbers computed from scratch (for checks and benchmarks). */
  recompute(): Breakdown {
    const fresh = new PortfolioState(this.fiat);
    for (const [asset, price] of this.prices) fresh.prices.set(asset, price);
    const byAccount = new Map<string, PositionInput[]>();
    for (const p of this.positions.values()) {
      const list = byAccount.get(p.accountId) ?? [];
      list.push({ accountId: p.accountId, asset: p.asset, quantity: p.quantity.toString() });
      byAccount.set(p.accountId, list);
    }
    for (const [accountId, list] of byAccount) fresh.setAccountPositions(accountId, list);
    return fresh.breakdown();
  }

  /**
   * What today's positions were worth at other prices (value units): Σ qty × p_then, with the
   * current price for assets missing from `then`. Net worth minus this is what prices did.
   */
  valueAtPrices(then: ReadonlyMap<string, bigint>): bigint {
    let sum = 0n;
    for (const p of this.positions.values())
      sum += p.quantity.units * (then.get(p.asset) ?? this.prices.get(p.asset) ?? 0n);
    return sum;
  }

  /** Full recompute of just the net worth: Σ qty × price over every position. */
  recomputeNetWorth(): Decimal {
    let sum = 0n;
    for (const p of this.positions.values()) sum += p.quantity.units * (this.prices.get(p.asset) ?? 0n);
    return valueToDecimal(sum);
  }
}

/**
 * One node's prices and, per symbol, the portfolios holding it with their total quantity.
 * A tick writes the price once and adds qty × move to each holder's net worth: no lookups
 * in the hot loop. Portfolios re-attach when their positions change.
 */
export class PriceBook {
  readonly prices = new Map<string, bigint>();
  private readonly holders = new Map<string, { state: PortfolioState; qty: bigint }[]>();
  private readonly attached = new WeakMap<PortfolioState, string[]>();

  attach(state: PortfolioState): void {
    this.detach(state);
    const assets: string[] = [];
    for (const [asset, qty] of state.quantities()) {
      let list = this.holders.get(asset);
      if (!list) this.holders.set(asset, (list = []));
      list.push({ state, qty });
      assets.push(asset);
    }
    this.attached.set(state, assets);
  }

  detach(state: PortfolioState): void {
    for (const asset of this.attached.get(state) ?? []) {
      const kept = (this.holders.get(asset) ?? []).filter((h) => h.state !== state);
      if (kept.length) this.holders.set(asset, kept);
      else this.holders.delete(asset);
    }
    this.attached.delete(state);
  }

  /**
   * Applies a price; returns how many portfolios it touched. Portfolios that were clean
   * (nothing to push yet) are marked changed and added to `touched`.
   */
  tick(asset: string, price: bigint, touched?: PortfolioState[]): number {
    const old = this.prices.get(asset) ?? 0n;
    if (price === old) return 0;
    this.prices.set(asset, price);
    const list = this.holders.get(asset);
    if (!list) return 0;
    const move = price - old;
    for (const h of list) {
      h.state.addToNetWorth(h.qty * move);
      if (!h.state.changed) {
        h.state.changed = true;
        touched?.push(h.state);
      }
    }
    return list.length;
  }
}

/** An account as the portfolio values it (a bank or manual balance; exchange accounts hold assets). */
export interface AccountBalance {
  publicId: string;
  type: string;
  currency: string;
  current?: string | null;
}

/** Fiat balances become positions in their currency; money owed on a credit account counts against you. */
export function positionsFrom(
  accounts: readonly AccountBalance[],
  holdings: readonly PositionInput[],
): Map<string, PositionInput[]> {
  const byAccount = new Map<string, PositionInput[]>();
  const add = (position: PositionInput) => {
    const list = byAccount.get(position.accountId) ?? [];
    list.push(position);
    byAccount.set(position.accountId, list);
  };
  for (const a of accounts) {
    if (a.type === 'investment') continue; // exchange accounts are valued by their holdings
    if (!a.current) continue;
    const current = Decimal.parse(a.current);
    const owed = a.type === 'credit' || a.type === 'loan';
    add({ accountId: a.publicId, asset: a.currency, quantity: (owed ? current.neg() : current).toString() });
  }
  for (const h of holdings) add({ accountId: h.accountId, asset: h.asset, quantity: h.quantity });
  return byAccount;
}
