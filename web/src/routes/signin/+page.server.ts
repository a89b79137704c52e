import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { openSession, safeNext } from '#lib/server/forms.ts';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, safeNext(url, '/dashboard'));
};

export const actions: Actions = {
  default: async ({ request, cookies, url, locals }) => {
    const form = await request.formData();
    return openSession(
      '/auth/login',
      { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') },
      { cookies, url, locals },
      safeNext(url, '/dashboard'),
    );
  },
};
