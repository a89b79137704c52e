import mongoose, { Schema } from 'mongoose';
import { RESOLUTIONS } from '../../domain/history.ts';

/**
 * A user's net worth at instant `t` (a minute boundary). `_id` is `${userId}:${t}`, so a
 * point written twice (two nodes, a retry) is stored once.
 */
const netWorthPointSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    t: { type: Date, required: true },
    /** m: kept 2 days, h: on an hour boundary, kept 90 days, d: at midnight UTC, kept forever */
    res: { type: String, enum: RESOLUTIONS, required: true },
    /** exact net worth in USD, the quote currency of the market */
    usd: { type: String, required: true },
    /** the same in the user's base currency at the time */
    value: { type: String, required: true },
    currency: { type: String, required: true },
    /** rebuilt from synced or imported history (a later rebuild replaces it; a live point is never replaced) */
    rebuilt: { type: Boolean, default: false },
    /** rebuilt with today's quantities of holdings, or with a price unknown */
    estimated: { type: Boolean, default: false },
  },
  { collection: 'networth_history', versionKey: false },
);
netWorthPointSchema.index({ userId: 1, t: 1 });
netWorthPointSchema.index({ res: 1, t: 1 });

export interface NetWorthPointRecord {
  _id: string;
  userId: string;
  t: Date;
  res: (typeof RESOLUTIONS)[number];
  usd: string;
  value: string;
  currency: string;
  rebuilt?: boolean;
  estimated?: boolean;
}

export const NetWorthPoint = mongoose.model('NetWorthPoint', netWorthPointSchema);
