// The accounts page renders on the server with the user's wallets (the bank institutions are
// asked only when the bank panel opens).
import type { WalletList } from '@finexia/contracts/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import { DEPENDS } from '#lib/depends.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, depends }) => {
  depends(DEPENDS.wallets);
  return { wallets: (await fromApi(locals.api.get<WalletList>('/wallets'))).wallets };
}) satisfies PageServerLoad;
