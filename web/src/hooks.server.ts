// Every page request learns who is signed in (locals) before anything renders; the signed-in
// pages send everyone else to sign in before any of their loads runs.
import { redirect } from '@sveltejs/kit';
import type { Handle } from '@sveltejs/kit/hooks';
import { apiOrigin, forwardedFor, resolveSession, serverApi } from '#lib/server/session.ts';

export const handle: Handle = async ({ event, resolve }) => {
  const secure = event.url.protocol === 'https:';
  const origin = apiOrigin(event);
  const forwarded = forwardedFor(event);
  const session = await resolveSession(event.cookies, origin, secure, forwarded);
  event.locals.user = session?.user ?? null;
  event.locals.accessToken = session?.accessToken ?? null;
  event.locals.apiOrigin = origin;
  event.locals.forwardedFor = forwarded;
  event.locals.api = serverApi(event.locals.accessToken, origin, forwarded);
  event.locals.accessTokenExpiresAt = session?.accessTokenExpiresAt ?? null;
  if (!session && event.route.id?.startsWith('/(app)/'))
    redirect(303, `/signin?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
  const theme = session?.user.preferences.theme ?? 'system';
  return resolve(event, {
    // the theme is in the first byte of HTML, so a dark page never flashes light
    transformPageChunk: ({ html }) => html.replace('data-theme="system"', `data-theme="${theme}"`),
  });
};
