// Where a user's net worth is heading: a deterministic path (every class grows at its expected
// return) and a Monte Carlo of seeded, reproducible paths (monthly log-normal returns per asset
// class, independent between classes), with new savings added each month in today's mix and
// growing with income once a year. Goals: the chance of reaching a target by a date, and the
// monthly saving that would reach it on the median path (p50) and on nine paths in ten (p90).
//
// Today's balances come in exact (decimal strings) and results go out as decimal strings
// rounded to the currency's minor unit; in between, the simulated values are floats: a path is
// an estimate of what might be, not money anyone holds, and 3.6 million monthly steps in
// decimals would take minutes instead of a fraction of a second.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { ASSET_CLASSES, SAVED_CLASSES, type AssetClass } from '@finexia/contracts/portfolio.ts';

export interface ClassAssumption {
  /** expected annual return (arithmetic): 0.033 = 3.3 % a year */
  expectedReturn: number;
  /** annual volatility (standard deviation of yearly returns) */
  volatility: number;
  /** where the default comes from (shown with every result) */
  source: string;
}

/**
 * Defaults, stated with where they come from. They are assumptions for a projection, not
 * forecasts; the user can change every one.
 */
export const DEFAULT_CLASS_ASSUMPTIONS: Record<AssetClass, ClassAssumption> = {
  cash: {
    expectedReturn: 0.033,
    volatility: 0.03,
    source:
      'US 3-month Treasury bills, 1928–2023: 3.3 % a year on average, yearly standard deviation about 3 % (A. Damodaran, NYU Stern, "Historical Returns on Stocks, Bonds and Bills", January 2024)',
  },
  stablecoin: {
    expectedReturn: 0,
    volatility: 0.01,
    source:
      'Finexia assumption: a dollar-pegged stablecoin held without staking earns nothing and holds its peg',
  },
  crypto: {
    expectedReturn: 0.08,
    volatility: 0.7,
    source:
      "Finexia assumption: bitcoin's yearly volatility was about 60–80 % over 2017–2024 (daily returns, annualised); its past returns are too short a history to extrapolate, so a modest 8 % a year is assumed",
  },
  equity: {
    expectedReturn: 0.117,
    volatility: 0.195,
    source:
      'US stocks (S&P 500 with dividends), 1928–2023: 11.7 % a year on average, yearly standard deviation about 19.5 % (A. Damodaran, NYU Stern, "Historical Returns on Stocks, Bonds and Bills", January 2024)',
  },
  fund: {
    expectedReturn: 0.095,
    volatility: 0.138,
    source:
      'Finexia assumption: a typical fund holds mostly stocks; 70 % US stocks (11.7 %, σ 19.5 %) and 30 % 10-year Treasuries (4.9 %, σ 7.7 %), 1928–2023 (A. Damodaran, NYU Stern, January 2024), less 0.2 % a year of fees',
  },
  bond: {
    expectedReturn: 0.049,
    volatility: 0.077,
    source:
      'US 10-year Treasury bonds, 1928–2023: 4.9 % a year on average, yearly standard deviation about 7.7 % (A. Damodaran, NYU Stern, "Historical Returns on Stocks, Bonds and Bills", January 2024)',
  },
  property: {
    expectedReturn: 0.042,
    volatility: 0.062,
    source:
      'US residential real estate (Case-Shiller home price index), 1928–2023: about 4.2 % a year on average, yearly standard deviation about 6 % (A. Damodaran, NYU Stern, "Historical Returns on Stocks, Bonds, Bills and Real Estate", January 2024)',
  },
  vehicle: {
    expectedReturn: -0.139,
    volatility: 0,
    source:
      'Finexia assumption: a car loses about 15 % of its value a year once it is driven (1.25 % a month, 13.9 % a year compounded); a vehicle entered with its own rate follows that rate instead',
  },
  valuables: {
    expectedReturn: 0,
    volatility: 0.1,
    source:
      'Finexia assumption: jewellery, art and collectibles have no dependable return; held at today’s value, with 10 % a year of uncertainty',
  },
  debt: {
    expectedReturn: 0,
    volatility: 0,
    source: 'debts are not grown: each is repaid on its own schedule (listed with the debts)',
  },
};

/**
 * The vehicle class as the person's own vehicles lose value: each keeps 1 − rate/1200 of its
 * value a month (domain/owned-assets.ts); several are weighted by value. undefined without any.
 */
export function vehicleAssumption(
  vehicles: readonly { value: { toNumber(): number }; depreciationPercent: { toNumber(): number } }[],
): ClassAssumption | undefined {
  const total = vehicles.reduce((sum, v) => sum + Math.max(0, v.value.toNumber()), 0);
  if (total <= 0) return undefined;
  const keep =
    vehicles.reduce(
      (sum, v) => sum + Math.max(0, v.value.toNumber()) * (1 - v.depreciationPercent.toNumber() / 1200),
      0,
    ) / total;
  const yearly = keep ** 12 - 1;
  return {
    expectedReturn: yearly,
    volatility: 0,
    source: `your vehicles' depreciation schedules: ${((1 - keep) * 100).toFixed(2)} % of their value a month, ${(-yearly * 100).toFixed(1)} % a year`,
  };
}

export const DEFAULT_INFLATION = {
  rate: 0.03,
  source:
    'US consumer prices, 1928–2023: about 3.0 % a year on average (A. Damodaran, NYU Stern, January 2024)',
};

export interface Goal {
  id: string;
  name: string;
  /** in the base currency (today's money when the projection is inflation-adjusted) */
  target: number;
  /** months from now until the goal's date (≥ 1) */
  months: number;
}

/** A debt as the projection repays it: interest monthly, a level payment until it is gone. */
export interface ProjectedDebt {
  /** what is owed today, in the base currency (positive) */
  owed: number;
  /** yearly rate in percent */
  aprPercent: number;
  /** paid each month (0: the balance is assumed to stay as it is, as a card spent and repaid) */
  payment: number;
}

export interface ProjectionInput {
  /** today's assets by asset class, in the base currency (debts apart, in `debts`) */
  start: Record<AssetClass, number>;
  /** what is owed, each repaid on its own schedule (its payments are part of today's spending) */
  debts?: ProjectedDebt[];
  /** what the user adds each month now */
  monthlySavings: number;
  /** yearly growth of income, and so of savings (0.03 = 3 %) */
  incomeGrowth: number;
  inflation: number;
  /** results in today's money (divided by inflation) rather than in future money */
  inflationAdjusted: boolean;
  years: number;
  classes: Record<AssetClass, ClassAssumption>;
  paths: number;
  seed: number;
  goals: Goal[];
}

export interface YearPoint {
  year: number;
  deterministic: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface GoalOutcome {
  id: string;
  /** share of paths at or above the target at its date */
  probability: number;
  /** total monthly saving (today's, growing with income) that reaches the target at its date */
  monthlyNeededP50: number;
  monthlyNeededP90: number;
  /** the deterministic path's value at the goal's date */
  deterministicAtDate: number;
}

export interface ProjectionResult {
  years: YearPoint[];
  goals: GoalOutcome[];
}

/**
 * The share of new savings each class gets: today's mix of what is held in the classes savings
 * go into (cash when nothing is).
 */
export function savingsMix(start: Record<AssetClass, number>): Record<AssetClass, number> {
  const positive = ASSET_CLASSES.map((c) => (SAVED_CLASSES.has(c) ? Math.max(0, start[c]) : 0));
  const total = positive.reduce((a, b) => a + b, 0);
  const mix = Object.fromEntries(ASSET_CLASSES.map((c) => [c, 0])) as Record<AssetClass, number>;
  if (total <= 0) mix.cash = 1;
  else ASSET_CLASSES.forEach((c, i) => (mix[c] = (positive[i] as number) / total));
  return mix;
}

/** The classes a projection moves: those holding something or receiving savings. */
export function activeClasses(start: Record<AssetClass, number>): AssetClass[] {
  const mix = savingsMix(start);
  return ASSET_CLASSES.filter((c) => start[c] !== 0 || mix[c] > 0);
}

/** Monthly saving in month t (0-based) per unit of today's monthly saving: raises come once a year. */
const raise = (incomeGrowth: number, month: number) => (1 + incomeGrowth) ** Math.floor(month / 12);

/**
 * What the debts add up to at each month 0…n: each accrues its monthly interest and is paid its
 * level payment until nothing is owed. The same on every path (a loan's schedule is not a bet).
 */
export function debtPath(debts: readonly ProjectedDebt[], months: number): Float64Array {
  const owed = debts.map((d) => d.owed);
  const out = new Float64Array(months + 1);
  out[0] = owed.reduce((a, b) => a + b, 0);
  for (let t = 1; t <= months; t += 1) {
    let total = 0;
    debts.forEach((d, i) => {
      const o = owed[i] as number;
      if (o <= 0 || d.payment <= 0) {
        total += Math.max(o, 0);
        return;
      }
      const next = Math.max(0, o * (1 + d.aprPercent / 1200) - d.payment);
      owed[i] = next;
      total += next;
    });
    out[t] = total;
  }
  return out;
}

/** The path on which every class earns exactly its expected return: value at each month 0…n. */
export function deterministicPath(input: ProjectionInput, months = input.years * 12): number[] {
  const mix = savingsMix(input.start);
  const growth = ASSET_CLASSES.map((c) => (1 + input.classes[c].expectedReturn) ** (1 / 12));
  const values = ASSET_CLASSES.map((c) => input.start[c]);
  const owed = debtPath(input.debts ?? [], months);
  const out = [deflate(input, values.reduce((a, b) => a + b, 0) - (owed[0] as number), 0)];
  for (let t = 0; t < months; t += 1) {
    const saved = input.monthlySavings * raise(input.incomeGrowth, t);
    ASSET_CLASSES.forEach((c, i) => {
      values[i] = (values[i] as number) * (growth[i] as number) + saved * mix[c];
    });
    out.push(deflate(input, values.reduce((a, b) => a + b, 0) - (owed[t + 1] as number), t + 1));
  }
  return out;
}

function deflate(input: ProjectionInput, value: number, month: number): number {
  return input.inflationAdjusted ? value / (1 + input.inflation) ** (month / 12) : value;
}

/**
 * A seeded standard normal source: Marsaglia's polar method over xoroshiro128+ (two normals per
 * accepted pair; no trigonometry). 32 random bits per coordinate are plenty for a projection.
 */
class Normals {
  private readonly rng;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    for (;;) {
      // next() is uniform over the signed 32-bit integers: a coordinate in [-1, 1)
      const u = this.rng.next() / 2147483648;
      const v = this.rng.next() / 2147483648;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const scale = Math.sqrt((-2 * Math.log(s)) / s);
      this.spare = v * scale;
      this.hasSpare = true;
      return u * scale;
    }
  }
}

/** The q-quantile (0…1) of values (sorted copy; nearest rank). */
function quantile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/**
 * The projection. Every path draws its own monthly returns; each path keeps two values per
 * class — what today's balances become, and what one unit of monthly saving becomes on the
 * same draws — so the value for any saving S is A + S × B, and the saving a goal needs is
 * found without simulating again.
 */
export function project(input: ProjectionInput): ProjectionResult {
  const months = Math.max(input.years * 12, ...input.goals.map((g) => g.months));
  const mix = savingsMix(input.start);
  // a class with nothing in it that no saving goes into stays at nothing: not drawn for
  const classes = activeClasses(input.start);
  const drift = classes.map((c) => {
    const { expectedReturn: mu, volatility: sigma } = input.classes[c];
    return Math.log(1 + mu) / 12 - (sigma * sigma) / 24;
  });
  const shock = classes.map((c) => input.classes[c].volatility / Math.sqrt(12));
  // the months whose values are kept: each year's end, and each goal's date
  const checkpoints = [
    ...new Set([
      ...Array.from({ length: input.years }, (_, y) => (y + 1) * 12),
      ...input.goals.map((g) => g.months),
    ]),
  ].sort((a, b) => a - b);
  const slot = new Map(checkpoints.map((m, i) => [m, i]));
  const paths = input.paths;
  const startAt = new Float64Array(paths * checkpoints.length);
  const unitAt = new Float64Array(paths * checkpoints.length);
  const normals = new Normals(input.seed);
  const a = new Float64Array(classes.length);
  const b = new Float64Array(classes.length);
  const deflators = checkpoints.map((m) => (input.inflationAdjusted ? (1 + input.inflation) ** (m / 12) : 1));
  // everything the inner loop needs, by month and by class, in typed arrays
  const unitByMonth = Float64Array.from({ length: months }, (_, t) => raise(input.incomeGrowth, t));
  const slotByMonth = Int32Array.from({ length: months }, (_, t) => slot.get(t + 1) ?? -1);
  const mixByClass = Float64Array.from(classes, (c) => mix[c]);
  const driftByClass = Float64Array.from(drift);
  const shockByClass = Float64Array.from(shock);
  const startByClass = Float64Array.from(classes, (c) => input.start[c]);
  const owed = debtPath(input.debts ?? [], months);
  const n = classes.length;
  const width = checkpoints.length;
  for (let k = 0; k < paths; k += 1) {
    a.set(startByClass);
    b.fill(0);
    for (let t = 0; t < months; t += 1) {
      const unit = unitByMonth[t] as number;
      for (let i = 0; i < n; i += 1) {
        const s = shockByClass[i] as number;
        const factor = Math.exp((driftByClass[i] as number) + (s === 0 ? 0 : s * normals.next()));
        a[i] = (a[i] as number) * factor;
        b[i] = (b[i] as number) * factor + unit * (mixByClass[i] as number);
      }
      const at = slotByMonth[t] as number;
      if (at >= 0) {
        const deflator = deflators[at] as number;
        let sumA = 0;
        let sumB = 0;
        for (let i = 0; i < n; i += 1) {
          sumA += a[i] as number;
          sumB += b[i] as number;
        }
        startAt[k * width + at] = (sumA - (owed[t + 1] as number)) / deflator;
        unitAt[k * width + at] = sumB / deflator;
      }
    }
  }
  const deterministic = deterministicPath(input, months);
  const scratch = new Float64Array(paths);
  const unsorted = (at: number, saving: number) => {
    for (let k = 0; k < paths; k += 1)
      scratch[k] = startAt[k * checkpoints.length + at]! + saving * unitAt[k * checkpoints.length + at]!;
    return scratch;
  };
  const valuesAt = (at: number, saving: number) => unsorted(at, saving).slice().sort();
  /** One quantile for a saving, without sorting everything (the goal search asks ~100 of them). */
  const quantileAt = (at: number, saving: number, q: number) =>
    select(unsorted(at, saving), Math.min(paths - 1, Math.max(0, Math.ceil(q * paths) - 1)));
  const years: YearPoint[] = [];
  for (let y = 1; y <= input.years; y += 1) {
    const sorted = valuesAt(slot.get(y * 12) as number, input.monthlySavings);
    years.push({
      year: y,
      deterministic: deterministic[y * 12] as number,
      p10: quantile(sorted, 0.1),
      p50: quantile(sorted, 0.5),
      p90: quantile(sorted, 0.9),
    });
  }
  const goals = input.goals.map((goal): GoalOutcome => {
    const at = slot.get(goal.months) as number;
    const sorted = valuesAt(at, input.monthlySavings);
    const reached = sorted.length - lowerBound(sorted, goal.target);
    // the saving at which the q-quantile reaches the target: the quantile grows with the saving
    const needed = (q: number) => {
      if (quantileAt(at, 0, q) >= goal.target) return 0;
      let low = 0;
      let high = Math.max(1, input.monthlySavings);
      while (quantileAt(at, high, q) < goal.target && high < 1e12) high *= 2;
      // to the cent
      for (let step = 0; step < 60 && high - low > 0.005; step += 1) {
        const mid = (low + high) / 2;
        if (quantileAt(at, mid, q) >= goal.target) high = mid;
        else low = mid;
      }
      return high;
    };
    return {
      id: goal.id,
      probability: reached / paths,
      monthlyNeededP50: needed(0.5),
      monthlyNeededP90: needed(0.1),
      deterministicAtDate: deterministic[goal.months] as number,
    };
  });
  return { years, goals };
}

/** The value that would be at index k were the array sorted (Hoare's selection; reorders it). */
function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const pivot = values[(left + right) >> 1] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i += 1;
      while ((values[j] as number) > pivot) j -= 1;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return values[k] as number;
  }
  return values[k] as number;
}

/** The first index whose value is ≥ x in a sorted array. */
function lowerBound(sorted: Float64Array, x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] as number) < x) low = mid + 1;
    else high = mid;
  }
  return low;
}
