// Work over many items, a bounded number at a time (FerretDB serves one statement per
// connection and degrades under bulk statements: docs/ferretdb.md).

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
