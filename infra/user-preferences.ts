// A user's preferences (base currency, time zone, alert thresholds and switches), for the services
// that act on them. The users service owns and writes them; every other service reads them here
// and only here (docs/architecture.md, "Data ownership"): a read is cheaper than an action call on
// the paths that need them at volume (a node activating 10,000 portfolios reads them all at once).
import { User, type UserRecord } from './models/user.model.ts';
import { ONE_BY_ONE_UP_TO, forEachDocument } from './db.ts';
import { forEachConcurrently } from './concurrency.ts';

/** The preferences as stored (a field the user never set may be missing). */
export type StoredPreferences = NonNullable<UserRecord['preferences']>;

/** A user's preferences: null when none are stored, undefined when the account does not exist. */
export async function preferencesOf(userId: string): Promise<StoredPreferences | null | undefined> {
  const user = await User.findOne({ publicId: userId })
    .select({ preferences: 1 })
    .lean<Pick<UserRecord, 'preferences'>>();
  return user ? (user.preferences ?? null) : undefined;
}

/** Many users' preferences (null: none stored, or no such account). */
export async function preferencesOfMany(userIds: string[]): Promise<Map<string, StoredPreferences | null>> {
  if (userIds.length > ONE_BY_ONE_UP_TO) {
    const wanted = new Set(userIds);
    return preferencesWhere((userId) => wanted.has(userId));
  }
  const preferences = new Map<string, StoredPreferences | null>();
  await forEachConcurrently(userIds, 16, async (userId) => {
    preferences.set(userId, (await preferencesOf(userId)) ?? null);
  });
  return preferences;
}

/** The preferences (null: none stored) of every user `keep` accepts: one streamed read of all users. */
export async function preferencesWhere(
  keep: (userId: string) => boolean,
): Promise<Map<string, StoredPreferences | null>> {
  const preferences = new Map<string, StoredPreferences | null>();
  await forEachDocument(
    User.find().select({ publicId: 1, preferences: 1 }).lean<Pick<UserRecord, 'publicId' | 'preferences'>>(),
    (u) => {
      if (keep(u.publicId)) preferences.set(u.publicId, u.preferences ?? null);
    },
  );
  return preferences;
}
