// Work over many items, a bounded number at a time (FerretDB serves one statement per
// connection and degrades under bulk statements: docs/ferretdb.md).
import type { LatencySample } from './latency.ts';

/** Runs `fn` on every item, at most `concurrency` at once; rejects with the first failure. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Lets timers and I/O run (a macrotask turn). Loops over many thousand users call it every few
 * hundred: promises that resolve at once chain as microtasks and would hold the event loop — at
 * 100,000 users a bulk activation held it long enough for the cluster to miss the node's
 * heartbeats and drop it (bench:realtime).
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Users handled between two yieldToLoop turns in bulk work. */
export const YIELD_EVERY = 250;

/**
 * Calls `each` on every item, with a turn of the event loop every YIELD_EVERY items: how work
 * over every live portfolio runs beside the pushes. `holds` records how long each slice held
 * the loop.
 */
export async function forEachInSlices<T>(
  items: Iterable<T>,
  each: (item: T) => void,
  holds?: LatencySample,
): Promise<void> {
  let began = performance.now();
  let inSlice = 0;
  for (const item of items) {
    each(item);
    if (++inSlice < YIELD_EVERY) continue;
    holds?.record(performance.now() - began);
    await yieldToLoop();
    began = performance.now();
    inSlice = 0;
  }
  if (inSlice) holds?.record(performance.now() - began);
}
