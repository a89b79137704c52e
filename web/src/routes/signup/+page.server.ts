import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { openSession } from '#lib/server/forms.ts';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, '/dashboard');
};

export const actions: Actions = {
  default: async ({ request, cookies, url, locals }) => {
    const form = await request.formData();
    return openSession(
      '/auth/register',
      {
        name: String(form.get('name') ?? ''),
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
      },
      { cookies, url, locals },
      '/onboarding',
    );
  },
};
