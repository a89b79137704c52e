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
