import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { ROLES, THEMES, type PreferencesPatch, type UserView } from '@finexia/contracts/api.ts';
import { alertPreferences } from '../../domain/anomalies/alerts.ts';
import { conflict } from '../../domain/errors.ts';

const alertThresholdsSchema = new Schema(
  {
    // Decimal strings in the base currency (money is never a JS number).
    largeTransaction: { type: String, default: '1000' },
    lowBalance: { type: String, default: '100' },
    // Percent drop of net worth within a day that raises an alert.
    netWorthDropPercent: { type: Number, default: 5 },
    // Percent move of a held position within an hour that raises an alert.
    marketMovePercent: { type: Number, default: 10 },
  },
  { _id: false },
);

const preferencesSchema = new Schema(
  {
    baseCurrency: { type: String, default: 'USD' },
    locale: { type: String, default: 'en-US' },
    timeZone: { type: String, default: 'UTC' },
    theme: { type: String, enum: THEMES, default: 'system' },
    alertThresholds: { type: alertThresholdsSchema, default: () => ({}) },
    /** alert preferences as the user set them (defaults filled in on read: domain/anomalies/alerts.ts) */
    alerts: { type: Schema.Types.Mixed, default: null },
  },
  { _id: false },
);

const userSchema = new Schema(
  {
    publicId: { type: String, required: true, default: () => randomUUID() },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: ROLES, default: 'user', required: true },
    disabledAt: { type: Date, default: null },
    /** the account is being deleted (a durable job erases it everywhere; it is disabled meanwhile) */
    deletingAt: { type: Date, default: null },
    preferences: { type: preferencesSchema, default: () => ({}) },
  },
  { timestamps: true, collection: 'users' },
);

userSchema.index({ publicId: 1 }, { unique: true });
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ createdAt: 1 });

export type UserRecord = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
export const User = mongoose.model('User', userSchema);

/** The only shape in which a user leaves the service: no password hash, no internal ids. */
export function publicUser(user: UserRecord): UserView {
  const prefs = user.preferences;
  const thresholds = prefs?.alertThresholds;
  return {
    id: user.publicId,
    email: user.email,
    name: user.name,
    role: user.role === 'admin' ? 'admin' : 'user',
    disabled: Boolean(user.disabledAt),
    preferences: {
      baseCurrency: prefs?.baseCurrency ?? 'USD',
      locale: prefs?.locale ?? 'en-US',
      timeZone: prefs?.timeZone ?? 'UTC',
      theme: prefs?.theme ?? 'system',
      alertThresholds: {
        largeTransaction: thresholds?.largeTransaction ?? '1000',
        lowBalance: thresholds?.lowBalance ?? '100',
        netWorthDropPercent: thresholds?.netWorthDropPercent ?? 5,
        marketMovePercent: thresholds?.marketMovePercent ?? 10,
      },
      alerts: alertPreferences(prefs?.alerts as PreferencesPatch['alerts']),
    },
    createdAt: (user.createdAt instanceof Date ? user.createdAt : new Date()).toISOString(),
  };
}

export function emailTaken(field: string) {
  return conflict('EMAIL_TAKEN', 'An account with this email already exists.', [
    { field, message: 'is already registered', type: 'unique' },
  ]);
}
