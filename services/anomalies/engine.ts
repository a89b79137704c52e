// One user's anomaly detection, run inside the user's actor (one batch at a time, in order):
// read the transactions stored since the detector's cursor, feed the new ones to it in date
// order, store what it found (one anomaly per key), save the state and the cursor in one write,
// and hand the new anomalies to the notifications service through a durable channel.
//
// Why nothing is lost or counted twice: the cursor lives in the detector's state (never as a
// mark on the transactions, which would race with other writers of those rows on FerretDB), so
// a crash before the save repeats the batch from the old state and old cursor (the anomalies it
// finds again have the same keys), and a crash after it reads nothing twice. Rows stored out of
// order by a few seconds (another node, a slow insert) are read again and skipped by id
// (domain/anomalies/feed.ts). New anomalies are `pending` until published, and every run
// publishes what is pending.
import { preferencesOf } from '../../infra/user-preferences.ts';
import type { ServiceBroker } from 'moleculer';
import { randomUUID } from 'node:crypto';
import type { Severity } from '@finexia/contracts/api.ts';
import { CHANNELS, type AlertItem, type AlertJob } from '@finexia/contracts/channels.ts';
import type { PortfolioMoved } from '@finexia/contracts/events.ts';
import {
  Anomaly,
  DetectorStateModel,
  type AnomalyRecord,
  type DetectorStateRecord,
} from '../../infra/models/anomaly.model.ts';
import { Account, Wallet, type AccountRecord } from '../../infra/models/wallet.model.ts';
import {
  analyzeTransaction,
  applyFeedback,
  checkMissingIncome,
  closeDay,
  createDetectorState,
  type DetectorState,
  type Finding,
} from '../../domain/anomalies/detector.ts';
import {
  lowBalanceFindings,
  marketMoveFindings,
  netWorthDropFinding,
  type BalanceState,
} from '../../domain/anomalies/live.ts';
import { advance, emptyFeed, readFrom, unseen, type FeedCursor } from '../../domain/anomalies/feed.ts';
import { addDays, localDate } from '../../domain/dates.ts';
import { amountE4 } from '../../domain/transactions.ts';
import { HISTORY_READ_MS, insertNew } from '../../infra/db.ts';
import { callJsonLines } from '../../infra/streams.ts';

/** Anomalies older than this when found are history (listed, never notified). */
const RECENT_DAYS = 30;

interface UserSettings {
  timeZone: string;
  largeE4: number;
  lowBalance: string;
  marketMovePercent: number;
}

interface Loaded {
  detector: DetectorState;
  balances: BalanceState;
  /** where the detector is in the user's stored transactions */
  feed: FeedCursor;
}

export interface AnalysisResult {
  read: number;
  found: number;
  alerted: number;
}

type Logger = ServiceBroker['logger'];

export class AnomalyEngine {
  constructor(
    private readonly broker: ServiceBroker,
    private readonly logger: Logger,
  ) {}

  /** A deleted account: everything the detector kept of it. */
  async erase(userId: string): Promise<{ deleted: number }> {
    const [anomalies, state] = await Promise.all([
      Anomaly.deleteMany({ userId }),
      DetectorStateModel.deleteMany({ _id: userId }),
    ]);
    return { deleted: anomalies.deletedCount + state.deletedCount };
  }

  /** Reads what the user's transactions gained since the last run, and what that shows. */
  async analyze(userId: string): Promise<AnalysisResult> {
    const settings = await this.settingsOf(userId);
    // a job for an account deleted since: dropped, nothing of it written again
    if (!settings) return { read: 0, found: 0, alerted: 0 };
    const loaded = await this.load(userId);
    const from = readFrom(loaded.feed);
    const read = await callJsonLines(
      this.broker,
      'transactions.storedSince',
      { userId, ...(from ? { from } : {}) },
      HISTORY_READ_MS,
    );
    const batch = unseen(loaded.feed, read);
    // posted transactions only: a pending one is judged once it posts (it comes back as a new row)
    const fresh = batch.filter((t) => !t.pending);
    // everything new is learnt in date order (a first sync's pages, an import's rows)
    fresh.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.seq < b.seq ? -1 : 1));
    const findings: Finding[] = [];
    for (const t of fresh) findings.push(...analyzeTransaction(loaded.detector, t, settings));
    const today = localDate(Date.now(), settings.timeZone);
    // a past day is whole: judged as a day (a spree), its held single findings released; today's
    // waits, more of it may come (a sweep every 6 hours, or the next analysis, closes it once over)
    if (loaded.detector.day && loaded.detector.day.date < today) findings.push(...closeDay(loaded.detector));
    // (the accounts' last syncs are read only for someone with regular income to check)
    if (Object.keys(loaded.detector.income).length)
      findings.push(
        ...checkMissingIncome(loaded.detector, today, undefined, {
          syncedUntil: await this.syncedUntil(userId),
        }),
      );
    const found = await this.store(userId, findings, today);
    loaded.feed = advance(
      loaded.feed,
      batch.map((t) => t.seq),
    );
    await this.save(userId, loaded);
    const alerted = await this.publishPending(userId);
    if (fresh.length || found)
      this.logger.debug({ userId, read: fresh.length, found, alerted }, 'anomaly detection ran');
    return { read: fresh.length, found, alerted };
  }

  /**
   * Users whose detector holds a day open that is over in every time zone (a day's last charges
   * came and nothing after them): an analysis closes it and releases what it held.
   */
  async usersWithDayOver(limit = 500): Promise<string[]> {
    const over = addDays(new Date().toISOString().slice(0, 10), -1);
    const docs = await DetectorStateModel.find({ openDay: { $ne: null, $lt: over } })
      .select({ _id: 1 })
      .limit(limit)
      .lean<{ _id: string }[]>();
    return docs.map((d) => d._id);
  }

  /** Account balances below the user's floor (after a sync or a manual balance change). */
  async checkBalances(userId: string): Promise<number> {
    const settings = await this.settingsOf(userId);
    if (!settings) return 0;
    const loaded = await this.load(userId);
    const accounts = await Account.find({ userId }).lean<AccountRecord[]>();
    const today = localDate(Date.now(), settings.timeZone);
    const findings = lowBalanceFindings(
      loaded.balances,
      accounts
        .filter((a) => a.current !== null && a.current !== undefined)
        .map((a) => ({
          accountId: a.publicId,
          walletId: a.walletId,
          name: a.name,
          type: a.type,
          currency: a.currency,
          current: a.current as string,
        })),
      settings.lowBalance,
      today,
    );
    const found = await this.store(userId, findings, today);
    await this.save(userId, loaded);
    await this.publishPending(userId);
    return found;
  }

  /** What a live portfolio reported: a day's drop beyond the threshold, positions that moved. */
  async checkPortfolio(moved: PortfolioMoved): Promise<number> {
    const settings = await this.settingsOf(moved.userId);
    if (!settings) return 0;
    const findings: Finding[] = [];
    if (moved.dropped) {
      const drop = netWorthDropFinding(moved, await this.dropThreshold(moved.userId));
      if (drop) findings.push(drop);
    }
    findings.push(
      ...marketMoveFindings(
        moved.moves,
        settings.marketMovePercent,
        moved.date,
        Math.floor(Date.now() / 3_600_000),
      ),
    );
    const found = await this.store(moved.userId, findings, moved.date);
    await this.publishPending(moved.userId);
    return found;
  }

  /** The user's verdict on an anomaly: stored, and applied to what the detector flags next. */
  async feedback(userId: string, anomalyId: string, verdict: 'expected' | 'dismissed'): Promise<void> {
    const anomaly = await Anomaly.findOneAndUpdate(
      { userId, publicId: anomalyId },
      { $set: { status: verdict } },
      { returnDocument: 'after' },
    ).lean<AnomalyRecord>();
    if (!anomaly) return;
    const loaded = await this.load(userId);
    applyFeedback(loaded.detector, anomaly, verdict);
    await this.save(userId, loaded);
  }

  /**
   * A wallet was deleted with its transactions: its anomalies go, and the detector learns the
   * user's remaining transactions again from the start (its statistics held the deleted ones),
   * keeping the user's verdicts. Findings it makes again keep their id, status and alert state.
   */
  async forgetWallet(userId: string, walletId: string): Promise<AnalysisResult> {
    await Anomaly.deleteMany({ userId, walletIds: walletId });
    const fresh: Loaded = { detector: createDetectorState(), balances: { lowSince: {} }, feed: emptyFeed() };
    const verdicts = await Anomaly.find({ userId, status: { $ne: 'open' } }).lean<AnomalyRecord[]>();
    for (const a of verdicts) if (a.status !== 'open') applyFeedback(fresh.detector, a, a.status);
    await this.save(userId, fresh);
    return this.analyze(userId);
  }

  /** Anomalies found but not yet handed to the notifications service (a crash between the two). */
  async publishPending(userId: string): Promise<number> {
    const pending = await Anomaly.find({ userId, alert: 'pending' })
      .sort({ createdAt: 1 })
      .limit(500)
      .lean<AnomalyRecord[]>();
    if (!pending.length) return 0;
    const job: AlertJob = { userId, foundAt: Date.now(), anomalies: pending.map(alertItem) };
    await this.broker.sendToChannel(CHANNELS.alertsDeliver, job);
    await Anomaly.updateMany(
      { userId, publicId: { $in: pending.map((a) => a.publicId) } },
      { $set: { alert: 'sent' } },
    );
    return pending.length;
  }

  /**
   * Stores findings (one anomaly per key); returns how many were new. One read finds which keys
   * exist, the new ones go in one bulk insert and only the known ones are updated: on FerretDB every
   * filtered write scans the whole collection (docs/ferretdb.md), so one upsert per finding made a
   * first analysis quadratic in its findings. Only this user's actor writes its anomalies, and the
   * unique `{userId, key}` index turns a repeated insert (a retry after a crash) into an update.
   */
  private async store(userId: string, findings: Finding[], today: string): Promise<number> {
    const recentFrom = addDays(today, -RECENT_DAYS);
    const byKey = new Map<string, Finding>();
    // a burst found again as it grows: its last finding has every charge
    for (const f of findings) byKey.set(f.key, f);
    if (!byKey.size) return 0;
    const known = new Set(
      (
        await Anomaly.find({ userId, key: { $in: [...byKey.keys()] } })
          .select({ key: 1 })
          .lean<Pick<AnomalyRecord, 'key'>[]>()
      ).map((a) => a.key),
    );
    const now = new Date();
    const fresh = [...byKey.values()]
      .filter((f) => !known.has(f.key))
      .map((f) => {
        const historical = f.date < recentFrom;
        return {
          publicId: randomUUID(),
          userId,
          key: f.key,
          type: f.type,
          severity: f.severity,
          status: 'open',
          date: f.date,
          historical,
          reason: f.reason,
          evidence: f.evidence,
          transactionIds: f.transactionIds,
          walletIds: f.walletIds,
          merchantKey: f.merchantKey ?? null,
          amountE4: f.amountE4 ?? null,
          alert: historical ? 'none' : 'pending',
          createdAt: now,
          updatedAt: now,
        };
      });
    const { duplicates } = await insertNew(Anomaly, fresh);
    for (const key of [...known, ...duplicates.map((d) => d.key)]) {
      const f = byKey.get(key)!;
      await Anomaly.updateOne(
        { userId, key },
        {
          $set: {
            reason: f.reason,
            evidence: f.evidence,
            transactionIds: f.transactionIds,
            severity: f.severity,
          },
        },
      );
    }
    return fresh.length - duplicates.length;
  }

  private async load(userId: string): Promise<Loaded> {
    const doc = await DetectorStateModel.findById(userId).lean<DetectorStateRecord>();
    if (!doc) return { detector: createDetectorState(), balances: { lowSince: {} }, feed: emptyFeed() };
    return {
      detector: JSON.parse(doc.detector) as DetectorState,
      balances: JSON.parse(doc.balances) as BalanceState,
      feed: doc.feed ? (JSON.parse(doc.feed) as FeedCursor) : emptyFeed(),
    };
  }

  private async save(userId: string, loaded: Loaded): Promise<void> {
    await DetectorStateModel.updateOne(
      { _id: userId },
      {
        $set: {
          detector: JSON.stringify(loaded.detector),
          balances: JSON.stringify(loaded.balances),
          feed: JSON.stringify(loaded.feed),
          // a day held open (its findings wait for it to end): the sweep for days that are over finds it
          openDay: loaded.detector.day?.date ?? null,
        },
      },
      { upsert: true },
    );
  }

  /**
   * Each linked account's last successful sync (a local date): how far its data is known, for
   * missing income. Read from the wallets' sync status, as the balances check reads accounts.
   */
  private async syncedUntil(userId: string): Promise<Record<string, string>> {
    const wallets = await Wallet.find({ userId, kind: 'bank' })
      .select({ publicId: 1, 'sync.lastSyncedAt': 1 })
      .lean<{ publicId: string; sync?: { lastSyncedAt?: Date | null } }[]>();
    const out: Record<string, string> = {};
    for (const w of wallets)
      if (w.sync?.lastSyncedAt) out[w.publicId] = w.sync.lastSyncedAt.toISOString().slice(0, 10);
    return out;
  }

  /** The user's detection settings; undefined when the account no longer exists. */
  private async settingsOf(userId: string): Promise<UserSettings | undefined> {
    const prefs = await preferencesOf(userId);
    if (prefs === undefined) return undefined;
    const thresholds = prefs?.alertThresholds;
    return {
      timeZone: prefs?.timeZone ?? 'UTC',
      largeE4: amountE4(thresholds?.largeTransaction ?? '1000'),
      lowBalance: thresholds?.lowBalance ?? '100',
      marketMovePercent: thresholds?.marketMovePercent ?? 10,
    };
  }

  private async dropThreshold(userId: string): Promise<number> {
    const prefs = await preferencesOf(userId);
    return prefs?.alertThresholds?.netWorthDropPercent ?? 5;
  }
}

function alertItem(a: AnomalyRecord): AlertItem {
  return {
    id: a.publicId,
    type: a.type,
    severity: a.severity as Severity,
    date: a.date,
    historical: a.historical,
    reason: a.reason,
    transactionIds: a.transactionIds ?? [],
    walletIds: a.walletIds ?? [],
  };
}
