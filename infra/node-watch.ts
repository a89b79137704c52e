// Notices a node that died (SIGKILL, a crash, a lost machine) in about a second instead of
// Moleculer's heartbeat timeout. Moleculer checks heartbeats every `heartbeatTimeout` seconds, so
// a node that stops beating is dropped 6–12 s after its last beat here — most of the time its
// users could not update (bench:realtime's SIGKILL phase). NATS knows sooner: the moment a
// process's connection drops, its subscriptions are gone, and a request to a subject nobody
// subscribes to is answered "no responders" at once. So each node answers on a subject of its
// own, and asks every other node it has seen answer, twice a second; two "no responders" in a
// row and the node is dropped as the heartbeat check would drop it (`$node.disconnected`, its
// actors move). A node that is merely busy still has its subscription: its requests time out,
// and only the heartbeat check may drop it, as before.
import type { Middleware, ServiceBroker } from 'moleculer';
import { connect, type NatsConnection, type Subscription } from 'nats';

export interface NodeWatchOptions {
  natsUrl: string;
  namespace: string;
  /** how often each other node is asked (ms) */
  intervalMs?: number;
}

/** "No responders" this many times in a row: gone (one could be a reconnect in progress). */
const STRIKES = 2;

/** What a node's watch has seen of the others (for tests and the ops REPL). */
export interface NodeWatchState {
  /** nodes that answered at least once since they joined (a node that never answered may not run this watch yet) */
  answered: Set<string>;
  /** requests that went unanswered in time, per node: busy, not gone */
  timeouts: Map<string, number>;
}
const states = new WeakMap<ServiceBroker, NodeWatchState>();

/** The watch's view on this broker, or undefined when it runs none (no NATS). */
export function nodeWatchState(broker: ServiceBroker): NodeWatchState | undefined {
  return states.get(broker);
}

interface Registry {
  nodes: {
    toArray(): { id: string; local: boolean; available: boolean }[];
    disconnected(nodeID: string, isUnexpected: boolean): void;
  };
}

export function NodeWatchMiddleware(options: NodeWatchOptions): Middleware {
  const intervalMs = options.intervalMs ?? 500;
  const subject = (nodeID: string) => `finexia.${options.namespace || 'default'}.alive.${nodeID}`;
  let nc: NatsConnection | undefined;
  let own: Subscription | undefined;
  let timer: NodeJS.Timeout | undefined;
  const answered = new Set<string>();
  const timeouts = new Map<string, number>();
  const strikes = new Map<string, number>();
  let asking = false;

  async function askAll(broker: ServiceBroker): Promise<void> {
    if (asking || !nc) return;
    asking = true;
    try {
      const registry = (broker as unknown as { registry: Registry }).registry;
      const others = registry.nodes.toArray().filter((n) => !n.local && n.available);
      await Promise.all(others.map((n) => askOne(registry, n.id)));
    } finally {
      asking = false;
    }
  }

  async function askOne(registry: Registry, nodeID: string): Promise<void> {
    if (!nc) return;
    try {
      await nc.request(subject(nodeID), undefined, { timeout: 1_000 });
      answered.add(nodeID);
      strikes.delete(nodeID);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'TIMEOUT') timeouts.set(nodeID, (timeouts.get(nodeID) ?? 0) + 1);
      // a timeout: busy, not gone; a closed connection: ours, not theirs
      if (code !== '503' || !answered.has(nodeID)) return;
      const count = (strikes.get(nodeID) ?? 0) + 1;
      strikes.set(nodeID, count);
      if (count < STRIKES) return;
      strikes.delete(nodeID);
      answered.delete(nodeID);
      registry.nodes.disconnected(nodeID, true);
    }
  }

  return {
    name: 'NodeWatch',

    async started(broker: ServiceBroker) {
      states.set(broker, { answered, timeouts });
      nc = await connect({ servers: options.natsUrl, name: `${broker.nodeID}-watch` });
      own = nc.subscribe(subject(broker.nodeID), { callback: (_err, msg) => msg.respond() });
      timer = setInterval(() => void askAll(broker).catch(() => undefined), intervalMs);
      timer.unref();
    },

    async stopped() {
      clearInterval(timer);
      own?.unsubscribe();
      await nc?.close();
      nc = undefined;
    },
  };
}
