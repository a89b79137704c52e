// Alerts render on the server: the anomalies found (filtered by the URL) and the wallets they
// can be filtered by. A filter the API refuses is shown beside the filters, not as an error page.
import type { AnomalyPage, WalletList } from '@finexia/contracts/api.ts';
import { ApiError } from '#lib/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import { DEPENDS } from '#lib/depends.ts';
import { ALERTS_PAGE, alertFiltersFrom } from './filters.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, url, depends }) => {
  depends(DEPENDS.anomalies, DEPENDS.wallets);
  const filters = alertFiltersFrom(url.searchParams);
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== ''));
  const [list, wallets] = await Promise.all([
    locals.api.get<AnomalyPage>('/anomalies', { ...query, limit: ALERTS_PAGE }).then(
      (page) => ({ page, error: null }),
      (err: unknown) => {
        if (!(err instanceof ApiError) || err.status !== 422) throw err;
        return { page: null, error: { message: err.message, fields: err.fields } };
      },
    ),
    fromApi(locals.api.get<WalletList>('/wallets')),
  ]);
  return { filters, list, wallets: wallets.wallets };
}) satisfies PageServerLoad;
