// The transactions page renders on the server: the first page of the list (filtered by the
// URL, so a filtered view can be shared and reloaded), the user's wallets and the categories.
import type { CategoryList, TransactionPage, TransactionQuery, WalletList } from '@finexia/contracts/api.ts';
import { ApiError } from '#lib/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import { DEPENDS } from '#lib/depends.ts';
import { flaggedAmong } from '#lib/anomalies.ts';
import { PAGE_SIZE, filtersFrom } from './filters.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, url, depends }) => {
  depends(DEPENDS.wallets, DEPENDS.transactions, DEPENDS.anomalies);
  const filters = filtersFrom(url.searchParams);
  const query = { ...filters, limit: PAGE_SIZE } as TransactionQuery;
  const [list, wallets, categories] = await Promise.all([
    // a filter the API refuses is shown beside the filters, not as an error page
    locals.api.get<TransactionPage>('/transactions', { ...query }).then(
      (page) => ({ page, error: null }),
      (err: unknown) => {
        if (!(err instanceof ApiError) || err.status !== 422) throw err;
        return { page: null, error: { message: err.message, fields: err.fields } };
      },
    ),
    fromApi(locals.api.get<WalletList>('/wallets')),
    fromApi(locals.api.get<CategoryList>('/transactions/categories')),
  ]);
  // the transactions of this page that an open anomaly is about get a marker
  const flags = await flaggedAmong(locals.api, list.page?.transactions ?? []).catch(() => ({}));
  return { filters, list, flags, wallets: wallets.wallets, categories: categories.categories };
}) satisfies PageServerLoad;
