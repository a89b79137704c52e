// Recommendations render on the server, ranked by the API.
import type { RecommendationList } from '@finexia/contracts/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import { DEPENDS } from '#lib/depends.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, depends }) => {
  depends(DEPENDS.insights);
  return { list: await fromApi(locals.api.get<RecommendationList>('/insights/recommendations')) };
}) satisfies PageServerLoad;
