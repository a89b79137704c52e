import { FIAT_CURRENCIES } from '../../../domain/portfolio.ts';

/** Currencies Finexia values with FX rates: the fiat set of the portfolio engine. */
export const CURRENCIES: readonly string[] = [...FIAT_CURRENCIES];

export const isFiat = (asset: string): boolean => FIAT_CURRENCIES.has(asset);
