import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// Read by `_id` (the user id) or all at once: no other index. FerretDB v1 answers an `_id`
// equality by scanning in PostgreSQL, cheap on one small document per user (docs/ferretdb.md).

/** Which write of a user's account and holding rows was the last: a fresh random stamp per write. */
const positionStampSchema = new Schema(
  {
    _id: { type: String, required: true },
    stamp: { type: String, required: true },
  },
  { timestamps: { createdAt: false, updatedAt: true }, collection: 'position_stamps', versionKey: false },
);

/** A user's positions packed into one text (domain/position-pack.ts), built after the write `stamp` names. */
const positionPackSchema = new Schema(
  {
    _id: { type: String, required: true },
    stamp: { type: String, required: true },
    positions: { type: String, required: true },
  },
  { timestamps: { createdAt: false, updatedAt: true }, collection: 'position_packs', versionKey: false },
);

export type PositionStampRecord = InferSchemaType<typeof positionStampSchema>;
export const PositionStamp = mongoose.model('PositionStamp', positionStampSchema);
export type PositionPackRecord = InferSchemaType<typeof positionPackSchema>;
export const PositionPack = mongoose.model('PositionPack', positionPackSchema);
