// The signed-in shell shares one session (API client) and one live feed with every page.
import { getContext, setContext } from 'svelte';
import type { Session } from '#lib/session.svelte.ts';
import type { LiveFeed } from '#lib/live.svelte.ts';
import type { Locale } from '#lib/format.ts';

const KEY = Symbol('finexia');

export interface AppContext {
  session: Session;
  live: LiveFeed;
  /** the user's locale, base currency and time zone (live: follows settings changes) */
  locale(): Locale;
}

export const setApp = (ctx: AppContext) => setContext(KEY, ctx);
export const app = () => getContext<AppContext>(KEY);
