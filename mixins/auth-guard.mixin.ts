// Secure by default: every action of a service using this mixin needs a signed-in user
// in ctx.meta (put there by the api gateway after verifying the access token) unless it
// says `auth: 'public'` (anyone may call it over HTTP) or `internal: true` (only other
// services call it; the gateway cannot); `roles` narrows it further.
import type { ActionSchema, ServiceSchema } from 'moleculer';
import type { AuthUser, Ctx } from '../infra/context.ts';
import { forbidden, unauthorized } from '../domain/errors.ts';

/**
 * The one rule of who may call an action: anyone when it is public, else a signed-in user with
 * one of its roles. The gateway applies it before validation; the services again, here.
 */
export function assertMayCall(
  action: Pick<ActionSchema, 'auth' | 'roles'>,
  user: AuthUser | null | undefined,
): void {
  if (action.auth === 'public') return;
  if (!user) throw unauthorized();
  if (action.roles && !action.roles.includes(user.role)) throw forbidden();
}

export const AuthGuardMixin: Partial<ServiceSchema> = {
  hooks: {
    before: {
      '*'(ctx: Ctx<unknown>) {
        const action = ctx.action;
        if (!action || action.internal) return;
        assertMayCall(action, ctx.meta.user);
      },
    },
  },
};
