import { describe, expect, it } from 'vitest';
import { ASSET_CLASSES, type AssetClass } from '@finexia/contracts/portfolio.ts';
import {
  DEFAULT_CLASS_ASSUMPTIONS,
  deterministicPath,
  project,
  savingsMix,
  type ProjectionInput,
} from './projection.ts';

const input = (over: Partial<ProjectionInput> = {}): ProjectionInput => ({
  start: starts({ cash: 10_000, stablecoin: 0, crypto: 0 }),
  monthlySavings: 500,
  incomeGrowth: 0,
  inflation: 0.03,
  inflationAdjusted: false,
  years: 10,
  classes: DEFAULT_CLASS_ASSUMPTIONS,
  paths: 10_000,
  seed: 42,
  goals: [],
  ...over,
});

describe('the deterministic path', () => {
  it('is the closed form of a lump sum and a monthly annuity at the expected return', () => {
    const r = 0.05;
    const path = deterministicPath(
      input({
        classes: { ...DEFAULT_CLASS_ASSUMPTIONS, cash: { expectedReturn: r, volatility: 0, source: 'test' } },
      }),
    );
    const g = (1 + r) ** (1 / 12);
    const n = 120;
    const closed = 10_000 * g ** n + (500 * (g ** n - 1)) / (g - 1);
    expect(path[n]).toBeCloseTo(closed, 6);
    // 10 years at 5 % a year: the lump sum alone is 10,000 × 1.05^10
    expect(10_000 * g ** n).toBeCloseTo(10_000 * 1.05 ** 10, 6);
  });

  it('repays a loan on its schedule: net worth is the assets less its closed-form balance', () => {
    const flat = { expectedReturn: 0, volatility: 0, source: 'test' };
    const loan = { owed: 300_000, aprPercent: 6, payment: 1798.65 };
    const withLoan = input({
      classes: { ...zeroReturns(), cash: flat, stablecoin: flat, crypto: flat },
      debts: [loan, { owed: 2_000, aprPercent: 21.5, payment: 0 }],
    });
    const path = deterministicPath(withLoan, 361);
    // after k payments: 300,000 × 1.005^k − 1,798.65 × (1.005^k − 1)/0.005; the card stays 2,000
    const balance = (k: number) => 300_000 * 1.005 ** k - (1798.65 * (1.005 ** k - 1)) / 0.005;
    for (const k of [0, 12, 120, 359, 360])
      expect(path[k]).toBeCloseTo(10_000 + 500 * k - balance(k) - 2_000, 4);
    // (the payment rounded down to the cent leaves 1.58 after the 360th) paid off the month after:
    // only the card is left
    expect(balance(360)).toBeCloseTo(1.58, 2);
    expect(path[361]).toBeCloseTo(10_000 + 500 * 361 - 2_000, 4);
    // every Monte Carlo path subtracts the same schedule: with no volatility, each equals the line
    const result = project({ ...withLoan, years: 10, paths: 50 });
    expect(result.years[9]?.p10).toBeCloseTo(path[120] as number, 4);
    expect(result.years[9]?.p90).toBeCloseTo(path[120] as number, 4);
  });

  it('in today’s money divides by inflation, and raises savings once a year with income', () => {
    const nominal = deterministicPath(input());
    const real = deterministicPath(input({ inflationAdjusted: true }));
    expect(real[120]).toBeCloseTo((nominal[120] as number) / 1.03 ** 10, 6);
    const flat = deterministicPath(
      input({ start: starts({ cash: 0, stablecoin: 0, crypto: 0 }), classes: zeroReturns() }),
    );
    const growing = deterministicPath(
      input({
        start: starts({ cash: 0, stablecoin: 0, crypto: 0 }),
        classes: zeroReturns(),
        incomeGrowth: 0.1,
      }),
    );
    expect(flat[24]).toBeCloseTo(500 * 24, 6);
    expect(growing[24]).toBeCloseTo(500 * 12 + 550 * 12, 6);
  });
});

describe('the Monte Carlo', () => {
  it('has the log-normal mean, median and spread of its assumptions, within sampling error (fixed seed)', () => {
    const mu = 0.08;
    const sigma = 0.7;
    const years = 5;
    const result = project(
      input({
        start: starts({ cash: 0, stablecoin: 0, crypto: 100_000 }),
        monthlySavings: 0,
        years,
        classes: { ...zeroReturns(), crypto: { expectedReturn: mu, volatility: sigma, source: 'test' } },
        paths: 20_000,
      }),
    );
    const T = years * 12;
    const m = Math.log(1 + mu) / 12 - (sigma * sigma) / 24;
    const s = sigma / Math.sqrt(12);
    const median = 100_000 * Math.exp(T * m);
    const at = (z: number) => 100_000 * Math.exp(T * m + z * s * Math.sqrt(T));
    const last = result.years.at(-1)!;
    // with 20,000 paths, a quantile of a log-normal is within a few percent of its true value
    expect(last.p50 / median).toBeGreaterThan(0.96);
    expect(last.p50 / median).toBeLessThan(1.04);
    expect(last.p10 / at(-1.2816)).toBeGreaterThan(0.95);
    expect(last.p10 / at(-1.2816)).toBeLessThan(1.05);
    expect(last.p90 / at(1.2816)).toBeGreaterThan(0.95);
    expect(last.p90 / at(1.2816)).toBeLessThan(1.05);
    // the deterministic path is the mean: (1 + μ)^years
    expect(last.deterministic).toBeCloseTo(100_000 * (1 + mu) ** years, 4);
  });

  it('is reproducible for a seed and differs for another', () => {
    const a = project(input({ start: starts({ cash: 1000, stablecoin: 0, crypto: 5000 }), paths: 2000 }));
    const b = project(input({ start: starts({ cash: 1000, stablecoin: 0, crypto: 5000 }), paths: 2000 }));
    const c = project(
      input({ start: starts({ cash: 1000, stablecoin: 0, crypto: 5000 }), paths: 2000, seed: 43 }),
    );
    expect(a).toEqual(b);
    expect(a.years.at(-1)!.p50).not.toBe(c.years.at(-1)!.p50);
  });

  it('tells the chance of a goal and the monthly saving that reaches it at p50 and at p90', () => {
    const base = input({
      start: starts({ cash: 20_000, stablecoin: 0, crypto: 20_000 }),
      monthlySavings: 800,
      paths: 5000,
      goals: [{ id: 'house', name: 'House deposit', target: 150_000, months: 96 }],
    });
    const [goal] = project(base).goals;
    expect(goal!.probability).toBeGreaterThan(0);
    expect(goal!.probability).toBeLessThan(1);
    expect(goal!.monthlyNeededP90).toBeGreaterThan(goal!.monthlyNeededP50);
    // saving what it says reaches the target on the median path: about one path in two
    const atP50 = project({ ...base, monthlySavings: goal!.monthlyNeededP50 }).goals[0]!;
    expect(atP50.probability).toBeGreaterThan(0.49);
    expect(atP50.probability).toBeLessThan(0.51);
    const atP90 = project({ ...base, monthlySavings: goal!.monthlyNeededP90 }).goals[0]!;
    expect(atP90.probability).toBeGreaterThan(0.89);
    expect(atP90.probability).toBeLessThan(0.91);
  });

  it('puts new savings into today’s mix (cash when nothing is held)', () => {
    expect(savingsMix(starts({ cash: 3000, stablecoin: 1000, crypto: -50, property: 400_000 }))).toEqual(
      starts({ cash: 0.75, stablecoin: 0.25, crypto: 0 }),
    );
    expect(savingsMix(starts({ cash: 0, stablecoin: 0, crypto: 0 }))).toEqual(starts({ cash: 1 }));
  });

  it('grows a home at its rate and depreciates a car at its own, with no savings put into either', () => {
    const flat = { expectedReturn: 0, volatility: 0, source: 'test' };
    const path = deterministicPath(
      input({
        start: starts({ cash: 10_000, property: 400_000, vehicle: 30_000 }),
        classes: {
          ...zeroReturns(),
          cash: flat,
          property: { expectedReturn: 0.04, volatility: 0, source: 'test' },
          // 1.25 % a month: (1 − 0.0125)^12 − 1 a year
          vehicle: { expectedReturn: (1 - 0.0125) ** 12 - 1, volatility: 0, source: 'test' },
        },
      }),
    );
    for (const k of [0, 1, 12, 60, 120])
      expect(path[k]).toBeCloseTo(10_000 + 500 * k + 400_000 * 1.04 ** (k / 12) + 30_000 * 0.9875 ** k, 4);
  });
});

function zeroReturns(): ProjectionInput['classes'] {
  const none = { expectedReturn: 0, volatility: 0, source: 'test' };
  return Object.fromEntries(ASSET_CLASSES.map((c) => [c, none])) as ProjectionInput['classes'];
}

/** Today's values by class, the classes not named at zero. */
function starts(values: Partial<Record<AssetClass, number>>): Record<AssetClass, number> {
  return Object.fromEntries(ASSET_CLASSES.map((c) => [c, values[c] ?? 0])) as Record<AssetClass, number>;
}
