// The signed-in shell (hooks.server.ts has already sent anyone else to sign in): it shows the
// unread count from the first byte.
import type { NotificationList } from '@finexia/contracts/api.ts';
import { DEPENDS } from '#lib/depends.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, depends }) => {
  depends(DEPENDS.notifications);
  // the badge is a nicety: a failure here must not take the page down
  const unread = await locals.api
    .get<NotificationList>('/notifications', { limit: 1 })
    .then((r) => r.unread)
    .catch(() => null);
  return { unread };
};
