// Calling the actions of contracts/internal.ts, typed by their params and answers: a misspelt
// name or a wrong field does not compile (as emitEvent does for events).
import type { CallingOptions } from 'moleculer';
import type { ActionName, ActionParams, ActionResult } from '@finexia/contracts/internal.ts';

/** A broker or a context: both call (a context also carries the caller and the request's id along). */
interface Caller {
  call(name: string, params?: unknown, opts?: CallingOptions): Promise<unknown>;
}

export function callAction<K extends ActionName>(
  via: Caller,
  name: K,
  params: ActionParams<K>,
  opts?: CallingOptions,
): Promise<ActionResult<K>> {
  return via.call(name, params, opts) as Promise<ActionResult<K>>;
}
