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
  ASSET_CLASSES,
  diffView,
  PORTFOLIO_MAP_KEYS,
  type PortfolioListKey,
  type PortfolioMapKey,
  type PortfolioView,
} from '@finexia/contracts/portfolio.ts';
import { publicPayload } from '@finexia/contracts/events.ts';

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
    // an asset with no price has no open: it opens when its first price comes
    p.openPrices = new Map(
      p.state.assets().flatMap((a) => (prices.has(a) ? [[a, prices.get(a) as bigint]] : [])),
    );
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
  readonly currency: string;
  private readonly toMinorScale: bigint;
  readonly rate: bigint | undefined;

  constructor(base: Pick<Base, 'currency' | 'perUsd'>) {
    this.currency = base.currency;
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

/** The value of today's positions at the day's opening prices, in minor units of the base currency. */
const dayOpenMinor = (p: Valued, format: BaseFormat) => format.minor(p.state.valueAtPrices(p.openPrices));

/** The scalars of a view: net worth in the base currency and USD, and the day so far. */
function scalars(p: Valued, format: BaseFormat, seq: number, now: number, dayOpen = dayOpenMinor(p, format)) {
  const netWorthUnits = p.state.netWorthUnits();
  const netWorth = format.minor(netWorthUnits);
  return {
    userId: p.userId,
    epoch: p.epoch,
    seq,
    currency: p.base.currency,
    netWorth: minorText(netWorth, format.digits),
    netWorthUsd: minorText(divRoundHalfEven(netWorthUnits, SCALE), 18),
    // both sides rounded first, so that the numbers on screen add up
    dayChange: minorText(netWorth - dayOpen, format.digits),
    dayOpen: minorText(dayOpen, format.digits),
    asOf: isoTime(now),
  };
}

/** A burst's pushes share their time: printed once, not once per portfolio. */
let isoAt = Number.NaN;
let isoText = '';
function isoTime(now: number): string {
  if (now !== isoAt) {
    isoText = new Date(now).toISOString();
    isoAt = now;
  }
  return isoText;
}

/** What a view lists beside its values: positions it could not price, and stablecoins at their peg. */
function lists(state: PortfolioState): Pick<PortfolioView, PortfolioListKey> {
  return {
    unpriced: state.unpriced().map((u) => ({ ...u, since: new Date(u.since).toISOString() })),
    pegged: state.pegged(),
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
  for (const asset of p.state.assets())
    if (p.state.hasPrice(asset)) priceTexts[asset] = p.state.priceText(asset);
  return {
    ...scalars(p, format, seq, now),
    ...lists(p.state),
    byAccount: convert(b.byAccount),
    byAsset: convert(b.byAsset),
    byClass: convert(Object.entries(b.byClass) as [string, bigint][], true),
    prices: priceTexts,
  };
}

/** A key as JSON: plain ids and symbols by hand, anything else through JSON.stringify. */
const PLAIN = /^[\w.:-]*$/;
const key = (k: string) => (PLAIN.test(k) ? `"${k}"` : JSON.stringify(k));
/** Asset symbols as JSON keys, written once per process (a few thousand at most). */
const assetKeys = new Map<string, string>();
const assetKey = (asset: string) => {
  let quoted = assetKeys.get(asset);
  if (quoted === undefined) assetKeys.set(asset, (quoted = key(asset)));
  return quoted;
};

/** Where a portfolio's positions go in a push: worked out once per set of positions, not per push. */
interface Layout {
  /** per held asset: its JSON key, and the classes its positions are in (bits by ASSET_CLASSES index) */
  heldKey: string[];
  heldClasses: Uint16Array;
  /** the accounts holding positions, in the order they first appear, and their JSON keys */
  accountIds: string[];
  accountKeys: string[];
  /**
   * per position: its account (an index into accountIds), its asset (an index into the held
   * assets) and whether it holds that asset's whole total
   */
  posAccount: Int32Array;
  posHeld: Int32Array;
  posAlone: Uint8Array;
  /** per position: its class (an index into ASSET_CLASSES; a home's is its account's, not its currency's) */
  posClass: Uint8Array;
}

function layoutOf(state: PortfolioState | undefined, held: readonly string[]): Layout {
  const heldIndex = new Map(held.map((asset, j) => [asset, j]));
  const totals = state?.heldTotals() ?? [];
  const accounts = state?.positionAccounts() ?? [];
  const assets = state?.positionAssets() ?? [];
  const quantities = state?.positionQuantities() ?? [];
  const accountIndex = new Map<string, number>();
  const posAccount = new Int32Array(accounts.length);
  const posHeld = new Int32Array(accounts.length);
  const posAlone = new Uint8Array(accounts.length);
  const posClass = new Uint8Array(accounts.length);
  const heldClasses = new Uint16Array(held.length);
  for (let i = 0; i < accounts.length; i += 1) {
    const account = accounts[i] as string;
    let a = accountIndex.get(account);
    if (a === undefined) accountIndex.set(account, (a = accountIndex.size));
    posAccount[i] = a;
    // every asset with a position is held (PortfolioState)
    const j = heldIndex.get(assets[i] as string) as number;
    posHeld[i] = j;
    // a position holding the asset's whole total is worth exactly what the asset is
    posAlone[i] = quantities[i] === totals[j] ? 1 : 0;
    const c = ASSET_CLASSES.indexOf(state?.classOf(account, assets[i] as string) ?? 'cash');
    posClass[i] = c;
    heldClasses[j] = (heldClasses[j] as number) | (1 << c);
  }
  const accountIds = [...accountIndex.keys()];
  return {
    heldKey: held.map(assetKey),
    heldClasses,
    accountIds,
    accountKeys: accountIds.map(key),
    posAccount,
    posHeld,
    posAlone,
    posClass,
  };
}

/**
 * What a user's clients were last sent, kept as text by held asset (parallel to the portfolio's
 * own arrays), so the next push compares and prints only what moved and is written as JSON
 * directly: no view object, no diff, no copy per push.
 */
export class PushedView {
  private state: PortfolioState;
  private held: readonly string[] = [];
  private layout: Layout = layoutOf(undefined, []);
  /** scratch of next(), per held asset: its value now (units), whether its price moved */
  private values: bigint[] = [];
  private moved = new Uint8Array(0);
  /** scratch of next(): each account's value (units) when a price it holds moved */
  private accountSums: (bigint | undefined)[] = [];
  /** the user's id and epoch as the start of a push's JSON (the same for every push of an epoch) */
  private idJson = { userId: '', epoch: '', json: '' };
  /** the base currency's format, kept while the base is the same */
  private format: BaseFormat | undefined;
  /** each held asset's price as last pushed, in units (undefined: none pushed); printed when read */
  private priceUnits: (bigint | undefined)[] = [];
  /** undefined: the asset's value is zero (not in the view) */
  private value: (string | undefined)[] = [];
  private accounts = new Map<string, string>();
  private classes = new Map<string, string>();
  private head: Omit<PortfolioView, PortfolioMapKey>;
  /** today's opening value (minor units): it moves only with positions, the day or the base rate */
  private dayOpen: bigint | undefined;
  /** the price notes' version the lists were built at (a new unpriced or pegged asset rebuilds the view) */
  private notesVersion = -1;

  constructor(state: PortfolioState, view: PortfolioView) {
    this.state = state;
    this.head = view;
    this.reset(state, view);
  }

  get seq(): number {
    return this.head.seq;
  }

  private reset(state: PortfolioState, view: PortfolioView): void {
    const { byAccount, byAsset, byClass, prices, ...head } = view;
    this.state = state;
    this.head = head;
    this.held = state.heldAssetList();
    this.layout = layoutOf(state, this.held);
    this.values = new Array<bigint>(this.held.length).fill(0n);
    this.moved = new Uint8Array(this.held.length);
    // the view was built from the state's prices a moment ago (no tick in between)
    this.priceUnits = this.held.map((a) => (prices[a] === undefined ? undefined : state.priceUnits(a)));
    this.value = this.held.map((a) => byAsset[a]);
    this.accounts = new Map(Object.entries(byAccount));
    this.classes = new Map(Object.entries(byClass));
    this.dayOpen = undefined;
    this.notesVersion = state.notesVersion();
  }

  /**
   * The value (units) of each account holding an asset whose price moved, undefined for the
   * others. A position holding its asset's whole total (the usual case: an asset in one account)
   * is worth what the asset is: no second product.
   */
  private accountValues(state: PortfolioState, values: readonly bigint[]): (bigint | undefined)[] {
    const { posAccount, posHeld, posAlone, accountIds } = this.layout;
    const sums = this.accountSums;
    sums.length = accountIds.length;
    sums.fill(undefined);
    for (let i = 0; i < posAccount.length; i += 1)
      if (this.moved[posHeld[i] as number]) sums[posAccount[i] as number] = 0n;
    const assets = state.positionAssets();
    const quantities = state.positionQuantities();
    for (let i = 0; i < posAccount.length; i += 1) {
      const a = posAccount[i] as number;
      const sum = sums[a];
      if (sum === undefined) continue;
      sums[a] =
        sum +
        (posAlone[i]
          ? (values[posHeld[i] as number] as bigint)
          : (quantities[i] as bigint) * state.priceUnits(assets[i] as string));
    }
    return sums;
  }

  /** The value (units) of each class in `classes` (bits by ASSET_CLASSES index), by its positions. */
  private classValues(state: PortfolioState, values: readonly bigint[], classes: number): bigint[] {
    const { posHeld, posAlone, posClass } = this.layout;
    const sums = new Array<bigint>(ASSET_CLASSES.length).fill(0n);
    const assets = state.positionAssets();
    const quantities = state.positionQuantities();
    for (let i = 0; i < posClass.length; i += 1) {
      const c = posClass[i] as number;
      if (!(classes & (1 << c))) continue;
      sums[c] =
        (sums[c] as bigint) +
        (posAlone[i]
          ? (values[posHeld[i] as number] as bigint)
          : (quantities[i] as bigint) * state.priceUnits(assets[i] as string));
    }
    return sums;
  }

  /** The view as last pushed (a snapshot). */
  toView(): PortfolioView {
    const prices: Record<string, string> = {};
    const byAsset: Record<string, string> = {};
    this.held.forEach((asset, j) => {
      const price = this.priceUnits[j];
      if (price !== undefined) prices[asset] = Decimal.fromUnits(price).toString();
      const value = this.value[j];
      if (value !== undefined) byAsset[asset] = value;
    });
    return {
      ...this.head,
      byAccount: Object.fromEntries(this.accounts),
      byAsset,
      byClass: Object.fromEntries(this.classes),
      prices,
    };
  }

  /** The base currency's format, made again only when the base changes. */
  private formatOf(base: Valued['base']): BaseFormat {
    const f = this.format;
    if (
      f &&
      f.currency === base.currency &&
      f.rate === (base.currency === 'USD' ? undefined : base.perUsd.units)
    )
      return f;
    return (this.format = new BaseFormat(base));
  }

  /**
   * Moves on to the next push and returns it: the `portfolio.updated` payload as JSON text,
   * exactly diffView(last view, full view now) with the fields PUBLIC_EVENTS lists. When only
   * prices of held assets moved (the usual case: a burst of ticks), only what they touch is
   * printed; after a reload, a new day or a new base rate, the full view is built and diffed.
   */
  next(
    p: Valued,
    prices: ReadonlyMap<string, bigint>,
    now = Date.now(),
  ): { seq: number; prevSeq: number; json: string } {
    const prevSeq = this.head.seq;
    const seq = prevSeq + 1;
    const state = p.state;
    if (
      refresh(p, prices, now) ||
      state !== this.state ||
      this.held !== state.heldAssetList() ||
      prevSeq === 0 ||
      this.head.currency !== p.base.currency ||
      this.notesVersion !== state.notesVersion()
    ) {
      const view = buildView(p, prices, seq, now);
      const delta = diffView(this.toView(), view);
      this.reset(state, view);
      return { seq, prevSeq, json: JSON.stringify(publicPayload('portfolio.updated', delta)) };
    }
    const format = this.formatOf(p.base);
    const totals = state.heldTotals();
    // the delta's maps as JSON entries, written as they are found (only non-empty maps are sent)
    let priceEntries = '';
    let byAsset = '';
    let assetsRemoved = '';
    let byAccount = '';
    let accountsRemoved = '';
    let byClass = '';
    const { heldKey, heldClasses, accountIds, accountKeys } = this.layout;
    // each held asset's value now (the classes' sums need the unmoved ones too): one product each
    const held = this.held;
    const values = this.values;
    const moved = this.moved.fill(0);
    let movedClasses = 0;
    for (let j = 0; j < held.length; j += 1) {
      const asset = held[j] as string;
      const priceUnits = state.priceUnits(asset);
      const units = (totals[j] as bigint) * priceUnits;
      values[j] = units;
      // no price yet: nothing to show (it is listed as unpriced; its first price rebuilds the view)
      if (priceUnits === 0n) continue;
      // the price last pushed, as units: a comparison of two bigints (its text only when it moved)
      if (priceUnits === this.priceUnits[j]) continue;
      this.priceUnits[j] = priceUnits;
      moved[j] = 1;
      movedClasses |= heldClasses[j] as number;
      // the entry is the same for every portfolio holding the asset: written once per price
      priceEntries += (priceEntries ? ',' : '') + state.priceEntry(asset, heldKey[j] as string);
      const value = units !== 0n ? format.text(units) : undefined;
      if (value === this.value[j]) continue;
      this.value[j] = value;
      if (value === undefined) assetsRemoved += (assetsRemoved ? ',' : '') + (heldKey[j] as string);
      else byAsset += `${byAsset ? ',' : ''}${heldKey[j]}:"${value}"`;
    }
    if (movedClasses) {
      const accountValues = this.accountValues(state, values);
      for (let a = 0; a < accountIds.length; a += 1) {
        const units = accountValues[a];
        if (units === undefined) continue;
        const account = accountIds[a] as string;
        const value = units !== 0n ? format.text(units) : undefined;
        if (value === this.accounts.get(account)) continue;
        if (value === undefined) {
          this.accounts.delete(account);
          accountsRemoved += (accountsRemoved ? ',' : '') + (accountKeys[a] as string);
        } else {
          this.accounts.set(account, value);
          byAccount += `${byAccount ? ',' : ''}${accountKeys[a]}:"${value}"`;
        }
      }
      const classValues = this.classValues(state, values, movedClasses);
      for (let c = 0; c < ASSET_CLASSES.length; c += 1) {
        if (!(movedClasses & (1 << c))) continue;
        const assetClass = ASSET_CLASSES[c] as string;
        const value = format.text(classValues[c] as bigint);
        if (value === this.classes.get(assetClass)) continue;
        this.classes.set(assetClass, value);
        byClass += `${byClass ? ',' : ''}${key(assetClass)}:"${value}"`;
      }
    }
    // an asset with no opening price opens at its current one: then the open moves with it
    // (once every held asset has one, the open is kept until the next reload, day or rate)
    const dayOpen = this.dayOpen ?? dayOpenMinor(p, format);
    if (this.dayOpen === undefined && held.every((asset) => p.openPrices.has(asset))) this.dayOpen = dayOpen;
    // the lists did not change (their version would have rebuilt the view): a delta leaves them out
    const h = scalars(p, format, seq, now, dayOpen);
    this.head = { ...h, unpriced: this.head.unpriced, pegged: this.head.pegged };
    // only the maps that have something, in PORTFOLIO_MAP_KEYS's order, as diffView leaves them
    let changed = '';
    let removed = '';
    for (const k of PORTFOLIO_MAP_KEYS) {
      const entries =
        k === 'byAccount' ? byAccount : k === 'byAsset' ? byAsset : k === 'byClass' ? byClass : priceEntries;
      if (entries) changed += `${changed ? ',' : ''}"${k}":{${entries}}`;
      const keys = k === 'byAccount' ? accountsRemoved : k === 'byAsset' ? assetsRemoved : '';
      if (keys) removed += `${removed ? ',' : ''}"${k}":[${keys}]`;
    }
    if (this.idJson.userId !== h.userId || this.idJson.epoch !== h.epoch)
      this.idJson = {
        userId: h.userId,
        epoch: h.epoch,
        json: `"userId":${key(h.userId)},"epoch":${key(h.epoch)}`,
      };
    const json =
      `{${this.idJson.json},"seq":${seq},"prevSeq":${prevSeq},` +
      `"currency":"${h.currency}","netWorth":"${h.netWorth}","netWorthUsd":"${h.netWorthUsd}",` +
      `"dayChange":"${h.dayChange}","dayOpen":"${h.dayOpen}","asOf":"${h.asOf}",` +
      `"changed":{${changed}},"removed":{${removed}}}`;
    return { seq, prevSeq, json };
  }
}
