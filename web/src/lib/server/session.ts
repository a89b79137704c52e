// The browser session: the refresh token and the short-lived access token live in
// httpOnly cookies, so page scripts never hold the long-lived secret. The server hooks
// check the access token against the API on every request and renew it when it expired.
import type { Cookies } from '@sveltejs/kit';
import { Api, ApiError } from '#lib/api.ts';
import type { SessionResponse, UserView } from '@finexia/contracts/api.ts';

export const REFRESH_COOKIE = 'fx_rt';
export const ACCESS_COOKIE = 'fx_at';
const ACCESS_EXPIRES_COOKIE = 'fx_at_exp';

/**
 * Where this server reaches the API: the very listener that received the request (the api
 * service serves the dashboard on its own port), over the socket it came in on — never back
 * out through a proxy. Under `vite dev` there is no such socket: the page's own origin.
 */
export function apiOrigin(event: { platform?: Readonly<App.Platform>; url: URL }): string {
  const socket = event.platform?.req.socket;
  if (!socket?.localAddress || !socket.localPort) return event.url.origin;
  const address = socket.localAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const host = address.includes(':') ? `[${address}]` : address;
  return `${'encrypted' in socket && socket.encrypted ? 'https' : 'http'}://${host}:${socket.localPort}`;
}

/**
 * The chain of addresses a request came through, as the API should see it: what a proxy in
 * front said (X-Forwarded-For) and the peer this server saw. Without it, every sign-in from the
 * dashboard would come from this server's own address, and one person's failed attempts would
 * lock everyone out (the per-address login limit).
 */
export function forwardedFor(event: { request: Request; getClientAddress(): string }): string {
  let peer = '';
  try {
    peer = event.getClientAddress();
  } catch {
    // no socket under some adapters' prerendering: the proxies' word is all there is
  }
  return [event.request.headers.get('x-forwarded-for'), peer].filter(Boolean).join(', ');
}

/** The API as this server calls it, on behalf of the signed-in user (or of nobody), for the client at `forwarded`. */
export function serverApi(token: string | null, origin: string, forwarded = ''): Api {
  return new Api({
    baseUrl: origin,
    token: () => token,
    ...(forwarded ? { headers: { 'x-forwarded-for': forwarded } } : {}),
  });
}

function cookieOptions(secure: boolean, expires: Date) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, expires };
}

export function storeSession(cookies: Cookies, session: SessionResponse, secure: boolean): void {
  cookies.set(
    REFRESH_COOKIE,
    session.refreshToken,
    cookieOptions(secure, new Date(session.refreshTokenExpiresAt)),
  );
  const accessExpires = new Date(session.accessTokenExpiresAt);
  cookies.set(ACCESS_COOKIE, session.accessToken, cookieOptions(secure, accessExpires));
  cookies.set(ACCESS_EXPIRES_COOKIE, session.accessTokenExpiresAt, cookieOptions(secure, accessExpires));
}

export function clearSession(cookies: Cookies): void {
  for (const name of [REFRESH_COOKIE, ACCESS_COOKIE, ACCESS_EXPIRES_COOKIE])
    cookies.delete(name, { path: '/' });
}

export interface ResolvedSession {
  user: UserView;
  accessToken: string;
  accessTokenExpiresAt: string;
}

/**
 * The signed-in user for this request: the access token when the API accepts it, else a
 * renewal with the refresh token (rotating both cookies). Null when neither works.
 */
export async function resolveSession(
  cookies: Cookies,
  origin: string,
  secure: boolean,
  forwarded = '',
): Promise<ResolvedSession | null> {
  const access = cookies.get(ACCESS_COOKIE);
  if (access) {
    try {
      const user = await serverApi(access, origin, forwarded).get<UserView>('/users/me');
      return { user, accessToken: access, accessTokenExpiresAt: cookies.get(ACCESS_EXPIRES_COOKIE) ?? '' };
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
    }
  }
  return renewSession(cookies, origin, secure, forwarded);
}

/** Trades the refresh cookie for a new session; clears the cookies when the API refuses it. */
export async function renewSession(
  cookies: Cookies,
  origin: string,
  secure: boolean,
  forwarded = '',
): Promise<ResolvedSession | null> {
  const refreshToken = cookies.get(REFRESH_COOKIE);
  if (!refreshToken) return null;
  try {
    const session = await serverApi(null, origin, forwarded).post<SessionResponse>('/auth/refresh', {
      refreshToken,
    });
    storeSession(cookies, session, secure);
    const user = await serverApi(session.accessToken, origin, forwarded).get<UserView>('/users/me');
    return { user, accessToken: session.accessToken, accessTokenExpiresAt: session.accessTokenExpiresAt };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      clearSession(cookies);
      return null;
    }
    throw err;
  }
}
