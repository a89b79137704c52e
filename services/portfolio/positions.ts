// What each account of a user holds, as a portfolio activates: from the user's position pack
// (one small document) when it is current, else from the account and holding rows, which are
// then packed for the next activation. FerretDB v1 decodes every document a query returns, and
// answers most filters by reading the whole collection (docs/ferretdb.md): a node taking over
// 10,000 users read 250,000 holdings (~20 s) where it now reads 10,000 packs.
import { ONE_BY_ONE_UP_TO } from '../../infra/db.ts';
import type { ServiceBroker } from 'moleculer';
import { Account, Holding, type AccountRecord, type HoldingRecord } from '../../infra/models/wallet.model.ts';
import { PositionPack, PositionStamp } from '../../infra/models/position-pack.model.ts';
import { NO_STAMP, positionStampOf } from '../../infra/position-stamps.ts';
import { forEachDocument, insertNew } from '../../infra/db.ts';
import { forEachConcurrently, YIELD_EVERY, yieldToLoop } from '../../infra/concurrency.ts';
import { packPositions, unpackPositions } from '../../domain/position-pack.ts';
import { positionsFrom, type PositionInput } from '../../domain/valuation.ts';

export type Positions = Map<string, PositionInput[]>;
type Logger = ServiceBroker['logger'];

/** Users read at once when they are read one by one (ONE_BY_ONE_UP_TO). */
const AT_ONCE = 16;
/** Stale packs rewritten at once (FerretDB: one update at a time is fastest per update). */
const REWRITES_AT_ONCE = 8;
/** What positionsFrom reads of the rows. */
const ACCOUNT_FIELDS = { userId: 1, publicId: 1, type: 1, currency: 1, current: 1 } as const;
const HOLDING_FIELDS = { userId: 1, accountId: 1, asset: 1, quantity: 1 } as const;
type AccountRow = Pick<AccountRecord, 'userId' | 'publicId' | 'type' | 'currency' | 'current'>;
type HoldingRow = Pick<HoldingRecord, 'userId' | 'accountId' | 'asset' | 'quantity'>;

interface Packable {
  userId: string;
  /** the stamp read before the rows */
  stamp: string;
  positions: Positions;
  /** a pack exists (stale): replaced, not inserted */
  replaces: boolean;
}

/**
 * One user's positions. `fromRows`: the caller knows the rows changed (a wallet event), so the
 * pack is not even looked at.
 */
export async function positionsOf(userId: string, logger: Logger, fromRows = false): Promise<Positions> {
  const [stamp, pack] = await Promise.all([
    positionStampOf(userId),
    fromRows ? null : PositionPack.findById(userId).lean<{ stamp: string; positions: string }>(),
  ]);
  const packed = pack && pack.stamp === stamp ? unpackPositions(pack.positions) : undefined;
  if (packed) return packed;
  // the stamp was read before the rows: a write after it leaves a newer stamp, and this pack stale
  const { accounts, holdings } = await rowsOfUser(userId);
  const positions = positionsFrom(accounts, holdings);
  await savePacks([{ userId, stamp, positions, replaces: pack !== null || fromRows }], logger);
  return positions;
}

/** Many users' positions at once: packs and stamps read in one pass, rows only for the users without a current pack. */
export async function positionsInBulk(
  userIds: readonly string[],
  logger: Logger,
): Promise<Map<string, Positions>> {
  const result = new Map<string, Positions>();
  if (userIds.length <= ONE_BY_ONE_UP_TO) {
    await forEachConcurrently(userIds, AT_ONCE, async (userId) => {
      result.set(userId, await positionsOf(userId, logger));
    });
    return result;
  }
  const wanted = new Set(userIds);
  const stamps = new Map<string, string>();
  const packs = new Map<string, { stamp: string; positions: string }>();
  await Promise.all([
    forEachDocument(PositionStamp.find().select({ stamp: 1 }).lean<{ _id: string; stamp: string }>(), (s) => {
      if (wanted.has(s._id)) stamps.set(s._id, s.stamp);
    }),
    forEachDocument(
      PositionPack.find()
        .select({ stamp: 1, positions: 1 })
        .lean<{ _id: string; stamp: string; positions: string }>(),
      (p) => {
        if (wanted.has(p._id)) packs.set(p._id, p);
      },
    ),
  ]);
  const unpacked: string[] = [];
  let done = 0;
  for (const userId of wanted) {
    if (++done % YIELD_EVERY === 0) await yieldToLoop();
    const pack = packs.get(userId);
    const positions =
      pack && pack.stamp === (stamps.get(userId) ?? NO_STAMP) ? unpackPositions(pack.positions) : undefined;
    if (positions) result.set(userId, positions);
    else unpacked.push(userId);
  }
  if (!unpacked.length) return result;
  // the rows of the rest, read after their stamps (above)
  const rows = await rowsOf(unpacked);
  const packable: Packable[] = [];
  for (const userId of unpacked) {
    if (++done % YIELD_EVERY === 0) await yieldToLoop();
    const { accounts, holdings } = rows.get(userId) ?? { accounts: [], holdings: [] };
    const positions = positionsFrom(accounts, holdings);
    result.set(userId, positions);
    packable.push({ userId, stamp: stamps.get(userId) ?? NO_STAMP, positions, replaces: packs.has(userId) });
  }
  await savePacks(packable, logger);
  return result;
}

/** One user's account and holding rows, as positionsFrom reads them. */
async function rowsOfUser(userId: string): Promise<{ accounts: AccountRow[]; holdings: HoldingRow[] }> {
  const [accounts, holdings] = await Promise.all([
    Account.find({ userId }).select(ACCOUNT_FIELDS).lean<AccountRow[]>(),
    Holding.find({ userId }).select(HOLDING_FIELDS).lean<HoldingRow[]>(),
  ]);
  return { accounts, holdings };
}

async function rowsOf(
  userIds: string[],
): Promise<Map<string, { accounts: AccountRow[]; holdings: HoldingRow[] }>> {
  const rows = new Map(
    userIds.map((id) => [id, { accounts: [] as AccountRow[], holdings: [] as HoldingRow[] }]),
  );
  if (userIds.length <= ONE_BY_ONE_UP_TO) {
    await forEachConcurrently(userIds, AT_ONCE, async (userId) => {
      rows.set(userId, await rowsOfUser(userId));
    });
    return rows;
  }
  await Promise.all([
    forEachDocument(Account.find().select(ACCOUNT_FIELDS).lean<AccountRow>(), (a) => {
      rows.get(a.userId)?.accounts.push(a);
    }),
    forEachDocument(Holding.find().select(HOLDING_FIELDS).lean<HoldingRow>(), (h) => {
      rows.get(h.userId)?.holdings.push(h);
    }),
  ]);
  return rows;
}

/**
 * Stores the packs just built. A failure costs the next activation a read of the rows, nothing
 * else, so it is logged and not thrown. Two nodes packing one user (a rebalance) each write a
 * whole, consistent document; the stamp decides whether the survivor is used.
 */
async function savePacks(packable: readonly Packable[], logger: Logger): Promise<void> {
  const doc = (p: Packable) => ({ _id: p.userId, stamp: p.stamp, positions: packPositions(p.positions) });
  try {
    const fresh = packable.filter((p) => !p.replaces);
    const duplicates: ReturnType<typeof doc>[] = [];
    // packed a batch at a time: packing 100,000 at once held the event loop for seconds
    for (let start = 0; start < fresh.length; start += YIELD_EVERY) {
      const batch = await insertNew(PositionPack, fresh.slice(start, start + YIELD_EVERY).map(doc));
      duplicates.push(...batch.duplicates);
    }
    const rewrite = [...packable.filter((p) => p.replaces).map(doc), ...duplicates];
    await forEachConcurrently(rewrite, REWRITES_AT_ONCE, ({ _id, ...rest }) =>
      PositionPack.replaceOne({ _id }, rest, { upsert: true }),
    );
  } catch (err) {
    logger.warn({ users: packable.length, err: (err as Error).message }, 'position packs not saved');
  }
}
