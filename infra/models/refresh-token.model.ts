import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// One document per issued refresh token. A family is one sign-in on one device:
// each rotation adds a token to the family and marks the previous one used.
const refreshTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    familyId: { type: String, required: true },
    userId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    revokedReason: { type: String, default: null },
    userAgent: { type: String, default: null },
    ip: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'refresh_tokens' },
);

refreshTokenSchema.index({ tokenHash: 1 }, { unique: true });
refreshTokenSchema.index({ familyId: 1 });
refreshTokenSchema.index({ userId: 1, revokedAt: 1 });

export type RefreshTokenRecord = InferSchemaType<typeof refreshTokenSchema>;
export const RefreshToken = mongoose.model('RefreshToken', refreshTokenSchema);
