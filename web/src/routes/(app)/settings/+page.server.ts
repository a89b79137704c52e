// Settings render on the server with the user's active sessions (devices) and webhooks.
import type { SessionList, WebhookList } from '@finexia/contracts/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
  const [sessions, webhooks] = await Promise.all([
    fromApi(locals.api.get<SessionList>('/auth/sessions')),
    fromApi(locals.api.get<WebhookList>('/notifications/webhooks')),
  ]);
  return { sessions: sessions.sessions, webhooks: webhooks.webhooks };
}) satisfies PageServerLoad;
