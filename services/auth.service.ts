// auth: sign-up, sign-in, token refresh (rotating, reuse-detecting), sign-out, me.
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import type { Redis } from 'ioredis';
import bcrypt from 'bcrypt';
import { randomUUID } from 'node:crypto';
import { configOf } from '../config/index.ts';
import { DbMixin } from '../mixins/db.mixin.ts';
import { claimOnce, isClaimed, isDuplicateKey } from '../infra/db.ts';
import { AuthGuardMixin } from '../mixins/auth-guard.mixin.ts';
import { acquireRedis, releaseRedis } from '../infra/connections.ts';
import { LoginLimiter } from '../infra/login-limiter.ts';
import { accessTokenSettings } from '../infra/tokens.ts';
import { caller, callerId, type Ctx } from '../infra/context.ts';
import { User, emailTaken, publicUser, type UserRecord } from '../infra/models/user.model.ts';
import type { SessionResponse, UserView } from '@finexia/contracts/api.ts';
import { RefreshToken } from '../infra/models/refresh-token.model.ts';
import { AuditEvent } from '../infra/models/audit-event.model.ts';
import { audit } from '../infra/audit.ts';
import { signAccessToken } from '../domain/auth/access-tokens.ts';
import { isValidEmail, normalizeEmail, passwordProblems } from '../domain/auth/credentials.ts';
import {
  decideRefresh,
  hashRefreshToken,
  looksLikeRefreshToken,
  newRefreshToken,
} from '../domain/auth/refresh-tokens.ts';
import { AppError, forbidden, unauthorized, invalid } from '../domain/errors.ts';

interface RegisterParams {
  email: string;
  password: string;
  name: string;
}
interface LoginParams {
  email: string;
  password: string;
}
interface RefreshParams {
  refreshToken: string;
}

// Compared against when the email is unknown, so a miss costs as much time as a hit.
const TIMING_DUMMY_HASH = bcrypt.hashSync('finexia-timing-equalizer', 12);

const emailRule = { type: 'string', min: 3, max: 254, trim: true } as const;
const passwordRule = { type: 'string', min: 1, max: 200 } as const;

interface AuthVars {
  redis: Redis;
  limiter: LoginLimiter;
}

interface AuthMethods {
  openSession(ctx: Ctx<unknown>, user: UserRecord, familyId: string): Promise<SessionResponse>;
  revokeFamilies(
    filter: { familyId?: string | { $ne: string }; userId?: string },
    reason: string,
  ): Promise<number>;
}

type AuthService = Service & AuthMethods & AuthVars;

const AuthServiceSchema: ServiceSchema<ServiceSettingSchema, AuthMethods, AuthVars> = {
  name: 'auth',
  mixins: [DbMixin([User, RefreshToken, AuditEvent]), AuthGuardMixin],
  settings: { rest: '/auth' },

  actions: {
    register: {
      rest: 'POST /register',
      auth: 'public',
      params: {
        $$strict: true,
        email: emailRule,
        password: passwordRule,
        name: { type: 'string', min: 1, max: 100, trim: true },
      },
      async handler(ctx: Ctx<RegisterParams>): Promise<SessionResponse> {
        const email = normalizeEmail(ctx.params.email);
        const fields = [
          ...(isValidEmail(email)
            ? []
            : [{ field: 'email', message: 'is not a valid email address', type: 'email' }]),
          ...passwordProblems(ctx.params.password, email),
        ];
        if (fields.length) throw invalid(fields);
        if (await User.exists({ email })) throw emailTaken('email');
        const passwordHash = await bcrypt.hash(ctx.params.password, configOf(this.broker).auth.bcryptCost);
        let user: UserRecord;
        try {
          user = (await User.create({ email, passwordHash, name: ctx.params.name })).toObject();
        } catch (err) {
          if (isDuplicateKey(err)) throw emailTaken('email');
          throw err;
        }
        this.logger.info({ requestId: ctx.requestID, userId: user.publicId }, 'user registered');
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = '/api/v1/users/me';
        return this.openSession(ctx, user, randomUUID());
      },
    },

    login: {
      rest: 'POST /login',
      auth: 'public',
      params: { $$strict: true, email: emailRule, password: passwordRule },
      async handler(ctx: Ctx<LoginParams>): Promise<SessionResponse> {
        const email = normalizeEmail(ctx.params.email);
        const ip = ctx.meta.clientIp ?? 'unknown';
        try {
          await this.limiter.assertAllowed(ip, email);
        } catch (err) {
          await audit(ctx, { type: 'login.blocked', email });
          throw err;
        }
        const user = await User.findOne({ email }).lean<UserRecord>();
        const matches = await bcrypt.compare(ctx.params.password, user?.passwordHash ?? TIMING_DUMMY_HASH);
        // an account being deleted is gone: refused as an unknown email is, and nothing of the
        // attempt is kept (no audit row, no counter under its email), or the erasing would leave it
        if (user?.deletingAt) throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect.');
        if (!user || !matches) {
          await this.limiter.recordFailure(ip, email);
          this.logger.info({ requestId: ctx.requestID }, 'login failed');
          await audit(ctx, { type: 'login.failed', userId: user?.publicId, email });
          throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect.');
        }
        await this.limiter.recordSuccess(email);
        if (user.disabledAt) {
          await audit(ctx, {
            type: 'login.failed',
            userId: user.publicId,
            email,
            details: { reason: 'disabled' },
          });
          throw forbidden('ACCOUNT_DISABLED', 'This account has been disabled.');
        }
        await audit(ctx, { type: 'login.succeeded', userId: user.publicId });
        return this.openSession(ctx, user, randomUUID());
      },
    },

    refresh: {
      rest: 'POST /refresh',
      auth: 'public',
      params: { $$strict: true, refreshToken: { type: 'string', min: 1, max: 200 } },
      async handler(ctx: Ctx<RefreshParams>): Promise<SessionResponse> {
        const invalid = () => new AppError('REFRESH_TOKEN_INVALID', 'Your session has ended. Sign in again.');
        if (!looksLikeRefreshToken(ctx.params.refreshToken)) throw invalid();
        const tokenHash = hashRefreshToken(ctx.params.refreshToken);
        const now = new Date();
        const token = await RefreshToken.findOne({ tokenHash }).lean();
        const state = token && { ...token, usedAt: token.usedAt ?? null, revokedAt: token.revokedAt ?? null };
        let decision = decideRefresh(state, now);
        // A family revoked for reuse stays dead even for a token minted concurrently with the revocation.
        if (decision.kind === 'rotate' && token && (await isClaimed('family-revoked', token.familyId))) {
          decision = { kind: 'revoked' };
        }
        // Of two concurrent uses only one wins the claim; the loser is a reuse like any other.
        if (decision.kind === 'rotate' && token && !(await claimOnce('refresh', tokenHash))) {
          decision = { kind: 'reuse', familyId: token.familyId, userId: token.userId };
        }
        if (decision.kind === 'reuse') {
          await claimOnce('family-revoked', decision.familyId);
          await this.revokeFamilies({ familyId: decision.familyId }, 'reuse-detected');
          this.logger.warn(
            { requestId: ctx.requestID, userId: decision.userId, familyId: decision.familyId },
            'refresh token reused: session revoked',
          );
          await audit(ctx, {
            type: 'refresh.reused',
            userId: decision.userId,
            details: { session: decision.familyId },
          });
          throw new AppError(
            'REFRESH_TOKEN_REUSED',
            'This session was ended for your safety. Sign in again.',
          );
        }
        if (decision.kind !== 'rotate' || !token) throw invalid();
        await RefreshToken.updateOne({ tokenHash }, { $set: { usedAt: now } });
        const claimed = token;
        const user = await User.findOne({ publicId: claimed.userId }).lean<UserRecord>();
        if (!user) throw invalid();
        if (user.disabledAt) {
          await this.revokeFamilies({ userId: user.publicId }, 'account-disabled');
          throw forbidden('ACCOUNT_DISABLED', 'This account has been disabled.');
        }
        return this.openSession(ctx, user, claimed.familyId);
      },
    },

    logout: {
      rest: 'POST /logout',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<void> {
        const user = caller(ctx);
        await this.revokeFamilies({ familyId: user.sid, userId: user.id }, 'logout');
        ctx.meta.$statusCode = 204;
      },
    },

    logoutAll: {
      rest: 'POST /logout-all',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<void> {
        const user = caller(ctx);
        await this.revokeFamilies({ userId: user.id }, 'logout-all');
        ctx.meta.$statusCode = 204;
      },
    },

    me: {
      rest: 'GET /me',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<UserView> {
        const user = await User.findOne({ publicId: callerId(ctx) }).lean<UserRecord>();
        if (!user) throw unauthorized();
        return publicUser(user);
      },
    },

    sessions: {
      rest: 'GET /sessions',
      params: { $$strict: true },
      async handler(ctx: Ctx) {
        const me = caller(ctx);
        const live = await RefreshToken.find({
          userId: me.id,
          revokedAt: null,
          usedAt: null,
          expiresAt: { $gt: new Date() },
        })
          .sort({ createdAt: -1 })
          .lean();
        return {
          sessions: live.map((token) => ({
            id: token.familyId,
            current: token.familyId === me.sid,
            userAgent: token.userAgent,
            lastUsedAt: token.createdAt?.toISOString() ?? null,
            expiresAt: token.expiresAt.toISOString(),
          })),
        };
      },
    },

    /** Called by users.setDisabled: ends every session of a user (not exposed over HTTP). */
    /** A deleted account: its sessions go, used and unused. */
    eraseUser: {
      internal: true,
      params: { userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<{ deleted: number }> {
        return { deleted: (await RefreshToken.deleteMany({ userId: ctx.params.userId })).deletedCount };
      },
    },

    revokeAllForUser: {
      internal: true,
      params: {
        userId: 'uuid',
        reason: { type: 'string', max: 50 },
        // a password change keeps the session that made it
        exceptSession: { type: 'string', optional: true, max: 64 },
      },
      async handler(
        ctx: Ctx<{ userId: string; reason: string; exceptSession?: string }>,
      ): Promise<{ revoked: number }> {
        const { userId, reason, exceptSession } = ctx.params;
        const filter = exceptSession ? { userId, familyId: { $ne: exceptSession } } : { userId };
        return { revoked: await this.revokeFamilies(filter, reason) };
      },
    },
  },

  methods: {
    async openSession(ctx: Ctx<unknown>, user: UserRecord, familyId: string): Promise<SessionResponse> {
      const { auth } = configOf(this.broker);
      const refreshToken = newRefreshToken();
      const refreshTokenExpiresAt = new Date(Date.now() + auth.refreshTokenTtlMs);
      await RefreshToken.create({
        tokenHash: hashRefreshToken(refreshToken),
        familyId,
        userId: user.publicId,
        expiresAt: refreshTokenExpiresAt,
        userAgent: ctx.meta.userAgent?.slice(0, 300) ?? null,
        ip: ctx.meta.clientIp ?? null,
      });
      const role = user.role === 'admin' ? 'admin' : 'user';
      const access = signAccessToken({ sub: user.publicId, role, sid: familyId }, accessTokenSettings(auth));
      return {
        tokenType: 'Bearer',
        accessToken: access.token,
        accessTokenExpiresAt: access.expiresAt.toISOString(),
        refreshToken,
        refreshTokenExpiresAt: refreshTokenExpiresAt.toISOString(),
        user: publicUser(user),
      };
    },

    async revokeFamilies(
      filter: { familyId?: string | { $ne: string }; userId?: string },
      reason: string,
    ): Promise<number> {
      const result = await RefreshToken.updateMany(
        { ...filter, revokedAt: null },
        { $set: { revokedAt: new Date(), revokedReason: reason } },
      );
      return result.modifiedCount;
    },
  },

  created(this: AuthService) {
    // Fail at start, not at the first sign-in, when the secret is missing.
    accessTokenSettings(configOf(this.broker).auth);
  },

  async started(this: AuthService) {
    const cfg = configOf(this.broker);
    this.redis = acquireRedis(cfg.redisUrl);
    this.limiter = new LoginLimiter(this.redis, cfg);
  },

  async stopped(this: AuthService) {
    await releaseRedis(configOf(this.broker).redisUrl);
  },
};

export default AuthServiceSchema;
