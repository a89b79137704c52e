// Types SvelteKit shares between the server hooks, load functions and pages.
import type { UserView } from '@finexia/contracts/api.ts';
import type { Api } from '#lib/api.ts';

declare global {
  namespace App {
    interface Locals {
      /** the signed-in user (checked against the API on every request), or null */
      user: UserView | null;
      /** a valid access token for the API and the ws gateway, when signed in */
      accessToken: string | null;
      accessTokenExpiresAt: string | null;
      /** the API as this request's server reaches it, as the signed-in user (or anonymously) */
      api: Api;
      /** where that API is (the listener that received this request) */
      apiOrigin: string;
      /** the addresses this request came through, forwarded to the API (X-Forwarded-For) */
      forwardedFor: string;
    }
    interface Error {
      message: string;
      code?: string;
    }
  }
}

export {};
