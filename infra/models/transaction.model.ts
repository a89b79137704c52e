import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import {
  BANK_FILE_FORMATS,
  TRANSACTION_SOURCES,
  type ImportMapping,
  type StatementBalanceCheck,
} from '@finexia/contracts/api.ts';

const categorySchema = new Schema(
  { primary: { type: String, required: true }, detailed: { type: String, required: true } },
  { _id: false },
);

const transactionSchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    walletId: { type: String, required: true },
    accountId: { type: String, required: true },
    /** provider's id (or csv:/manual: ids): with walletId, the key that makes redelivery harmless */
    providerTransactionId: { type: String, required: true },
    /** signed decimal string: negative = money out */
    amount: { type: String, required: true },
    /** amount × 10^4 as an integer: exact for every fiat currency, used only to sort and filter */
    amountE4: { type: Number, required: true },
    currency: { type: String, required: true },
    date: { type: String, required: true },
    authorizedDate: { type: String, default: null },
    /** when the payment was made (ISO 8601, to the minute), where the bank says */
    authorizedAt: { type: String, default: null },
    name: { type: String, required: true },
    merchant: { type: String, default: null },
    pending: { type: Boolean, default: false },
    pendingTransactionId: { type: String, default: null },
    category: { type: categorySchema, default: null },
    /** provider | rule (remembered for this merchant) | user */
    categorySource: { type: String, enum: ['provider', 'rule', 'user', 'none'], default: 'none' },
    providerCategory: { type: categorySchema, default: null },
    source: { type: String, enum: [...TRANSACTION_SOURCES], required: true },
    importBatchId: { type: String, default: null },
    notes: { type: String, default: null },
  },
  { timestamps: true, collection: 'transactions' },
);
transactionSchema.index({ publicId: 1 }, { unique: true });
transactionSchema.index({ walletId: 1, providerTransactionId: 1 }, { unique: true });
transactionSchema.index({ userId: 1, date: -1, _id: -1 });
transactionSchema.index({ userId: 1, amountE4: 1, _id: 1 });
transactionSchema.index({ accountId: 1, date: -1 });
// the anomaly detector reads each user's transactions in the order they were stored
transactionSchema.index({ userId: 1, _id: 1 });

export type TransactionRecord = InferSchemaType<typeof transactionSchema> & { _id: mongoose.Types.ObjectId };
export const Transaction = mongoose.model('Transaction', transactionSchema);

/** A category the user chose for a merchant, applied to that merchant's future transactions. */
const categoryRuleSchema = new Schema(
  {
    userId: { type: String, required: true },
    merchantKey: { type: String, required: true },
    category: { type: categorySchema, required: true },
  },
  { timestamps: true, collection: 'category_rules' },
);
categoryRuleSchema.index({ userId: 1, merchantKey: 1 }, { unique: true });
export type CategoryRuleRecord = InferSchemaType<typeof categoryRuleSchema>;
export const CategoryRule = mongoose.model('CategoryRule', categoryRuleSchema);

/** A file upload (CSV, OFX, QIF, CAMT.053) between preview and commit. */
const importBatchSchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    walletId: { type: String, required: true },
    accountId: { type: String, required: true },
    format: { type: String, enum: [...BANK_FILE_FORMATS], default: 'csv' },
    headers: { type: [String], required: true },
    /**
     * the parsed cells, kept until commit; wrapped because FerretDB v1 cannot store arrays of
     * arrays. A bank file's rows keep the line each entry starts on (errors name it).
     */
    rows: { type: [new Schema({ cells: [String], line: Number }, { _id: false })], default: [] },
    /** a bank file's columns are known: the mapping its commit uses when none is given */
    mapping: { type: Schema.Types.Mixed, default: null },
    /** the account the bank file names (its own number): ids and balances are per account */
    fileAccount: { type: String, default: null },
    /** the balances the file states, checked (shown at preview and with the result) */
    balances: { type: Schema.Types.Mixed, default: null },
    /** a statement's closing balance: the next statement of the account is checked against it */
    closing: { type: new Schema({ asOf: String, amount: String }, { _id: false }), default: null },
    status: { type: String, enum: ['preview', 'committed'], default: 'preview' },
    result: { type: new Schema({ imported: Number, duplicates: Number }, { _id: false }), default: null },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'import_batches' },
);
importBatchSchema.index({ publicId: 1 }, { unique: true });
importBatchSchema.index({ walletId: 1 });
export type ImportBatchRecord = Omit<
  InferSchemaType<typeof importBatchSchema>,
  'rows' | 'mapping' | 'balances'
> & {
  rows: { cells: string[]; line?: number | null }[];
  mapping: ImportMapping | null;
  balances: StatementBalanceCheck[] | null;
};
export const ImportBatch = mongoose.model('ImportBatch', importBatchSchema);

/**
 * What a write of transactions owes the anomaly detector (an outbox): written before the rows,
 * deleted once the rows are announced on the durable channel. An entry left behind (the writer
 * died between the rows and the announcement) is announced by the transactions service's sweep,
 * so an analysis the rows should start is never lost with the node that wrote them.
 */
const pendingAnnouncementSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'transaction_announcements', versionKey: false },
);
export type PendingAnnouncementRecord = InferSchemaType<typeof pendingAnnouncementSchema>;
export const PendingAnnouncement = mongoose.model('PendingAnnouncement', pendingAnnouncementSchema);
