// The health score renders on the server: the score with each indicator, its monthly history
// and the questionnaire with the user's answers.
import type { HealthScoreView, QuestionnaireView, ScoreHistoryView } from '@finexia/contracts/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import { DEPENDS } from '#lib/depends.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, depends }) => {
  depends(DEPENDS.insights);
  const [score, history, questionnaire] = await Promise.all([
    fromApi(locals.api.get<HealthScoreView>('/insights/score')),
    fromApi(locals.api.get<ScoreHistoryView>('/insights/score/history', { months: 12 })),
    fromApi(locals.api.get<QuestionnaireView>('/insights/questionnaire')),
  ]);
  return { score, history, questionnaire };
}) satisfies PageServerLoad;
