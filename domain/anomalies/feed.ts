// Where the detector is in a user's stream of stored transactions, kept in the detector's own
// state so that the transactions are never written to say "learnt" (on FerretDB v1 such a write
// races with a user's edit or a sync's update of the same row and one of the two is lost:
// docs/ferretdb.md).
//
// Transactions are ordered by their MongoDB ObjectId, which the storing node makes from its clock
// (seconds) and a counter. Ids from two nodes, or from an insert that took a while, can arrive out
// of order, but not by more than a few seconds on a cluster whose clocks are kept (NTP). So the
// cursor reads again from LATE_WINDOW before the newest id it has learnt, and remembers the ids it
// learnt inside that window: a late arrival is learnt once, anything older than the window has
// been read before.

/** How far behind the newest learnt id a late arrival may be stored and still be read. */
export const LATE_WINDOW_SECONDS = 10 * 60;

export interface FeedCursor {
  /** the greatest id learnt (24 hex digits), null before the first */
  last: string | null;
  /** ids learnt whose time is within LATE_WINDOW_SECONDS of `last` */
  recent: string[];
}

export const emptyFeed = (): FeedCursor => ({ last: null, recent: [] });

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** Seconds since the epoch that an ObjectId carries in its first four bytes. */
export function idSeconds(id: string): number {
  if (!OBJECT_ID.test(id)) throw new Error(`not an ObjectId: ${id}`);
  return parseInt(id.slice(0, 8), 16);
}

/** The smallest ObjectId of a second: every id made at or after it sorts at or after this. */
export function firstIdOf(seconds: number): string {
  return Math.max(0, Math.floor(seconds)).toString(16).padStart(8, '0') + '0'.repeat(16);
}

/** Where the next read starts (inclusive): null means from the beginning. */
export function readFrom(feed: FeedCursor): string | null {
  return feed.last === null ? null : firstIdOf(idSeconds(feed.last) - LATE_WINDOW_SECONDS);
}

/** Of what a read returned, the ids not learnt yet (in the order given). */
export function unseen<T extends { seq: string }>(feed: FeedCursor, read: readonly T[]): T[] {
  const recent = new Set(feed.recent);
  return read.filter((t) => !recent.has(t.seq));
}

/** The cursor once `learnt` ids are learnt too. */
export function advance(feed: FeedCursor, learnt: readonly string[]): FeedCursor {
  let last = feed.last;
  for (const id of learnt) if (last === null || id > last) last = id;
  if (last === null) return emptyFeed();
  const from = firstIdOf(idSeconds(last) - LATE_WINDOW_SECONDS);
  const recent = [...new Set([...feed.recent, ...learnt])].filter((id) => id >= from).sort();
  return { last, recent };
}
