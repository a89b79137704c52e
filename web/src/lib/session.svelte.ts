// The browser's view of the session: a short-lived access token (renewed through the
// server, which holds the refresh token in an httpOnly cookie) and the API client that uses it.
import { Api } from '#lib/api.ts';
import type { UserView } from '@finexia/contracts/api.ts';

export class Session {
  user = $state<UserView | null>(null);
  #token: string | null = null;
  #expiresAt = 0;
  #renewing: Promise<string | null> | null = null;
  readonly api: Api;

  constructor(user: UserView | null, token: string | null, expiresAt: string | null) {
    this.user = user;
    this.#token = token;
    this.#expiresAt = expiresAt ? Date.parse(expiresAt) : 0;
    this.api = new Api({ token: () => this.token(), renew: () => this.renew() });
  }

  /** A token good for at least 30 more seconds, renewed first when it is not. */
  async token(): Promise<string | null> {
    if (this.#token && this.#expiresAt - Date.now() > 30_000) return this.#token;
    return this.renew();
  }

  /** One renewal at a time, however many requests noticed the expiry. */
  renew(): Promise<string | null> {
    this.#renewing ??= (async () => {
      try {
        const res = await fetch('/session', { headers: { accept: 'application/json' } });
        if (!res.ok) return (this.#token = null);
        const body = (await res.json()) as { accessToken: string; accessTokenExpiresAt: string };
        this.#token = body.accessToken;
        this.#expiresAt = Date.parse(body.accessTokenExpiresAt);
        return this.#token;
      } catch {
        return null;
      } finally {
        this.#renewing = null;
      }
    })();
    return this.#renewing;
  }
}
