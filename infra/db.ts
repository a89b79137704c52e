// What Finexia does with MongoDB beyond mongoose's models: literal regex text, duplicate
// keys, "only once" claims and idempotent bulk inserts (see docs/ferretdb.md for why).
import mongoose from 'mongoose';

/** User text made safe to use inside a MongoDB `$regex` (matched literally). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True for MongoDB's duplicate-key error (a unique index said no). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * Claims `scope:key` exactly once across every node: true for the single winner.
 *
 * FerretDB v1 does not make a conditional update atomic: measured here, 8 concurrent
 * `findOneAndUpdate({_id, v: 0}, {$set: {v: 1}})` had several winners in 18–20 rounds of 20
 * (SQLite and PostgreSQL backends alike), while 8 concurrent inserts of one `_id` never did.
 * So every "only once" decision in Finexia is an insert on a unique key, never a
 * compare-and-set update.
 */
export async function claimOnce(scope: string, key: string): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('claimOnce needs an open MongoDB connection');
  try {
    await db
      .collection<{ _id: string; at: Date }>('claims')
      .insertOne({ _id: `${scope}:${key}`, at: new Date() });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** True when `scope:key` has been claimed (see claimOnce). */
export async function isClaimed(scope: string, key: string): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('isClaimed needs an open MongoDB connection');
  return (
    (await db
      .collection<{ _id: string }>('claims')
      .countDocuments({ _id: `${scope}:${key}` }, { limit: 1 })) > 0
  );
}

interface InsertableModel {
  insertMany(docs: object[], options: { ordered: false; lean: true }): Promise<unknown>;
}

/**
 * Inserts documents whose unique keys make them idempotent (transactions, history points,
 * candles), 500 at a time. A document another node or an earlier try stored first is
 * skipped and returned; any other error is thrown.
 */
export async function insertNew<T extends object>(
  model: InsertableModel,
  docs: T[],
): Promise<{ duplicates: T[] }> {
  const duplicates: T[] = [];
  for (let start = 0; start < docs.length; start += 500) {
    const batch = docs.slice(start, start + 500);
    try {
      await model.insertMany(batch, { ordered: false, lean: true });
    } catch (err) {
      const writeErrors = (
        err as { writeErrors?: { code?: number; index?: number; err?: { index?: number; code?: number } }[] }
      ).writeErrors;
      if (!Array.isArray(writeErrors) || !writeErrors.length) throw err;
      for (const e of writeErrors) {
        // the driver keeps the server's error under `err`; recent ones copy it up
        const code = e.code ?? e.err?.code;
        const index = e.index ?? e.err?.index;
        if (code !== 11000 || index === undefined) throw err;
        duplicates.push(batch[index] as T);
      }
    }
  }
  return { duplicates };
}

/** Documents per batch when a whole collection is read. */
const SCAN_BATCH = 5_000;

/**
 * Hands every document a query returns to `each`, streamed in batches: how a whole collection is
 * read (FerretDB v1 decodes every document of most filters anyway: docs/ferretdb.md).
 */
export async function forEachDocument<T>(
  query: { cursor(options: { batchSize: number }): AsyncIterable<T> },
  each: (doc: T) => void,
): Promise<void> {
  for await (const doc of query.cursor({ batchSize: SCAN_BATCH })) each(doc);
}

/**
 * How long a read of a user's whole history may take (the anomaly detector's pages, the cash flow
 * the history and the insights read): FerretDB v1 decodes every row of the user for each such query
 * (docs/ferretdb.md), ~3 s per 100,000 rows when idle. Callers wait this long; the query itself
 * gives up a little sooner (`HISTORY_QUERY_MS`, MongoDB's maxTimeMS), so a caller that stopped
 * waiting leaves no query behind that a retry would run beside.
 */
export const HISTORY_READ_MS = 120_000;
export const HISTORY_QUERY_MS = HISTORY_READ_MS - 5_000;

/**
 * Up to this many users, queries by each user's id (16 at a time); beyond, one streamed read of
 * the collection, filtered here. FerretDB v1 answers an equality by scanning in PostgreSQL and
 * answers `$in` by decoding every document (docs/ferretdb.md). Measured on 10,000 users: 200
 * packs by id 16 at a time 0.98 s, one read of all 10,000 packs 0.89 s (users: 0.94 vs 0.68 s).
 */
export const ONE_BY_ONE_UP_TO = 128;
