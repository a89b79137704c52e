import mongoose, { Schema, type InferSchemaType } from 'mongoose';

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
    name: { type: String, required: true },
    merchant: { type: String, default: null },
    pending: { type: Boolean, default: false },
    pendingTransactionId: { type: String, default: null },
    category: { type: categorySchema, default: null },
    /** provider | rule (remembered for this merchant) | user */
    categorySource: { type: String, enum: ['provider', 'rule', 'user', 'none'], default: 'none' },
    providerCategory: { type: categorySchema, default: null },
    source: { type: String, enum: ['plaid', 'manual', 'csv'], required: true },
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

/** A CSV upload between preview and commit. */
const importBatchSchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    walletId: { type: String, required: true },
    accountId: { type: String, required: true },
    headers: { type: [String], required: true },
    /** the parsed cells, kept until commit; wrapped because FerretDB v1 cannot store arrays of arrays */
    rows: { type: [new Schema({ cells: [String] }, { _id: false })], default: [] },
    status: { type: String, enum: ['preview', 'committed'], default: 'preview' },
    result: { type: new Schema({ imported: Number, duplicates: Number }, { _id: false }), default: null },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'import_batches' },
);
importBatchSchema.index({ publicId: 1 }, { unique: true });
export type ImportBatchRecord = Omit<InferSchemaType<typeof importBatchSchema>, 'rows'> & {
  rows: { cells: string[] }[];
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
