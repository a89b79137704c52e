// wallets: a user's bank (Plaid), exchange (Binance, Coinbase) and manual wallets, their
// accounts, holdings and sync status. Syncs are durable jobs on the `wallets.sync` channel
// (JetStream); each user's sync work runs in that user's wallet actor (one node, one message
// at a time), so two syncs of one wallet never interleave. The room: view.ts (the response),
// credentials.ts (sealed at rest), sync.ts (the engine and the schedule), accounts.ts,
// holdings.ts, manual.ts.
import { callAction } from '../../infra/actions.ts';
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import { randomUUID } from 'node:crypto';
import {
  DEBT_MANUAL_TYPES,
  EXCHANGES,
  MANUAL_TYPES,
  type BalanceHistory,
  type ChainList,
  type ConnectChainRequest,
  type LoanSchedule,
  type ConnectExchangeRequest,
  type CreateManualWalletRequest,
  type CredentialsRotated,
  type InstitutionList,
  type LinkBankRequest,
  type LinkToken,
  type UpdateOwnedAssetRequest,
  type WalletDeleted,
  type WalletList,
  type WalletView,
  type WebhookReceived,
} from '@finexia/contracts/api.ts';
import { configOf } from '../../config/index.ts';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { DurableChannelsMixin } from '../../mixins/channels.mixin.ts';
import { BudgetsMixin, type BudgetsMethods } from '../../mixins/budgets.mixin.ts';
import { ActorHostMixin, type ActorHostMethods } from '../../mixins/actor-host.mixin.ts';
import { credentialsBox } from '../../infra/credentials.ts';
import { providersOf } from '../../infra/providers.ts';
import { emitEvent } from '../../infra/events.ts';
import { markPositionsChanged } from '../../infra/position-stamps.ts';
import { PositionStamp } from '../../infra/models/position-pack.model.ts';
import { audit } from '../../infra/audit.ts';
import { AuditEvent } from '../../infra/models/audit-event.model.ts';
import { callerId, type ChannelMessage, type Ctx } from '../../infra/context.ts';
import {
  Account,
  BalancePoint,
  Holding,
  InvestmentTransaction,
  ChainTransaction,
  Wallet,
  type WalletRecord,
} from '../../infra/models/wallet.model.ts';
import { ProviderError } from '../../domain/providers.ts';
import { Decimal } from '../../domain/money.ts';
import { todayUtc } from '../../domain/dates.ts';
import { providerFailureToAppError } from '../../domain/wallets.ts';
import { AppError, invalid, notFound } from '../../domain/errors.ts';
import { loadWalletView, loadWalletViews } from './view.ts';
import type { ExportFiles, ExportedBalances } from '@finexia/contracts/export.ts';
import { WalletCredentials } from './credentials.ts';
import { upsertBankAccounts } from './accounts.ts';
import { deleteManualHolding, replaceExchangeHoldings, setManualHolding } from './holdings.ts';
import { manualTarget, refreshManualBalance, type ManualUse } from './manual.ts';
import { hasSchedule, loanSchedule, refreshScheduledBalances } from './schedules.ts';
import { chainLabel, chainsOf, chainWatch, readChain, storeChain } from './chain.ts';
import { ChainFollower } from './chain-follow.ts';
import { monthlyPayment } from '../../domain/loans.ts';
import { isOwnedType, ownedTerms } from '../../domain/owned-assets.ts';
import { checkOwnedTerms } from './owned.ts';
import { SYNC_CHANNEL, WalletSync, queueDueSyncs, type SyncJob } from './sync.ts';

type WalletMessage = { type: 'sync'; walletId: string } | { type: 'erase' };

const idParam = { id: 'uuid' } as const;
/** quantities and balances: up to 24 digits before the point and 18 after */
const amountRule = { type: 'decimal', digits: 24, scale: 18 } as const;
const assetRule = { type: 'string', pattern: /^[A-Z0-9]{1,12}$/ } as const;
const nameRule = { type: 'string', min: 1, max: 80, trim: true } as const;
/** Linking a Plaid item: a public token from Link, or (sandbox) an institution and test credentials. */
const linkParams = {
  $$strict: true,
  publicToken: { type: 'string', optional: true, min: 1, max: 200 },
  institutionId: { type: 'string', optional: true, pattern: /^ins_\d{1,12}$/ },
  username: { type: 'string', optional: true, min: 1, max: 100 },
  password: { type: 'string', optional: true, min: 1, max: 200 },
  name: { ...nameRule, optional: true },
} as const;
/** Which of a Plaid item's wallets a webhook asks to sync again. */
const WEBHOOK_SYNCS: Record<string, 'bank' | 'brokerage'> = {
  'TRANSACTIONS/SYNC_UPDATES_AVAILABLE': 'bank',
  'HOLDINGS/DEFAULT_UPDATE': 'brokerage',
  'INVESTMENTS_TRANSACTIONS/DEFAULT_UPDATE': 'brokerage',
};
/** money of a loan: positive, to the cent */
const loanAmount = { type: 'decimal', digits: 15, scale: 2, positive: true } as const;
const loanRule = {
  type: 'object',
  optional: true,
  strict: true,
  props: {
    principal: loanAmount,
    annualRatePercent: { type: 'decimal', digits: 3, scale: 4, nonNegative: true },
    termMonths: { type: 'number', integer: true, min: 1, max: 600 },
    startDate: { type: 'isoDate', past: true },
    paymentDay: { type: 'number', integer: true, min: 1, max: 28 },
    extraMonthly: { ...loanAmount, optional: true },
    extraPayments: {
      type: 'array',
      optional: true,
      max: 240,
      items: { type: 'object', strict: true, props: { date: 'isoDate', amount: loanAmount } },
    },
  },
} as const;
/** a yearly depreciation rate in percent: 0 (none) to 100 */
const depreciationRule = { type: 'decimal', digits: 3, scale: 4, nonNegative: true, atMost: '100' } as const;
const mortgageLinkRule = { type: 'uuid', optional: true, nullable: true } as const;
const ownedRule = {
  type: 'object',
  optional: true,
  strict: true,
  props: {
    purchasePrice: { ...loanAmount, positive: false, nonNegative: true },
    purchaseDate: { type: 'isoDate', past: true },
    depreciationPercent: { ...depreciationRule, optional: true },
    mortgageWalletId: mortgageLinkRule,
  },
} as const;
const isDebt = (type: string): boolean => (DEBT_MANUAL_TYPES as readonly string[]).includes(type);
/** loans' and vehicles' balances move on their payment and depreciation days: checked this often */
const SCHEDULE_REFRESH_MS = 60 * 60_000;

interface WalletsVars {
  sync: WalletSync;
  credentials: WalletCredentials;
  scheduleTimer?: NodeJS.Timeout;
  scheduleRefreshTimer?: NodeJS.Timeout;
  /** follows the configured EVM chains' blocks (this node's users' addresses) */
  chainFollower?: ChainFollower;
}

interface WalletsMethods extends ActorHostMethods<WalletMessage>, BudgetsMethods {
  /** A deleted account's wallets: its banks' items removed at Plaid, every row of them deleted. */
  eraseWallets(userId: string): Promise<{ deleted: number; providerErrors: number }>;
  ownWallet(ctx: Ctx<unknown>, id: string, withCredentials?: boolean): Promise<WalletRecord>;
  ownManual(ctx: Ctx<unknown>, id: string, use: ManualUse): ReturnType<typeof manualTarget>;
  respondCreated(ctx: Ctx<unknown>, walletId: string): Promise<WalletView>;
  linkPlaidItem(ctx: Ctx<LinkBankRequest>, kind: 'bank' | 'brokerage'): Promise<WalletView>;
  balanceChanged(wallet: WalletRecord): Promise<void>;
  refreshSchedules(): Promise<void>;
  provider<T>(run: () => Promise<T>, credentialFields?: string[]): Promise<T>;
}

type WalletsService = Service & WalletsMethods & WalletsVars;

const WalletsServiceSchema: ServiceSchema<ServiceSettingSchema, WalletsMethods, WalletsVars> = {
  name: 'wallets',
  mixins: [
    DbMixin([
      Wallet,
      Account,
      Holding,
      InvestmentTransaction,
      ChainTransaction,
      BalancePoint,
      AuditEvent,
      PositionStamp,
    ]),
    AuthGuardMixin,
    DurableChannelsMixin,
    BudgetsMixin(['syncNow']),
    ActorHostMixin<WalletMessage, WalletsService>({
      service: 'wallets',
      async handle(userId, message) {
        if (message.type === 'erase') return this.eraseWallets(userId);
        return this.sync.run(userId, message.walletId);
      },
    }),
  ],
  settings: { rest: '/wallets' },

  actions: {
    list: {
      rest: 'GET /',
      params: { $$strict: true, includeArchived: { type: 'boolean', optional: true, convert: true } },
      async handler(ctx: Ctx<{ includeArchived?: boolean }>): Promise<WalletList> {
        const userId = callerId(ctx);
        const filter: Record<string, unknown> = { userId };
        if (!ctx.params.includeArchived) filter.archivedAt = null;
        const wallets = await Wallet.find(filter).sort({ createdAt: 1 }).lean<WalletRecord[]>();
        return { wallets: await loadWalletViews(userId, wallets) };
      },
    },
    /** The chains wallets can be watched on: Bitcoin, and the EVM chains this server is configured with. */
    chains: {
      rest: 'GET /chains',
      params: { $$strict: true },
      handler(): ChainList {
        return { chains: chainsOf(this.broker) };
      },
    },

    get: {
      rest: 'GET /:id',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>): Promise<WalletView> {
        return loadWalletView(await this.ownWallet(ctx, ctx.params.id));
      },
    },

    institutions: {
      rest: 'GET /bank/institutions',
      params: { $$strict: true },
      // the same list for every user, changing rarely: one Plaid call an hour for the whole
      // cluster (CACHER=redis shares it between nodes) instead of one per page view
      cache: { ttl: 3_600 },
      async handler(): Promise<InstitutionList> {
        return {
          institutions: await this.provider(() => providersOf(this.broker).plaid().listInstitutions()),
        };
      },
    },

    linkToken: {
      rest: 'POST /bank/link-token',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<LinkToken> {
        return this.provider(() => providersOf(this.broker).plaid().createLinkToken(callerId(ctx)));
      },
    },

    /** Link a bank: a public token from Link, or (sandbox) the institution and test credentials picked in our Link-like flow. */
    linkBank: {
      rest: 'POST /bank',
      params: linkParams,
      async handler(ctx: Ctx<LinkBankRequest>): Promise<WalletView> {
        return this.linkPlaidItem(ctx, 'bank');
      },
    },

    /** Connect a brokerage or retirement account: a Plaid item linked for investments, the same way. */
    linkBrokerage: {
      rest: 'POST /brokerage',
      params: linkParams,
      async handler(ctx: Ctx<LinkBankRequest>): Promise<WalletView> {
        return this.linkPlaidItem(ctx, 'brokerage');
      },
    },

    connectExchange: {
      rest: 'POST /exchange',
      params: {
        $$strict: true,
        provider: { type: 'enum', values: [...EXCHANGES] },
        apiKey: { type: 'string', min: 1, max: 300 },
        apiSecret: { type: 'string', min: 1, max: 4000 },
        name: { ...nameRule, optional: true },
      },
      async handler(ctx: Ctx<ConnectExchangeRequest>): Promise<WalletView> {
        const userId = callerId(ctx);
        const creds = { apiKey: ctx.params.apiKey.trim(), apiSecret: ctx.params.apiSecret.trim() };
        // a test call before anything is saved: wrong keys never become a wallet
        const balances = await this.provider(
          () => providersOf(this.broker).exchange(ctx.params.provider).getBalances(creds),
          ['apiKey', 'apiSecret'],
        );
        const walletId = randomUUID();
        await Wallet.create({
          publicId: walletId,
          userId,
          kind: 'exchange',
          provider: ctx.params.provider,
          name: ctx.params.name ?? (ctx.params.provider === 'binance' ? 'Binance' : 'Coinbase'),
          credentials: this.credentials.seal(walletId, creds),
          sync: { state: 'ok', lastSyncedAt: new Date(), lastAttemptAt: new Date() },
        });
        await replaceExchangeHoldings(this.broker, userId, walletId, ctx.params.provider, balances);
        return this.respondCreated(ctx, walletId);
      },
    },

    connectChain: {
      rest: 'POST /chain',
      params: {
        $$strict: true,
        chain: { type: 'string', pattern: /^[a-z][a-z0-9-]{0,31}$/ },
        watch: { type: 'string', min: 1, max: 200 },
        name: { ...nameRule, optional: true },
      },
      async handler(ctx: Ctx<ConnectChainRequest>): Promise<WalletView> {
        // watch-only, always: a secret is refused, never stored, logged or repeated back
        const chains = chainsOf(this.broker);
        const watch = chainWatch(chains, ctx.params.chain, ctx.params.watch);
        if ('problem' in watch)
          throw invalid([
            {
              field: watch.field,
              message: watch.problem,
              type: watch.field === 'chain' ? 'unknownChain' : 'watchOnly',
            },
          ]);
        const chain = chains.find((c) => c.name === watch.chain)!;
        const userId = callerId(ctx);
        // read before anything is saved: a chain that cannot be reached makes no wallet
        const holdings = await this.provider(() => readChain(this.broker, watch));
        const walletId = randomUUID();
        await Wallet.create({
          publicId: walletId,
          userId,
          kind: 'chain',
          provider: chain.kind,
          chain: chain.name,
          name: ctx.params.name ?? `${chainLabel(chain.name)} wallet`,
          credentials: this.credentials.seal(walletId, { watch: ctx.params.watch.trim() }),
          sync: { state: 'ok', lastSyncedAt: new Date(), lastAttemptAt: new Date() },
        });
        await storeChain(this.broker, { userId, walletId }, holdings);
        return this.respondCreated(ctx, walletId);
      },
    },

    createManual: {
      rest: 'POST /manual',
      params: {
        $$strict: true,
        name: nameRule,
        manualType: { type: 'enum', values: [...MANUAL_TYPES] },
        currency: 'currencyCode',
        balance: { ...amountRule, optional: true },
        date: { type: 'isoDate', past: true, optional: true },
        loan: loanRule,
        owned: ownedRule,
      },
      async handler(ctx: Ctx<CreateManualWalletRequest>): Promise<WalletView> {
        const { manualType, loan, owned } = ctx.params;
        // a debt is entered with its terms (its balance follows them); nothing else has terms
        if (isDebt(manualType) && !loan)
          throw invalid([{ field: 'loan', message: `a ${manualType} needs its terms`, type: 'required' }]);
        if (!isDebt(manualType) && loan)
          throw invalid([
            { field: 'loan', message: 'only a loan or a mortgage has terms', type: 'forbidden' },
          ]);
        // a thing owned is entered with what was paid and when; nothing else has those
        if (isOwnedType(manualType) && !owned)
          throw invalid([
            {
              field: 'owned',
              message: `a ${manualType} needs its purchase price and date`,
              type: 'required',
            },
          ]);
        if (!isOwnedType(manualType) && owned)
          throw invalid([
            {
              field: 'owned',
              message: 'only a property, a vehicle or valuables have a purchase',
              type: 'forbidden',
            },
          ]);
        if (owned && isOwnedType(manualType)) {
          await checkOwnedTerms(callerId(ctx), manualType, ctx.params.currency, owned, 'owned.');
          if (ctx.params.date && ctx.params.date < owned.purchaseDate)
            throw invalid([
              { field: 'date', message: 'a valuation cannot come before the purchase', type: 'date' },
            ]);
        }
        if (loan?.extraPayments?.some((e) => e.date < loan.startDate))
          throw invalid([
            {
              field: 'loan.extraPayments',
              message: 'an extra payment cannot come before the loan began',
              type: 'date',
            },
          ]);
        const userId = callerId(ctx);
        const walletId = randomUUID();
        const balance = ctx.params.balance ? Decimal.parse(ctx.params.balance).toString() : undefined;
        await Wallet.create({
          publicId: walletId,
          userId,
          kind: 'manual',
          manualType,
          name: ctx.params.name,
          currency: ctx.params.currency,
          loan: loan ?? null,
          owned: owned ? ownedTerms(owned) : null,
        });
        await Account.create({
          publicId: randomUUID(),
          userId,
          walletId,
          providerAccountId: 'manual',
          name: ctx.params.name,
          // a debt's account is a loan: what is owed counts against net worth everywhere
          type: loan ? 'loan' : manualType,
          subtype: loan ? manualType : null,
          currency: ctx.params.currency,
          current:
            balance ?? (loan ? loan.principal : owned ? Decimal.parse(owned.purchasePrice).toString() : '0'),
          debtTerms: loan
            ? { aprPercent: loan.annualRatePercent, minimumPayment: monthlyPayment(loan).toFixed(2) }
            : null,
        });
        await markPositionsChanged(userId);
        // a thing owned is worth its price from the day it was bought (the history counts it from then)
        if (owned)
          await BalancePoint.create({
            userId,
            walletId,
            date: owned.purchaseDate,
            balance: Decimal.parse(owned.purchasePrice).toString(),
          });
        if (balance)
          await BalancePoint.updateOne(
            { walletId, date: ctx.params.date ?? todayUtc() },
            { $set: { balance, source: 'user' }, $setOnInsert: { userId, walletId } },
            { upsert: true },
          );
        const created = await this.ownWallet(ctx, walletId);
        if (hasSchedule(created)) await refreshScheduledBalances(this.broker, created);
        else if (owned) await refreshManualBalance(this.broker, created);
        return this.respondCreated(ctx, walletId);
      },
    },

    rename: {
      rest: 'PATCH /:id',
      params: { $$strict: true, ...idParam, name: nameRule },
      async handler(ctx: Ctx<{ id: string; name: string }>): Promise<WalletView> {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        await Wallet.updateOne({ publicId: wallet.publicId }, { $set: { name: ctx.params.name } });
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    archive: {
      rest: 'POST /:id/archive',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>): Promise<WalletView> {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        await Wallet.updateOne(
          { publicId: wallet.publicId },
          { $set: { archivedAt: wallet.archivedAt ?? new Date() } },
        );
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    unarchive: {
      rest: 'POST /:id/unarchive',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>): Promise<WalletView> {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        await Wallet.updateOne({ publicId: wallet.publicId }, { $set: { archivedAt: null } });
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    /** Deleting a wallet deletes its accounts, holdings, balance history and (through their owner) transactions, and disconnects the provider. */
    remove: {
      rest: 'DELETE /:id',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>): Promise<WalletDeleted> {
        const wallet = await this.ownWallet(ctx, ctx.params.id, true);
        let providerDisconnected: boolean | null = null;
        if ((wallet.kind === 'bank' || wallet.kind === 'brokerage') && wallet.credentials) {
          try {
            await providersOf(this.broker).plaid().removeItem(this.credentials.bank(wallet).accessToken);
            providerDisconnected = true;
          } catch (err) {
            // the data is still deleted here; the provider link lapses on its own
            providerDisconnected = false;
            this.logger.warn(
              { walletId: wallet.publicId, err: (err as Error).message },
              'could not remove the item at the provider',
            );
          }
        }
        const filter = { userId: wallet.userId, walletId: wallet.publicId };
        const [transactions, accounts, holdings, investmentTransactions, chainTransactions, balancePoints] =
          await Promise.all([
            callAction(ctx, 'transactions.removeForWallet', filter),
            Account.deleteMany(filter),
            Holding.deleteMany(filter),
            InvestmentTransaction.deleteMany(filter),
            ChainTransaction.deleteMany(filter),
            BalancePoint.deleteMany(filter),
          ]);
        await markPositionsChanged(wallet.userId);
        await Wallet.deleteOne({ publicId: wallet.publicId });
        // a property it financed is no longer financed by it
        if (wallet.manualType === 'mortgage')
          await Wallet.updateMany(
            { userId: wallet.userId, 'owned.mortgageWalletId': wallet.publicId },
            { $unset: { 'owned.mortgageWalletId': '' } },
          );
        emitEvent(ctx, 'wallet.deleted', filter);
        return {
          deleted: {
            wallet: wallet.publicId,
            transactions: transactions.deleted,
            accounts: accounts.deletedCount,
            holdings: holdings.deletedCount,
            investmentTransactions: investmentTransactions.deletedCount,
            chainTransactions: chainTransactions.deletedCount,
            balancePoints: balancePoints.deletedCount,
          },
          providerDisconnected,
        };
      },
    },

    /** The user's wallets as their export carries them: every wallet (archived too) and each manual one's balances. */
    exportUser: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(
        ctx: Ctx<{ userId: string }>,
      ): Promise<Pick<ExportFiles, 'wallets' | 'balances' | 'investmentTransactions' | 'chainTransactions'>> {
        const { userId } = ctx.params;
        const wallets = await Wallet.find({ userId }).sort({ createdAt: 1 }).lean<WalletRecord[]>();
        const points = await BalancePoint.find({ userId }).sort({ date: 1 }).lean();
        const activity = await InvestmentTransaction.find({ userId }).sort({ date: 1 }).lean();
        const onChain = await ChainTransaction.find({ userId }).sort({ height: 1, txid: 1 }).lean();
        const balances = new Map<string, ExportedBalances>();
        for (const p of points) {
          const entry = balances.get(p.walletId) ?? { walletId: p.walletId, balances: [] };
          entry.balances.push({
            date: p.date,
            balance: p.balance,
            ...(p.source === 'schedule' ? { source: 'schedule' as const } : {}),
          });
          balances.set(p.walletId, entry);
        }
        return {
          wallets: await loadWalletViews(userId, wallets),
          balances: [...balances.values()],
          investmentTransactions: activity.map((t) => ({
            walletId: t.walletId,
            accountId: t.accountId,
            date: t.date,
            name: t.name,
            asset: t.asset ?? null,
            type: t.type,
            subtype: t.subtype,
            quantity: t.quantity,
            amount: t.amount,
            price: t.price,
            fees: t.fees ?? null,
            currency: t.currency,
          })),
          chainTransactions: onChain.map((t) => ({
            walletId: t.walletId,
            accountId: t.accountId,
            txid: t.txid,
            asset: t.asset,
            quantity: t.quantity,
            date: t.date,
            blockTime: t.blockTime.toISOString(),
            height: t.height,
          })),
        };
      },
    },

    /** A deleted account: in its actor (after a sync under way), its wallets and everything in them go. */
    eraseUser: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<{ deleted: number; providerErrors: number }> {
        return (await this.dispatch(ctx.params.userId, { type: 'erase' })) as {
          deleted: number;
          providerErrors: number;
        };
      },
    },

    syncNow: {
      rest: 'POST /:id/sync',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>): Promise<WalletView> {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        if (wallet.kind === 'manual')
          throw new AppError('WRONG_WALLET_KIND', 'Manual wallets have nothing to sync.');
        if (wallet.archivedAt) throw new AppError('WALLET_ARCHIVED', 'Unarchive this wallet to sync it.');
        await this.spend(ctx, 'syncNow');
        await this.sync.enqueue({ walletId: wallet.publicId, userId: wallet.userId, reason: 'user' });
        ctx.meta.$statusCode = 202;
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    /** An operator's resync of any user's wallet (REPL `resync`): queued like the user's own. */
    resync: {
      internal: true,
      params: { $$strict: true, walletId: 'uuid' },
      async handler(
        ctx: Ctx<{ walletId: string }>,
      ): Promise<{ walletId: string; userId: string; queued: true }> {
        const wallet = await Wallet.findOne({ publicId: ctx.params.walletId }).lean<WalletRecord>();
        if (!wallet) throw notFound('Wallet');
        if (wallet.kind === 'manual')
          throw new AppError('WRONG_WALLET_KIND', 'Manual wallets have nothing to sync.');
        await this.sync.enqueue({ walletId: wallet.publicId, userId: wallet.userId, reason: 'operator' });
        return { walletId: wallet.publicId, userId: wallet.userId, queued: true };
      },
    },

    balances: {
      rest: 'GET /:id/balances',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>): Promise<BalanceHistory> {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        const points = await BalancePoint.find({ walletId: wallet.publicId }).sort({ date: 1 }).lean();
        return { balances: points.map((p) => ({ date: p.date, balance: p.balance })) };
      },
    },

    setBalance: {
      rest: 'PUT /:id/balances/:date',
      params: { $$strict: true, ...idParam, date: { type: 'isoDate', past: true }, balance: amountRule },
      async handler(ctx: Ctx<{ id: string; date: string; balance: string }>): Promise<WalletView> {
        const { wallet } = await this.ownManual(ctx, ctx.params.id, 'edit');
        await BalancePoint.updateOne(
          { walletId: wallet.publicId, date: ctx.params.date },
          {
            // recorded over a loan's scheduled entry, the day is the person's
            $set: { balance: Decimal.parse(ctx.params.balance).toString(), source: 'user' },
            $setOnInsert: { userId: wallet.userId, walletId: wallet.publicId, date: ctx.params.date },
          },
          { upsert: true },
        );
        await this.balanceChanged(wallet);
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    schedule: {
      rest: 'GET /:id/schedule',
      params: { $$strict: true, ...idParam },
      async handler(ctx: Ctx<{ id: string }>): Promise<LoanSchedule> {
        const wallet = await this.ownWallet(ctx, ctx.params.id);
        if (!wallet.loan)
          throw new AppError('WRONG_WALLET_KIND', 'Only a loan or a mortgage has a schedule.');
        return loanSchedule(wallet);
      },
    },

    /** A thing owned: the vehicle's depreciation rate, the property's mortgage (null unlinks it). */
    updateOwned: {
      rest: 'PATCH /:id/owned',
      params: {
        $$strict: true,
        ...idParam,
        depreciationPercent: { ...depreciationRule, optional: true },
        mortgageWalletId: mortgageLinkRule,
      },
      async handler(ctx: Ctx<{ id: string } & UpdateOwnedAssetRequest>): Promise<WalletView> {
        const { wallet } = await this.ownManual(ctx, ctx.params.id, 'edit');
        if (!isOwnedType(wallet.manualType) || !wallet.owned)
          throw new AppError(
            'WRONG_WALLET_KIND',
            'Only a property, a vehicle or valuables have these terms.',
          );
        const { id: _id, ...change } = ctx.params;
        await checkOwnedTerms(wallet.userId, wallet.manualType, wallet.currency ?? '', change, '');
        const terms = ownedTerms({ ...wallet.owned, ...change });
        await Wallet.updateOne({ publicId: wallet.publicId }, { $set: { owned: terms } });
        const updated = await this.ownWallet(ctx, wallet.publicId);
        // a new rate reworks the schedule's entries since the last valuation
        await this.balanceChanged(updated);
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    deleteBalance: {
      rest: 'DELETE /:id/balances/:date',
      params: { $$strict: true, ...idParam, date: 'isoDate' },
      async handler(ctx: Ctx<{ id: string; date: string }>): Promise<WalletView> {
        const { wallet } = await this.ownManual(ctx, ctx.params.id, 'edit');
        // a loan's scheduled entries are the schedule's: the person records over them instead
        const res = await BalancePoint.deleteOne({
          walletId: wallet.publicId,
          date: ctx.params.date,
          source: { $ne: 'schedule' },
        });
        if (!res.deletedCount) throw notFound('Balance entry');
        await this.balanceChanged(wallet);
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    setHolding: {
      rest: 'PUT /:id/holdings/:asset',
      params: {
        $$strict: true,
        ...idParam,
        asset: assetRule,
        quantity: { ...amountRule, nonNegative: true },
      },
      async handler(ctx: Ctx<{ id: string; asset: string; quantity: string }>): Promise<WalletView> {
        const { wallet, account } = await this.ownManual(ctx, ctx.params.id, 'edit');
        await setManualHolding(
          this.broker,
          { userId: wallet.userId, walletId: wallet.publicId, accountId: account.publicId },
          ctx.params.asset,
          Decimal.parse(ctx.params.quantity).toString(),
        );
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    deleteHolding: {
      rest: 'DELETE /:id/holdings/:asset',
      params: { $$strict: true, ...idParam, asset: assetRule },
      async handler(ctx: Ctx<{ id: string; asset: string }>): Promise<WalletView> {
        const { wallet } = await this.ownManual(ctx, ctx.params.id, 'edit');
        if (
          !(await deleteManualHolding(
            this.broker,
            { userId: wallet.userId, walletId: wallet.publicId },
            ctx.params.asset,
          ))
        )
          throw notFound('Holding');
        return loadWalletView(await this.ownWallet(ctx, wallet.publicId));
      },
    },

    /** The transactions service asks where a manual entry or an import may go (this service owns wallets). */
    manualAccount: {
      internal: true,
      params: { userId: 'uuid', walletId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string; walletId: string }>) {
        const wallet = await Wallet.findOne({
          publicId: ctx.params.walletId,
          userId: ctx.params.userId,
        }).lean<WalletRecord>();
        if (!wallet) throw notFound('Wallet');
        const { account } = await manualTarget(wallet, 'transactions');
        return { walletId: wallet.publicId, accountId: account.publicId, currency: account.currency };
      },
    },

    /** Key rotation: re-seal every credential that was sealed with an older key (admin, or REPL `call wallets.rotateCredentials`). */
    rotateCredentials: {
      rest: 'POST /admin/rotate-credentials',
      roles: ['admin'],
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<CredentialsRotated> {
        const box = credentialsBox(configOf(this.broker).credentialsKeys);
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
        await audit(ctx, {
          type: 'credentials.resealed',
          actorId: callerId(ctx),
          details: { resealed, failed },
        });
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
      async handler(
        ctx: Ctx<{ webhook_type: string; webhook_code: string; item_id: string }>,
      ): Promise<WebhookReceived> {
        const raw = ctx.meta.rawBody;
        const verified = raw
          ? await providersOf(this.broker).plaid().verifyWebhook(raw, ctx.meta.webhookVerification)
          : undefined;
        if (!verified)
          throw new AppError(
            'WEBHOOK_SIGNATURE_INVALID',
            'The webhook signature is missing, stale or invalid.',
          );
        const kind = WEBHOOK_SYNCS[`${verified.type}/${verified.code}`];
        if (!kind) return { received: true, queued: 0 };
        const wallets = await Wallet.find({
          providerItemId: verified.itemId,
          kind,
          archivedAt: null,
        }).lean<WalletRecord[]>();
        for (const wallet of wallets)
          await this.sync.enqueue({ walletId: wallet.publicId, userId: wallet.userId, reason: 'webhook' });
        return { received: true, queued: wallets.length };
      },
    },
  },

  // retries, dead-lettering and ack_wait come from DurableChannelsMixin (config: SYNC_*)
  channels: {
    [SYNC_CHANNEL]: {
      group: 'wallets',
      maxInFlight: 4,
      async handler(this: WalletsService, payload: unknown, raw: ChannelMessage) {
        const job = payload as Partial<SyncJob> | null;
        if (typeof job?.walletId !== 'string' || typeof job.userId !== 'string') {
          this.logger.warn({ payload }, 'malformed sync job dropped');
          return;
        }
        // long syncs keep their message alive; a dead worker's job is redelivered after ack_wait
        const keepAlive = setInterval(
          () => raw.working?.(),
          Math.max(500, configOf(this.broker).sync.ackWaitMs / 3),
        );
        try {
          await this.dispatch(job.userId, { type: 'sync', walletId: job.walletId });
        } finally {
          clearInterval(keepAlive);
        }
      },
    },
  },

  methods: {
    /** A Plaid item linked (for a bank's transactions or a brokerage's investments), stored as a wallet and queued for its first sync. */
    async linkPlaidItem(ctx: Ctx<LinkBankRequest>, kind: 'bank' | 'brokerage'): Promise<WalletView> {
      const userId = callerId(ctx);
      const p = ctx.params;
      if (!p.publicToken && !p.institutionId)
        throw invalid(
          [{ field: 'publicToken', message: 'or institutionId is required', type: 'required' }],
          'Send a publicToken from Link, or an institutionId.',
        );
      const plaid = providersOf(this.broker).plaid();
      const product = kind === 'bank' ? 'transactions' : 'investments';
      const credentials =
        p.username !== undefined || p.password !== undefined
          ? { username: p.username ?? '', password: p.password ?? '' }
          : undefined;
      const publicToken =
        p.publicToken ??
        (await this.provider(
          () => plaid.createSandboxPublicToken(p.institutionId as string, credentials, product),
          ['username', 'password'],
        ));
      const link = await this.provider(() => plaid.exchangePublicToken(publicToken));
      const institutions = await this.provider(() => plaid.listInstitutions()).catch(() => []);
      const institution = institutions.find((i) => i.id === p.institutionId) ?? null;
      const walletId = randomUUID();
      await Wallet.create({
        publicId: walletId,
        userId,
        kind,
        provider: 'plaid',
        name: p.name ?? institution?.name ?? (kind === 'bank' ? 'Bank' : 'Brokerage'),
        institution,
        providerItemId: link.itemId,
        credentials: this.credentials.seal(walletId, { accessToken: link.accessToken }),
        sync: { state: 'queued' },
      });
      // a bank's accounts show at once; a brokerage's come with its holdings, in the first sync
      if (kind === 'bank')
        try {
          await upsertBankAccounts(
            userId,
            walletId,
            await this.provider(() => plaid.getAccounts(link.accessToken)),
          );
        } catch (err) {
          this.logger.warn(
            { walletId, err: (err as Error).message },
            'accounts not read at link; the first sync will read them',
          );
        }
      await this.sync.enqueue({ walletId, userId, reason: 'link' });
      return this.respondCreated(ctx, walletId);
    },

    /** After a recorded balance changed: a schedule continues from it; any wallet's balance is its latest entry. */
    async balanceChanged(wallet: WalletRecord) {
      if (hasSchedule(wallet)) await refreshScheduledBalances(this.broker, wallet);
      else await refreshManualBalance(this.broker, wallet);
    },

    /** Loans and vehicles of this node's users: the steps due since the last look move their balances. */
    async refreshSchedules() {
      const scheduled = await Wallet.find({
        $or: [{ loan: { $ne: null } }, { manualType: 'vehicle', owned: { $ne: null } }],
        archivedAt: null,
      }).lean<WalletRecord[]>();
      for (const wallet of scheduled)
        if (this.ownerOf(wallet.userId) === this.broker.nodeID)
          await refreshScheduledBalances(this.broker, wallet);
    },

    async eraseWallets(userId: string) {
      const wallets = await Wallet.find({ userId }).select('+credentials').lean<WalletRecord[]>();
      let providerErrors = 0;
      for (const wallet of wallets)
        if ((wallet.kind === 'bank' || wallet.kind === 'brokerage') && wallet.credentials)
          try {
            // the bank's link ends at the provider too; exchange keys end with their sealed copy below
            await providersOf(this.broker).plaid().removeItem(this.credentials.bank(wallet).accessToken);
          } catch (err) {
            providerErrors += 1;
            this.logger.warn(
              { walletId: wallet.publicId, err: (err as Error).message },
              'a deleted account’s bank item could not be removed at the provider; its data is deleted here',
            );
          }
      const results = await Promise.all([
        Account.deleteMany({ userId }),
        Holding.deleteMany({ userId }),
        InvestmentTransaction.deleteMany({ userId }),
        ChainTransaction.deleteMany({ userId }),
        BalancePoint.deleteMany({ userId }),
        Wallet.deleteMany({ userId }),
      ]);
      return { deleted: results.reduce((n, r) => n + r.deletedCount, 0), providerErrors };
    },

    /** The answer to a request that made a wallet: 201, its Location, and the event portfolios listen to. */
    async respondCreated(ctx: Ctx<unknown>, walletId: string): Promise<WalletView> {
      ctx.meta.$statusCode = 201;
      ctx.meta.$location = `/api/v1/wallets/${walletId}`;
      emitEvent(ctx, 'wallet.created', { userId: callerId(ctx), walletId });
      return loadWalletView(await this.ownWallet(ctx, walletId));
    },

    /** The caller's wallet; another user's answers exactly like one that does not exist. */
    async ownWallet(ctx: Ctx<unknown>, id: string, withCredentials = false): Promise<WalletRecord> {
      const query = Wallet.findOne({ publicId: id, userId: callerId(ctx) });
      const wallet = await (withCredentials ? query.select('+credentials') : query).lean<WalletRecord>();
      if (!wallet) throw notFound('Wallet');
      return wallet;
    },

    async ownManual(ctx: Ctx<unknown>, id: string, use: ManualUse) {
      return manualTarget(await this.ownWallet(ctx, id), use);
    },

    /** Runs a provider call the user is waiting on; failures become clear errors. */
    async provider<T>(run: () => Promise<T>, credentialFields: string[] = []): Promise<T> {
      try {
        return await run();
      } catch (err) {
        if (err instanceof ProviderError) throw providerFailureToAppError(err, credentialFields);
        throw err;
      }
    },
  },

  created() {
    // a node that cannot open credentials fails now, not at the first link
    this.credentials = new WalletCredentials(configOf(this.broker).credentialsKeys);
    this.sync = new WalletSync(this.broker, this.logger, this.credentials);
  },

  started() {
    this.chainFollower = new ChainFollower(
      this.broker,
      this.credentials,
      (userId) => this.ownerOf(userId) === this.broker.nodeID,
    );
    this.chainFollower.start();
    this.scheduleRefreshTimer = setInterval(() => {
      this.refreshSchedules().catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'scheduled balances refresh failed'),
      );
    }, SCHEDULE_REFRESH_MS);
    this.scheduleRefreshTimer.unref();
    const intervalMs = configOf(this.broker).sync.intervalMs;
    if (!intervalMs) return;
    this.scheduleTimer = setInterval(
      () => {
        queueDueSyncs(this.sync, intervalMs, (userId) => this.ownerOf(userId) === this.broker.nodeID).catch(
          (err: Error) => this.logger.warn({ err: err.message }, 'scheduled sync sweep failed'),
        );
      },
      Math.min(intervalMs, 60_000),
    );
    this.scheduleTimer.unref();
  },

  stopped() {
    this.chainFollower?.stop();
    clearInterval(this.scheduleTimer);
    clearInterval(this.scheduleRefreshTimer);
  },
};

export default WalletsServiceSchema;
