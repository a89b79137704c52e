// Erasing an account everywhere, each step safe to repeat (the users.erase job may run twice, or
// again after a node died half way): every service's data, the audit events about the account
// (an admin's own actions keep their event, without the admin), its counts in Redis, then the
// user. What stays is one pseudonymous record that an account was deleted.
import { callAction } from '../../infra/actions.ts';
import type { ServiceBroker } from 'moleculer';
import type { Redis } from 'ioredis';
import type { UserEraseJob } from '@finexia/contracts/channels.ts';
import { User, type UserRecord } from '../../infra/models/user.model.ts';
import { AuditEvent } from '../../infra/models/audit-event.model.ts';
import { accountSubject } from '../../infra/access-revocations.ts';
import { accessTokenSettings } from '../../infra/tokens.ts';
import { configOf } from '../../config/index.ts';
import { claimOnce } from '../../infra/db.ts';
import type { LoginLimiter } from '../../infra/login-limiter.ts';
import { budgetKeysOf } from '../../mixins/budgets.mixin.ts';

/**
 * What erasing an account asks of each service, in this order (each erases only what it owns,
 * and is safe to ask again): the wallets first (their banks' links end at the provider), the
 * live portfolio before its history, the sessions last but one, the user last.
 */
const ERASE_STEPS = [
  'wallets.eraseUser',
  'transactions.eraseUser',
  'anomalies.eraseUser',
  'notifications.eraseUser',
  'insights.eraseUser',
  'portfolio.eraseUser',
  'auth.eraseUser',
] as const;

export async function eraseAccount(
  broker: ServiceBroker,
  limiter: LoginLimiter,
  redis: Redis,
  job: UserEraseJob,
): Promise<void> {
  const { userId } = job;
  for (const step of ERASE_STEPS) await callAction(broker, step, { userId }, { timeout: 120_000 });
  const user = await User.findOne({ publicId: userId }).lean<UserRecord>();
  await AuditEvent.deleteMany({ userId });
  if (user) {
    await AuditEvent.deleteMany({ email: user.email });
    await limiter.forget(user.email);
  }
  await AuditEvent.updateMany({ actorId: userId }, { $set: { actorId: null } });
  const cfg = configOf(broker);
  await redis.del(...budgetKeysOf(userId, cfg));
  const subject = accountSubject(userId, accessTokenSettings(cfg.auth).secret);
  if (await claimOnce('account-deleted', subject))
    await AuditEvent.create({
      type: 'account.deleted',
      at: new Date(),
      userId: null,
      actorId: job.actorId,
      email: null,
      ip: null,
      requestId: null,
      details: { subject, by: job.actorId ? 'admin' : 'self' },
    });
  await User.deleteOne({ publicId: userId });
  broker.logger.info({ subject }, 'an account was deleted');
}
