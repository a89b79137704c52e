// The security audit log: what happened to whose account, from where, by whom. A failure to
// write it is logged and never fails the request it describes (the event itself happened).
import type { AuditEventView, AuditType } from '@finexia/contracts/api.ts';
import type { Ctx } from './context.ts';
import { AuditEvent, type AuditEventRecord } from './models/audit-event.model.ts';

export interface AuditEntry {
  type: AuditType;
  userId?: string | null;
  actorId?: string | null;
  email?: string | null;
  details?: AuditEventView['details'];
}

export async function audit(ctx: Ctx<unknown>, entry: AuditEntry): Promise<void> {
  try {
    await AuditEvent.create({
      type: entry.type,
      at: new Date(),
      userId: entry.userId ?? null,
      actorId: entry.actorId ?? null,
      email: entry.email ?? null,
      ip: ctx.meta.clientIp ?? null,
      requestId: ctx.requestID ?? null,
      details: entry.details ?? {},
    });
  } catch (err) {
    ctx.service?.logger.warn({ type: entry.type, err: (err as Error).message }, 'audit event not written');
  }
}

/** `emails`: the current email of each user the events name (by public id). */
export function auditView(record: AuditEventRecord, emails: ReadonlyMap<string, string>): AuditEventView {
  return {
    id: String(record._id),
    type: record.type as AuditType,
    at: record.at.toISOString(),
    userId: record.userId ?? null,
    actorId: record.actorId ?? null,
    email: record.email ?? null,
    userEmail: record.userId ? (emails.get(record.userId) ?? null) : null,
    actorEmail: record.actorId ? (emails.get(record.actorId) ?? null) : null,
    ip: record.ip ?? null,
    requestId: record.requestId ?? null,
    details: (record.details ?? {}) as AuditEventView['details'],
  };
}

const YEAR_MS = 365 * 86_400_000;

/** Drops events older than a year (run daily by the users service; harmless on several nodes). */
export async function pruneAuditLog(now = Date.now()): Promise<number> {
  const { deletedCount } = await AuditEvent.deleteMany({ at: { $lt: new Date(now - YEAR_MS) } });
  return deletedCount;
}
