// What the anomalies service owns: each anomaly found (one per key, so finding it again changes
// nothing), and each user's detector state.
import mongoose, { Schema } from 'mongoose';
import { ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES } from '@finexia/contracts/api.ts';

/** outbox for alerts: pending (to publish), sent (published), none (historical or not alerted) */
export const ALERT_STATES = ['pending', 'sent', 'none'] as const;

const anomalySchema = new Schema(
  {
    publicId: { type: String, required: true },
    userId: { type: String, required: true },
    /** the finding's stable key (type + what it is about) */
    key: { type: String, required: true },
    type: { type: String, enum: ANOMALY_TYPES, required: true },
    severity: { type: String, enum: SEVERITIES, required: true },
    status: { type: String, enum: ANOMALY_STATUSES, default: 'open' },
    date: { type: String, required: true },
    historical: { type: Boolean, default: false },
    reason: { type: String, required: true },
    evidence: { type: Schema.Types.Mixed, default: () => ({}) },
    transactionIds: { type: [String], default: [] },
    walletIds: { type: [String], default: [] },
    /** what feedback needs to reach the detector again */
    merchantKey: { type: String, default: null },
    amountE4: { type: Number, default: null },
    alert: { type: String, enum: ALERT_STATES, default: 'none' },
  },
  { timestamps: true, collection: 'anomalies' },
);
anomalySchema.index({ publicId: 1 }, { unique: true });
anomalySchema.index({ userId: 1, key: 1 }, { unique: true });
anomalySchema.index({ userId: 1, date: -1, _id: -1 });
anomalySchema.index({ userId: 1, alert: 1 });

export interface AnomalyRecord {
  _id: mongoose.Types.ObjectId;
  publicId: string;
  userId: string;
  key: string;
  type: (typeof ANOMALY_TYPES)[number];
  severity: (typeof SEVERITIES)[number];
  status: (typeof ANOMALY_STATUSES)[number];
  date: string;
  historical: boolean;
  reason: string;
  evidence: Record<string, string | number>;
  /**
   * Absent when empty: FerretDB v1 drops an empty array from an upsert's `$setOnInsert`
   * (docs/ferretdb.md), so a reader takes a missing list as an empty one.
   */
  transactionIds?: string[];
  walletIds?: string[];
  merchantKey: string | null;
  amountE4: number | null;
  alert: (typeof ALERT_STATES)[number];
  createdAt: Date;
  updatedAt: Date;
}

export const Anomaly = mongoose.model('Anomaly', anomalySchema);

/**
 * One document per user: the detector's state (domain/anomalies/detector.ts), the balances
 * state, and the cursor in the user's stored transactions (domain/anomalies/feed.ts). Written
 * in one update after each batch: a crash before it repeats the batch from the same state and
 * cursor, a crash after it reads on from the new cursor, so nothing counts twice.
 */
const detectorStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** JSON text: the state is written whole, read whole */
    detector: { type: String, required: true },
    balances: { type: String, required: true },
    /** JSON text: the FeedCursor */
    feed: { type: String, default: null },
    /** the day the detector holds open (YYYY-MM-DD), if any: closed once it is over everywhere */
    openDay: { type: String, default: null },
  },
  { timestamps: true, collection: 'anomaly_states', versionKey: false },
);
// the sweep for held days that are over (MongoDB answers it from here; FerretDB reads every state)
detectorStateSchema.index({ openDay: 1 });

export interface DetectorStateRecord {
  _id: string;
  detector: string;
  balances: string;
  feed: string | null;
  openDay?: string | null;
}

export const DetectorStateModel = mongoose.model('AnomalyState', detectorStateSchema);
