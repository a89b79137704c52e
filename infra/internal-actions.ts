// One mechanism for actions that are not part of the API (`internal: true`): they are visible
// to other nodes but never published to the gateway, may not carry a REST route (the service
// fails to start), and refuse any call the api gateway makes, whatever alias led to it.
import type { ActionSchema, Middleware, Service, ServiceSchema } from 'moleculer';
import type { Ctx } from './context.ts';
import { notFound } from '../domain/errors.ts';

/** The gateway whose calls internal actions refuse (moleculer-web calls from its own service). */
export const GATEWAY_SERVICE = 'api';

function actionsOf(schema: ServiceSchema): [string, ActionSchema][] {
  return Object.entries(schema.actions ?? {}).filter(
    (entry): entry is [string, ActionSchema] => typeof entry[1] === 'object' && entry[1] !== null,
  );
}

export const InternalActionsMiddleware: Middleware = {
  name: 'InternalActions',

  serviceCreating(_service: Service, schema: ServiceSchema) {
    for (const [name, action] of actionsOf(schema)) {
      if (!action.internal) continue;
      if (action.rest)
        throw new Error(
          `${schema.name}.${name} is internal and must not have a REST route (rest: ${String(action.rest)})`,
        );
      // other nodes may call it; the gateway does not publish it
      action.visibility = 'public';
    }
  },

  localAction(next: (ctx: Ctx<unknown>) => unknown, action: ActionSchema) {
    if (!action.internal) return next;
    return function refuseGatewayCalls(ctx: Ctx<unknown>) {
      if (ctx.caller === GATEWAY_SERVICE) throw notFound();
      return next(ctx);
    };
  },
};
