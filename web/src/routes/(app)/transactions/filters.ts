// The list's filters as the URL carries them (so a filtered view can be shared and reloaded).
export const FILTERS = ['q', 'walletId', 'category', 'from', 'to'] as const;
export type Filters = Record<(typeof FILTERS)[number], string>;
export const PAGE_SIZE = 50;

export function filtersFrom(params: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filters;
}
