// Sign-in and sign-up form actions share this: call the API, keep the session in cookies,
// or hand the form back with the API's words for what was wrong.
import { fail, redirect, type Cookies } from '@sveltejs/kit';
import { ApiError } from '#lib/api.ts';
import type { SessionResponse } from '@finexia/contracts/api.ts';
import { serverApi, storeSession } from '#lib/server/session.ts';

export async function openSession(
  path: '/auth/login' | '/auth/register',
  body: Record<string, string>,
  context: { cookies: Cookies; url: URL; locals: App.Locals },
  next: string,
) {
  try {
    const session = await serverApi(
      null,
      context.locals.apiOrigin,
      context.locals.forwardedFor,
    ).post<SessionResponse>(path, body);
    storeSession(context.cookies, session, context.url.protocol === 'https:');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const { password: _password, ...kept } = body;
    return fail(err.status === 0 ? 503 : err.status, {
      values: kept,
      error: err.message,
      code: err.code,
      fields: Object.fromEntries(err.fields.map((f) => [f.field, f.message])),
    });
  }
  redirect(303, next);
}

/** Only same-site paths are followed after signing in. */
export function safeNext(url: URL, fallback: string): string {
  const next = url.searchParams.get('next');
  if (!next || !next.startsWith('/')) return fallback;
  // resolved as a browser would: "//evil.example" and "/\evil.example" (a backslash reads as a
  // slash) both leave this site; only a path on this origin is followed
  const here = 'https://finexia.invalid';
  let target: URL;
  try {
    target = new URL(next, here);
  } catch {
    return fallback;
  }
  const controlOrBackslash = [...next].some((c) => c === '\\' || c.charCodeAt(0) < 0x20);
  if (target.origin !== here || controlOrBackslash) return fallback;
  return `${target.pathname}${target.search}${target.hash}`;
}
