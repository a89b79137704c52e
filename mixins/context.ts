// What travels in ctx.meta between the gateway and the services.
import type { Context, Service } from 'moleculer';
import type { Role } from '../domain/auth/access-tokens.ts';

export interface AuthUser {
  /** public user id (UUID) */
  id: string;
  role: Role;
  /** session id: the refresh-token family of this device */
  sid: string;
}

export interface RequestMeta {
  user?: AuthUser;
  clientIp?: string;
  userAgent?: string;
  $statusCode?: number;
  $responseHeaders?: Record<string, string>;
}

export type Ctx<P = Record<string, never>> = Context<P, RequestMeta>;

declare module 'moleculer' {
  // `merged` is a documented Moleculer lifecycle hook that 0.15's typings omit.
  interface ServiceSchema {
    merged?: (this: Service, schema: ServiceSchema) => void;
  }
  interface ActionSchema {
    /** 'public' actions need no signed-in user; all others do. */
    auth?: 'public' | 'required';
    /** Roles allowed to call the action (any signed-in user when absent). */
    roles?: Role[];
  }
}
