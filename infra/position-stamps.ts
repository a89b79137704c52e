// Every write of a user's account balances or holdings ends with a new position stamp, so a
// packed copy of the positions (services/portfolio/positions.ts) can tell whether it is still
// current: a pack is used only while the stamp it was built after is the latest one.
//
// Why this is safe on FerretDB v1, whose updates are not atomic (docs/ferretdb.md): a writer
// stamps after its rows are written, a reader reads the stamp before the rows it packs, and each
// stamp is new (random). Two stamps written at once leave one of them; either differs from what
// any pack built before them holds, so no pack older than a write can look current after it.
import { randomUUID } from 'node:crypto';
import { PositionStamp } from './models/position-pack.model.ts';

/** The stamp of a user whose rows were never written by a stamping writer (data from before stamps). */
export const NO_STAMP = 'none';

/** Call after writing any of the user's account or holding rows (and before announcing it). */
export async function markPositionsChanged(userId: string): Promise<void> {
  await PositionStamp.replaceOne({ _id: userId }, { stamp: randomUUID() }, { upsert: true });
}

/** The user's latest stamp. */
export async function positionStampOf(userId: string): Promise<string> {
  const doc = await PositionStamp.findById(userId).select({ stamp: 1 }).lean<{ stamp: string }>();
  return doc?.stamp ?? NO_STAMP;
}
