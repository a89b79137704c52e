// One actor per user, hosted on exactly one node: the owner is chosen by consistent
// hashing of the user id over the nodes that currently run this service. An actor
// handles its messages one at a time (an RxJS mailbox with concatMap), so its work needs
// no locks. When nodes join or leave, the ring is rebuilt from the registry and new
// messages go to the new owner; actors a node no longer owns retire once idle.
import type { ActorStats } from '@finexia/contracts/internal.ts';
import { Errors, type Context, type Service, type ServiceSchema } from 'moleculer';
import { Subject, concatMap, defer, EMPTY, catchError, tap } from 'rxjs';
import { HashRing } from '../infra/hash-ring.ts';
import { nodesRunning } from '../infra/registry.ts';

interface Envelope<M> {
  message: M;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/** A user's mailbox on this node: messages are handled one at a time, in order. */
interface Mailbox<M> {
  mailbox: Subject<Envelope<M>>;
  pending: number;
  lastActive: number;
  /** called once the mailbox is completed and its last message handled (set at stop, for busy ones) */
  onDrained?: () => void;
}

/**
 * At stop, messages already queued or under way get this long to finish: a history rebuild under
 * way wrote after its node had stopped (in tests, into a database dropped meanwhile). New messages
 * are refused from the stop's start, what is still queued past the drain time is refused, and work
 * still under way then can see (`hosting()`) that it must not write.
 */
const STOP_DRAIN_MS = 5_000;

/**
 * What a message gets that reaches a node's actors once their stop has begun: the service is not
 * available there, so a node that routed it here sends it to the new owner (OWNER_GONE).
 */
const stoppedHosting = (svc: Service, service: string) =>
  new Errors.ServiceNotAvailableError({ action: `${service}.actorDeliver`, nodeID: svc.broker.nodeID });

/**
 * What a call to an owner fails with when the owner is not there to answer: it left the
 * registry, it was dropped while the call was pending (RequestRejectedError: a killed node, found
 * by the node watch), or it did not answer in time.
 */
const OWNER_GONE = new Set([
  'ServiceNotAvailableError',
  'ServiceNotFoundError',
  'RequestRejectedError',
  'RequestTimeoutError',
]);
/** How many more owners a message tries after the first is gone (each one a ring rebuilt). */
const MAX_REROUTES = 2;

/** `S`: the hosting service as its handlers see it (its methods and state). */
export interface ActorHostOptions<M, S extends Service = Service> {
  /** the Moleculer service that hosts the actors (its nodes form the ring) */
  service: string;
  /** how an actor handles one message; runs with `this` = the service */
  handle(this: S, userId: string, message: M): Promise<unknown>;
  /** idle actors are dropped after this long */
  idleMs?: number;
  /**
   * Answers a message at once, outside the mailbox, when it can (a read of state already in
   * memory that no queued message could make wrong); undefined sends it through the mailbox.
   * A snapshot must not wait behind a history rebuild of the same user.
   */
  immediate?(this: S, userId: string, message: M): unknown;
  /** called when an actor is dropped (idle, moved to another node, service stopping) */
  retire?(this: S, userId: string): void;
  /** how long a stop waits for messages queued or under way (default STOP_DRAIN_MS) */
  stopDrainMs?: number;
}

export interface ActorHostMethods<M> {
  dispatch(userId: string, message: M): Promise<unknown>;
  ownerOf(userId: string): string;
  /** Marks a local actor as in use (it is not idle); false when there is none here. */
  touch(userId: string): boolean;
  actorStats(): ActorStats;
  /**
   * False once this node's stop has waited for its actors as long as it does: a message still
   * under way then must not write (its node has stopped; in tests, its database may be gone).
   */
  hosting(): boolean;
}

interface HostState<M> {
  actors: Map<string, Mailbox<M>>;
  ring: HashRing;
  evictTimer?: NodeJS.Timeout;
  /** set when the stop begins: new messages are refused (the drain waits only for those it saw) */
  closing?: boolean;
  /** set when the stop's drain is over: nothing more runs here */
  stopped?: boolean;
}

export function ActorHostMixin<M, S extends Service = Service>(
  options: ActorHostOptions<M, S>,
): Partial<ServiceSchema> {
  // the mixin is merged into the service `S` describes, so the service is an `S`
  const asHost = (svc: Service) => svc as S;
  const idleMs = options.idleMs ?? 10 * 60_000;
  const stopDrainMs = options.stopDrainMs ?? STOP_DRAIN_MS;
  // Per-service-instance state, kept beside the service rather than on it.
  const states = new WeakMap<Service, HostState<M>>();
  const state = (svc: Service): HostState<M> => {
    let host = states.get(svc);
    if (!host) states.set(svc, (host = { actors: new Map(), ring: new HashRing([]) }));
    return host;
  };

  function refreshRing(svc: Service) {
    const nodes = nodesRunning(svc.broker, options.service);
    if (!nodes.includes(svc.broker.nodeID)) nodes.push(svc.broker.nodeID);
    const next = new HashRing(nodes);
    const host = state(svc);
    if (!next.equals(host.ring)) {
      svc.logger.info({ nodes: next.nodes }, `${options.service} actor ring changed`);
      host.ring = next;
      // actors that moved away retire now (idle ones; busy ones after their mailbox drains)
      evict(svc);
    }
  }

  /** Drops actors that are idle too long, or idle and owned by another node now. */
  function evict(svc: Service) {
    const host = state(svc);
    const now = Date.now();
    for (const [userId, actor] of host.actors) {
      const owned = (host.ring.owner(userId) ?? svc.broker.nodeID) === svc.broker.nodeID;
      if (actor.pending === 0 && (!owned || now - actor.lastActive > idleMs)) {
        actor.mailbox.complete();
        host.actors.delete(userId);
        options.retire?.call(asHost(svc), userId);
      }
    }
  }

  function enqueueLocal(svc: Service, userId: string, message: M): Promise<unknown> {
    const host = state(svc);
    // a message accepted during the stop would run unwaited for (a new mailbox), or never (a completed one)
    if (host.closing) return Promise.reject(stoppedHosting(svc, options.service));
    let actor = host.actors.get(userId);
    if (actor && options.immediate) {
      const answer = options.immediate.call(asHost(svc), userId, message);
      if (answer !== undefined) {
        actor.lastActive = Date.now();
        return Promise.resolve(answer);
      }
    }
    if (!actor) {
      const mailbox = new Subject<Envelope<M>>();
      const created: Mailbox<M> = { mailbox, pending: 0, lastActive: Date.now() };
      const drained = () => created.onDrained?.();
      mailbox
        .pipe(
          concatMap((envelope) =>
            defer(() =>
              host.stopped
                ? Promise.reject(stoppedHosting(svc, options.service))
                : options.handle.call(asHost(svc), userId, envelope.message),
            ).pipe(
              tap((value) => envelope.resolve(value)),
              catchError((err: unknown) => {
                envelope.reject(err);
                return EMPTY;
              }),
              tap({
                finalize: () => {
                  created.pending -= 1;
                  created.lastActive = Date.now();
                },
              }),
            ),
          ),
        )
        .subscribe({ complete: drained, error: drained });
      host.actors.set(userId, created);
      actor = created;
    }
    const target = actor;
    target.pending += 1;
    return new Promise((resolve, reject) => target.mailbox.next({ message, resolve, reject }));
  }

  /** The node that owns a user's actor, by this node's ring (itself while it knows no other). */
  function ownerIn(svc: Service, userId: string): string {
    return state(svc).ring.owner(userId) ?? svc.broker.nodeID;
  }

  /**
   * To the owner's mailbox: this node's, or over the transporter to the owner's. When the owner
   * is gone before it answers (not running the service any more, or dropped while the request
   * was in flight — the node watch drops a killed node and Moleculer rejects what was pending on
   * it), the ring is rebuilt and the message goes to the new owner. Messages are safe to deliver
   * twice (a snapshot, an activation, a reload or a rebuild of a user's own state).
   */
  async function routeToOwner(svc: Service, userId: string, message: M, reroutes: number): Promise<unknown> {
    const owner = ownerIn(svc, userId);
    if (owner === svc.broker.nodeID) return enqueueLocal(svc, userId, message);
    try {
      return await svc.broker.call(`${options.service}.actorDeliver`, { userId, message }, { nodeID: owner });
    } catch (err) {
      if (!OWNER_GONE.has((err as { name?: string }).name ?? '')) throw err;
      refreshRing(svc);
      const next = ownerIn(svc, userId);
      // the registry still lists the owner (its requests timed out), or no re-route is left:
      // take the message here rather than lose it
      if (next === owner || reroutes === 0) return enqueueLocal(svc, userId, message);
      return routeToOwner(svc, userId, message, reroutes - 1);
    }
  }

  return {
    actions: {
      /** Delivers a message to the local actor of a user (called by the node that routed it here). */
      actorDeliver: {
        internal: true,
        params: { userId: { type: 'string', min: 1, max: 64 }, message: { type: 'object' } },
        handler(this: Service, ctx: Context<{ userId: string; message: M }>) {
          return enqueueLocal(this, ctx.params.userId, ctx.params.message);
        },
      },
      actorStats: {
        internal: true,
        handler(this: Service) {
          const host = state(this);
          return { node: this.broker.nodeID, actors: host.actors.size, ring: host.ring.nodes };
        },
      },
      /**
       * An operator's rebalance (REPL `rebalance`): the ring is rebuilt from the registry now and
       * the actors another node owns by it retire (idle ones at once, busy ones once drained);
       * their next message activates them on their owner.
       */
      actorRebalance: {
        internal: true,
        handler(this: Service): ActorStats & { before: number } {
          const host = state(this);
          const before = host.actors.size;
          refreshRing(this);
          evict(this);
          return { node: this.broker.nodeID, before, actors: host.actors.size, ring: host.ring.nodes };
        },
      },
    },

    events: {
      '$services.changed': {
        handler(this: Service) {
          refreshRing(this);
        },
      },
      '$node.disconnected': {
        handler(this: Service) {
          refreshRing(this);
        },
      },
    },

    methods: {
      ownerOf(this: Service, userId: string): string {
        return ownerIn(this, userId);
      },

      async dispatch(this: Service & ActorHostMethods<M>, userId: string, message: M): Promise<unknown> {
        return routeToOwner(this, userId, message, MAX_REROUTES);
      },

      touch(this: Service, userId: string): boolean {
        const actor = state(this).actors.get(userId);
        if (actor) actor.lastActive = Date.now();
        return actor !== undefined;
      },

      actorStats(this: Service) {
        const host = state(this);
        return { node: this.broker.nodeID, actors: host.actors.size, ring: host.ring.nodes };
      },

      hosting(this: Service): boolean {
        return !state(this).stopped;
      },
    },

    started(this: Service) {
      refreshRing(this);
      const host = state(this);
      host.closing = false;
      host.stopped = false;
      host.evictTimer = setInterval(() => evict(this), Math.min(idleMs, 30_000));
      host.evictTimer.unref();
    },

    async stopped(this: Service) {
      const host = state(this);
      host.closing = true;
      clearInterval(host.evictTimer);
      const busy: Promise<void>[] = [];
      for (const actor of host.actors.values()) {
        if (actor.pending > 0) busy.push(new Promise<void>((resolve) => (actor.onDrained = resolve)));
        actor.mailbox.complete();
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(busy),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, stopDrainMs))),
      ]);
      clearTimeout(timer);
      host.stopped = true;
      for (const userId of host.actors.keys()) options.retire?.call(asHost(this), userId);
      host.actors.clear();
    },
  };
}
