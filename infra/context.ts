// What travels in ctx.meta between the gateway and the services, and who is calling.
import type { Context, Service } from 'moleculer';
import type { Role } from '@finexia/contracts/api.ts';
import { unauthorized } from '../domain/errors.ts';

export interface AuthUser {
  /** public user id (UUID) */
  id: string;
  role: Role;
  /** session id: the refresh-token family of this device */
  sid: string;
}

export interface RequestMeta {
  user?: AuthUser;
  /** the raw request body, kept only for webhook routes that verify signatures */
  rawBody?: string;
  /** the Plaid-Verification header of a webhook */
  webhookVerification?: string;
  clientIp?: string;
  userAgent?: string;
  $statusCode?: number;
  /** Location header of a 201 */
  $location?: string;
  $responseHeaders?: Record<string, string>;
  /** the Content-Type of a response that is not JSON (a file streamed) */
  $responseType?: string;
}

export type Ctx<P = Record<string, never>> = Context<P, RequestMeta>;

/** The signed-in user making this request (the auth guard has checked there is one). */
export function caller(ctx: Ctx<unknown>): AuthUser {
  const user = ctx.meta.user;
  if (!user) throw unauthorized();
  return user;
}

/** The id of the signed-in user making this request. */
export const callerId = (ctx: Ctx<unknown>): string => caller(ctx).id;

/**
 * The raw JetStream message a channel handler receives next to its payload (in-process channels,
 * DURABLE_CHANNELS=memory, hand over a plain object: no ack deadline to extend, no redelivery).
 */
export interface ChannelMessage {
  /** extends the ack deadline (JetStream only) */
  working?(): void;
  /** asks for redelivery, after `delayMs` (a second nak or ack of the same message is ignored) */
  nak?(delayMs?: number): void;
  info?: { redeliveryCount?: number };
}

export interface ChannelDefinition {
  group?: string;
  maxRetries?: number;
  maxInFlight?: number;
  deadLettering?: { enabled: boolean; queueName: string };
  nats?: { consumerOptions?: Record<string, unknown>; streamConfig?: Record<string, unknown> };
  /** runs with `this` = the service (typed by each service) */
  handler(this: never, payload: unknown, raw: ChannelMessage): Promise<void>;
}

declare module 'moleculer' {
  // `merged` is a documented Moleculer lifecycle hook that 0.15's typings omit.
  interface ServiceSchema {
    merged?: (this: Service, schema: ServiceSchema) => void;
  }
  // Added at runtime by @moleculer/channels (its typings do not declare them).
  interface ServiceBroker {
    sendToChannel(
      channel: string,
      payload: unknown,
      opts?: { headers?: Record<string, string> },
    ): Promise<void>;
  }
  interface ServiceSchema {
    channels?: Record<string, ChannelDefinition>;
  }
  interface ActionSchema {
    /**
     * Called only by other services and operators, never through the gateways: it has no
     * REST route, needs no signed-in user, and a call that comes from the api gateway is
     * refused (infra/internal-actions.ts).
     */
    internal?: boolean;
    /** 'public' actions need no signed-in user (sign-in, prices); all others do. */
    auth?: 'public' | 'required';
    /** Roles allowed to call the action (any signed-in user when absent). */
    roles?: Role[];
    /** How long a caller waits when it says nothing (Moleculer's timeout middleware; 0.15's typings omit it). */
    timeout?: number;
  }
}
