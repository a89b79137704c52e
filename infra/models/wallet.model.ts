import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import {
  CHAIN_KINDS,
  MANUAL_TYPES,
  SYNC_STATES,
  WALLET_KINDS,
  type LoanTerms,
  type OwnedAssetTerms,
} from '@finexia/contracts/api.ts';
import { ERROR_ACTIONS } from '@finexia/contracts/errors.ts';

const syncSchema = new Schema(
  {
    state: { type: String, enum: SYNC_STATES, default: 'never' },
    progress: {
      type: new Schema(
        {
          pages: { type: Number, required: true },
          added: { type: Number, required: true },
          modified: { type: Number, required: true },
          removed: { type: Number, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    /** what went wrong, in words for the user */
    reason: { type: String, default: null },
    /** what fixes it: reconnect | check-credentials | retry-later | contact-support */
    fix: { type: String, enum: [...ERROR_ACTIONS, null], default: null },
    errorCode: { type: String, default: null },
    lastSyncedAt: { type: Date, default: null },
    lastAttemptAt: { type: Date, default: null },
    /** Plaid /transactions/sync cursor: saved only after the changes it covers are stored */
    cursor: { type: String, default: null },
  },
  { _id: false },
);

const walletSchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    kind: { type: String, enum: WALLET_KINDS, required: true },
    provider: { type: String, enum: ['plaid', 'binance', 'coinbase', ...CHAIN_KINDS, null], default: null },
    /** a wallet on chain: the chain's name (`bitcoin`, or a configured EVM chain's) */
    chain: { type: String, default: null },
    manualType: { type: String, enum: [...MANUAL_TYPES, null], default: null },
    name: { type: String, required: true },
    /** base currency of a manual wallet */
    currency: { type: String, default: null },
    institution: {
      type: new Schema(
        { id: { type: String, required: true }, name: { type: String, required: true } },
        { _id: false },
      ),
      default: null,
    },
    /** provider item id (Plaid) — not a secret, used to route webhooks */
    providerItemId: { type: String, default: null },
    /** AES-256-GCM sealed credentials (access token, or API key + secret) */
    credentials: { type: String, default: null, select: false },
    archivedAt: { type: Date, default: null },
    sync: { type: syncSchema, default: () => ({}) },
    /** a loan or mortgage wallet's terms (contracts LoanTerms) */
    loan: { type: Schema.Types.Mixed, default: null },
    /** a property, vehicle or valuables wallet's terms (contracts OwnedAssetTerms) */
    owned: { type: Schema.Types.Mixed, default: null },
  },
  { timestamps: true, collection: 'wallets' },
);
walletSchema.index({ publicId: 1 }, { unique: true });
walletSchema.index({ userId: 1, createdAt: 1 });
walletSchema.index({ providerItemId: 1 });

export type WalletRecord = Omit<InferSchemaType<typeof walletSchema>, 'loan' | 'owned'> & {
  _id: mongoose.Types.ObjectId;
  loan?: LoanTerms | null;
  owned?: OwnedAssetTerms | null;
};
export const Wallet = mongoose.model('Wallet', walletSchema);

const accountSchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    walletId: { type: String, required: true },
    providerAccountId: { type: String, required: true },
    name: { type: String, required: true },
    officialName: { type: String, default: null },
    mask: { type: String, default: null },
    type: { type: String, required: true },
    subtype: { type: String, default: null },
    /** where the provider lists it among the wallet's accounts (shown in that order) */
    position: { type: Number, default: 0 },
    currency: { type: String, required: true },
    /**
     * Decimal strings, as the provider reports them: for a liability (type credit or loan) `current`
     * is what is owed, positive (negative: a credit in the holder's favour); for a manual account,
     * its latest recorded balance. What it adds to net worth is domain/valuation.ts's signedBalance,
     * nowhere else.
     */
    current: { type: String, default: null },
    available: { type: String, default: null },
    limit: { type: String, default: null },
    /** a debt's known terms: its yearly rate in percent and what must be paid each month */
    debtTerms: {
      type: new Schema({ aprPercent: String, minimumPayment: String }, { _id: false }),
      default: null,
    },
    /** when the bank says the next payment is due (Plaid Liabilities) */
    nextPaymentDueDate: { type: String, default: null },
    /** the bank says a payment is past due (Plaid Liabilities' is_overdue) */
    overdue: { type: Boolean, default: false },
  },
  { timestamps: true, collection: 'accounts' },
);
accountSchema.index({ publicId: 1 }, { unique: true });
accountSchema.index({ walletId: 1, providerAccountId: 1 }, { unique: true });
accountSchema.index({ userId: 1 });

export type AccountRecord = InferSchemaType<typeof accountSchema>;
export const Account = mongoose.model('Account', accountSchema);

const holdingSchema = new Schema(
  {
    userId: { type: String, required: true },
    walletId: { type: String, required: true },
    accountId: { type: String, required: true },
    asset: { type: String, required: true },
    /** exact decimal quantity held (free and locked together), valued at the asset's price */
    quantity: { type: String, required: true },
    locked: { type: String, default: '0' },
    /**
     * a brokerage's holding: the security's name, what it cost, and the brokerage's last price
     * (absent, not null, on every other holding)
     */
    name: { type: String },
    costBasis: { type: String },
    price: { type: String },
    priceCurrency: { type: String },
    priceAsOf: { type: String },
  },
  // No timestamps or version key, and no empty brokerage fields: nothing reads them, and a cold
  // activation reads every holding, which FerretDB decodes field by field (a full read of 300,000
  // holdings: 19.5-22.9 s with 7 fields, 31.8-33.0 s with the 14 they had; docs/ferretdb.md).
  { collection: 'holdings', versionKey: false },
);
holdingSchema.index({ accountId: 1, asset: 1 }, { unique: true });
holdingSchema.index({ userId: 1 });
holdingSchema.index({ walletId: 1 });

export type HoldingRecord = InferSchemaType<typeof holdingSchema>;
export const Holding = mongoose.model('Holding', holdingSchema);

/**
 * A brokerage's activity (Plaid Investments): buys, sells, dividends, fees, transfers, keyed by
 * the brokerage's id so a repeated sync changes nothing. Amounts as Plaid states them: positive
 * when cash leaves the account (a buy, a fee), negative when it comes in (a sale, a dividend).
 */
const investmentTransactionSchema = new Schema(
  {
    userId: { type: String, required: true },
    walletId: { type: String, required: true },
    accountId: { type: String, required: true },
    providerTransactionId: { type: String, required: true },
    date: { type: String, required: true },
    name: { type: String, required: true },
    /** our asset for the security (AAPL.STOCK), null for cash movements or one we cannot name */
    asset: { type: String, default: null },
    type: { type: String, required: true },
    subtype: { type: String, required: true },
    quantity: { type: String, required: true },
    amount: { type: String, required: true },
    price: { type: String, required: true },
    fees: { type: String, default: null },
    currency: { type: String, required: true },
  },
  { timestamps: true, collection: 'investment_transactions' },
);
investmentTransactionSchema.index({ walletId: 1, providerTransactionId: 1 }, { unique: true });
investmentTransactionSchema.index({ accountId: 1, date: -1 });
investmentTransactionSchema.index({ userId: 1 });

export type InvestmentTransactionRecord = InferSchemaType<typeof investmentTransactionSchema>;
export const InvestmentTransaction = mongoose.model('InvestmentTransaction', investmentTransactionSchema);

/**
 * What a wallet's transactions on chain did to it (a Bitcoin wallet's, read from its addresses'
 * transactions): units of its asset in or out, fee included, on the UTC day of the block. Keyed
 * by the transaction, so a repeated read changes nothing; a transaction no longer on the chain (a
 * reorganisation) is removed at the next read.
 */
const chainTransactionSchema = new Schema(
  {
    userId: { type: String, required: true },
    walletId: { type: String, required: true },
    accountId: { type: String, required: true },
    txid: { type: String, required: true },
    asset: { type: String, required: true },
    /** signed exact decimal: positive in, negative out */
    quantity: { type: String, required: true },
    date: { type: String, required: true },
    blockTime: { type: Date, required: true },
    height: { type: Number, required: true },
  },
  { timestamps: true, collection: 'chain_transactions' },
);
chainTransactionSchema.index({ walletId: 1, txid: 1, asset: 1 }, { unique: true });
chainTransactionSchema.index({ userId: 1 });

export type ChainTransactionRecord = InferSchemaType<typeof chainTransactionSchema>;
export const ChainTransaction = mongoose.model('ChainTransaction', chainTransactionSchema);

/** The history of a manual wallet's balance, as the user records it. */
const balancePointSchema = new Schema(
  {
    userId: { type: String, required: true },
    walletId: { type: String, required: true },
    date: { type: String, required: true },
    balance: { type: String, required: true },
    /** 'user': recorded by the person; 'schedule': a loan's payment or a vehicle's monthly depreciation */
    source: { type: String, enum: ['user', 'schedule'], default: 'user' },
  },
  { timestamps: true, collection: 'balance_points' },
);
balancePointSchema.index({ walletId: 1, date: 1 }, { unique: true });

export type BalancePointRecord = InferSchemaType<typeof balancePointSchema>;
export const BalancePoint = mongoose.model('BalancePoint', balancePointSchema);
