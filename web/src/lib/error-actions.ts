// What the person can do about an error, by the contract's error action (ERROR_ACTIONS; `none`
// has no words): one
// table, keyed by the action, for every place that shows one (a form's error, a wallet's failed
// sync, a notification's link). Typed by the action, so a new action does not compile until it
// has its words here.
import type { ErrorAction } from '@finexia/contracts/errors.ts';

export interface ActionWords {
  /** a sentence beside the error: what to do */
  advice: string;
  /** a short label for a link to the accounts page, where the fix is (none: nothing to do there) */
  link?: string;
}

export const ERROR_ACTION_WORDS: Record<Exclude<ErrorAction, 'none'>, ActionWords> = {
  reconnect: {
    advice: 'Reconnect the bank: open “Connect a bank” and sign in again.',
    link: 'Reconnect',
  },
  'check-credentials': {
    advice: 'Check the API key and secret, and that the key may read balances.',
    link: 'Update the API key',
  },
  'retry-later': { advice: 'The provider is busy. It will be tried again shortly.', link: 'Try again later' },
  'contact-support': { advice: 'Contact support if this keeps happening.' },
};

/** The words for an action the server sent (null or one this dashboard does not know: none). */
export function actionWords(action: string | null | undefined): ActionWords | undefined {
  return action && action in ERROR_ACTION_WORDS
    ? ERROR_ACTION_WORDS[action as keyof typeof ERROR_ACTION_WORDS]
    : undefined;
}
