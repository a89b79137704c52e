// Secure by default: every action of a service using this mixin needs a signed-in user
// in ctx.meta (put there by the api gateway after verifying the access token) unless it
// says `auth: 'public'` (anyone may call it over HTTP) or `internal: true` (only other
// services call it; the gateway cannot); `roles` narrows it further.
import type { ServiceSchema } from 'moleculer';
import type { Ctx } from '../infra/context.ts';
import { forbidden, unauthorized } from '../domain/errors.ts';

export const AuthGuardMixin: Partial<ServiceSchema> = {
  hooks: {
    before: {
      '*'(ctx: Ctx<unknown>) {
        const action = ctx.action;
        if (!action || action.auth === 'public' || action.internal) return;
        const user = ctx.meta.user;
        if (!user) throw unauthorized();
        if (action.roles && !action.roles.includes(user.role)) throw forbidden();
      },
    },
  },
};
