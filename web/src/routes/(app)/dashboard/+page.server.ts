// The dashboard renders on the server with the live view as it is now, a month of history and
// the wallets; the live feed then moves it in place.
import type { HistoryResponse, WalletList } from '@finexia/contracts/api.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import { fromApi } from '#lib/server/api-load.ts';
import { DEPENDS } from '#lib/depends.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, depends }) => {
  depends(DEPENDS.wallets);
  const [portfolio, history, wallets] = await Promise.all([
    fromApi(locals.api.get<PortfolioView>('/portfolio')),
    fromApi(locals.api.get<HistoryResponse>('/portfolio/history', { range: '1M', points: 200 })),
    fromApi(locals.api.get<WalletList>('/wallets')),
  ]);
  return { portfolio, history, wallets: wallets.wallets };
}) satisfies PageServerLoad;
