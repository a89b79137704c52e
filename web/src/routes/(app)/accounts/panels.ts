// What each "add" panel of the Accounts page receives: the error of its last submission (its
// fields shown beside their inputs), whether one is under way, and how to submit and close.
import type { ApiError } from '#lib/api.ts';

export interface AddPanelProps {
  error: ApiError | null;
  busy: boolean;
  /** POSTs `body` to `path`; on success says `done` and calls `reset` (what the form clears) */
  onsubmit: (path: string, body: object, done: string, reset: () => void) => void;
  oncancel: () => void;
}
