// New transactions announced to the anomaly detector, with nothing lost to a node that dies
// half way: the writer first records what it owes (an outbox entry, infra/models), then writes
// the rows, then announces on the durable channel and deletes the entry. An entry older than
// `staleAfterMs` belongs to a writer that died between the rows and the announcement: the sweep
// (every transactions node, every half of that) announces it. An announcement made twice costs
// one analysis that reads nothing new (the detector's cursor), never a row counted twice.
import { randomUUID } from 'node:crypto';
import type { ServiceBroker } from 'moleculer';
import { CHANNELS, type TransactionsAddedJob } from '@finexia/contracts/channels.ts';
import { PendingAnnouncement } from '../../infra/models/transaction.model.ts';

export class Announcements {
  constructor(
    private readonly broker: ServiceBroker,
    private readonly staleAfterMs: number,
  ) {}

  /**
   * Runs `write` (which stores a user's rows) between recording what it owes the detector and
   * announcing it; `announce` says from the write's result whether anything new was stored.
   */
  async around<T>(
    userId: string,
    write: () => Promise<T>,
    announce: (result: T) => boolean = () => true,
  ): Promise<T> {
    const owed = randomUUID();
    await PendingAnnouncement.create({ _id: owed, userId, at: new Date() });
    const result = await write();
    if (announce(result)) await this.announce(userId);
    await PendingAnnouncement.deleteOne({ _id: owed });
    return result;
  }

  /** The detector reads what the user's transactions gained (durably: a lost job would be a lost alert). */
  async announce(userId: string): Promise<void> {
    await this.broker.sendToChannel(CHANNELS.transactionsAdded, {
      userId,
      announcedAt: Date.now(),
    } satisfies TransactionsAddedJob);
  }

  /** Announces what writers that died left owed; returns how many entries it settled. */
  async sweep(): Promise<number> {
    const stale = await PendingAnnouncement.find({ at: { $lt: new Date(Date.now() - this.staleAfterMs) } })
      .limit(500)
      .lean<{ _id: string; userId: string }[]>();
    if (!stale.length) return 0;
    for (const userId of new Set(stale.map((e) => e.userId))) await this.announce(userId);
    await PendingAnnouncement.deleteMany({ _id: { $in: stale.map((e) => e._id) } });
    return stale.length;
  }
}
