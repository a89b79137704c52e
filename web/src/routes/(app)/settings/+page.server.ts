// Settings render on the server with the user's active sessions (devices).
import type { SessionList } from '@finexia/contracts/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals }) => ({
  sessions: (await fromApi(locals.api.get<SessionList>('/auth/sessions'))).sessions,
})) satisfies PageServerLoad;
