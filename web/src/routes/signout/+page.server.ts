// Sign out of this device, or of every device (all refresh tokens of the user end).
import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { clearSession } from '#lib/server/session.ts';

export const load: PageServerLoad = () => redirect(303, '/settings');

async function signOut(all: boolean, { locals, cookies }: Parameters<Actions[string]>[0]) {
  if (locals.accessToken)
    await locals.api.post(all ? '/auth/logout-all' : '/auth/logout').catch(() => undefined); // the cookies go either way
  clearSession(cookies);
  redirect(303, '/signin?signedOut=1');
}

export const actions: Actions = {
  device: (event) => signOut(false, event),
  all: (event) => signOut(true, event),
  /** the account was just deleted: nothing to sign out of at the API, the cookies go */
  deleted: ({ cookies }) => {
    clearSession(cookies);
    redirect(303, '/signin?deleted=1');
  },
};
