// The Alerts list's filters as the URL carries them (so a filtered view can be shared and reloaded).
export const ALERT_FILTERS = ['type', 'status', 'walletId', 'from', 'to', 'transactionId'] as const;
export type AlertFilters = Record<(typeof ALERT_FILTERS)[number], string>;
export const ALERTS_PAGE = 30;

export function alertFiltersFrom(params: URLSearchParams): AlertFilters {
  const filters = Object.fromEntries(ALERT_FILTERS.map((k) => [k, params.get(k) ?? ''])) as AlertFilters;
  // what needs a look comes first: open ones unless the URL asks otherwise
  if (!params.has('status')) filters.status = 'open';
  return filters;
}
