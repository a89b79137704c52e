import mongoose, { Schema } from 'mongoose';
import { CANDLE_INTERVALS, type CandleInterval } from '@finexia/contracts/api.ts';

/** One OHLC candle; `_id` is `${symbol}:${interval}:${t}`, so two market nodes store it once. */
const candleSchema = new Schema(
  {
    _id: { type: String, required: true },
    symbol: { type: String, required: true },
    interval: { type: String, enum: CANDLE_INTERVALS, required: true },
    t: { type: Date, required: true },
    open: { type: String, required: true },
    high: { type: String, required: true },
    low: { type: String, required: true },
    close: { type: String, required: true },
    ticks: { type: Number, required: true },
  },
  { collection: 'candles', versionKey: false },
);
candleSchema.index({ symbol: 1, interval: 1, t: 1 });
candleSchema.index({ interval: 1, t: 1 });

export interface CandleRecord {
  _id: string;
  symbol: string;
  interval: CandleInterval;
  t: Date;
  open: string;
  high: string;
  low: string;
  close: string;
  ticks: number;
}

export const CandleModel = mongoose.model('Candle', candleSchema);
