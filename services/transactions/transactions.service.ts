// transactions: the one owner of transactions, whatever brought them (bank sync pages handed
// over by the wallets service, manual entry, CSV import). List with filters and cursor
// pagination; manual create / edit / delete; categories (the provider's, overridable,
// remembered for the merchant); CSV import as preview → column mapping → commit. The room:
// view.ts, query.ts (the list), csv-import.ts, bank-pages.ts.
import { callAction } from '../../infra/actions.ts';
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import { randomUUID } from 'node:crypto';
import {
  CATEGORY_PRIMARIES,
  DATE_FORMATS,
  TRANSACTION_SORTS,
  type CategoryInput,
  type CategoryList,
  type CreateTransactionRequest,
  type ImportMapping,
  type ImportPreview,
  type ImportPreviewRequest,
  type ImportResult,
  type TransactionPage,
  type TransactionQuery,
  type TransactionView,
  type UpdateTransactionRequest,
} from '@finexia/contracts/api.ts';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { BudgetsMixin, type BudgetsMethods } from '../../mixins/budgets.mixin.ts';
import type { Readable } from 'node:stream';
import { Transform, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import { TRANSACTION_COLUMNS, type ExportedRule } from '@finexia/contracts/export.ts';
import { transactionRow } from '../../domain/export.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { callerId, type Ctx } from '../../infra/context.ts';
import { emitEvent } from '../../infra/events.ts';
import { HISTORY_QUERY_MS, insertNew } from '../../infra/db.ts';
import { jsonLines } from '../../infra/streams.ts';
import { Account, Wallet } from '../../infra/models/wallet.model.ts';
import {
  CategoryRule,
  ImportBatch,
  Transaction,
  type TransactionRecord,
  PendingAnnouncement,
} from '../../infra/models/transaction.model.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';
import { amountE4, merchantKey } from '../../domain/transactions.ts';
import { MAX_CSV_BYTES } from '../../domain/csv-import.ts';
import { AppError, badRequest, invalidField, notFound } from '../../domain/errors.ts';
import { Announcements } from './announcements.ts';
import { failpoint } from '../../infra/failpoints.ts';
import { configOf } from '../../config/index.ts';
import { storedTransaction, transactionView } from './view.ts';
import type { ActionParams, ActionResult, CashflowRow, ImportTarget } from '@finexia/contracts/internal.ts';
import { listTransactions } from './query.ts';
import { commitImport, ownImport, previewImport } from './file-import.ts';
import { applyBankPage } from './bank-pages.ts';

/** money of a transaction: 15 digits before the point, 4 after (amountE4 stays an exact integer) */
const amountRule = { type: 'decimal', digits: 15, scale: 4 } as const;
const categoryRule = {
  type: 'object',
  strict: true,
  props: {
    primary: { type: 'enum', values: [...CATEGORY_PRIMARIES] },
    detailed: { type: 'string', optional: true, max: 80, pattern: /^[A-Z0-9_]+$/ },
  },
} as const;
const mappingColumn = { type: 'string', min: 1, max: 200 } as const;

interface TransactionsVars {
  announcements: Announcements;
  outboxSweep?: NodeJS.Timeout;
}

interface TransactionsMethods extends BudgetsMethods {
  own(ctx: Ctx<unknown>, id: string): Promise<TransactionRecord>;
  /** Where the caller's manual entries and imports into this wallet go (asked of the wallets service). */
  manualTarget(ctx: Ctx<unknown>, walletId: string): Promise<ImportTarget>;
  checkAmountPrecision(amount: string, currency: string, field: string): void;
}

type TransactionsService = Service & TransactionsMethods & TransactionsVars;

const categoryOf = (c: CategoryInput) => ({
  primary: c.primary,
  detailed: c.detailed ?? `${c.primary}_OTHER`,
});

type TransactionsSchema = ServiceSchema<ServiceSettingSchema, TransactionsMethods, TransactionsVars>;

const TransactionsServiceSchema: TransactionsSchema = {
  name: 'transactions',
  mixins: [
    DbMixin([Transaction, CategoryRule, ImportBatch, PendingAnnouncement]),
    AuthGuardMixin,
    BudgetsMixin(['csvPreview']),
  ],
  settings: { rest: '/transactions' },

  actions: {
    list: {
      rest: 'GET /',
      params: {
        $$strict: true,
        walletId: { type: 'uuid', optional: true },
        accountId: { type: 'uuid', optional: true },
        from: { type: 'isoDate', optional: true },
        to: { type: 'isoDate', optional: true },
        category: { type: 'enum', optional: true, values: [...CATEGORY_PRIMARIES] },
        minAmount: { ...amountRule, optional: true },
        maxAmount: { ...amountRule, optional: true },
        q: { type: 'string', optional: true, min: 1, max: 100, trim: true },
        pending: { type: 'boolean', optional: true, convert: true },
        sort: { type: 'enum', optional: true, values: [...TRANSACTION_SORTS] },
        limit: { type: 'number', optional: true, convert: true, integer: true, min: 1, max: 200 },
        cursor: { type: 'string', optional: true, max: 200 },
      },
      async handler(ctx: Ctx<TransactionQuery>): Promise<TransactionPage> {
        const userId = callerId(ctx);
        // another user's wallet or account answers exactly like one that does not exist
        if (ctx.params.walletId && !(await Wallet.exists({ publicId: ctx.params.walletId, userId })))
          throw notFound('Wallet');
        if (ctx.params.accountId && !(await Account.exists({ publicId: ctx.params.accountId, userId })))
          throw notFound('Account');
        return listTransactions(userId, ctx.params);
      },
    },

    get: {
      rest: 'GET /:id',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<TransactionView> {
        return transactionView(await this.own(ctx, ctx.params.id));
      },
    },

    create: {
      rest: 'POST /',
      params: {
        $$strict: true,
        walletId: 'uuid',
        amount: amountRule,
        date: 'isoDate',
        name: { type: 'string', min: 1, max: 300, trim: true },
        merchant: { type: 'string', optional: true, max: 120, trim: true },
        category: { ...categoryRule, optional: true },
        notes: { type: 'string', optional: true, max: 1000 },
      },
      async handler(ctx: Ctx<CreateTransactionRequest>): Promise<TransactionView> {
        const userId = callerId(ctx);
        const target = await this.manualTarget(ctx, ctx.params.walletId);
        this.checkAmountPrecision(ctx.params.amount, target.currency, 'amount');
        const category = ctx.params.category ? categoryOf(ctx.params.category) : null;
        const doc = await this.announcements.around(userId, () =>
          Transaction.create({
            publicId: randomUUID(),
            userId,
            walletId: target.walletId,
            accountId: target.accountId,
            providerTransactionId: `manual:${randomUUID()}`,
            amount: Decimal.parse(ctx.params.amount).toString(),
            amountE4: amountE4(ctx.params.amount),
            currency: target.currency,
            date: ctx.params.date,
            name: ctx.params.name,
            merchant: ctx.params.merchant ?? null,
            category,
            categorySource: category ? 'user' : 'none',
            source: 'manual',
            notes: ctx.params.notes ?? null,
          }),
        );
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/v1/transactions/${doc.publicId}`;
        emitEvent(ctx, 'transaction.changed', { userId, walletId: target.walletId });
        return transactionView(doc.toObject());
      },
    },

    update: {
      rest: 'PATCH /:id',
      params: {
        $$strict: true,
        id: 'uuid',
        amount: { ...amountRule, optional: true },
        date: { type: 'isoDate', optional: true },
        name: { type: 'string', optional: true, min: 1, max: 300, trim: true },
        merchant: { type: 'string', optional: true, max: 120, trim: true },
        category: { ...categoryRule, optional: true, nullable: true },
        rememberForMerchant: { type: 'boolean', optional: true },
        notes: { type: 'string', optional: true, max: 1000, nullable: true },
      },
      async handler(ctx: Ctx<UpdateTransactionRequest & { id: string }>): Promise<TransactionView> {
        const t = await this.own(ctx, ctx.params.id);
        const p = ctx.params;
        const set: Record<string, unknown> = {};
        const editsFacts =
          p.amount !== undefined || p.date !== undefined || p.name !== undefined || p.merchant !== undefined;
        if (editsFacts && t.source !== 'manual')
          throw new AppError(
            'WRONG_WALLET_KIND',
            'Amount, date, name and merchant come from your bank; you can change the category and notes.',
          );
        if (p.amount !== undefined) {
          this.checkAmountPrecision(p.amount, t.currency, 'amount');
          set.amount = Decimal.parse(p.amount).toString();
          set.amountE4 = amountE4(p.amount);
        }
        if (p.date !== undefined) set.date = p.date;
        if (p.name !== undefined) set.name = p.name;
        if (p.merchant !== undefined) set.merchant = p.merchant || null;
        if (p.notes !== undefined) set.notes = p.notes;
        if (p.category === null) {
          set.category = t.providerCategory ?? null;
          set.categorySource = t.providerCategory ? 'provider' : 'none';
        } else if (p.category) {
          set.category = categoryOf(p.category);
          set.categorySource = 'user';
        }
        if (!Object.keys(set).length) throw badRequest('Send at least one field to change.');
        await Transaction.updateOne({ publicId: t.publicId }, { $set: set });
        if (p.rememberForMerchant && p.category) {
          const key = merchantKey(t.merchant ?? t.name);
          await CategoryRule.updateOne(
            { userId: t.userId, merchantKey: key },
            { $set: { category: set.category }, $setOnInsert: { userId: t.userId, merchantKey: key } },
            { upsert: true },
          );
          // the same merchant's other transactions follow, unless the user chose for them
          await Transaction.updateMany(
            {
              userId: t.userId,
              categorySource: { $in: ['provider', 'rule', 'none'] },
              $or: [{ merchant: t.merchant ?? '\u0000' }, { name: t.name }],
            },
            { $set: { category: set.category, categorySource: 'rule' } },
          );
        }
        emitEvent(ctx, 'transaction.changed', { userId: t.userId, walletId: t.walletId });
        return transactionView(await this.own(ctx, t.publicId));
      },
    },

    remove: {
      rest: 'DELETE /:id',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<void> {
        const t = await this.own(ctx, ctx.params.id);
        if (t.source === 'plaid')
          throw new AppError(
            'WRONG_WALLET_KIND',
            'Transactions from your bank cannot be deleted; they would come back at the next sync.',
          );
        await Transaction.deleteOne({ publicId: t.publicId });
        emitEvent(ctx, 'transaction.changed', { userId: t.userId, walletId: t.walletId });
        ctx.meta.$statusCode = 204;
      },
    },

    categories: {
      rest: 'GET /categories',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<CategoryList> {
        const rules = await CategoryRule.find({ userId: callerId(ctx) }).lean();
        return {
          categories: CATEGORY_PRIMARIES,
          rules: rules.map((r) => ({ merchant: r.merchantKey, category: r.category })),
        };
      },
    },

    importPreview: {
      rest: 'POST /import/preview',
      params: {
        $$strict: true,
        walletId: 'uuid',
        file: { type: 'string', min: 1, max: MAX_CSV_BYTES, optional: true },
        csv: { type: 'string', min: 1, max: MAX_CSV_BYTES, optional: true },
      },
      async handler(ctx: Ctx<ImportPreviewRequest>): Promise<ImportPreview> {
        const file = ctx.params.file ?? ctx.params.csv;
        if (file === undefined || (ctx.params.file !== undefined && ctx.params.csv !== undefined))
          throw invalidField(
            'file',
            'send the file as "file" (or, as before, "csv"): exactly one of them',
            'required',
          );
        const target = await this.manualTarget(ctx, ctx.params.walletId);
        await this.spend(ctx, 'csvPreview');
        const preview = await previewImport(callerId(ctx), target, file);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/v1/transactions/import/${preview.importId}`;
        return preview;
      },
    },

    importCommit: {
      rest: 'POST /import/:importId/commit',
      params: {
        $$strict: true,
        importId: 'uuid',
        mapping: {
          type: 'object',
          // a bank file's columns are known (the preview says so): its mapping may be left out
          optional: true,
          strict: true,
          props: {
            date: mappingColumn,
            amount: { ...mappingColumn, optional: true },
            debit: { ...mappingColumn, optional: true },
            credit: { ...mappingColumn, optional: true },
            description: mappingColumn,
            category: { ...mappingColumn, optional: true },
            dateFormat: { type: 'enum', values: [...DATE_FORMATS] },
            decimalSeparator: { type: 'enum', values: ['.', ','] },
            invertSign: { type: 'boolean', optional: true },
          },
        },
      },
      async handler(ctx: Ctx<{ importId: string; mapping?: ImportMapping }>): Promise<ImportResult> {
        const batch = await ownImport(callerId(ctx), ctx.params.importId);
        const target = await this.manualTarget(ctx, batch.walletId);
        const result = await this.announcements.around(
          batch.userId,
          async () => {
            const committed = await commitImport(batch, target.currency, ctx.params.mapping);
            failpoint(this.broker, 'import-rows-stored');
            return committed;
          },
          (committed) => !committed.alreadyCommitted,
        );
        if (!result.alreadyCommitted)
          emitEvent(ctx, 'transaction.changed', { userId: batch.userId, walletId: batch.walletId });
        return result;
      },
    },

    /** One page of a bank sync, from the wallets service's sync engine (safe to repeat). */
    applyBankPage: {
      internal: true,
      params: {
        userId: 'uuid',
        walletId: 'uuid',
        upserts: { type: 'array', max: 1000, items: 'object' },
        removed: { type: 'array', max: 1000, items: 'string' },
      },
      async handler(
        ctx: Ctx<ActionParams<'transactions.applyBankPage'>>,
      ): Promise<ActionResult<'transactions.applyBankPage'>> {
        // (the wallets service announces the sync's transactions once the whole sync is stored)
        await applyBankPage(ctx.params);
        return { applied: ctx.params.upserts.length + ctx.params.removed.length };
      },
    },

    /**
     * The user's transactions stored since `from` (an ObjectId, inclusive; none: all), as
     * `jsonLines` of StoredTransaction: how the anomaly detector reads them, keeping its own
     * cursor, so that nothing here is written to say what it has read. One query, streamed: a
     * first sync of years is one read of the user's rows, not one per page.
     */
    storedSince: {
      internal: true,
      params: {
        $$strict: true,
        userId: 'uuid',
        from: { type: 'string', optional: true, pattern: /^[0-9a-f]{24}$/ },
      },
      handler(ctx: Ctx<ActionParams<'transactions.storedSince'>>): Readable {
        const { userId, from } = ctx.params;
        const rows = Transaction.find({ userId, ...(from ? { _id: { $gte: from } } : {}) })
          .sort({ _id: 1 })
          .maxTimeMS(HISTORY_QUERY_MS)
          .lean<TransactionRecord>()
          .cursor({ batchSize: 2_000 });
        return pipeline(rows, jsonLines(storedTransaction), (err) => {
          if (err) this.logger.warn({ userId, err: err.message }, 'stored transactions stream stopped');
        });
      },
    },

    /**
     * A user's transactions on or after `from` (YYYY-MM-DD), as the history and the insights read
     * them: `jsonLines` of CashflowRow, streamed (years of a busy account exceed one message).
     */
    cashflowOf: {
      internal: true,
      params: { $$strict: true, userId: 'uuid', from: { type: 'isoDate' } },
      handler(ctx: Ctx<ActionParams<'transactions.cashflowOf'>>): Readable {
        const { userId, from } = ctx.params;
        const rows = Transaction.find({ userId, date: { $gte: from } })
          .select({
            accountId: 1,
            date: 1,
            amount: 1,
            currency: 1,
            category: 1,
            providerCategory: 1,
            merchant: 1,
            name: 1,
            pending: 1,
          })
          .maxTimeMS(HISTORY_QUERY_MS)
          .lean<TransactionRecord>()
          .cursor({ batchSize: 2_000 });
        return pipeline(
          rows,
          jsonLines((t: TransactionRecord): CashflowRow => ({
            accountId: t.accountId,
            date: t.date,
            amount: t.amount,
            currency: t.currency,
            category: t.category?.primary ?? t.providerCategory?.primary ?? null,
            merchant: t.merchant ?? t.name,
            pending: Boolean(t.pending),
          })),
          (err) => {
            if (err) this.logger.warn({ userId, err: err.message }, 'cash flow stream stopped');
          },
        );
      },
    },

    /** A wallet is being deleted: its transactions go with it (asked by the wallets service). */
    removeForWallet: {
      internal: true,
      params: { userId: 'uuid', walletId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string; walletId: string }>): Promise<{ deleted: number }> {
        const [removed] = await Promise.all([
          Transaction.deleteMany({ userId: ctx.params.userId, walletId: ctx.params.walletId }),
          ImportBatch.deleteMany({ userId: ctx.params.userId, walletId: ctx.params.walletId }),
        ]);
        return { deleted: removed.deletedCount };
      },
    },

    /** The user's merchant rules and how many transactions the export's CSV will hold. */
    exportSummary: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<{ rules: ExportedRule[]; transactions: number }> {
        const { userId } = ctx.params;
        const [rules, transactions] = await Promise.all([
          CategoryRule.find({ userId }).sort({ merchantKey: 1 }).lean(),
          Transaction.countDocuments({ userId }).maxTimeMS(HISTORY_QUERY_MS),
        ]);
        return {
          rules: rules.map((r) => ({ merchant: r.merchantKey, category: r.category })),
          transactions,
        };
      },
    },

    /**
     * Every transaction of the user as CSV (TRANSACTION_COLUMNS), streamed from the database as
     * it is read: 100,000 rows are never held at once.
     */
    exportCsv: {
      internal: true,
      params: { $$strict: true, userId: 'uuid' },
      handler(ctx: Ctx<{ userId: string }>): Readable {
        const rows = Transaction.find({ userId: ctx.params.userId })
          .sort({ date: 1, _id: 1 })
          .lean<TransactionRecord>()
          .cursor();
        const csv = stringify({ header: true, columns: [...TRANSACTION_COLUMNS] });
        const toRow = new Transform({
          objectMode: true,
          transform(t: TransactionRecord, _encoding, done) {
            done(null, transactionRow(transactionView(t)));
          },
        });
        return pipeline(rows, toRow, csv, (err) => {
          if (err) this.logger.warn({ err: err.message }, 'transactions export stopped');
        });
      },
    },

    /**
     * Transactions brought in from an export into one of the user's manual wallets, with their
     * categories and notes; each is keyed by its id in the export, so importing twice adds nothing.
     */
    importRows: {
      internal: true,
      params: {
        $$strict: true,
        userId: 'uuid',
        walletId: 'uuid',
        accountId: 'uuid',
        currency: 'currencyCode',
        rows: { type: 'array', max: 5_000, items: 'object' },
      },
      async handler(
        ctx: Ctx<ActionParams<'transactions.importRows'>>,
      ): Promise<ActionResult<'transactions.importRows'>> {
        const { userId, walletId, accountId, currency } = ctx.params;
        const docs = ctx.params.rows.map((r) => ({
          publicId: randomUUID(),
          userId,
          walletId,
          accountId,
          providerTransactionId: `export:${r.id}`,
          amount: r.amount,
          amountE4: amountE4(r.amount),
          currency,
          date: r.date,
          name: r.name,
          merchant: r.merchant,
          category: r.category,
          categorySource: r.category ? r.categorySource : 'none',
          source: r.source,
          notes: r.notes,
        }));
        const { duplicates } = await this.announcements.around(
          userId,
          () => insertNew(Transaction, docs),
          (stored) => stored.duplicates.length < docs.length,
        );
        const inserted = docs.length - duplicates.length;
        if (inserted) emitEvent(ctx, 'transaction.changed', { userId, walletId });
        return { imported: inserted, duplicates: duplicates.length };
      },
    },

    /** Merchant rules brought in from an export (a rule already there for the merchant is replaced). */
    importRules: {
      internal: true,
      params: { $$strict: true, userId: 'uuid', rules: { type: 'array', max: 10_000, items: 'object' } },
      async handler(ctx: Ctx<{ userId: string; rules: ExportedRule[] }>): Promise<{ imported: number }> {
        const { userId } = ctx.params;
        for (const rule of ctx.params.rules)
          await CategoryRule.updateOne(
            { userId, merchantKey: rule.merchant },
            { $set: { category: rule.category }, $setOnInsert: { userId, merchantKey: rule.merchant } },
            { upsert: true },
          );
        return { imported: ctx.params.rules.length };
      },
    },

    /** A deleted account: its transactions, imports and merchant rules go. */
    eraseUser: {
      internal: true,
      params: { userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<{ deleted: number }> {
        const { userId } = ctx.params;
        const results = await Promise.all([
          Transaction.deleteMany({ userId }),
          ImportBatch.deleteMany({ userId }),
          CategoryRule.deleteMany({ userId }),
        ]);
        return { deleted: results.reduce((n, r) => n + r.deletedCount, 0) };
      },
    },
  },

  methods: {
    async own(ctx: Ctx<unknown>, id: string): Promise<TransactionRecord> {
      const t = await Transaction.findOne({
        publicId: id,
        userId: callerId(ctx),
      }).lean<TransactionRecord>();
      if (!t) throw notFound('Transaction');
      return t;
    },

    async manualTarget(
      this: TransactionsService,
      ctx: Ctx<unknown>,
      walletId: string,
    ): Promise<ImportTarget> {
      return callAction(ctx, 'wallets.manualAccount', {
        userId: callerId(ctx),
        walletId,
      });
    },

    checkAmountPrecision(amount: string, currency: string, field: string) {
      const digits = currencyDigits(currency);
      const value = Decimal.parse(amount);
      if (!value.round(digits).eq(value))
        throw invalidField(field, `${currency} allows at most ${digits} decimal places`, 'precision');
    },
  },

  created() {
    this.announcements = new Announcements(this.broker, configOf(this.broker).outboxStaleAfterMs);
  },

  started() {
    // what a writer that died owed the anomaly detector is announced by the nodes still running
    const staleAfterMs = configOf(this.broker).outboxStaleAfterMs;
    this.outboxSweep = setInterval(
      () =>
        void this.announcements
          .sweep()
          .then((settled) => {
            if (settled) this.logger.info({ settled }, 'announced what a stopped writer owed the detector');
          })
          .catch((err: Error) => this.logger.warn({ err: err.message }, 'announcement sweep failed')),
      Math.max(1_000, staleAfterMs / 2),
    );
    this.outboxSweep.unref();
  },

  stopped() {
    clearInterval(this.outboxSweep);
  },
};

export default TransactionsServiceSchema;
