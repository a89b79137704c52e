import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// A past UTC day's close of a symbol (USD per unit), as its source gave it: what a day's open is
// at a UTC midnight (services/market/closes.ts). Kept so that a market that starts (a restart, a
// new node) reads the day's closes in one query instead of asking the exchange again per symbol:
// ~2,000 klines calls made each restart's activation of 10,000 portfolios twice as long
// (bench:realtime, 9 → 18 s). `_id` is `${symbol}:${day}`: two market nodes store it once.
const dailyCloseSchema = new Schema(
  {
    _id: { type: String, required: true },
    symbol: { type: String, required: true },
    /** YYYY-MM-DD (UTC) */
    day: { type: String, required: true },
    close: { type: String, required: true },
  },
  { collection: 'daily_closes', versionKey: false },
);
dailyCloseSchema.index({ day: 1 });

export type DailyCloseRecord = InferSchemaType<typeof dailyCloseSchema>;
export const DailyClose = mongoose.model('DailyClose', dailyCloseSchema);
