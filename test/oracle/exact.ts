// The truth oracle's own arithmetic: exact decimals on big.js (a library the product does not use
// for money), and its own rules for what a figure is. Nothing here imports the product's code:
// a figure is right when it matches this, computed from what the providers hold.
import BigJs from 'big.js';

/** Our own constructor: 40 places for quotients, half-even like a bank's rounding. */
export const Exact = BigJs();
Exact.DP = 40;
Exact.RM = 2; // round half even
export type Exact = InstanceType<typeof Exact>;

export const ZERO = new Exact(0);
export const ONE = new Exact(1);

/** A JSON number or decimal text as the exact decimal it prints as. */
export const exact = (value: string | number): Exact => new Exact(String(value));

/** The figures are compared in the base currency to its minor unit, rounded half-even. */
export const MINOR_DIGITS: Readonly<Record<string, number>> = { JPY: 0 };
export const roundMinor = (value: Exact, currency: string): Exact =>
  value.round(MINOR_DIGITS[currency] ?? 2, 2);

/**
 * What a fixed-rate loan is owed on `day`, by the oracle's own rules: the level payment
 * P·r/(1 − (1+r)^−n) to the cent, each month's interest on the balance to the cent (half-even),
 * the rest off the principal, the last payment what is left; payments fall on the payment day of
 * each month after the start. undefined before the loan began.
 */
export function loanOwed(
  terms: {
    principal: string;
    annualRatePercent: string;
    termMonths: number;
    startDate: string;
    paymentDay: number;
  },
  day: string,
): Exact | undefined {
  if (day < terms.startDate) return undefined;
  const p = exact(terms.principal);
  const r = exact(terms.annualRatePercent).div(1200);
  const n = terms.termMonths;
  const growth = ONE.plus(r).pow(n);
  const payment = r.eq(ZERO)
    ? p.div(n).round(2, 2)
    : p.times(r).times(growth).div(growth.minus(ONE)).round(2, 2);
  const [y, m] = terms.startDate.split('-').map(Number) as [number, number];
  let owed = p;
  for (let k = 1; k <= n && owed.gt(ZERO); k += 1) {
    const due = new Date(Date.UTC(y, m - 1 + k, terms.paymentDay)).toISOString().slice(0, 10);
    if (due > day) break;
    const interest = owed.times(r).round(2, 2);
    let principal = payment.minus(interest);
    if (k === n || principal.gt(owed)) principal = owed;
    owed = owed.minus(principal);
  }
  return owed;
}

/** The day `months` months after `day`: the same day of the month, or that month's last day. */
export function sameDayMonthsLater(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, lastDay));
  return first.toISOString().slice(0, 10);
}

/**
 * What a thing owned is worth on `day`, by the oracle's own rules: the latest valuation on or
 * before it (the purchase is the first); a vehicle then loses its yearly rate / 12 percent of its
 * value each month on the valuation's day of the month: V·(1 − rate/1200)^k, to the cent
 * half-even. undefined before the purchase.
 */
export function ownedWorth(
  valuations: readonly { date: string; balance: string }[],
  depreciationPercent: string | undefined,
  day: string,
): Exact | undefined {
  const base = [...valuations]
    .filter((v) => v.date <= day)
    .sort((a, b) => (a.date < b.date ? -1 : 1))
    .at(-1);
  if (!base) return undefined;
  if (!depreciationPercent) return exact(base.balance);
  let k = 0;
  while (sameDayMonthsLater(base.date, k + 1) <= day) k += 1;
  return depreciated(base.balance, depreciationPercent, k);
}

/** V·(1 − rate/1200)^k, to the cent half-even: what a value losing `percent` a year, monthly, is after k months. */
export function depreciated(value: string, percent: string, months: number): Exact {
  return exact(value)
    .times(ONE.minus(exact(percent).div(1200)).pow(months))
    .round(2, 2);
}

/** A security as Plaid describes it (what the oracle reads of one). */
export interface SecurityFacts {
  ticker_symbol: string | null;
  cusip: string | null;
  type: string;
  is_cash_equivalent: boolean;
  market_identifier_code: string | null;
}

/** Markets of the US consolidated tape (a US stock's or ETF's trades come from the securities feed). */
export const US_MARKETS = new Set(['XNAS', 'XNYS', 'ARCX', 'BATS']);

/**
 * The oracle's rule for what a brokerage holding is: its name as the product's API must show it
 * (ticker and kind; a bond by its CUSIP; a listing abroad with its market; cash as its currency)
 * and its class (stocks are equity, ETFs and mutual funds fund, a money-market fund cash).
 */
export function holdingOf(
  s: SecurityFacts,
  currency: string,
): { asset: string; assetClass: 'equity' | 'fund' | 'bond' | 'cash'; feed: string | null } {
  if (s.type === 'cash') return { asset: currency, assetClass: 'cash', feed: null };
  const abroad = s.market_identifier_code && !US_MARKETS.has(s.market_identifier_code);
  switch (s.type) {
    case 'equity':
    case 'etf': {
      const tag = s.type === 'equity' ? 'STOCK' : 'ETF';
      return abroad
        ? {
            asset: `${s.ticker_symbol}-${s.market_identifier_code}.${tag}`,
            assetClass: s.type === 'equity' ? 'equity' : 'fund',
            feed: null,
          }
        : {
            asset: `${s.ticker_symbol}.${tag}`,
            assetClass: s.type === 'equity' ? 'equity' : 'fund',
            feed: s.ticker_symbol,
          };
    }
    case 'mutual fund':
      return s.is_cash_equivalent
        ? { asset: `${s.ticker_symbol}.MMF`, assetClass: 'cash', feed: null }
        : { asset: `${s.ticker_symbol}.FUND`, assetClass: 'fund', feed: null };
    case 'fixed income':
      return { asset: `${s.cusip}.BOND`, assetClass: 'bond', feed: null };
    default:
      throw new Error(`the oracle has no rule for a ${s.type} security`);
  }
}

/** Currencies valued by FX (cash), dollar stablecoins (their own class); everything else is crypto. */
export const FIAT = new Set(['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'PLN']);
export const STABLECOINS = new Set(['USDT', 'USDC', 'DAI', 'BUSD', 'TUSD', 'USDP', 'FDUSD', 'PYUSD']);
export const classOf = (asset: string): 'cash' | 'stablecoin' | 'crypto' =>
  FIAT.has(asset) ? 'cash' : STABLECOINS.has(asset) ? 'stablecoin' : 'crypto';
