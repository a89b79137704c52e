// A fresh access token for the page's scripts (the refresh token stays in its httpOnly cookie).
import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { renewSession } from '#lib/server/session.ts';

export const GET: RequestHandler = async ({ cookies, url, locals }) => {
  const expiresAt = locals.accessTokenExpiresAt ? Date.parse(locals.accessTokenExpiresAt) : 0;
  if (locals.accessToken && expiresAt - Date.now() > 60_000)
    return json({ accessToken: locals.accessToken, accessTokenExpiresAt: locals.accessTokenExpiresAt });
  const session = await renewSession(
    cookies,
    locals.apiOrigin,
    url.protocol === 'https:',
    locals.forwardedFor,
  );
  if (!session) return json({ error: { code: 'SIGNED_OUT', message: 'Sign in again.' } }, { status: 401 });
  return json(
    { accessToken: session.accessToken, accessTokenExpiresAt: session.accessTokenExpiresAt },
    { headers: { 'cache-control': 'no-store' } },
  );
};
