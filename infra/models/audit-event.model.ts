import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { AUDIT_TYPES } from '@finexia/contracts/api.ts';

// Security events, newest read first by _id. Kept for a year (pruneAuditLog; FerretDB v1 has no
// TTL indexes).
const auditEventSchema = new Schema(
  {
    type: { type: String, enum: AUDIT_TYPES, required: true },
    at: { type: Date, required: true },
    userId: { type: String, default: null },
    actorId: { type: String, default: null },
    email: { type: String, default: null },
    ip: { type: String, default: null },
    requestId: { type: String, default: null },
    details: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'audit_events', minimize: false },
);

auditEventSchema.index({ at: 1 });
auditEventSchema.index({ userId: 1, _id: -1 });
auditEventSchema.index({ type: 1, _id: -1 });

export type AuditEventRecord = InferSchemaType<typeof auditEventSchema> & { _id: mongoose.Types.ObjectId };
export const AuditEvent = mongoose.model('AuditEvent', auditEventSchema);
