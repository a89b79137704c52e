// A user's portfolio as a portfolio actor holds it: holdings per account, last prices, and
// net worth kept up to date incrementally. A tick for asset s changes the value of every
// account holding s by qty × (p_new − p_old); nothing else is recomputed. All arithmetic is
// exact (Decimal), so the incremental value equals a full recompute digit for digit.
import { Decimal } from './money.ts';
import { ASSET_CLASSES, type AssetClass } from '@finexia/contracts/portfolio.ts';
import { FIAT_CURRENCY_CODES } from '@finexia/contracts/api.ts';
import {
  assetClassOf,
  valuePositions,
  zeroClasses,
  type PositionInput,
  type UnpricedPosition,
} from './valuation.ts';

/** The breakdown in value units (10^-36), for views that format it themselves. */
export interface BreakdownUnits {
  netWorth: bigint;
  byAccount: ReadonlyMap<string, bigint>;
  byAsset: ReadonlyMap<string, bigint>;
  byClass: Record<AssetClass, bigint>;
}

/** Price texts per shared price map: each new price is printed once per node, not once per holder. */
const priceTexts = new WeakMap<
  Map<string, bigint>,
  Map<string, { units: bigint; text: string; entry?: string }>
>();

/**
 * What a shared price map knows beyond the prices: the assets priced at their peg for want of a
 * market price, and when each asset was first needed without a price. `version` moves whenever
 * either changes (a push then rebuilds its view rather than patching it).
 */
export interface PriceNotes {
  pegged: Set<string>;
  missingSince: Map<string, number>;
  version: number;
}
const priceNotes = new WeakMap<Map<string, bigint>, PriceNotes>();

export function notesOf(prices: Map<string, bigint>): PriceNotes {
  let notes = priceNotes.get(prices);
  if (!notes) priceNotes.set(prices, (notes = { pegged: new Set(), missingSince: new Map(), version: 0 }));
  return notes;
}

/** A first price for an asset that had none: it is no longer missing. */
function priceArrived(prices: Map<string, bigint>, asset: string): void {
  const notes = priceNotes.get(prices);
  if (notes?.missingSince.delete(asset)) notes.version += 1;
}

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

/** Non-zero values as decimal text, keys sorted (so that equal portfolios print equally). */
function breakdownText(m: ReadonlyMap<string, bigint>): Record<string, string> {
  return Object.fromEntries(
    [...m]
      .filter(([, v]) => v !== 0n)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, valueToDecimal(v).toString()]),
  );
}

/** Each class's value as decimal text (every class, zero included). */
function classText(byClass: Record<AssetClass, bigint>): Record<AssetClass, string> {
  return Object.fromEntries(ASSET_CLASSES.map((c) => [c, valueToDecimal(byClass[c]).toString()])) as Record<
    AssetClass,
    string
  >;
}

/** Asset names shared by every portfolio of a process: "BTC" is stored once, not once per holder. */
const assetNames = new Map<string, string>();
function internAsset(asset: string): string {
  const known = assetNames.get(asset);
  if (known !== undefined) return known;
  assetNames.set(asset, asset);
  return asset;
}

/**
 * Prices are in the quote currency (USD); fiat positions use FX rates (USD per unit).
 * Quantities and prices are Decimal units (10^-18); values are kept as their exact
 * products (10^-36) in plain bigints, so the hot path is a multiply and an add, with no
 * rounding and no allocation of Decimal objects. Views convert on read.
 *
 * Memory is what limits how many portfolios a node carries, so positions are parallel
 * arrays (no object, map or key string per position), per-asset totals likewise, and the
 * per-account and per-asset values are computed when a view is read (a push, at most a few
 * a second), not kept: 16.1 KB per 25-holding portfolio as maps, ~3 KB as arrays.
 */
export class PortfolioState {
  /** position i: accountIds[i] holds quantities[i] units of assetOf[i] */
  private accountIds: string[] = [];
  private assetOf: string[] = [];
  private quantityUnits: bigint[] = [];
  /** accounts whose positions have a class of their own (a home, a car): none for most portfolios */
  private accountClasses: Map<string, AssetClass> | undefined;
  /** held asset j (every asset with a position): totals[j] units across accounts (what a tick multiplies) */
  private heldAssets: string[] = [];
  private totals: bigint[] = [];
  /** last price units (USD per unit) for crypto assets and fiat currencies */
  private readonly prices: Map<string, bigint>;
  private netWorthValue = 0n;
  /** ticks applied (for metrics) */
  ticks = 0;
  private movedSincePush = false;
  /**
   * Set for a portfolio nobody watches: its PriceBook does not walk it on ticks, and its net
   * worth is recomputed from the shared prices when read (if they moved since). `priced`: the
   * book's generation it was last valued at; `seen`: the generation its owner last pushed.
   */
  private lazy: { book: PriceBook; priced: number; seen: number } | undefined;

  constructor(
    readonly fiat: ReadonlySet<string> = FIAT_CURRENCIES,
    /** a price book shared by the portfolios of one node (a tick writes it once) */
    sharedPrices?: Map<string, bigint>,
  ) {
    this.prices = sharedPrices ?? new Map();
    this.prices.set('USD', SCALE);
  }

  /** Moved since its owner last pushed it (set by a PriceBook's ticks, cleared by the owner). */
  get changed(): boolean {
    return this.movedSincePush || (this.lazy !== undefined && this.lazy.seen !== this.lazy.book.generation);
  }

  set changed(value: boolean) {
    this.movedSincePush = value;
    if (!value && this.lazy) this.lazy.seen = this.lazy.book.generation;
  }

  /** A lazy portfolio's net worth at today's prices (a no-op for a walked one, or when nothing moved). */
  private settle(): void {
    if (!this.lazy || this.lazy.priced === this.lazy.book.generation) return;
    this.netWorthValue = this.recomputeNetWorthUnits();
    this.lazy.priced = this.lazy.book.generation;
  }

  /** Not walked by ticks (valued when read): see PriceBook.attach. */
  get isLazy(): boolean {
    return this.lazy !== undefined;
  }

  /** Called by a PriceBook: stop (or start again) keeping the net worth on every tick. */
  setLazy(book: PriceBook | undefined): void {
    if (book) {
      if (!this.lazy)
        this.lazy = { book, priced: book.generation, seen: this.changed ? -1 : book.generation };
      return;
    }
    if (!this.lazy) return;
    this.settle();
    if (this.changed) this.movedSincePush = true;
    this.lazy = undefined;
  }

  /** Replaces an account's positions (holdings changed after a sync or an edit). */
  setAccountPositions(accountId: string, positions: PositionInput[]): void {
    this.settle();
    // what leaves: the account's old positions, at today's prices
    for (let i = this.accountIds.length - 1; i >= 0; i -= 1) {
      if (this.accountIds[i] !== accountId) continue;
      const asset = this.assetOf[i] as string;
      this.netWorthValue -= (this.quantityUnits[i] as bigint) * (this.prices.get(asset) ?? 0n);
      this.accountIds.splice(i, 1);
      this.assetOf.splice(i, 1);
      this.quantityUnits.splice(i, 1);
    }
    const assetClass = positions.find((p) => p.assetClass)?.assetClass;
    if (assetClass) (this.accountClasses ??= new Map()).set(accountId, assetClass);
    else if (this.accountClasses?.delete(accountId) && !this.accountClasses.size)
      this.accountClasses = undefined;
    // what comes: one position per asset (several inputs of one asset add up)
    const merged = new Map<string, bigint>();
    for (const input of positions) {
      const units = Decimal.parse(input.quantity).units;
      merged.set(input.asset, (merged.get(input.asset) ?? 0n) + units);
    }
    for (const [asset, units] of merged) {
      if (units === 0n) continue;
      if (!this.prices.has(asset)) {
        const notes = notesOf(this.prices);
        if (!notes.missingSince.has(asset)) {
          notes.missingSince.set(asset, Date.now());
          notes.version += 1;
        }
      }
      this.accountIds.push(accountId);
      this.assetOf.push(internAsset(asset));
      this.quantityUnits.push(units);
      this.netWorthValue += units * (this.prices.get(asset) ?? 0n);
    }
    this.recountTotals();
  }

  removeAccount(accountId: string): void {
    this.setAccountPositions(accountId, []);
  }

  private recountTotals(): void {
    const totals = new Map<string, bigint>();
    for (let i = 0; i < this.assetOf.length; i += 1) {
      const asset = this.assetOf[i] as string;
      const units = this.quantityUnits[i] as bigint;
      const sum = totals.get(asset);
      // an asset in one account (the usual case) shares its quantity's bigint
      totals.set(asset, sum === undefined ? units : sum + units);
    }
    // every asset with a position is held, even at a total of zero (+x in one account, -x in
    // another): its price still moves those accounts' values, so ticks must reach it
    const held = [...totals];
    // arrays copied at their exact length: pushing leaves spare capacity, times 100,000 portfolios
    this.heldAssets = held.map(([asset]) => asset);
    this.totals = held.map(([, total]) => total);
    this.accountIds = this.accountIds.slice();
    this.assetOf = this.assetOf.slice();
    this.quantityUnits = this.quantityUnits.slice();
  }

  priceOf(asset: string): Decimal {
    return Decimal.fromUnits(this.prices.get(asset) ?? 0n);
  }

  holds(asset: string): boolean {
    return this.heldAssets.includes(asset);
  }

  /** The assets this portfolio needs prices for. */
  assets(): string[] {
    return [...this.heldAssets];
  }

  /**
   * A new price for an asset (or an FX rate for a fiat currency, USD per unit).
   * Δ = Σ qty × (p_new − p_old) over the accounts holding it; returns Δ (zero when not held).
   */
  applyPrice(asset: string, price: Decimal): Decimal {
    return valueToDecimal(this.applyPriceUnits(asset, price.units));
  }

  /**
   * The hot path without a shared book: returns Δ in value units (10^-36). Net worth moves
   * by Δ = total qty × (p_new − p_old); per-account and per-asset values are computed when a
   * view is read (pushes are conflated to a few per second, ticks are not).
   */
  applyPriceUnits(asset: string, price: bigint): bigint {
    const old = this.prices.get(asset) ?? 0n;
    if (price === old) return 0n;
    if (!this.prices.has(asset)) priceArrived(this.prices, asset);
    this.prices.set(asset, price);
    return this.applyMove(asset, price - old);
  }

  /**
   * With a shared price book: the caller moved the price in the book once; each holder
   * only adds its Δ = total qty × move.
   */
  applyMove(asset: string, move: bigint): bigint {
    const j = this.heldAssets.indexOf(asset);
    if (j < 0 || move === 0n) return 0n;
    this.ticks += 1;
    const delta = (this.totals[j] as bigint) * move;
    this.netWorthValue += delta;
    return delta;
  }

  /** Total quantity per held asset (for a PriceBook). */
  quantities(): [string, bigint][] {
    return this.heldAssets.map((asset, j) => [asset, this.totals[j] as bigint]);
  }

  /** Marks a walked portfolio moved; true when it was already (it is in a burst's touched list). */
  movedByTick(): boolean {
    if (this.movedSincePush) return true;
    this.movedSincePush = true;
    return false;
  }

  /** A Δ computed by a PriceBook for this portfolio. */
  addToNetWorth(delta: bigint): void {
    this.netWorthValue += delta;
  }

  netWorth(): Decimal {
    this.settle();
    return valueToDecimal(this.netWorthValue);
  }

  /** The net worth in value units, as kept (no conversion). */
  netWorthUnits(): bigint {
    this.settle();
    return this.netWorthValue;
  }

  /** Current values in units; no text, no sorting (the hot path of pushes). */
  breakdownUnits(): BreakdownUnits {
    this.settle();
    const byAccount = new Map<string, bigint>();
    const byAsset = new Map<string, bigint>();
    const byClass = zeroClasses();
    for (let i = 0; i < this.assetOf.length; i += 1) {
      const asset = this.assetOf[i] as string;
      const value = (this.quantityUnits[i] as bigint) * (this.prices.get(asset) ?? 0n);
      if (value === 0n) continue;
      const accountId = this.accountIds[i] as string;
      byAccount.set(accountId, (byAccount.get(accountId) ?? 0n) + value);
      byAsset.set(asset, (byAsset.get(asset) ?? 0n) + value);
      byClass[this.classOf(accountId, asset)] += value;
    }
    return { netWorth: this.netWorthValue, byAccount, byAsset, byClass };
  }

  // Read-only access to the arrays as kept, for the push path (domain/portfolio-views.ts),
  // which reads them for every watched user after every burst: no copies, no maps.
  /** held asset j (what the price book ticks) */
  heldAssetList(): readonly string[] {
    return this.heldAssets;
  }
  /** total quantity of held asset j across accounts (units) */
  heldTotals(): readonly bigint[] {
    return this.totals;
  }
  /** a position's class: its account's own (a home), else its asset's */
  classOf(accountId: string, asset: string): AssetClass {
    return this.accountClasses?.get(accountId) ?? assetClassOf(asset, this.fiat);
  }
  /** position i: account, asset and quantity (units) */
  positionAccounts(): readonly string[] {
    return this.accountIds;
  }
  positionAssets(): readonly string[] {
    return this.assetOf;
  }
  positionQuantities(): readonly bigint[] {
    return this.quantityUnits;
  }
  /** the last price (units, USD per unit), 0 when none */
  priceUnits(asset: string): bigint {
    return this.prices.get(asset) ?? 0n;
  }

  /** The last price of an asset as text, printed once per price change for every portfolio sharing the prices. */
  priceText(asset: string): string {
    return this.printedPrice(asset).text;
  }

  /** The price as a JSON entry under the asset's key (`"BTC":"97000.5"`), written once per price change. */
  priceEntry(asset: string, keyJson: string): string {
    const printed = this.printedPrice(asset);
    return (printed.entry ??= `${keyJson}:"${printed.text}"`);
  }

  private printedPrice(asset: string): { units: bigint; text: string; entry?: string } {
    const units = this.prices.get(asset) ?? 0n;
    let cache = priceTexts.get(this.prices);
    if (!cache) priceTexts.set(this.prices, (cache = new Map()));
    const hit = cache.get(asset);
    if (hit && hit.units === units) return hit;
    const printed = { units, text: Decimal.fromUnits(units).toString() };
    cache.set(asset, printed);
    return printed;
  }

  /** The breakdown as decimal text, keys sorted (so that equal portfolios print equally). */
  breakdown(): Breakdown {
    const { byAccount, byAsset, byClass } = this.breakdownUnits();
    return {
      netWorth: this.netWorth().toString(),
      byAccount: breakdownText(byAccount),
      byAsset: breakdownText(byAsset),
      byClass: classText(byClass),
    };
  }

  /** The positions as kept, by account (what valuePositions takes). */
  positions(): Map<string, PositionInput[]> {
    const byAccount = new Map<string, PositionInput[]>();
    for (let i = 0; i < this.assetOf.length; i += 1) {
      const accountId = this.accountIds[i] as string;
      const list = byAccount.get(accountId) ?? [];
      const assetClass = this.accountClasses?.get(accountId);
      list.push({
        accountId,
        asset: this.assetOf[i] as string,
        quantity: Decimal.fromUnits(this.quantityUnits[i] as bigint).toString(),
        ...(assetClass ? { assetClass } : {}),
      });
      byAccount.set(accountId, list);
    }
    return byAccount;
  }

  /** Whether an asset has a price (an asset without one is worth nothing in the totals, and is listed as unpriced). */
  hasPrice(asset: string): boolean {
    return this.prices.has(asset);
  }

  /**
   * Positions in assets with no price yet, by asset then account: left out of every total
   * (never valued at zero), each with when its price was first looked for (ms).
   */
  unpriced(): (UnpricedPosition & { since: number })[] {
    const out: (UnpricedPosition & { since: number })[] = [];
    for (let i = 0; i < this.assetOf.length; i += 1) {
      const asset = this.assetOf[i] as string;
      if (this.prices.has(asset)) continue;
      out.push({
        accountId: this.accountIds[i] as string,
        asset,
        quantity: Decimal.fromUnits(this.quantityUnits[i] as bigint).toString(),
        since: notesOf(this.prices).missingSince.get(asset) ?? Date.now(),
      });
    }
    return out.sort((a, b) =>
      a.asset === b.asset ? (a.accountId < b.accountId ? -1 : 1) : a.asset < b.asset ? -1 : 1,
    );
  }

  /** Held assets valued at their peg for want of a market price, sorted. */
  pegged(): string[] {
    const pegged = priceNotes.get(this.prices)?.pegged;
    return pegged?.size ? this.heldAssets.filter((a) => pegged.has(a)).sort() : [];
  }

  /** The version of the shared price notes (see PriceNotes). */
  notesVersion(): number {
    return priceNotes.get(this.prices)?.version ?? 0;
  }

  /** The same numbers from scratch, by the one valuation (domain/valuation.ts): what the incremental path must equal. */
  recompute(): Breakdown {
    const v = valuePositions(this.positions(), (asset) => this.prices.get(asset), this.fiat);
    return {
      netWorth: valueToDecimal(v.netWorth).toString(),
      byAccount: breakdownText(v.byAccount),
      byAsset: breakdownText(v.byAsset),
      byClass: classText(v.byClass),
    };
  }

  /**
   * What today's positions were worth at other prices (value units): Σ qty × p_then, with the
   * current price for assets missing from `then`. Net worth minus this is what prices did.
   */
  valueAtPrices(then: ReadonlyMap<string, bigint>): bigint {
    let sum = 0n;
    for (let j = 0; j < this.heldAssets.length; j += 1) {
      const asset = this.heldAssets[j] as string;
      sum += (this.totals[j] as bigint) * (then.get(asset) ?? this.prices.get(asset) ?? 0n);
    }
    return sum;
  }

  /** Full recompute of just the net worth: Σ qty × price over every position. */
  recomputeNetWorth(): Decimal {
    return valueToDecimal(this.recomputeNetWorthUnits());
  }

  /** The same in value units (what the incremental path keeps). */
  recomputeNetWorthUnits(): bigint {
    let sum = 0n;
    for (let i = 0; i < this.assetOf.length; i += 1)
      sum += (this.quantityUnits[i] as bigint) * (this.prices.get(this.assetOf[i] as string) ?? 0n);
    return sum;
  }
}

/**
 * One node's prices and, per symbol, the portfolios holding it with their total quantity.
 * A tick writes the price once and adds qty × move to each holder's net worth: no lookups
 * in the hot loop. Portfolios re-attach when their positions change.
 */
export class PriceBook {
  readonly prices = new Map<string, bigint>();
  private readonly notes = notesOf(this.prices);
  /** bumped by every price change: a lazy portfolio compares it with the one it was valued at */
  generation = 0;
  /** per asset, its holders and their total quantities, side by side (no object per holder) */
  private readonly holders = new Map<string, { states: PortfolioState[]; quantities: bigint[] }>();
  private readonly attached = new WeakMap<PortfolioState, string[]>();

  /**
   * Walks `state` on every tick (its net worth moves by qty × move at once), or, `lazy`, not at
   * all: a portfolio nobody watches is valued when read. A node with 100,000 portfolios and
   * 10,000 watchers walks a tenth of the holders per tick.
   */
  attach(state: PortfolioState, lazy = false): void {
    this.detach(state);
    state.setLazy(lazy ? this : undefined);
    if (lazy) return;
    const assets: string[] = [];
    for (const [asset, qty] of state.quantities()) {
      let list = this.holders.get(asset);
      if (!list) this.holders.set(asset, (list = { states: [], quantities: [] }));
      list.states.push(state);
      list.quantities.push(qty);
      assets.push(asset);
    }
    this.attached.set(state, assets);
  }

  /** Marks an asset as valued at its peg (a `peg` tick), or not any more (a market price came). */
  notePeg(asset: string, pegged: boolean): void {
    const notes = this.notes;
    if (pegged === notes.pegged.has(asset)) return;
    if (pegged) notes.pegged.add(asset);
    else notes.pegged.delete(asset);
    notes.version += 1;
  }

  detach(state: PortfolioState): void {
    for (const asset of this.attached.get(state) ?? []) {
      const list = this.holders.get(asset);
      const at = list?.states.indexOf(state) ?? -1;
      if (!list || at < 0) continue;
      // the last holder takes the leaver's slot: O(1) once found
      const last = list.states.length - 1;
      list.states[at] = list.states[last] as PortfolioState;
      list.quantities[at] = list.quantities[last] as bigint;
      list.states.pop();
      list.quantities.pop();
      if (!list.states.length) this.holders.delete(asset);
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
    if (!this.prices.has(asset)) priceArrived(this.prices, asset);
    this.prices.set(asset, price);
    this.generation += 1;
    const list = this.holders.get(asset);
    if (!list) return 0;
    const move = price - old;
    const { states, quantities } = list;
    for (let i = 0; i < states.length; i += 1) {
      const state = states[i] as PortfolioState;
      state.addToNetWorth((quantities[i] as bigint) * move);
      if (!state.movedByTick()) touched?.push(state);
    }
    return states.length;
  }
}
