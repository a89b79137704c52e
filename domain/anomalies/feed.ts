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

/**
 * How far behind the newest learnt id a late arrival may be stored and still be read: far more
 * than nodes' clocks differ (NTP) or an insert takes, small enough that a run does not read much
 * of a burst again.
 */
export const LATE_WINDOW_SECONDS = 2 * 60;

/**
 * Learnt ids as runs: an id, and how many ids follow it by one (its last three bytes count up,
 * with the same time and process bytes). A node's insert of many rows makes consecutive ids, so
 * a first sync's 4,400 rows are a few runs instead of 4,400 ids in the state.
 */
export type IdRun = [first: string, count: number];

export interface FeedCursor {
  /** the greatest id learnt (24 hex digits), null before the first */
  last: string | null;
  /** ids learnt whose time is within LATE_WINDOW_SECONDS of `last` */
  recent: IdRun[];
}

export const emptyFeed = (): FeedCursor => ({ last: null, recent: [] });

const OBJECT_ID = /^[0-9a-f]{24}$/;
/** time (4 bytes) and process (5 bytes): what ids of one run share */
const PREFIX = 18;

/** Seconds since the epoch that an ObjectId carries in its first four bytes. */
export function idSeconds(id: string): number {
  if (!OBJECT_ID.test(id)) throw new Error(`not an ObjectId: ${id}`);
  return parseInt(id.slice(0, 8), 16);
}

/** The smallest ObjectId of a second: every id made at or after it sorts at or after this. */
export function firstIdOf(seconds: number): string {
  return Math.max(0, Math.floor(seconds)).toString(16).padStart(8, '0') + '0'.repeat(16);
}

const counterOf = (id: string) => parseInt(id.slice(PREFIX), 16);

/** Ids as runs of consecutive ids (sorted). */
export function toRuns(ids: Iterable<string>): IdRun[] {
  const runs: IdRun[] = [];
  for (const id of [...new Set(ids)].sort()) {
    const run = runs.at(-1);
    if (
      run &&
      run[0].slice(0, PREFIX) === id.slice(0, PREFIX) &&
      counterOf(run[0]) + run[1] === counterOf(id)
    )
      run[1] += 1;
    else runs.push([id, 1]);
  }
  return runs;
}

/** Every id of the runs. */
export function fromRuns(runs: readonly IdRun[]): string[] {
  return runs.flatMap(([first, count]) => {
    const prefix = first.slice(0, PREFIX);
    const start = counterOf(first);
    return Array.from({ length: count }, (_, i) => prefix + (start + i).toString(16).padStart(6, '0'));
  });
}

/** Where the next read starts (inclusive): null means from the beginning. */
export function readFrom(feed: FeedCursor): string | null {
  return feed.last === null ? null : firstIdOf(idSeconds(feed.last) - LATE_WINDOW_SECONDS);
}

/** Of what a read returned, the ids not learnt yet (in the order given). */
export function unseen<T extends { seq: string }>(feed: FeedCursor, read: readonly T[]): T[] {
  const recent = new Set(fromRuns(feed.recent));
  return read.filter((t) => !recent.has(t.seq));
}

/** The cursor once `learnt` ids are learnt too. */
export function advance(feed: FeedCursor, learnt: readonly string[]): FeedCursor {
  let last = feed.last;
  for (const id of learnt) if (last === null || id > last) last = id;
  if (last === null) return emptyFeed();
  const from = firstIdOf(idSeconds(last) - LATE_WINDOW_SECONDS);
  const recent = toRuns([...fromRuns(feed.recent), ...learnt].filter((id) => id >= from));
  return { last, recent };
}
