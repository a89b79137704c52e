/** Currencies Finexia values with FX rates (the fiat set of domain/portfolio.ts). */
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'PLN'] as const;

export const isFiat = (asset: string): boolean => (CURRENCIES as readonly string[]).includes(asset);
