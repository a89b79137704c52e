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

/** Currencies valued by FX (cash), dollar stablecoins (their own class); everything else is crypto. */
export const FIAT = new Set(['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'PLN']);
export const STABLECOINS = new Set(['USDT', 'USDC', 'DAI', 'BUSD', 'TUSD', 'USDP', 'FDUSD', 'PYUSD']);
export const classOf = (asset: string): 'cash' | 'stablecoin' | 'crypto' =>
  FIAT.has(asset) ? 'cash' : STABLECOINS.has(asset) ? 'stablecoin' : 'crypto';
