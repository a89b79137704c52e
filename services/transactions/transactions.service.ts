// transactions: list with filters and cursor pagination; manual create / edit / delete;
// categories (the provider's, overridable, remembered for the merchant); CSV import as
// preview → column mapping → commit, all-or-nothing per validation, deduplicated on re-import.
import type { ServiceSchema } from 'moleculer';
import { randomUUID } from 'node:crypto';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { escapeRegex, isDuplicateKey } from '../../infra/db.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import type { AuthUser, Ctx } from '../../infra/context.ts';
import { Account, Wallet, type AccountRecord, type WalletRecord } from '../../infra/models/wallet.model.ts';
import {
  CategoryRule,
  ImportBatch,
  Transaction,
  type ImportBatchRecord,
  type TransactionRecord,
} from '../../infra/models/transaction.model.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';
import {
  CATEGORY_PRIMARIES,
  amountE4,
  decodeListCursor,
  encodeListCursor,
  merchantKey,
  type SortKey,
} from '../../domain/transactions.ts';
import {
  DATE_FORMATS,
  MAX_CSV_BYTES,
  importRowIds,
  parseCsv,
  suggestMapping,
  validateRows,
  type ColumnMapping,
} from '../../domain/csv-import.ts';
import { AppError, badRequest, notFound, unprocessable } from '../../domain/errors.ts';

interface ListParams {
  walletId?: string;
  accountId?: string;
  from?: string;
  to?: string;
  category?: string;
  minAmount?: string;
  maxAmount?: string;
  q?: string;
  pending?: boolean;
  sort?: 'date' | '-date' | 'amount' | '-amount';
  limit?: number;
  cursor?: string;
}

const dateRule = { type: 'string', pattern: /^\d{4}-\d{2}-\d{2}$/ } as const;
const amountRule = { type: 'string', min: 1, max: 30, pattern: /^-?\d{1,15}(\.\d{1,4})?$/ } as const;
const categoryRule = {
  type: 'object',
  strict: true,
  props: {
    primary: { type: 'enum', values: [...CATEGORY_PRIMARIES] },
    detailed: { type: 'string', optional: true, max: 80, pattern: /^[A-Z0-9_]+$/ },
  },
} as const;

export function publicTransaction(t: TransactionRecord) {
  return {
    id: t.publicId,
    walletId: t.walletId,
    accountId: t.accountId,
    amount: t.amount,
    currency: t.currency,
    date: t.date,
    authorizedDate: t.authorizedDate ?? null,
    name: t.name,
    merchant: t.merchant ?? null,
    pending: Boolean(t.pending),
    category: t.category ?? null,
    categorySource: t.categorySource,
    providerCategory: t.providerCategory ?? null,
    source: t.source,
    notes: t.notes ?? null,
  };
}

const TransactionsService: ServiceSchema = {
  name: 'transactions',
  mixins: [DbMixin([Transaction, CategoryRule, ImportBatch]), AuthGuardMixin],
  settings: { rest: '/transactions' },

  actions: {
    list: {
      rest: 'GET /',
      params: {
        $$strict: true,
        walletId: { type: 'uuid', optional: true },
        accountId: { type: 'uuid', optional: true },
        from: { ...dateRule, optional: true },
        to: { ...dateRule, optional: true },
        category: { type: 'enum', optional: true, values: [...CATEGORY_PRIMARIES] },
        minAmount: { ...amountRule, optional: true },
        maxAmount: { ...amountRule, optional: true },
        q: { type: 'string', optional: true, min: 1, max: 100, trim: true },
        pending: { type: 'boolean', optional: true, convert: true },
        sort: { type: 'enum', optional: true, values: ['date', '-date', 'amount', '-amount'] },
        limit: { type: 'number', optional: true, convert: true, integer: true, min: 1, max: 200 },
        cursor: { type: 'string', optional: true, max: 200 },
      },
      async handler(ctx: Ctx<ListParams>) {
        const p = ctx.params;
        const userId = (ctx.meta.user as AuthUser).id;
        const sortParam = p.sort ?? '-date';
        const sortKey: SortKey = sortParam.endsWith('date') ? 'date' : 'amount';
        const direction = sortParam.startsWith('-') ? -1 : 1;
        const field = sortKey === 'date' ? 'date' : 'amountE4';
        const limit = p.limit ?? 50;
        if (p.from && p.to && p.from > p.to)
          throw unprocessable('VALIDATION_FAILED', 'Some fields are invalid.', [
            { field: 'from', message: 'must not be after to', type: 'range' },
          ]);
        if (p.minAmount && p.maxAmount && Decimal.parse(p.minAmount).cmp(Decimal.parse(p.maxAmount)) > 0)
          throw unprocessable('VALIDATION_FAILED', 'Some fields are invalid.', [
            { field: 'minAmount', message: 'must not exceed maxAmount', type: 'range' },
          ]);

        // Another user's wallet or account answers exactly like one that does not exist.
        if (p.walletId && !(await Wallet.exists({ publicId: p.walletId, userId }))) throw notFound('Wallet');
        if (p.accountId && !(await Account.exists({ publicId: p.accountId, userId })))
          throw notFound('Account');

        const and: Record<string, unknown>[] = [{ userId }];
        if (p.walletId) and.push({ walletId: p.walletId });
        if (p.accountId) and.push({ accountId: p.accountId });
        if (p.from) and.push({ date: { $gte: p.from } });
        if (p.to) and.push({ date: { $lte: p.to } });
        if (p.category) and.push({ 'category.primary': p.category });
        if (p.minAmount) and.push({ amountE4: { $gte: amountE4(p.minAmount) } });
        if (p.maxAmount) and.push({ amountE4: { $lte: amountE4(p.maxAmount) } });
        if (p.pending !== undefined) and.push({ pending: p.pending });
        if (p.q) {
          const pattern = escapeRegex(p.q);
          and.push({
            $or: [
              { name: { $regex: pattern, $options: 'i' } },
              { merchant: { $regex: pattern, $options: 'i' } },
            ],
          });
        }
        if (p.cursor) {
          const cursor = decodeListCursor(p.cursor, sortKey);
          if (!cursor)
            throw badRequest('BAD_REQUEST', 'The cursor is not valid for this sort order.', {
              fields: [{ field: 'cursor', message: 'is invalid', type: 'cursor' }],
            });
          const op = direction === -1 ? '$lt' : '$gt';
          and.push({
            $or: [{ [field]: { [op]: cursor.v } }, { [field]: cursor.v, _id: { [op]: cursor.id } }],
          });
        }
        const rows = await Transaction.find({ $and: and })
          .sort({ [field]: direction, _id: direction })
          .limit(limit + 1)
          .lean<TransactionRecord[]>();
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return {
          transactions: page.map(publicTransaction),
          nextCursor:
            rows.length > limit && last
              ? encodeListCursor({ v: sortKey === 'date' ? last.date : last.amountE4, id: String(last._id) })
              : null,
        };
      },
    },

    get: {
      rest: 'GET /:id',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>) {
        return publicTransaction(await this.own(ctx, ctx.params.id));
      },
    },

    create: {
      rest: 'POST /',
      params: {
        $$strict: true,
        walletId: 'uuid',
        amount: amountRule,
        date: dateRule,
        name: { type: 'string', min: 1, max: 300, trim: true },
        merchant: { type: 'string', optional: true, max: 120, trim: true },
        category: { ...categoryRule, optional: true },
        notes: { type: 'string', optional: true, max: 1000 },
      },
      async handler(
        ctx: Ctx<{
          walletId: string;
          amount: string;
          date: string;
          name: string;
          merchant?: string;
          category?: { primary: string; detailed?: string };
          notes?: string;
        }>,
      ) {
        const userId = (ctx.meta.user as AuthUser).id;
        const { wallet, account } = await this.manualTarget(userId, ctx.params.walletId);
        this.checkAmountPrecision(ctx.params.amount, account.currency, 'amount');
        this.checkDate(ctx.params.date);
        const category = ctx.params.category
          ? {
              primary: ctx.params.category.primary,
              detailed: ctx.params.category.detailed ?? `${ctx.params.category.primary}_OTHER`,
            }
          : null;
        const doc = await Transaction.create({
          publicId: randomUUID(),
          userId,
          walletId: wallet.publicId,
          accountId: account.publicId,
          providerTransactionId: `manual:${randomUUID()}`,
          amount: Decimal.parse(ctx.params.amount).toString(),
          amountE4: amountE4(ctx.params.amount),
          currency: account.currency,
          date: ctx.params.date,
          name: ctx.params.name,
          merchant: ctx.params.merchant ?? null,
          category,
          categorySource: category ? 'user' : 'none',
          source: 'manual',
          notes: ctx.params.notes ?? null,
        });
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/v1/transactions/${doc.publicId}`;
        ctx.emit('transaction.changed', { userId, walletId: wallet.publicId });
        return publicTransaction(doc.toObject() as TransactionRecord);
      },
    },

    update: {
      rest: 'PATCH /:id',
      params: {
        $$strict: true,
        id: 'uuid',
        amount: { ...amountRule, optional: true },
        date: { ...dateRule, optional: true },
        name: { type: 'string', optional: true, min: 1, max: 300, trim: true },
        merchant: { type: 'string', optional: true, max: 120, trim: true },
        category: { ...categoryRule, optional: true, nullable: true },
        rememberForMerchant: { type: 'boolean', optional: true },
        notes: { type: 'string', optional: true, max: 1000, nullable: true },
      },
      async handler(
        ctx: Ctx<{
          id: string;
          amount?: string;
          date?: string;
          name?: string;
          merchant?: string;
          category?: { primary: string; detailed?: string } | null;
          rememberForMerchant?: boolean;
          notes?: string | null;
        }>,
      ) {
        const t = await this.own(ctx, ctx.params.id);
        const p = ctx.params;
        const set: Record<string, unknown> = {};
        const editsFacts =
          p.amount !== undefined || p.date !== undefined || p.name !== undefined || p.merchant !== undefined;
        if (editsFacts && t.source !== 'manual')
          throw new AppError(
            409,
            'WRONG_WALLET_KIND',
            'Amount, date, name and merchant come from your bank; you can change the category and notes.',
          );
        if (p.amount !== undefined) {
          this.checkAmountPrecision(p.amount, t.currency, 'amount');
          set.amount = Decimal.parse(p.amount).toString();
          set.amountE4 = amountE4(p.amount);
        }
        if (p.date !== undefined) {
          this.checkDate(p.date);
          set.date = p.date;
        }
        if (p.name !== undefined) set.name = p.name;
        if (p.merchant !== undefined) set.merchant = p.merchant || null;
        if (p.notes !== undefined) set.notes = p.notes;
        if (p.category !== undefined) {
          if (p.category === null) {
            set.category = t.providerCategory ?? null;
            set.categorySource = t.providerCategory ? 'provider' : 'none';
          } else {
            set.category = {
              primary: p.category.primary,
              detailed: p.category.detailed ?? `${p.category.primary}_OTHER`,
            };
            set.categorySource = 'user';
          }
        }
        if (!Object.keys(set).length) throw badRequest('BAD_REQUEST', 'Send at least one field to change.');
        await Transaction.updateOne({ publicId: t.publicId }, { $set: set });
        if (p.rememberForMerchant && p.category) {
          const key = merchantKey(t.merchant ?? t.name);
          await CategoryRule.updateOne(
            { userId: t.userId, merchantKey: key },
            { $set: { category: set.category }, $setOnInsert: { userId: t.userId, merchantKey: key } },
            { upsert: true },
          );
          // The same merchant's other transactions follow, unless the user chose for them.
          await Transaction.updateMany(
            {
              userId: t.userId,
              categorySource: { $in: ['provider', 'rule', 'none'] },
              $or: [{ merchant: t.merchant ?? '\u0000' }, { name: t.name }],
            },
            { $set: { category: set.category, categorySource: 'rule' } },
          );
        }
        ctx.emit('transaction.changed', { userId: t.userId, walletId: t.walletId });
        return publicTransaction(await this.own(ctx, t.publicId));
      },
    },

    remove: {
      rest: 'DELETE /:id',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>) {
        const t = await this.own(ctx, ctx.params.id);
        if (t.source === 'plaid')
          throw new AppError(
            409,
            'WRONG_WALLET_KIND',
            'Transactions from your bank cannot be deleted; they would come back at the next sync.',
          );
        await Transaction.deleteOne({ publicId: t.publicId });
        ctx.emit('transaction.changed', { userId: t.userId, walletId: t.walletId });
        ctx.meta.$statusCode = 204;
      },
    },

    categories: {
      rest: 'GET /categories',
      params: { $$strict: true },
      async handler(ctx: Ctx) {
        const rules = await CategoryRule.find({ userId: (ctx.meta.user as AuthUser).id }).lean();
        return {
          categories: CATEGORY_PRIMARIES,
          rules: rules.map((r) => ({ merchant: r.merchantKey, category: r.category })),
        };
      },
    },

    importPreview: {
      rest: 'POST /import/preview',
      params: { $$strict: true, walletId: 'uuid', csv: { type: 'string', min: 1, max: MAX_CSV_BYTES } },
      async handler(ctx: Ctx<{ walletId: string; csv: string }>) {
        const userId = (ctx.meta.user as AuthUser).id;
        const { wallet, account } = await this.manualTarget(userId, ctx.params.walletId);
        const parsed = parseCsv(ctx.params.csv);
        if (!parsed.ok)
          throw new AppError(422, 'CSV_INVALID', 'The file could not be read as CSV.', {
            rows: parsed.errors,
          });
        const batch = await ImportBatch.create({
          publicId: randomUUID(),
          userId,
          walletId: wallet.publicId,
          accountId: account.publicId,
          headers: parsed.headers,
          rows: parsed.rows.map((cells) => ({ cells })),
          expiresAt: new Date(Date.now() + 60 * 60_000),
        });
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/v1/transactions/import/${batch.publicId}`;
        return {
          importId: batch.publicId,
          headers: parsed.headers,
          rowCount: parsed.rows.length,
          sample: parsed.rows.slice(0, 20),
          suggestedMapping: suggestMapping(parsed.headers, parsed.rows.slice(0, 50)),
          dateFormats: DATE_FORMATS,
        };
      },
    },

    importCommit: {
      rest: 'POST /import/:importId/commit',
      params: {
        $$strict: true,
        importId: 'uuid',
        mapping: {
          type: 'object',
          strict: true,
          props: {
            date: { type: 'string', min: 1, max: 200 },
            amount: { type: 'string', optional: true, min: 1, max: 200 },
            debit: { type: 'string', optional: true, min: 1, max: 200 },
            credit: { type: 'string', optional: true, min: 1, max: 200 },
            description: { type: 'string', min: 1, max: 200 },
            category: { type: 'string', optional: true, min: 1, max: 200 },
            dateFormat: { type: 'enum', values: [...DATE_FORMATS] },
            decimalSeparator: { type: 'enum', values: ['.', ','] },
            invertSign: { type: 'boolean', optional: true },
          },
        },
      },
      async handler(
        ctx: Ctx<{ importId: string; mapping: Omit<ColumnMapping, 'invertSign'> & { invertSign?: boolean } }>,
      ) {
        const userId = (ctx.meta.user as AuthUser).id;
        const batch = await ImportBatch.findOne({
          publicId: ctx.params.importId,
          userId,
        }).lean<ImportBatchRecord>();
        if (!batch) throw notFound('Import');
        if (batch.status === 'committed')
          return { importId: batch.publicId, ...batch.result, alreadyCommitted: true };
        if (batch.expiresAt.getTime() < Date.now())
          throw new AppError(410, 'IMPORT_EXPIRED', 'This preview expired. Upload the file again.');
        const account = await Account.findOne({ publicId: batch.accountId, userId }).lean<AccountRecord>();
        if (!account) throw notFound('Account');
        const mapping: ColumnMapping = {
          ...ctx.params.mapping,
          invertSign: ctx.params.mapping.invertSign ?? false,
        };
        const cells = batch.rows.map((r) => r.cells);
        const { rows, errors } = validateRows(
          batch.headers,
          cells,
          mapping,
          currencyDigits(account.currency),
        );
        // Any bad row: nothing is imported, and every bad row is named.
        if (errors.length)
          throw new AppError(422, 'CSV_INVALID', `${errors.length} problem(s) found; nothing was imported.`, {
            rows: errors,
          });
        const ids = importRowIds(batch.walletId, batch.accountId, rows);
        const existing = new Set(
          (
            await Transaction.find({ walletId: batch.walletId, providerTransactionId: { $in: ids } })
              .select({ providerTransactionId: 1 })
              .lean()
          ).map((t) => t.providerTransactionId),
        );
        let imported = 0;
        const docs = rows
          .map((r, i) => ({ r, id: ids[i] as string }))
          .filter(({ id }) => !existing.has(id))
          .map(({ r, id }) => ({
            publicId: randomUUID(),
            userId,
            walletId: batch.walletId,
            accountId: batch.accountId,
            providerTransactionId: id,
            amount: r.amount,
            amountE4: amountE4(r.amount),
            currency: account.currency,
            date: r.date,
            name: r.description,
            merchant: null,
            category: null,
            categorySource: 'none',
            source: 'csv',
            importBatchId: batch.publicId,
            notes: r.category ? `Imported category: ${r.category}` : null,
          }));
        for (let i = 0; i < docs.length; i += 500) {
          try {
            const res = await Transaction.insertMany(docs.slice(i, i + 500), { ordered: false });
            imported += res.length;
          } catch (err) {
            // A row inserted by an earlier, interrupted commit of this same file: a duplicate, not a failure.
            const inserted = (err as { insertedDocs?: unknown[] }).insertedDocs?.length ?? 0;
            if (!isDuplicateKey(err) && !(err as { writeErrors?: unknown[] }).writeErrors) throw err;
            imported += inserted;
          }
        }
        const result = { imported, duplicates: rows.length - imported };
        await ImportBatch.updateOne(
          { publicId: batch.publicId },
          { $set: { status: 'committed', result, rows: [] } },
        );
        ctx.emit('transaction.changed', { userId, walletId: batch.walletId });
        return { importId: batch.publicId, ...result };
      },
    },
  },

  methods: {
    async own(ctx: Ctx<unknown>, id: string): Promise<TransactionRecord> {
      const t = await Transaction.findOne({
        publicId: id,
        userId: (ctx.meta.user as AuthUser).id,
      }).lean<TransactionRecord>();
      if (!t) throw notFound('Transaction');
      return t;
    },

    /** Manual entries and CSV imports go to manual wallets (bank data comes from the bank). */
    async manualTarget(
      userId: string,
      walletId: string,
    ): Promise<{ wallet: WalletRecord; account: AccountRecord }> {
      const wallet = await Wallet.findOne({ publicId: walletId, userId }).lean<WalletRecord>();
      if (!wallet) throw notFound('Wallet');
      if (wallet.kind !== 'manual')
        throw new AppError(
          409,
          'WRONG_WALLET_KIND',
          'Add transactions to a manual wallet; bank transactions arrive by sync.',
        );
      if (wallet.archivedAt) throw new AppError(409, 'WALLET_ARCHIVED', 'Unarchive this wallet first.');
      const account = await Account.findOne({ walletId: wallet.publicId }).lean<AccountRecord>();
      if (!account) throw notFound('Account');
      return { wallet, account };
    },

    checkAmountPrecision(amount: string, currency: string, field: string) {
      const digits = currencyDigits(currency);
      const value = Decimal.parse(amount);
      if (!value.round(digits).eq(value))
        throw unprocessable('VALIDATION_FAILED', 'Some fields are invalid.', [
          { field, message: `${currency} allows at most ${digits} decimal places`, type: 'precision' },
        ]);
    },

    checkDate(date: string) {
      const parsed = new Date(`${date}T00:00:00Z`);
      if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date)
        throw unprocessable('VALIDATION_FAILED', 'Some fields are invalid.', [
          { field: 'date', message: 'is not a real date', type: 'date' },
        ]);
    },
  },
};

export default TransactionsService;
