import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

// Every page in this group needs a signed-in user.
export const load: LayoutServerLoad = ({ locals, url }) => {
  if (!locals.user) redirect(303, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
};
