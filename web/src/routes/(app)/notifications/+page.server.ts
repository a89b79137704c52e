// The newest notifications, rendered on the server; new ones arrive live on top.
import type { NotificationList } from '@finexia/contracts/api.ts';
import { fromApi } from '#lib/server/api-load.ts';
import { DEPENDS } from '#lib/depends.ts';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, depends }) => {
  depends(DEPENDS.notifications);
  return { list: await fromApi(locals.api.get<NotificationList>('/notifications', { limit: 20 })) };
}) satisfies PageServerLoad;
