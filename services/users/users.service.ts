// users: the signed-in user's profile, password and preferences; admins list, disable and
// promote users and read the security audit log.
import { callAction } from '../../infra/actions.ts';
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import type { Redis } from 'ioredis';
import bcrypt from 'bcrypt';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { DurableChannelsMixin } from '../../mixins/channels.mixin.ts';
import { eraseAccount } from './erase.ts';
import { exportArchive } from './data-export.ts';
import { importArchive } from './data-import.ts';
import { BudgetsMixin, type BudgetsMethods } from '../../mixins/budgets.mixin.ts';
import type { Readable } from 'node:stream';
import {
  MAX_IMPORT_ARCHIVE_BYTES,
  type ImportArchiveRequest,
  type ImportReport,
} from '@finexia/contracts/export.ts';
import { CHANNELS, type UserEraseJob } from '@finexia/contracts/channels.ts';
import { HISTORY_READ_MS, escapeRegex, isDuplicateKey } from '../../infra/db.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { acquireRedis, releaseRedis } from '../../infra/connections.ts';
import { LoginLimiter } from '../../infra/login-limiter.ts';
import { caller, callerId, type Ctx } from '../../infra/context.ts';
import { broadcastEvent, emitEvent } from '../../infra/events.ts';
import { User, emailTaken, publicUser, type UserRecord } from '../../infra/models/user.model.ts';
import { AuditEvent, type AuditEventRecord } from '../../infra/models/audit-event.model.ts';
import { audit, auditView, pruneAuditLog } from '../../infra/audit.ts';
import {
  ANOMALY_TYPES,
  AUDIT_TYPES,
  ROLES,
  SEVERITIES,
  type AuditPage,
  type AuditType,
  type Role,
  THEMES,
  type AlertPreferences,
  type AnomalyType,
  type PreferencesPatch,
  type UserView,
  DELETE_CONFIRMATION,
  type AccountDeletion,
  type DeleteAccountRequest,
} from '@finexia/contracts/api.ts';
import { alertPreferences } from '../../domain/anomalies/alerts.ts';
import { isValidEmail, normalizeEmail, passwordProblems } from '../../domain/auth/credentials.ts';
import { configOf } from '../../config/index.ts';
import {
  AppError,
  badRequest,
  conflict,
  notFound,
  unauthorized,
  invalid,
  invalidField,
} from '../../domain/errors.ts';

const timeOfDay = { type: 'string', optional: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/ } as const;
const alertTypeRule = {
  type: 'object',
  optional: true,
  strict: true,
  props: {
    enabled: { type: 'boolean', optional: true },
    minSeverity: { type: 'enum', optional: true, values: [...SEVERITIES] },
  },
} as const;

interface ListParams {
  limit?: number;
  cursor?: string;
  q?: string;
}

interface UsersVars {
  redis: Redis;
  limiter: LoginLimiter;
  auditPruner?: NodeJS.Timeout;
}

interface UsersMethods extends BudgetsMethods {
  startErasing(ctx: Ctx<unknown>, userId: string, actorId: string | null): Promise<AccountDeletion>;
  erase(job: UserEraseJob): Promise<void>;
  confirmPassword(ctx: Ctx<unknown>, user: UserRecord, password: string, field: string): Promise<void>;
  endAccess(ctx: Ctx<unknown>, userId: string, reason: string): Promise<void>;
  currentUser(ctx: Ctx<unknown>): Promise<UserRecord>;
}

type UsersService = Service & UsersMethods & UsersVars;

const UsersServiceSchema: ServiceSchema<ServiceSettingSchema, UsersMethods, UsersVars> = {
  name: 'users',
  mixins: [DbMixin([User, AuditEvent]), AuthGuardMixin, DurableChannelsMixin, BudgetsMixin(['export'])],
  settings: { rest: '/users' },

  actions: {
    /**
     * Everything of the caller, as a zip streamed as it is made (services/users/data-export.ts):
     * a JSON file per kind and the transactions as CSV, no secret; progress on their sockets.
     */
    exportData: {
      rest: 'GET /me/export',
      // the zip starts once every service has answered, the transactions counted: on FerretDB a
      // count reads all of a user's rows (docs/ferretdb.md), longer than a call's 10 s for 100,000
      timeout: HISTORY_READ_MS + 10_000,
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<Readable> {
        const user = await this.currentUser(ctx);
        await this.spend(ctx, 'export');
        const events = await AuditEvent.find({ userId: user.publicId })
          .sort({ _id: 1 })
          .lean<AuditEventRecord[]>();
        const archive = await exportArchive({
          broker: this.broker,
          user: publicUser(user),
          audit: events.map((e) => auditView(e, new Map([[user.publicId, user.email]]))),
        });
        ctx.meta.$responseType = 'application/zip';
        ctx.meta.$responseHeaders = {
          'Content-Disposition': `attachment; filename="finexia-export-${new Date().toISOString().slice(0, 10)}.zip"`,
        };
        this.logger.info({ requestId: ctx.requestID }, 'a user exported their data');
        return archive;
      },
    },

    /** An export (the zip, base64) brought into the caller's account: what they entered by hand. */
    importData: {
      rest: 'POST /me/import',
      params: {
        $$strict: true,
        archive: { type: 'string', min: 1, max: Math.ceil((MAX_IMPORT_ARCHIVE_BYTES * 4) / 3) + 4 },
      },
      async handler(ctx: Ctx<ImportArchiveRequest>): Promise<ImportReport> {
        const user = caller(ctx);
        const archive = Buffer.from(ctx.params.archive, 'base64');
        if (!archive.length || archive.length > MAX_IMPORT_ARCHIVE_BYTES)
          throw invalidField('archive', 'must be an export zip of at most 8 MiB, base64-encoded', 'archive');
        return importArchive(this.broker, { ...ctx.meta, user }, archive);
      },
    },

    /**
     * Deletes the caller's account and everything of it: access ends now (every session, every
     * socket), the rest within moments, even if a node dies meanwhile (a durable job).
     */
    deleteMe: {
      rest: 'DELETE /me',
      params: {
        $$strict: true,
        password: { type: 'string', min: 1, max: 200 },
        confirm: { type: 'string', max: 50 },
      },
      async handler(ctx: Ctx<DeleteAccountRequest>): Promise<AccountDeletion> {
        const user = await this.currentUser(ctx);
        if (ctx.params.confirm !== DELETE_CONFIRMATION)
          throw invalid(
            [
              {
                field: 'confirm',
                message: `must be ${DELETE_CONFIRMATION}, typed to confirm`,
                type: 'equal',
              },
            ],
            `Type ${DELETE_CONFIRMATION} to confirm that everything goes.`,
          );
        await this.confirmPassword(ctx, user, ctx.params.password, 'password');
        return this.startErasing(ctx, user.publicId, null);
      },
    },

    /** An admin deletes someone's account (not their own: that is DELETE /me, with a password). */
    deleteUser: {
      rest: 'DELETE /:id',
      roles: ['admin'],
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<AccountDeletion> {
        const admin = caller(ctx);
        if (ctx.params.id === admin.id)
          throw conflict('CONFLICT', 'Delete your own account from your settings, with your password.');
        const user = await User.findOne({ publicId: ctx.params.id }).lean<UserRecord>();
        if (!user) throw notFound('User');
        return this.startErasing(ctx, user.publicId, admin.id);
      },
    },

    me: {
      rest: 'GET /me',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<UserView> {
        return publicUser(await this.currentUser(ctx));
      },
    },

    updateProfile: {
      rest: 'PATCH /me',
      params: { $$strict: true, name: { type: 'string', min: 1, max: 100, trim: true } },
      async handler(ctx: Ctx<{ name: string }>): Promise<UserView> {
        const user = await User.findOneAndUpdate(
          { publicId: callerId(ctx) },
          { $set: { name: ctx.params.name } },
          { returnDocument: 'after' },
        ).lean<UserRecord>();
        if (!user) throw unauthorized();
        return publicUser(user);
      },
    },

    changeEmail: {
      rest: 'POST /me/email',
      params: {
        $$strict: true,
        newEmail: { type: 'string', min: 3, max: 254, trim: true },
        password: { type: 'string', min: 1, max: 200 },
      },
      async handler(ctx: Ctx<{ newEmail: string; password: string }>): Promise<UserView> {
        const user = await this.currentUser(ctx);
        const newEmail = normalizeEmail(ctx.params.newEmail);
        if (!isValidEmail(newEmail))
          throw invalid([{ field: 'newEmail', message: 'is not a valid email address', type: 'email' }]);
        await this.confirmPassword(ctx, user, ctx.params.password, 'password');
        if (newEmail === user.email) return publicUser(user);
        if (await User.exists({ email: newEmail })) throw emailTaken('newEmail');
        try {
          const updated = await User.findOneAndUpdate(
            { publicId: user.publicId },
            { $set: { email: newEmail } },
            { returnDocument: 'after' },
          ).lean<UserRecord>();
          if (!updated) throw unauthorized();
          this.logger.info({ requestId: ctx.requestID, userId: user.publicId }, 'email changed');
          await audit(ctx, { type: 'email.changed', userId: user.publicId });
          return publicUser(updated);
        } catch (err) {
          if (isDuplicateKey(err)) throw emailTaken('newEmail');
          throw err;
        }
      },
    },

    updatePreferences: {
      rest: 'PATCH /me/preferences',
      params: {
        $$strict: true,
        baseCurrency: { type: 'currencyCode', optional: true },
        locale: { type: 'locale', optional: true },
        timeZone: { type: 'timeZone', optional: true },
        theme: { type: 'enum', optional: true, values: [...THEMES] },
        alertThresholds: {
          type: 'object',
          optional: true,
          strict: true,
          props: {
            largeTransaction: { type: 'decimal', optional: true, nonNegative: true, digits: 15, scale: 8 },
            lowBalance: { type: 'decimal', optional: true, nonNegative: true, digits: 15, scale: 8 },
            netWorthDropPercent: { type: 'number', optional: true, min: 0.1, max: 100 },
            marketMovePercent: { type: 'number', optional: true, min: 1, max: 100 },
          },
        },
        alerts: {
          type: 'object',
          optional: true,
          strict: true,
          props: {
            types: {
              type: 'object',
              optional: true,
              strict: true,
              props: Object.fromEntries(ANOMALY_TYPES.map((t) => [t, alertTypeRule])),
            },
            quietHours: {
              type: 'object',
              optional: true,
              strict: true,
              props: { enabled: { type: 'boolean', optional: true }, start: timeOfDay, end: timeOfDay },
            },
          },
        },
      },
      async handler(ctx: Ctx<PreferencesPatch>): Promise<UserView> {
        const p = ctx.params;
        const set: Record<string, string | number | AlertPreferences> = {};
        if (p.baseCurrency !== undefined) set['preferences.baseCurrency'] = p.baseCurrency;
        if (p.locale !== undefined) set['preferences.locale'] = p.locale;
        if (p.timeZone !== undefined) set['preferences.timeZone'] = p.timeZone;
        if (p.theme !== undefined) set['preferences.theme'] = p.theme;
        for (const key of ['largeTransaction', 'lowBalance'] as const) {
          const value = p.alertThresholds?.[key];
          if (value !== undefined) set[`preferences.alertThresholds.${key}`] = value;
        }
        for (const key of ['netWorthDropPercent', 'marketMovePercent'] as const) {
          const percent = p.alertThresholds?.[key];
          if (percent !== undefined) set[`preferences.alertThresholds.${key}`] = percent;
        }
        if (p.alerts) {
          // stored whole: the user's current alert preferences with this change on top
          const current = (await this.currentUser(ctx)).preferences?.alerts as PreferencesPatch['alerts'];
          const merged = alertPreferences(current);
          for (const [type, change] of Object.entries(p.alerts.types ?? {}))
            Object.assign(merged.types[type as AnomalyType], change);
          Object.assign(merged.quietHours, p.alerts.quietHours ?? {});
          set['preferences.alerts'] = merged;
        }
        if (!Object.keys(set).length) throw badRequest('Send at least one preference to change.');
        const user = await User.findOneAndUpdate(
          { publicId: callerId(ctx) },
          { $set: set },
          { returnDocument: 'after' },
        ).lean<UserRecord>();
        if (!user) throw unauthorized();
        emitEvent(ctx, 'user.preferences.changed', { userId: user.publicId });
        return publicUser(user);
      },
    },

    changePassword: {
      rest: 'POST /me/password',
      params: {
        $$strict: true,
        currentPassword: { type: 'string', min: 1, max: 200 },
        newPassword: { type: 'string', min: 1, max: 200 },
      },
      async handler(ctx: Ctx<{ currentPassword: string; newPassword: string }>): Promise<UserView> {
        const user = await this.currentUser(ctx);
        await this.confirmPassword(ctx, user, ctx.params.currentPassword, 'currentPassword');
        const problems = passwordProblems(ctx.params.newPassword, user.email).map((p) => ({
          ...p,
          field: 'newPassword',
        }));
        if (problems.length) throw invalid(problems);
        const passwordHash = await bcrypt.hash(ctx.params.newPassword, configOf(this.broker).auth.bcryptCost);
        await User.updateOne({ publicId: user.publicId }, { $set: { passwordHash } });
        // every other session ends: whoever knew the old password is signed out
        const me = caller(ctx);
        await callAction(ctx, 'auth.revokeAllForUser', {
          userId: me.id,
          reason: 'password-changed',
          exceptSession: me.sid,
        });
        await audit(ctx, { type: 'password.changed', userId: user.publicId });
        return publicUser(user);
      },
    },

    setRole: {
      rest: 'PUT /:id/role',
      roles: ['admin'],
      params: { $$strict: true, id: 'uuid', role: { type: 'enum', values: [...ROLES] } },
      async handler(ctx: Ctx<{ id: string; role: Role }>): Promise<UserView> {
        const admin = caller(ctx);
        if (ctx.params.id === admin.id && ctx.params.role !== 'admin')
          throw conflict('CONFLICT', 'You cannot remove your own admin role.');
        const before = await User.findOne({ publicId: ctx.params.id }).lean<UserRecord>();
        if (!before) throw notFound('User');
        if (before.role === ctx.params.role) return publicUser(before);
        const user = await User.findOneAndUpdate(
          { publicId: ctx.params.id },
          { $set: { role: ctx.params.role } },
          { returnDocument: 'after' },
        ).lean<UserRecord>();
        if (!user) throw notFound('User');
        // tokens carry the role: sessions start over with the new one
        await this.endAccess(ctx, user.publicId, 'role-changed');
        await audit(ctx, {
          type: 'role.changed',
          userId: user.publicId,
          actorId: admin.id,
          details: { from: before.role, to: user.role },
        });
        return publicUser(user);
      },
    },

    auditLog: {
      rest: 'GET /audit',
      roles: ['admin'],
      params: {
        $$strict: true,
        type: { type: 'enum', optional: true, values: [...AUDIT_TYPES] },
        userId: { type: 'uuid', optional: true },
        limit: { type: 'number', optional: true, convert: true, integer: true, min: 1, max: 200 },
        cursor: { type: 'string', optional: true, pattern: /^[0-9a-f]{24}$/ },
      },
      async handler(
        ctx: Ctx<{ type?: AuditType; userId?: string; limit?: number; cursor?: string }>,
      ): Promise<AuditPage> {
        const limit = ctx.params.limit ?? 50;
        const filter: Record<string, unknown> = {};
        if (ctx.params.type) filter.type = ctx.params.type;
        if (ctx.params.userId) filter.userId = ctx.params.userId;
        if (ctx.params.cursor) filter._id = { $lt: ctx.params.cursor };
        const page = await AuditEvent.find(filter)
          .sort({ _id: -1 })
          .limit(limit + 1)
          .lean<AuditEventRecord[]>();
        const events = page.slice(0, limit);
        // who the ids are, for a reader (one query for the page's people)
        const ids = [
          ...new Set(events.flatMap((e) => [e.userId, e.actorId]).filter((id): id is string => !!id)),
        ];
        const people = ids.length
          ? await User.find({ publicId: { $in: ids } })
              .select({ publicId: 1, email: 1 })
              .lean<UserRecord[]>()
          : [];
        const emails = new Map(people.map((u) => [u.publicId, u.email]));
        return {
          events: events.map((e) => auditView(e, emails)),
          nextCursor: page.length > limit ? String(events[events.length - 1]?._id) : null,
        };
      },
    },

    list: {
      rest: 'GET /',
      roles: ['admin'],
      params: {
        $$strict: true,
        limit: { type: 'number', optional: true, convert: true, integer: true, min: 1, max: 100 },
        cursor: { type: 'string', optional: true, pattern: /^[0-9a-f]{24}$/ },
        q: { type: 'string', optional: true, max: 100, trim: true },
      },
      async handler(ctx: Ctx<ListParams>) {
        const limit = ctx.params.limit ?? 25;
        const filter: Record<string, unknown> = {};
        if (ctx.params.cursor) filter._id = { $gt: ctx.params.cursor };
        if (ctx.params.q) {
          const needle = escapeRegex(ctx.params.q.toLowerCase());
          filter.$or = [{ email: { $regex: needle } }, { name: { $regex: needle, $options: 'i' } }];
        }
        const page = await User.find(filter)
          .sort({ _id: 1 })
          .limit(limit + 1)
          .lean<UserRecord[]>();
        const hasMore = page.length > limit;
        const users = page.slice(0, limit);
        return {
          users: users.map(publicUser),
          nextCursor: hasMore ? String(users[users.length - 1]?._id) : null,
        };
      },
    },

    /** Users disabled since `since` (ms): a gateway that starts refuses their tokens still alive. */
    recentlyDisabled: {
      internal: true,
      params: { since: { type: 'number', integer: true, min: 0 } },
      async handler(ctx: Ctx<{ since: number }>): Promise<{
        users: { userId: string; at: number }[];
        deleted: { subject: string; at: number }[];
      }> {
        const since = new Date(ctx.params.since);
        const [users, deleted] = await Promise.all([
          User.find({ disabledAt: { $gte: since } })
            .select({ publicId: 1, disabledAt: 1 })
            .lean<{ publicId: string; disabledAt: Date }[]>(),
          // deleted accounts are known only by their subject now
          AuditEvent.find({ type: 'account.deleted', at: { $gte: since } }).lean<AuditEventRecord[]>(),
        ]);
        return {
          users: users.map((u) => ({ userId: u.publicId, at: u.disabledAt.getTime() })),
          deleted: deleted.map((d) => ({ subject: String(d.details?.subject ?? ''), at: d.at.getTime() })),
        };
      },
    },

    setDisabled: {
      rest: 'PUT /:id/disabled',
      roles: ['admin'],
      params: { $$strict: true, id: 'uuid', disabled: 'boolean' },
      async handler(ctx: Ctx<{ id: string; disabled: boolean }>): Promise<UserView> {
        const admin = caller(ctx);
        if (ctx.params.id === admin.id && ctx.params.disabled)
          throw conflict('CONFLICT', 'You cannot disable your own account.');
        const user = await User.findOneAndUpdate(
          { publicId: ctx.params.id },
          { $set: { disabledAt: ctx.params.disabled ? new Date() : null } },
          { returnDocument: 'after' },
        ).lean<UserRecord>();
        if (!user) throw notFound('User');
        if (ctx.params.disabled) {
          await this.endAccess(ctx, user.publicId, 'account-disabled');
        }
        this.logger.info(
          {
            requestId: ctx.requestID,
            adminId: admin.id,
            userId: user.publicId,
            disabled: ctx.params.disabled,
          },
          'user disabled state changed',
        );
        await audit(ctx, {
          type: ctx.params.disabled ? 'account.disabled' : 'account.enabled',
          userId: user.publicId,
          actorId: admin.id,
        });
        return publicUser(user);
      },
    },
  },

  channels: {
    [CHANNELS.usersErase]: {
      group: 'users',
      maxInFlight: 2,
      async handler(this: UsersService, payload: unknown) {
        const job = payload as Partial<UserEraseJob> | null;
        if (typeof job?.userId !== 'string') {
          this.logger.warn({ payload }, 'malformed erase job dropped');
          return;
        }
        await this.erase({
          userId: job.userId,
          actorId: typeof job.actorId === 'string' ? job.actorId : null,
        });
      },
    },
  },

  methods: {
    /** Access ends now; the erasing is a durable job (it survives a node that dies meanwhile). */
    async startErasing(ctx: Ctx<unknown>, userId: string, actorId: string | null): Promise<AccountDeletion> {
      await User.updateOne(
        { publicId: userId },
        { $set: { disabledAt: new Date(), deletingAt: new Date() } },
      );
      await this.endAccess(ctx, userId, 'account-deleted');
      await this.broker.sendToChannel(CHANNELS.usersErase, { userId, actorId } satisfies UserEraseJob);
      this.logger.info(
        { requestId: ctx.requestID, byAdmin: actorId !== null },
        'an account is being deleted',
      );
      ctx.meta.$statusCode = 202;
      return { status: 'deleting' };
    },

    /** Erases an account everywhere (services/users/erase.ts). */
    async erase(job: UserEraseJob): Promise<void> {
      await eraseAccount(this.broker, this.limiter, this.redis, job);
    },

    /**
     * The user's own password, proved before a sensitive change: limited like a sign-in (per
     * address and per account), and a wrong one is a 422 on `field`.
     */
    async confirmPassword(
      ctx: Ctx<unknown>,
      user: UserRecord,
      password: string,
      field: string,
    ): Promise<void> {
      const ip = ctx.meta.clientIp ?? 'unknown';
      await this.limiter.assertAllowed(ip, user.email);
      if (!(await bcrypt.compare(password, user.passwordHash))) {
        await this.limiter.recordFailure(ip, user.email);
        throw new AppError('PASSWORD_INCORRECT', 'Your current password is incorrect.', {
          fields: [{ field, message: 'is incorrect', type: 'password' }],
        });
      }
    },

    /** Every session of the user ends, and every gateway refuses their access tokens from now on. */
    async endAccess(ctx: Ctx<unknown>, userId: string, reason: string): Promise<void> {
      await callAction(ctx, 'auth.revokeAllForUser', { userId, reason });
      broadcastEvent(this.broker, 'user.access.revoked', { userId, before: Date.now() });
    },

    async currentUser(ctx: Ctx<unknown>): Promise<UserRecord> {
      const user = await User.findOne({ publicId: callerId(ctx) }).lean<UserRecord>();
      if (!user) throw unauthorized();
      return user;
    },
  },

  async started() {
    const cfg = configOf(this.broker);
    this.redis = acquireRedis(cfg.redisUrl);
    this.limiter = new LoginLimiter(this.redis, cfg);
    const prune = () =>
      pruneAuditLog().catch((err: Error) => this.logger.warn({ err: err.message }, 'audit log not pruned'));
    this.auditPruner = setInterval(prune, 86_400_000);
    this.auditPruner.unref();
  },

  async stopped() {
    clearInterval(this.auditPruner);
    await releaseRedis(configOf(this.broker).redisUrl);
  },
};

export default UsersServiceSchema;
