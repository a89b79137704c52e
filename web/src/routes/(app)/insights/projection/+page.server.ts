// The projection renders on the server with the measured savings and the default assumptions;
// the page re-asks the API as the user changes them.
import type { GoalList, ProjectionView } from '@finexia/contracts/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import { DEPENDS } from '#lib/depends.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, depends }) => {
  depends(DEPENDS.insights);
  const [projection, goals] = await Promise.all([
    fromApi(locals.api.post<ProjectionView>('/insights/projection', { years: 30 })),
    fromApi(locals.api.get<GoalList>('/insights/goals')),
  ]);
  return { projection, goals: goals.goals };
}) satisfies PageServerLoad;
