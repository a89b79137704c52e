import { FIAT_CURRENCY_CODES } from '@finexia/contracts/api.ts';

/** Currencies Finexia values with FX rates: the fiat set of the portfolio engine. */
export const CURRENCIES: readonly string[] = FIAT_CURRENCY_CODES;

const FIAT: ReadonlySet<string> = new Set(FIAT_CURRENCY_CODES);
export const isFiat = (asset: string): boolean => FIAT.has(asset);
