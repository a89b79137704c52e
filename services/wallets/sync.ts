// The sync engine: a provider's changes brought into Finexia, one wallet at a time inside the
// user's wallet actor. Bank pages are written as they arrive (by the transactions service,
// keyed by provider ids, so a repeat is harmless) and the cursor is saved only once everything
// it covers is stored; a mutation during pagination restarts from the saved cursor, as Plaid
// requires. Every step is a `wallet.sync.status` the user sees live.
import { callAction } from '../../infra/actions.ts';
import type { ServiceBroker } from 'moleculer';
import type { Exchange, SyncProgress, SyncState } from '@finexia/contracts/api.ts';
import { CHANNELS, type TransactionsAddedJob, type WalletSyncJob } from '@finexia/contracts/channels.ts';
import type { ErrorAction } from '@finexia/contracts/errors.ts';
import { configOf } from '../../config/index.ts';
import { providersOf } from '../../infra/providers.ts';
import { emitEvent } from '../../infra/events.ts';
import { METRICS } from '../../infra/metrics.ts';
import { InvestmentTransaction, Wallet, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { addDays, todayUtc } from '../../domain/dates.ts';
import { ProviderError, type BankSyncPage } from '../../domain/providers.ts';
import { syncFailure } from '../../domain/wallets.ts';
import type { BankPageChanges } from '@finexia/contracts/internal.ts';
import { accountIdsFor, applyLiabilities, upsertBankAccounts } from './accounts.ts';
import { chainsOf, chainWatch, readChain, storeChain } from './chain.ts';
import type { WalletCredentials } from './credentials.ts';
import { replaceExchangeHoldings } from './holdings.ts';
import { storeBrokerage, storeBrokerageAccounts, storeInvestmentTransactions } from './brokerage.ts';

export const SYNC_CHANNEL = CHANNELS.walletsSync;

/**
 * The node is stopping: a sync stops between pages instead of holding the shutdown (the
 * channel waits for every message in hand), and its job, unacknowledged, is delivered again to
 * a node that runs — from the saved cursor, as after a crash.
 */
class SyncInterrupted extends Error {
  override readonly name = 'SyncInterrupted';
}
const MAX_PAGINATION_RESTARTS = 5;

/** A durable sync job (JetStream): may arrive twice, so running it twice must be harmless. */
export type SyncJob = WalletSyncJob;

/** What a sync status change stores (the event carries the same, instants as ISO strings). */
export interface SyncPatch {
  state?: SyncState;
  progress?: SyncProgress;
  reason?: string | null;
  fix?: ErrorAction | null;
  errorCode?: string | null;
  lastSyncedAt?: Date;
  lastAttemptAt?: Date;
}

export class WalletSync {
  constructor(
    private readonly broker: ServiceBroker,
    private readonly logger: ServiceBroker['logger'],
    private readonly credentials: WalletCredentials,
  ) {}

  /** Queues a sync; the wallet shows `queued` until a worker's actor picks it up. */
  async enqueue(job: SyncJob): Promise<void> {
    await Wallet.updateOne(
      { publicId: job.walletId, 'sync.state': { $ne: 'running' } },
      { $set: { 'sync.state': 'queued' } },
    );
    await this.broker.sendToChannel(SYNC_CHANNEL, job);
    this.broker.metrics.increment(METRICS.syncJobs, { state: 'queued' });
    emitEvent(this.broker, 'wallet.sync.status', {
      userId: job.userId,
      walletId: job.walletId,
      state: 'queued',
      trigger: job.reason,
    });
  }

  /** One sync of one wallet (in the user's actor). A failure retrying cannot fix is reported, not thrown. */
  async run(userId: string, walletId: string): Promise<void> {
    const wallet = await Wallet.findOne({ publicId: walletId, userId })
      .select('+credentials')
      .lean<WalletRecord>();
    if (!wallet || wallet.archivedAt || wallet.kind === 'manual' || !wallet.credentials) return;
    await this.status(wallet, {
      state: 'running',
      progress: { pages: 0, added: 0, modified: 0, removed: 0 },
      lastAttemptAt: new Date(),
    });
    try {
      if (wallet.kind === 'bank') {
        await this.syncBank(wallet);
        // the whole sync is stored: the anomaly detector reads it, in date order, at once
        // (durable: a crash before this repeats the sync, which announces again)
        await this.broker.sendToChannel(CHANNELS.transactionsAdded, {
          userId,
          announcedAt: Date.now(),
        } satisfies TransactionsAddedJob);
      } else if (wallet.kind === 'brokerage') await this.syncBrokerage(wallet);
      else if (wallet.kind === 'chain') await this.syncChain(wallet);
      else await this.syncExchange(wallet);
      await this.status(wallet, {
        state: 'ok',
        reason: null,
        fix: null,
        errorCode: null,
        lastSyncedAt: new Date(),
      });
      emitEvent(this.broker, 'wallet.synced', { userId, walletId });
    } catch (err) {
      if (err instanceof SyncInterrupted) {
        await this.status(wallet, { state: 'queued' });
        this.logger.info({ walletId }, 'sync paused: this node is stopping; another will take the job');
        throw err;
      }
      if (err instanceof ProviderError && !err.retryable) {
        // retrying cannot fix this (e.g. the bank needs a new login): say so and stop
        await this.status(wallet, syncFailure(err));
        return;
      }
      await this.status(
        wallet,
        err instanceof ProviderError
          ? syncFailure(err)
          : {
              state: 'failed',
              reason: 'The sync failed unexpectedly. It will be retried.',
              fix: 'retry-later',
              errorCode: 'INTERNAL',
            },
      );
      this.logger.warn({ walletId, err: (err as Error).message }, 'sync failed; the job will be retried');
      throw err;
    }
  }

  private async status(wallet: WalletRecord, patch: SyncPatch): Promise<void> {
    if (patch.state) this.broker.metrics.increment(METRICS.syncJobs, { state: patch.state });
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(patch)) set[`sync.${key}`] = value;
    await Wallet.updateOne({ publicId: wallet.publicId }, { $set: set });
    const { lastSyncedAt, lastAttemptAt, ...rest } = patch;
    emitEvent(this.broker, 'wallet.sync.status', {
      userId: wallet.userId,
      walletId: wallet.publicId,
      ...rest,
      ...(lastSyncedAt ? { lastSyncedAt: lastSyncedAt.toISOString() } : {}),
      ...(lastAttemptAt ? { lastAttemptAt: lastAttemptAt.toISOString() } : {}),
    });
  }

  private async syncBank(wallet: WalletRecord): Promise<void> {
    const { accessToken } = this.credentials.bank(wallet);
    const plaid = providersOf(this.broker).plaid();
    const { pageSize } = configOf(this.broker).sync;
    const startCursor = wallet.sync?.cursor ?? null;
    for (let restart = 0; ; restart += 1) {
      const totals = { pages: 0, added: 0, modified: 0, removed: 0 };
      let cursor = startCursor;
      try {
        let accounts: BankSyncPage['accounts'] = [];
        for (;;) {
          if (this.broker.stopping) throw new SyncInterrupted('the node is stopping');
          const page = await plaid.syncTransactions(accessToken, cursor, pageSize);
          // changes first, keyed by provider ids so a repeat is harmless…
          await this.storePage(wallet, page);
          totals.pages += 1;
          totals.added += page.added.length;
          totals.modified += page.modified.length;
          totals.removed += page.removed.length;
          await this.status(wallet, { progress: { ...totals } });
          accounts = page.accounts;
          cursor = page.nextCursor;
          if (!page.hasMore) break;
        }
        if (accounts.length) await upsertBankAccounts(wallet.userId, wallet.publicId, accounts);
        // the debts' terms, where the bank tells them (a failure is the sync's: retried or reported)
        if (accounts.some((a) => a.type === 'credit' || a.type === 'loan'))
          await applyLiabilities(wallet.publicId, await plaid.getLiabilities(accessToken));
        // …and the cursor only once everything it covers is stored
        await Wallet.updateOne({ publicId: wallet.publicId }, { $set: { 'sync.cursor': cursor } });
        return;
      } catch (err) {
        if (
          err instanceof ProviderError &&
          err.code === 'MUTATION_DURING_PAGINATION' &&
          restart < MAX_PAGINATION_RESTARTS
        ) {
          this.logger.info(
            { walletId: wallet.publicId, restart: restart + 1 },
            'data changed during pagination; restarting from the saved cursor',
          );
          continue;
        }
        throw err;
      }
    }
  }

  /** Hands one page to the transactions service, which owns the transactions. */
  private async storePage(wallet: WalletRecord, page: BankSyncPage): Promise<void> {
    const incoming = [...page.added, ...page.modified];
    const accountIds = incoming.length
      ? await accountIdsFor(
          wallet.userId,
          wallet.publicId,
          incoming.map((t) => t.providerAccountId),
          page.accounts,
        )
      : new Map<string, string>();
    const changes: BankPageChanges = {
      userId: wallet.userId,
      walletId: wallet.publicId,
      upserts: incoming.map(({ providerAccountId, ...t }) => ({
        ...t,
        accountId: accountIds.get(providerAccountId) as string,
      })),
      removed: page.removed.map((r) => r.providerTransactionId),
    };
    if (changes.upserts.length || changes.removed.length)
      await callAction(this.broker, 'transactions.applyBankPage', changes, { timeout: 120_000 });
  }

  private async syncBrokerage(wallet: WalletRecord): Promise<void> {
    const { accessToken } = this.credentials.bank(wallet);
    const plaid = providersOf(this.broker).plaid();
    const owner = { userId: wallet.userId, walletId: wallet.publicId };
    const reported = await plaid.getHoldings(accessToken);
    // its activity first: the holdings' announcement below is what a page reloads on, and then
    // the account's dividends and fees are there too. All the brokerage keeps at first (Plaid:
    // about two years; asked from ten years back, so no day at the edge is lost to a clock's
    // difference), then from a week before the latest stored
    const latest = await InvestmentTransaction.findOne({ walletId: wallet.publicId })
      .sort({ date: -1 })
      .select({ date: 1 })
      .lean();
    const today = todayUtc();
    const start = latest ? addDays(latest.date, -7) : addDays(today, -3653);
    const activity = await plaid.getInvestmentTransactions(accessToken, start, today);
    const accountIds = await storeBrokerageAccounts(owner, reported.accounts, [
      ...reported.holdings.map((h) => h.providerAccountId),
      ...activity.transactions.map((t) => t.providerAccountId),
    ]);
    const added = await storeInvestmentTransactions(owner, activity, accountIds);
    await this.status(wallet, { progress: { pages: 1, added, modified: 0, removed: 0 } });
    const { unnamed } = await storeBrokerage(this.broker, owner, reported, accountIds);
    if (unnamed.length)
      this.logger.warn(
        { walletId: wallet.publicId, unnamed },
        'holdings we cannot name (no ticker or CUSIP, or a derivative) are left out of net worth',
      );
  }

  private async syncChain(wallet: WalletRecord): Promise<void> {
    const watch = chainWatch(
      chainsOf(this.broker),
      wallet.chain ?? 'bitcoin',
      this.credentials.chain(wallet).watch,
    );
    if ('problem' in watch) throw new Error(`wallet ${wallet.publicId} watches nothing valid`);
    const holdings = await readChain(this.broker, watch);
    await storeChain(this.broker, { userId: wallet.userId, walletId: wallet.publicId }, holdings);
  }

  private async syncExchange(wallet: WalletRecord): Promise<void> {
    const exchange: Exchange = wallet.provider === 'coinbase' ? 'coinbase' : 'binance';
    const balances = await providersOf(this.broker)
      .exchange(exchange)
      .getBalances(this.credentials.exchange(wallet));
    await replaceExchangeHoldings(this.broker, wallet.userId, wallet.publicId, exchange, balances);
  }
}

/** Scheduled sync: each node queues the due wallets of the users it owns. */
export async function queueDueSyncs(
  sync: WalletSync,
  intervalMs: number,
  ownsUser: (userId: string) => boolean,
): Promise<number> {
  if (!intervalMs) return 0;
  const due = await Wallet.find({
    kind: { $in: ['bank', 'brokerage', 'exchange', 'chain'] },
    archivedAt: null,
    'sync.state': { $nin: ['queued', 'running'] },
    $or: [
      { 'sync.lastAttemptAt': null },
      { 'sync.lastAttemptAt': { $lt: new Date(Date.now() - intervalMs) } },
    ],
  })
    .limit(500)
    .lean<WalletRecord[]>();
  let queued = 0;
  for (const wallet of due) {
    if (!ownsUser(wallet.userId)) continue;
    await sync.enqueue({ walletId: wallet.publicId, userId: wallet.userId, reason: 'schedule' });
    queued += 1;
  }
  return queued;
}
