// Types SvelteKit shares between the server hooks, load functions and pages.
import type { SessionUser } from './lib/types.ts';

declare global {
  namespace App {
    interface Locals {
      /** the signed-in user (checked against the API on every request), or null */
      user: SessionUser | null;
      /** a valid access token for the API and the ws gateway, when signed in */
      accessToken: string | null;
      accessTokenExpiresAt: string | null;
    }
    interface Error {
      message: string;
      code?: string;
    }
  }
}

export {};
