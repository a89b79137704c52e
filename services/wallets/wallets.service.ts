// wallets: a user's bank (Plaid), exchange (Binance, Coinbase) and manual wallets, their
// accounts, holdings and sync status. Syncs are durable jobs on the `wallets.sync`
// channel (JetStream); each user's sync work runs in that user's wallet actor (one node,
// one message at a time), so two syncs of one wallet never interleave.
import type { Service, ServiceSchema } from 'moleculer';
import { randomUUID } from 'node:crypto';
import { config } from '../../config/index.ts';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { ActorHostMixin, type ActorHostMethods } from '../../mixins/actor-host.mixin.ts';
import { credentialsBox } from '../../infra/credentials.ts';
import { providers } from '../../infra/providers.ts';
import type { AuthUser, ChannelMessage, Ctx } from '../../infra/context.ts';
import {
  Account,
  BalancePoint,
  Holding,
  MANUAL_TYPES,
  Wallet,
  type AccountRecord,
  type HoldingRecord,
  type WalletRecord,
} from '../../infra/models/wallet.model.ts';
import { Transaction } from '../../infra/models/transaction.model.ts';
import { applyBankPage, upsertBankAccounts } from '../../mixins/bank-sync.ts';
import { ProviderError } from '../../domain/providers.ts';
import type { ExchangeBalance } from '../../domain/providers.ts';
import { Decimal } from '../../domain/money.ts';
import { isCurrencyCode } from '../../domain/preferences.ts';
import { providerFailureToAppError, syncFailure } from '../../domain/wallets.ts';
import { AppError, notFound, unprocessable } from '../../domain/errors.ts';

type WalletMessage = { type: 'sync'; walletId: string; reason: string };

interface SyncJob {
  walletId: string;
  userId: string;
  reason: 'link' | 'schedule' | 'webhook' | 'user';
}

const SYNC_CHANNEL = 'wallets.sync';
const MAX_PAGINATION_RESTARTS = 5;

const idParam = { id: { type: 'uuid' } } as const;
const decimalRule = { type: 'string', min: 1, max: 40, pattern: /^-?\d{1,24}(\.\d{1,18})?$/ } as const;
const dateRule = { type: 'string', pattern: /^\d{4}-\d{2}-\d{2}$/ } as const;

export function publicWallet(
  wallet: WalletRecord,
  accounts: AccountRecord[],
  holdings: HoldingRecord[] = [],
) {
  return {
    id: wallet.publicId,
    kind: wallet.kind,
    provider: wallet.provider ?? null,
    manualType: wallet.manualType ?? null,
    name: wallet.name,
    currency: wallet.currency ?? null,
    institution: wallet.institution ?? null,
    archived: Boolean(wallet.archivedAt),
    createdAt: wallet.createdAt?.toISOString() ?? null,
    sync: {
      state: wallet.sync?.state ?? 'never',
      progress: wallet.sync?.progress ?? null,
      reason: wallet.sync?.reason ?? null,
      fix: wallet.sync?.fix ?? null,
      lastSyncedAt: wallet.sync?.lastSyncedAt?.toISOString() ?? null,
    },
    accounts: accounts
      .filter((a) => a.walletId === wallet.publicId)
      .map((a) => ({
        id: a.publicId,
        name: a.name,
        officialName: a.officialName ?? null,
        mask: a.mask ?? null,
        type: a.type,
        subtype: a.subtype ?? null,
        currency: a.currency,
        current: a.current ?? null,
        available: a.available ?? null,
        holdings: holdings
          .filter((h) => h.accountId === a.publicId)
          .map((h) => ({ asset: h.asset, quantity: h.quantity, locked: h.locked ?? '0' })),
      })),
  };
}

const WalletsService: ServiceSchema = {
  name: 'wallets',
  mixins: [
    DbMixin([Wallet, Account, Holding, BalancePoint, Transaction]),
    AuthGuardMixin,
    ActorHostMixin<WalletMessage>({
      service: 'wallets',
      async handle(userId, message) {
        const service = this as Service & { runSync(userId: string, walletId: string): Promise<void> };
        if (message.type === 'sync') return service.runSync(userId, message.walletId);
        return undefined;
      },
    }),
  ],
  settings: { rest: '/wallets' },

  actions: {
    list: {
      rest: 'GET /',
      params: { $$strict: true, includeArchived: { type: 'boolean', optional: true, convert: true } },
      async handler(ctx: Ctx<{ includeArchived?: boolean }>) {
        const userId = (ctx.meta.user as AuthUser).id;
        const filter: Record<string, unknown> = { userId };
        if (!ctx.params.includeArchived) filter.archivedAt = null;
        const wallets = await Wallet.find(filter).sort({ createdAt: 1 }).lean<WalletRecord[]>();
        const ids = wallets.map((w) => w.publicId);
        const [accounts, holdings] = await Promise.all([
          Account.find({ userId, walletId: { $in: ids } }).lean<AccountRecord[]>(),
          Holding.find({ userId, walletId: { $in: ids } }).lean<HoldingRecord[]>(),
        ]);
        return { wallets: wallets.map((w) => publicWallet(w, accounts, holdings)) };
      },
    },

    get: {
      rest: 'GET /:id',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>) {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        return this.walletView(wallet);
      },
    },

    institutions: {
      rest: 'GET /bank/institutions',
      params: { $$strict: true },
      async handler() {
        return { institutions: await this.provider(() => providers.plaid().listInstitutions()) };
      },
    },

    linkToken: {
      rest: 'POST /bank/link-token',
      params: { $$strict: true },
      async handler(ctx: Ctx) {
        return this.provider(() => providers.plaid().createLinkToken((ctx.meta.user as AuthUser).id));
      },
    },

    /** Link a bank: a public token from Link, or (sandbox) the institution and test credentials picked in our Link-like flow. */
    linkBank: {
      rest: 'POST /bank',
      params: {
        $$strict: true,
        publicToken: { type: 'string', optional: true, min: 1, max: 200 },
        institutionId: { type: 'string', optional: true, pattern: /^ins_\d{1,12}$/ },
        username: { type: 'string', optional: true, min: 1, max: 100 },
        password: { type: 'string', optional: true, min: 1, max: 200 },
        name: { type: 'string', optional: true, min: 1, max: 80, trim: true },
      },
      async handler(
        ctx: Ctx<{
          publicToken?: string;
          institutionId?: string;
          username?: string;
          password?: string;
          name?: string;
        }>,
      ) {
        const userId = (ctx.meta.user as AuthUser).id;
        const p = ctx.params;
        if (!p.publicToken && !p.institutionId)
          throw unprocessable('VALIDATION_FAILED', 'Send a publicToken from Link, or an institutionId.', [
            { field: 'publicToken', message: 'or institutionId is required', type: 'required' },
          ]);
        const plaid = providers.plaid();
        const credentials =
          p.username !== undefined || p.password !== undefined
            ? { username: p.username ?? '', password: p.password ?? '' }
            : undefined;
        const publicToken =
          p.publicToken ??
          (await this.provider(
            () => plaid.createSandboxPublicToken(p.institutionId as string, credentials),
            ['username', 'password'],
          ));
        const link = await this.provider(() => plaid.exchangePublicToken(publicToken));
        const institutions = await this.provider(() => plaid.listInstitutions()).catch(() => []);
        const institution = institutions.find((i: { id: string }) => i.id === p.institutionId) ?? null;
        const publicId = randomUUID();
        await Wallet.create({
          publicId,
          userId,
          kind: 'bank',
          provider: 'plaid',
          name: p.name ?? institution?.name ?? 'Bank',
          institution,
          providerItemId: link.itemId,
          credentials: credentialsBox().seal(JSON.stringify({ accessToken: link.accessToken }), publicId),
          sync: { state: 'queued' },
        });
        try {
          await upsertBankAccounts(
            userId,
            publicId,
            await this.provider(() => plaid.getAccounts(link.accessToken)),
          );
        } catch (err) {
          this.logger.warn(
            { walletId: publicId, err: (err as Error).message },
            'accounts not read at link; the first sync will read them',
          );
        }
        await this.enqueueSync({ walletId: publicId, userId, reason: 'link' });
        return this.respondCreated(ctx, userId, publicId);
      },
    },

    connectExchange: {
      rest: 'POST /exchange',
      params: {
        $$strict: true,
        provider: { type: 'enum', values: ['binance', 'coinbase'] },
        apiKey: { type: 'string', min: 1, max: 300 },
        apiSecret: { type: 'string', min: 1, max: 4000 },
        name: { type: 'string', optional: true, min: 1, max: 80, trim: true },
      },
      async handler(
        ctx: Ctx<{ provider: 'binance' | 'coinbase'; apiKey: string; apiSecret: string; name?: string }>,
      ) {
        const userId = (ctx.meta.user as AuthUser).id;
        const creds = { apiKey: ctx.params.apiKey.trim(), apiSecret: ctx.params.apiSecret.trim() };
        // A test call before anything is saved: wrong keys never become a wallet.
        const balances = await this.provider(
          () => providers.exchange(ctx.params.provider).getBalances(creds),
          ['apiKey', 'apiSecret'],
        );
        const publicId = randomUUID();
        await Wallet.create({
          publicId,
          userId,
          kind: 'exchange',
          provider: ctx.params.provider,
          name: ctx.params.name ?? (ctx.params.provider === 'binance' ? 'Binance' : 'Coinbase'),
          credentials: credentialsBox().seal(JSON.stringify(creds), publicId),
          sync: { state: 'ok', lastSyncedAt: new Date(), lastAttemptAt: new Date() },
        });
        await this.replaceHoldings(userId, publicId, ctx.params.provider, balances);
        return this.respondCreated(ctx, userId, publicId);
      },
    },

    createManual: {
      rest: 'POST /manual',
      params: {
        $$strict: true,
        name: { type: 'string', min: 1, max: 80, trim: true },
        manualType: { type: 'enum', values: [...MANUAL_TYPES] },
        currency: { type: 'string', length: 3 },
        balance: { ...decimalRule, optional: true },
        date: { ...dateRule, optional: true },
      },
      async handler(
        ctx: Ctx<{
          name: string;
          manualType: (typeof MANUAL_TYPES)[number];
          currency: string;
          balance?: string;
          date?: string;
        }>,
      ) {
        const userId = (ctx.meta.user as AuthUser).id;
        if (!isCurrencyCode(ctx.params.currency))
          throw unprocessable('VALIDATION_FAILED', 'Some fields are invalid.', [
            { field: 'currency', message: 'is not an ISO 4217 currency code', type: 'currency' },
          ]);
        const publicId = randomUUID();
        await Wallet.create({
          publicId,
          userId,
          kind: 'manual',
          manualType: ctx.params.manualType,
          name: ctx.params.name,
          currency: ctx.params.currency,
        });
        await Account.create({
          publicId: randomUUID(),
          userId,
          walletId: publicId,
          providerAccountId: 'manual',
          name: ctx.params.name,
          type: ctx.params.manualType,
          currency: ctx.params.currency,
          current: ctx.params.balance ? Decimal.parse(ctx.params.balance).toString() : '0',
        });
        if (ctx.params.balance) {
          await BalancePoint.create({
            userId,
            walletId: publicId,
            date: ctx.params.date ?? new Date().toISOString().slice(0, 10),
            balance: Decimal.parse(ctx.params.balance).toString(),
          });
        }
        return this.respondCreated(ctx, userId, publicId);
      },
    },

    rename: {
      rest: 'PATCH /:id',
      params: { $$strict: true, ...idParam, name: { type: 'string', min: 1, max: 80, trim: true } },
      async handler(ctx: Ctx<{ id: string; name: string }>) {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        await Wallet.updateOne({ publicId: wallet.publicId }, { $set: { name: ctx.params.name } });
        return this.walletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    archive: {
      rest: 'POST /:id/archive',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>) {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        await Wallet.updateOne(
          { publicId: wallet.publicId },
          { $set: { archivedAt: wallet.archivedAt ?? new Date() } },
        );
        return this.walletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    unarchive: {
      rest: 'POST /:id/unarchive',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>) {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        await Wallet.updateOne({ publicId: wallet.publicId }, { $set: { archivedAt: null } });
        return this.walletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    /** Deleting a wallet deletes its accounts, holdings, balance history and transactions, and disconnects the provider. */
    remove: {
      rest: 'DELETE /:id',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>) {
        const wallet = await this.ownWallet(ctx, ctx.params.id, true);
        let providerDisconnected: boolean | null = null;
        if (wallet.kind === 'bank' && wallet.credentials) {
          try {
            const { accessToken } = JSON.parse(
              credentialsBox().open(wallet.credentials, wallet.publicId),
            ) as { accessToken: string };
            await providers.plaid().removeItem(accessToken);
            providerDisconnected = true;
          } catch (err) {
            // The data is still deleted here; the provider link lapses on its own.
            providerDisconnected = false;
            this.logger.warn(
              { walletId: wallet.publicId, err: (err as Error).message },
              'could not remove the item at the provider',
            );
          }
        }
        const filter = { userId: wallet.userId, walletId: wallet.publicId };
        const [transactions, accounts, holdings, balancePoints] = await Promise.all([
          Transaction.deleteMany(filter),
          Account.deleteMany(filter),
          Holding.deleteMany(filter),
          BalancePoint.deleteMany(filter),
        ]);
        await Wallet.deleteOne({ publicId: wallet.publicId });
        ctx.emit('wallet.deleted', { userId: wallet.userId, walletId: wallet.publicId });
        return {
          deleted: {
            wallet: wallet.publicId,
            transactions: transactions.deletedCount,
            accounts: accounts.deletedCount,
            holdings: holdings.deletedCount,
            balancePoints: balancePoints.deletedCount,
          },
          providerDisconnected,
        };
      },
    },

    syncNow: {
      rest: 'POST /:id/sync',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>) {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        if (wallet.kind === 'manual')
          throw new AppError(409, 'WRONG_WALLET_KIND', 'Manual wallets have nothing to sync.');
        if (wallet.archivedAt)
          throw new AppError(409, 'WALLET_ARCHIVED', 'Unarchive this wallet to sync it.');
        await this.enqueueSync({ walletId: wallet.publicId, userId: wallet.userId, reason: 'user' });
        ctx.meta.$statusCode = 202;
        return this.walletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    balances: {
      rest: 'GET /:id/balances',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>) {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        const points = await BalancePoint.find({ walletId: wallet.publicId }).sort({ date: 1 }).lean();
        return { balances: points.map((p) => ({ date: p.date, balance: p.balance })) };
      },
    },

    setBalance: {
      rest: 'PUT /:id/balances/:date',
      params: { $$strict: true, ...idParam, date: dateRule, balance: decimalRule },
      async handler(ctx: Ctx<{ id: string; date: string; balance: string }>) {
        const wallet = await this.manualWallet(ctx, ctx.params.id);
        if (
          Number.isNaN(Date.parse(`${ctx.params.date}T00:00:00Z`)) ||
          ctx.params.date > new Date().toISOString().slice(0, 10)
        )
          throw unprocessable('VALIDATION_FAILED', 'Some fields are invalid.', [
            { field: 'date', message: 'must be a real date, not in the future', type: 'date' },
          ]);
        const balance = Decimal.parse(ctx.params.balance).toString();
        await BalancePoint.updateOne(
          { walletId: wallet.publicId, date: ctx.params.date },
          {
            $set: { balance },
            $setOnInsert: { userId: wallet.userId, walletId: wallet.publicId, date: ctx.params.date },
          },
          { upsert: true },
        );
        await this.refreshManualBalance(wallet);
        return this.walletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    deleteBalance: {
      rest: 'DELETE /:id/balances/:date',
      params: { $$strict: true, ...idParam, date: dateRule },
      async handler(ctx: Ctx<{ id: string; date: string }>) {
        const wallet = await this.manualWallet(ctx, ctx.params.id);
        const res = await BalancePoint.deleteOne({ walletId: wallet.publicId, date: ctx.params.date });
        if (!res.deletedCount) throw notFound('Balance entry');
        await this.refreshManualBalance(wallet);
        return this.walletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    setHolding: {
      rest: 'PUT /:id/holdings/:asset',
      params: {
        $$strict: true,
        ...idParam,
        asset: { type: 'string', pattern: /^[A-Z0-9]{1,12}$/ },
        quantity: decimalRule,
      },
      async handler(ctx: Ctx<{ id: string; asset: string; quantity: string }>) {
        const wallet = await this.manualWallet(ctx, ctx.params.id);
        const quantity = Decimal.parse(ctx.params.quantity);
        if (quantity.isNegative())
          throw unprocessable('VALIDATION_FAILED', 'Some fields are invalid.', [
            { field: 'quantity', message: 'must not be negative', type: 'min' },
          ]);
        const account = await Account.findOne({ walletId: wallet.publicId }).lean<AccountRecord>();
        if (!account) throw notFound('Account');
        await Holding.updateOne(
          { accountId: account.publicId, asset: ctx.params.asset },
          {
            $set: { quantity: quantity.toString() },
            $setOnInsert: {
              userId: wallet.userId,
              walletId: wallet.publicId,
              accountId: account.publicId,
              asset: ctx.params.asset,
            },
          },
          { upsert: true },
        );
        await this.emitHoldings(wallet.userId, wallet.publicId);
        return this.walletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    deleteHolding: {
      rest: 'DELETE /:id/holdings/:asset',
      params: { $$strict: true, ...idParam, asset: { type: 'string', pattern: /^[A-Z0-9]{1,12}$/ } },
      async handler(ctx: Ctx<{ id: string; asset: string }>) {
        const wallet = await this.manualWallet(ctx, ctx.params.id);
        const res = await Holding.deleteOne({ walletId: wallet.publicId, asset: ctx.params.asset });
        if (!res.deletedCount) throw notFound('Holding');
        await this.emitHoldings(wallet.userId, wallet.publicId);
        return this.walletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    /** Key rotation: re-seal every credential that was sealed with an older key (admin, or REPL `call wallets.rotateCredentials`). */
    rotateCredentials: {
      rest: 'POST /admin/rotate-credentials',
      roles: ['admin'],
      params: { $$strict: true },
      async handler() {
        const box = credentialsBox();
        let resealed = 0;
        let failed = 0;
        const cursor = Wallet.find({ credentials: { $ne: null } })
          .select('+credentials')
          .lean<WalletRecord[]>()
          .cursor();
        for await (const wallet of cursor) {
          const sealed = wallet.credentials as string;
          if (!box.isStale(sealed)) continue;
          try {
            await Wallet.updateOne(
              { publicId: wallet.publicId },
              { $set: { credentials: box.seal(box.open(sealed, wallet.publicId), wallet.publicId) } },
            );
            resealed += 1;
          } catch (err) {
            failed += 1;
            this.logger.error(
              { walletId: wallet.publicId, err: (err as Error).message },
              'could not re-seal credentials',
            );
          }
        }
        return { resealed, failed };
      },
    },

    /** Plaid webhooks: signature-verified, then the item's wallet is queued for sync (a duplicate webhook only syncs again, harmlessly). */
    plaidWebhook: {
      rest: 'POST /webhooks/plaid',
      auth: 'public',
      params: {
        webhook_type: { type: 'string', max: 100 },
        webhook_code: { type: 'string', max: 100 },
        item_id: { type: 'string', max: 100 },
      },
      async handler(ctx: Ctx<{ webhook_type: string; webhook_code: string; item_id: string }>) {
        const raw = ctx.meta.rawBody;
        const header = ctx.meta.webhookVerification;
        const verified = raw ? await providers.plaid().verifyWebhook(raw, header) : undefined;
        if (!verified)
          throw new AppError(
            401,
            'WEBHOOK_SIGNATURE_INVALID',
            'The webhook signature is missing, stale or invalid.',
          );
        if (verified.type === 'TRANSACTIONS' && verified.code === 'SYNC_UPDATES_AVAILABLE') {
          const wallets = await Wallet.find({ providerItemId: verified.itemId, archivedAt: null }).lean<
            WalletRecord[]
          >();
          for (const wallet of wallets)
            await this.enqueueSync({ walletId: wallet.publicId, userId: wallet.userId, reason: 'webhook' });
          return { received: true, queued: wallets.length };
        }
        return { received: true, queued: 0 };
      },
    },
  },

  // Channel options are filled from config in `merged` (so tests can shorten ack_wait).
  channels: {
    [SYNC_CHANNEL]: {
      group: 'wallets',
      maxInFlight: 4,
      deadLettering: { enabled: true, queueName: 'DEAD_LETTER' },
      async handler(
        this: ActorHostMethods<WalletMessage> & { logger: { warn: (...a: unknown[]) => void } },
        payload: unknown,
        raw: ChannelMessage,
      ) {
        const job = payload as SyncJob;
        if (typeof job?.walletId !== 'string' || typeof job?.userId !== 'string') {
          this.logger.warn({ payload }, 'malformed sync job dropped');
          return;
        }
        const keepAlive = setInterval(() => raw.working(), Math.max(500, config().sync.ackWaitMs / 3));
        try {
          await this.dispatch(job.userId, { type: 'sync', walletId: job.walletId, reason: job.reason });
        } finally {
          clearInterval(keepAlive);
        }
      },
    },
  },

  merged(schema) {
    const channel = schema.channels?.[SYNC_CHANNEL];
    if (!channel) return;
    const { sync } = config();
    channel.maxRetries = sync.maxRetries;
    channel.nats = {
      // a dead worker's job is redelivered after ack_wait; long syncs keep it alive with working()
      consumerOptions: { config: { ack_wait: sync.ackWaitMs * 1e6 } },
      streamConfig: { max_age: 7 * 24 * 3_600 * 1e9 },
    };
  },

  methods: {
    /** The answer to a request that made a wallet: 201, its Location, and the event portfolios listen to. */
    async respondCreated(ctx: Ctx<unknown>, userId: string, publicId: string) {
      ctx.meta.$statusCode = 201;
      ctx.meta.$location = `/api/v1/wallets/${publicId}`;
      ctx.emit('wallet.created', { userId, walletId: publicId });
      return this.walletView(await this.ownWallet(ctx, publicId));
    },

    async ownWallet(ctx: Ctx<unknown>, id: string, withCredentials = false): Promise<WalletRecord> {
      const query = Wallet.findOne({ publicId: id, userId: (ctx.meta.user as AuthUser).id });
      const wallet = await (withCredentials ? query.select('+credentials') : query).lean<WalletRecord>();
      if (!wallet) throw notFound('Wallet');
      return wallet;
    },

    async manualWallet(ctx: Ctx<unknown>, id: string): Promise<WalletRecord> {
      const wallet = await this.ownWallet(ctx, id);
      if (wallet.kind !== 'manual')
        throw new AppError(
          409,
          'WRONG_WALLET_KIND',
          'Only manual wallets have a balance history and holdings you edit.',
        );
      return wallet;
    },

    async walletView(wallet: WalletRecord) {
      const [accounts, holdings] = await Promise.all([
        Account.find({ walletId: wallet.publicId }).lean<AccountRecord[]>(),
        Holding.find({ walletId: wallet.publicId }).lean<HoldingRecord[]>(),
      ]);
      return publicWallet(wallet, accounts, holdings);
    },

    /** Runs a provider call the user is waiting on; failures become clear HTTP errors. */
    async provider<T>(run: () => Promise<T>, credentialFields: string[] = []): Promise<T> {
      try {
        return await run();
      } catch (err) {
        if (err instanceof ProviderError) throw providerFailureToAppError(err, credentialFields);
        throw err;
      }
    },

    async enqueueSync(job: SyncJob): Promise<void> {
      await Wallet.updateOne(
        { publicId: job.walletId, 'sync.state': { $ne: 'running' } },
        { $set: { 'sync.state': 'queued' } },
      );
      await this.broker.sendToChannel(SYNC_CHANNEL, job);
      this.broker.emit('wallet.sync.status', {
        userId: job.userId,
        walletId: job.walletId,
        state: 'queued',
        reason: job.reason,
      });
    },

    async setSync(wallet: WalletRecord, patch: Record<string, unknown>): Promise<void> {
      const set: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(patch)) set[`sync.${key}`] = value;
      await Wallet.updateOne({ publicId: wallet.publicId }, { $set: set });
      this.broker.emit('wallet.sync.status', { userId: wallet.userId, walletId: wallet.publicId, ...patch });
    },

    /** One sync of one wallet, inside the user's actor. */
    async runSync(userId: string, walletId: string): Promise<void> {
      const wallet = await Wallet.findOne({ publicId: walletId, userId })
        .select('+credentials')
        .lean<WalletRecord>();
      if (!wallet || wallet.archivedAt || wallet.kind === 'manual' || !wallet.credentials) return;
      await this.setSync(wallet, {
        state: 'running',
        progress: { pages: 0, added: 0, modified: 0, removed: 0 },
        lastAttemptAt: new Date(),
      });
      try {
        if (wallet.kind === 'bank') await this.syncBank(wallet);
        else await this.syncExchange(wallet);
        await this.setSync(wallet, {
          state: 'ok',
          reason: null,
          fix: null,
          errorCode: null,
          lastSyncedAt: new Date(),
        });
        this.broker.emit('wallet.synced', { userId, walletId });
      } catch (err) {
        if (err instanceof ProviderError && !err.retryable) {
          // Retrying cannot fix this (e.g. the bank needs a new login): say so and stop.
          await this.setSync(wallet, syncFailure(err));
          return;
        }
        const failure =
          err instanceof ProviderError
            ? syncFailure(err)
            : {
                state: 'failed',
                reason: 'The sync failed unexpectedly. It will be retried.',
                fix: 'retry-later',
                errorCode: 'INTERNAL',
              };
        await this.setSync(wallet, { ...failure, state: 'failed' });
        this.logger.warn({ walletId, err: (err as Error).message }, 'sync failed; the job will be retried');
        throw err;
      }
    },

    async syncBank(wallet: WalletRecord): Promise<void> {
      const { accessToken } = JSON.parse(
        credentialsBox().open(wallet.credentials as string, wallet.publicId),
      ) as { accessToken: string };
      const plaid = providers.plaid();
      const startCursor = wallet.sync?.cursor ?? null;
      for (let restart = 0; ; restart += 1) {
        const totals = { pages: 0, added: 0, modified: 0, removed: 0 };
        let cursor = startCursor;
        try {
          let accounts = [] as Awaited<ReturnType<typeof plaid.syncTransactions>>['accounts'];
          for (;;) {
            this.logger.debug({ walletId: wallet.publicId, page: totals.pages + 1 }, 'fetching sync page');
            const page = await plaid.syncTransactions(accessToken, cursor, config().sync.pageSize);
            this.logger.debug({ walletId: wallet.publicId, added: page.added.length }, 'applying sync page');
            // Changes first, keyed by provider ids so a repeat is harmless…
            await applyBankPage(wallet.userId, wallet.publicId, page);
            totals.pages += 1;
            totals.added += page.added.length;
            totals.modified += page.modified.length;
            totals.removed += page.removed.length;
            await this.setSync(wallet, { progress: totals });
            accounts = page.accounts;
            cursor = page.nextCursor;
            if (!page.hasMore) break;
          }
          if (accounts.length) await upsertBankAccounts(wallet.userId, wallet.publicId, accounts);
          // …and the cursor only once everything it covers is stored.
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
    },

    async syncExchange(wallet: WalletRecord): Promise<void> {
      const creds = JSON.parse(credentialsBox().open(wallet.credentials as string, wallet.publicId)) as {
        apiKey: string;
        apiSecret: string;
      };
      const provider = wallet.provider === 'coinbase' ? 'coinbase' : 'binance';
      const balances = await providers.exchange(provider).getBalances(creds);
      await this.replaceHoldings(wallet.userId, wallet.publicId, provider, balances);
    },

    /** Exchange holdings: one account per exchange wallet, one holding per asset (free + locked). */
    async replaceHoldings(
      userId: string,
      walletId: string,
      provider: 'binance' | 'coinbase',
      balances: ExchangeBalance[],
    ): Promise<void> {
      const accountKey = provider === 'binance' ? 'spot' : 'portfolio';
      await Account.updateOne(
        { walletId, providerAccountId: accountKey },
        {
          $setOnInsert: {
            publicId: randomUUID(),
            userId,
            walletId,
            providerAccountId: accountKey,
            name: provider === 'binance' ? 'Spot' : 'Portfolio',
            type: 'investment',
            subtype: 'crypto exchange',
            currency: 'USD',
          },
        },
        { upsert: true },
      );
      const account = (await Account.findOne({
        walletId,
        providerAccountId: accountKey,
      }).lean<AccountRecord>()) as AccountRecord;
      const totals = new Map<string, { quantity: Decimal; locked: Decimal }>();
      for (const b of balances) {
        const t = totals.get(b.asset) ?? { quantity: Decimal.ZERO, locked: Decimal.ZERO };
        t.quantity = t.quantity.add(Decimal.parse(b.free)).add(Decimal.parse(b.locked));
        t.locked = t.locked.add(Decimal.parse(b.locked));
        totals.set(b.asset, t);
      }
      for (const [asset, t] of totals) {
        if (t.quantity.isZero()) continue;
        await Holding.updateOne(
          { accountId: account.publicId, asset },
          {
            $set: { quantity: t.quantity.toString(), locked: t.locked.toString() },
            $setOnInsert: { userId, walletId, accountId: account.publicId, asset },
          },
          { upsert: true },
        );
      }
      const keep = [...totals].filter(([, t]) => !t.quantity.isZero()).map(([asset]) => asset);
      await Holding.deleteMany({ walletId, asset: { $nin: keep } });
      await this.emitHoldings(userId, walletId);
    },

    async emitHoldings(userId: string, walletId: string): Promise<void> {
      const holdings = await Holding.find({ walletId }).lean<HoldingRecord[]>();
      this.broker.emit('wallet.holdings.changed', {
        userId,
        walletId,
        holdings: holdings.map((h) => ({ accountId: h.accountId, asset: h.asset, quantity: h.quantity })),
      });
    },

    /** A manual wallet's current balance is its latest balance entry. */
    async refreshManualBalance(wallet: WalletRecord): Promise<void> {
      const latest = await BalancePoint.findOne({ walletId: wallet.publicId }).sort({ date: -1 }).lean();
      await Account.updateOne({ walletId: wallet.publicId }, { $set: { current: latest?.balance ?? '0' } });
      this.broker.emit('wallet.balance.changed', {
        userId: wallet.userId,
        walletId: wallet.publicId,
        balance: latest?.balance ?? '0',
      });
    },

    /** Scheduled sync: each node queues the wallets of the users it owns that are due. */
    async queueDueSyncs(): Promise<number> {
      const intervalMs = config().sync.intervalMs;
      if (!intervalMs) return 0;
      const due = await Wallet.find({
        kind: { $in: ['bank', 'exchange'] },
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
        if (this.ownerOf(wallet.userId) !== this.broker.nodeID) continue;
        await this.enqueueSync({ walletId: wallet.publicId, userId: wallet.userId, reason: 'schedule' });
        queued += 1;
      }
      return queued;
    },
  },

  started() {
    const intervalMs = config().sync.intervalMs;
    if (intervalMs) {
      this.scheduleTimer = setInterval(
        () => {
          this.queueDueSyncs().catch((err: Error) =>
            this.logger.warn({ err: err.message }, 'scheduled sync sweep failed'),
          );
        },
        Math.min(intervalMs, 60_000),
      );
      this.scheduleTimer.unref();
    }
  },

  stopped() {
    clearInterval(this.scheduleTimer);
  },
};

export default WalletsService;
