// ws: raw WebSockets at /ws on the api's HTTP server. The access token is checked on
// connect; heartbeats drop dead peers; the public events of contracts/events.ts (each
// carrying `userId`) reach that user's sockets on whichever node they are connected to,
// with only the fields their contract lists.
import { callAction } from '../../infra/actions.ts';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import { WebSocketServer, type WebSocket } from 'ws';
import { configOf } from '../../config/index.ts';
import { accessTokenSettings } from '../../infra/tokens.ts';
import type { TokenSettings } from '../../domain/auth/access-tokens.ts';
import { nodesRunning } from '../../infra/registry.ts';
import { HashRing } from '../../infra/hash-ring.ts';
import { broadcastEvent } from '../../infra/events.ts';
import { processStats, type ProcessStats } from '../../infra/process-stats.ts';
import { isRevoked, revokeAccess } from '../../infra/access-revocations.ts';
import { METRICS } from '../../infra/metrics.ts';
import { forEachInSlices } from '../../infra/concurrency.ts';
import { contractChecker, type ContractChecker } from '../../infra/contract-check.ts';
import { verifyAccessToken } from '../../domain/auth/access-tokens.ts';
import { parseClientMessage, parseSince, tokenFromUpgrade } from '../../domain/ws-protocol.ts';
import { deltasSince, keepDelta, type ResumeWindow } from '../../domain/resume-window.ts';
import {
  BEARER_PROTOCOL_PREFIX,
  WS_CLOSE,
  WS_PATH,
  WS_SUBPROTOCOL,
  type ServerFrame,
} from '@finexia/contracts/ws.ts';
import {
  PUBLIC_EVENTS,
  isPublicEvent,
  publicPayload,
  type EventMap,
  type PortfolioPush,
  type PublicEventName,
} from '@finexia/contracts/events.ts';

interface Client {
  id: string;
  socket: WebSocket;
  userId: string;
  alive: boolean;
  expiryTimer: NodeJS.Timeout | undefined;
  /** frames were dropped because the peer reads too slowly: it gets a fresh snapshot once it catches up */
  behind: boolean;
}

/** A user's snapshot that failed and is to be asked again. */
interface SnapshotRetry {
  attempts: number;
  timer: NodeJS.Timeout | undefined;
}

/** The latest portfolio pushes of a user with sockets here, so a reconnecting client can resume. */
interface Recent extends ResumeWindow<PortfolioPush> {
  epoch: string;
  /** when the user last had a socket on this node (windows of gone users are dropped after a while) */
  seenAt: number;
}

/**
 * Past this many unsent bytes a client is behind: its frames are dropped (it cannot hold
 * memory or slow anyone else) until it drains, then it gets one fresh snapshot (latest wins).
 */
const MAX_BUFFERED_BYTES = 256 * 1024;
/** How long a user's deltas are kept for resuming after its last socket left (how many: domain/resume-window.ts). */
const RESUME_KEEP_MS = 2 * 60_000;
/** Re-snapshots (after a node change) in flight at once per gateway; the rest wait their turn. */
const SNAPSHOT_CONCURRENCY = 32;
/**
 * A snapshot that failed (its owner busy past the request timeout, or gone) is asked again while
 * the user has sockets here: first after this long, then twice as long each time, at most
 * SNAPSHOT_RETRY_MAX_MS apart. Without it the socket had nothing to apply deltas to until it
 * reconnected, or until a node change happened to re-snapshot it.
 */
const SNAPSHOT_RETRY_FIRST_MS = 500;
const SNAPSHOT_RETRY_MAX_MS = 15_000;
/** How often this node tells the portfolio actors which users are connected here. */
const WATCH_INTERVAL_MS = 60_000;
/** What `ws.stats` answers (REPL, tests, benchmarks). */
export interface WsStats extends ProcessStats {
  node: string;
  sockets: number;
  users: number;
  /** frames dropped for clients that read too slowly, since start */
  dropped: number;
  /** snapshots that could not be had (each asked again later while the user has sockets here), since start */
  snapshotFailures: number;
}

/** Public events that come one by one; portfolio deltas come framed, in batches (`portfolio.pushes`). */
const SINGLE_EVENTS = (Object.keys(PUBLIC_EVENTS) as PublicEventName[]).filter(
  (name) => name !== 'portfolio.updated',
);

function deliverUserEvent(this: WsService, ctx: Context<unknown>) {
  const name = ctx.eventName ?? '';
  const payload = ctx.params;
  if (!isPublicEvent(name) || typeof payload !== 'object' || payload === null) return;
  const userId = (payload as { userId?: unknown }).userId;
  if (typeof userId !== 'string') {
    this.logger.warn({ event: name }, 'user event without userId dropped');
    return;
  }
  const frame = { type: 'event', event: name, data: publicPayload(name, payload as EventMap[typeof name]) };
  this.sendToUser(userId, JSON.stringify(frame));
}

/** A burst's portfolio pushes: each frame goes as it came (serialized once, on the portfolio node). */
function deliverPushes(this: WsService, ctx: Context<EventMap['portfolio.pushes']>) {
  for (const push of ctx.params.pushes) {
    if (!this.remember(push)) {
      // the user's actor moved (a new epoch): its sockets start over from a fresh snapshot
      this.resnapshotUser(push.userId);
      continue;
    }
    this.sendToUser(push.userId, push.frame);
  }
}

/** A node as Moleculer's `$node.*` events describe it (the services it runs, even once gone). */
interface RingNode {
  id: string;
  services?: readonly { name: string }[];
}
interface WsVars {
  /** from the broker's config, read once at creation */
  tokens: TokenSettings;
  heartbeatMs: number;
  clients: Set<Client>;
  byUser: Map<string, Set<Client>>;
  /** users' latest pushes, for a client that resumes */
  recent: Map<string, Recent>;
  snapshotQueue: Set<string>;
  snapshotsInFlight: number;
  snapshotRetries: Map<string, SnapshotRetry>;
  snapshotFailures: number;
  dropped: number;
  /** set while testing (CONTRACT_CHECK) */
  contracts: ContractChecker | undefined;
  wss?: WebSocketServer;
  httpServer?: Server;
  upgradeListener?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  closing: boolean;
  heartbeating: boolean;
  heartbeatTimer?: NodeJS.Timeout;
  catchUpTimer?: NodeJS.Timeout;
  watchTimer?: NodeJS.Timeout;
}

interface WsMethods {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  onConnection(socket: WebSocket, req: IncomingMessage): void;
  remember(push: PortfolioPush): boolean;
  resume(client: Client, since: { epoch: string; seq: number }): boolean;
  sendSnapshot(client: Client): Promise<void>;
  snapshotTo(userId: string, clients: Client[]): Promise<void>;
  retrySnapshot(userId: string): number;
  forgetSnapshotRetry(userId: string): void;
  resnapshotUser(userId: string): void;
  resnapshotMoved(node: RingNode): void;
  pumpSnapshots(): void;
  onMessage(client: Client, data: Buffer, isBinary: boolean): void;
  closeUser(userId: string): void;
  track(client: Client, expiresAt: number): void;
  untrack(client: Client): void;
  scheduleExpiry(client: Client, expiresAt: number): void;
  send(client: Client, frame: ServerFrame): boolean;
  sendText(client: Client, text: string): boolean;
  sendToUser(userId: string, text: string): number;
  catchUp(client: Client): void;
  heartbeat(): Promise<void>;
}

type WsService = Service & WsMethods & WsVars;

const WsServiceSchema: ServiceSchema<ServiceSettingSchema, WsMethods, WsVars> = {
  name: 'ws',
  dependencies: ['api'],

  events: {
    ...Object.fromEntries(SINGLE_EVENTS.map((name) => [name, { handler: deliverUserEvent }])),
    'portfolio.pushes': { handler: deliverPushes },
    // An account disabled: its tokens are refused from now on and its sockets close at once.
    'user.access.revoked': {
      handler(this: WsService, ctx: Context<EventMap['user.access.revoked']>) {
        revokeAccess(ctx.params.userId, ctx.params.before);
        this.closeUser(ctx.params.userId);
      },
    },
    // A node left: its actors are gone. Fresh snapshots re-activate them on their new owners.
    '$node.disconnected': {
      handler(this: WsService, ctx: Context<{ node: RingNode }>) {
        this.resnapshotMoved(ctx.params.node);
      },
    },
    // A node (re)joined: the actors it now owns come up there when their users ask.
    '$node.connected': {
      handler(this: WsService, ctx: Context<{ node: RingNode }>) {
        this.resnapshotMoved(ctx.params.node);
      },
    },
  },

  // Every ws node must see every user event (the user may be connected to any of them),
  // so each node subscribes in a group of its own instead of sharing the 'ws' group.
  merged(this: Service, schema: ServiceSchema) {
    for (const name of [...SINGLE_EVENTS, 'portfolio.pushes']) {
      const event = schema.events?.[name];
      if (event && typeof event === 'object') event.group = `ws:${this.broker.nodeID}`;
    }
  },

  actions: {
    /** Connected sockets on this node (REPL: `call ws.stats`). */
    stats: {
      internal: true,
      params: { reset: { type: 'boolean', optional: true } },
      handler(ctx: Context<{ reset?: boolean }>): WsStats {
        return {
          node: this.broker.nodeID,
          sockets: this.clients.size,
          users: this.byUser.size,
          dropped: this.dropped,
          snapshotFailures: this.snapshotFailures,
          ...processStats(ctx.params.reset),
        };
      },
    },
  },

  methods: {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== WS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (!this.wss || this.closing) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.onConnection(ws, req));
    },

    onConnection(socket: WebSocket, req: IncomingMessage) {
      const token = tokenFromUpgrade(req.headers['sec-websocket-protocol'], req.url);
      if (!token) return socket.close(WS_CLOSE.TOKEN_MISSING, 'access token required');
      const verified = verifyAccessToken(token, this.tokens);
      if (!verified.ok) {
        return verified.reason === 'expired'
          ? socket.close(WS_CLOSE.TOKEN_EXPIRED, 'access token expired')
          : socket.close(WS_CLOSE.TOKEN_INVALID, 'access token invalid');
      }
      if (isRevoked(verified.claims.sub, verified.issuedAt, this.tokens.secret))
        return socket.close(WS_CLOSE.TOKEN_INVALID, 'access withdrawn');
      const client: Client = {
        id: randomUUID(),
        socket,
        userId: verified.claims.sub,
        alive: true,
        expiryTimer: undefined,
        behind: false,
      };
      this.track(client, verified.expiresAt);
      socket.on('pong', () => {
        client.alive = true;
      });
      socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(client, data, isBinary));
      socket.on('close', () => this.untrack(client));
      socket.on('error', (err: Error) =>
        this.logger.debug({ clientId: client.id, err: err.message }, 'socket error'),
      );
      this.send(client, {
        type: 'welcome',
        connectionId: client.id,
        userId: client.userId,
        node: this.broker.nodeID,
        heartbeatMs: this.heartbeatMs,
      });
      const since = parseSince(req.url);
      if (!since || !this.resume(client, since)) void this.sendSnapshot(client);
    },

    /**
     * Keeps the user's latest pushes (only users with sockets here). False when the push is of
     * another epoch than the snapshot the sockets have (the actor moved): they need a snapshot.
     */
    remember(push: PortfolioPush): boolean {
      // users with sockets here, and users whose last socket left lately (they may come back)
      if (!this.byUser.has(push.userId) && !this.recent.has(push.userId)) return true;
      let recent = this.recent.get(push.userId);
      if (recent && recent.epoch !== push.epoch) return false;
      if (!recent)
        this.recent.set(
          push.userId,
          (recent = { epoch: push.epoch, deltas: [], bytes: 0, seenAt: Date.now() }),
        );
      keepDelta(recent, push);
      return true;
    },

    /**
     * Sends the deltas after `since` when this node still has all of them; false when the
     * client must start over from a snapshot (another epoch, or too far behind).
     */
    resume(client: Client, since: { epoch: string; seq: number }): boolean {
      const recent = this.recent.get(client.userId);
      if (!recent || recent.epoch !== since.epoch) return false;
      const missed = deltasSince(recent, since.seq);
      if (!missed) return false;
      for (const push of missed) this.sendText(client, push.frame);
      const latest = recent.deltas.at(-1)?.seq ?? since.seq;
      this.send(client, { type: 'resumed', epoch: since.epoch, from: since.seq, to: latest });
      return true;
    },

    /**
     * A subscriber gets the portfolio as it is now, then `portfolio.updated` deltas. Asking
     * also activates the user's actor on the node that owns it — after a node leaves, this
     * is how the actors of connected users come back on the survivors.
     */
    async sendSnapshot(client: Client) {
      await this.snapshotTo(client.userId, [client]);
    },

    /** One snapshot of a user's portfolio, asked once and sent to each of the given sockets. */
    async snapshotTo(userId: string, clients: Client[]) {
      if (!clients.length || !nodesRunning(this.broker, 'portfolio').length) return;
      try {
        const snapshot = await callAction(this.broker, 'portfolio.snapshot', {
          userId,
        });
        // deltas are remembered from here on (a new epoch starts a new memory)
        const recent = this.recent.get(userId);
        if (recent?.epoch !== snapshot.epoch)
          this.recent.set(userId, { epoch: snapshot.epoch, deltas: [], bytes: 0, seenAt: Date.now() });
        const text = JSON.stringify({ type: 'snapshot', data: snapshot } satisfies ServerFrame);
        for (const client of clients) this.sendText(client, text);
        this.forgetSnapshotRetry(userId);
      } catch (err) {
        this.snapshotFailures += 1;
        const retryInMs = this.retrySnapshot(userId);
        this.logger.warn(
          { userId, err: (err as Error).message, retryInMs },
          'no portfolio snapshot for a subscriber',
        );
      }
    },

    /** Asks for the user's snapshot again after a backoff (ms returned); once per user at a time. */
    retrySnapshot(userId: string): number {
      const retries = this.snapshotRetries;
      const retry = retries.get(userId) ?? { attempts: 0, timer: undefined };
      retries.set(userId, retry);
      const delay = Math.min(SNAPSHOT_RETRY_MAX_MS, SNAPSHOT_RETRY_FIRST_MS * 2 ** retry.attempts);
      if (retry.timer) return delay;
      retry.attempts += 1;
      retry.timer = setTimeout(() => {
        retry.timer = undefined;
        // the user left meanwhile: nothing to retry for
        if (this.byUser.has(userId)) this.resnapshotUser(userId);
        else retries.delete(userId);
      }, delay);
      retry.timer.unref();
      return delay;
    },

    forgetSnapshotRetry(userId: string) {
      const retries = this.snapshotRetries;
      clearTimeout(retries.get(userId)?.timer);
      retries.delete(userId);
    },

    /** Fresh snapshots for one user's sockets here, in the gateway's queue (once per user however often asked). */
    resnapshotUser(userId: string) {
      this.snapshotQueue.add(userId);
      this.pumpSnapshots();
    },

    /**
     * Fresh snapshots for the users with sockets here whose actors a portfolio node that left
     * held, or that one that (re)joined now holds: they re-activate on their owners. No other
     * actor moved (the ring is a consistent hash: only that node's share changes hands), so the
     * other users keep their stream; re-snapshotting all of them made the moved ones wait their
     * turn behind the rest, and loaded every node while it recovered. Queued, not all at once:
     * 10,000 sockets asking together would hold this node's event loop and every portfolio node's.
     */
    resnapshotMoved(node: RingNode) {
      if (!node.services?.some((s) => s.name === 'portfolio')) return;
      // the ring with that node in it, as it is now: the users that node owns in it moved (asked
      // at each pass again: a socket may come meanwhile; but not the ring, which may have moved on)
      const ring = new HashRing([...nodesRunning(this.broker, 'portfolio'), node.id]);
      // twice: the other nodes may notice the change a little later than this one
      for (const delay of [500, 5_000]) {
        setTimeout(() => {
          const userIds = [...this.byUser.keys()].filter((userId) => ring.owner(userId) === node.id);
          if (!userIds.length) return;
          // the new owners load these users in bulk first (one read per collection, not one per
          // user); the snapshots asked right after wait for that load on their owner
          broadcastEvent(this.broker, 'ws.watching', { userIds });
          for (const userId of userIds) this.snapshotQueue.add(userId);
          this.pumpSnapshots();
        }, delay).unref();
      }
    },

    /** Keeps up to SNAPSHOT_CONCURRENCY snapshot requests in flight until the queue is empty. */
    pumpSnapshots() {
      const queue = this.snapshotQueue;
      while (this.snapshotsInFlight < SNAPSHOT_CONCURRENCY && queue.size) {
        const userId = queue.values().next().value as string;
        queue.delete(userId);
        this.snapshotsInFlight += 1;
        const clients = [...(this.byUser.get(userId) ?? [])];
        void this.snapshotTo(userId, clients).finally(() => {
          this.snapshotsInFlight -= 1;
          this.pumpSnapshots();
        });
      }
    },

    onMessage(client: Client, data: Buffer, isBinary: boolean) {
      if (isBinary)
        return this.send(client, {
          type: 'error',
          code: 'BINARY_NOT_SUPPORTED',
          message: 'Send text frames.',
        });
      const parsed = parseClientMessage(data.toString('utf8'));
      if (!parsed.ok) return this.send(client, { type: 'error', code: parsed.code, message: parsed.message });
      const message = parsed.message;
      if (message.type === 'ping')
        return this.send(client, { type: 'pong', ...(message.id ? { id: message.id } : {}) });
      if (message.type === 'resume') {
        if (!this.resume(client, message)) void this.sendSnapshot(client);
        return;
      }
      // 'auth': a client renews its session with a fresh access token before the old one expires.
      const verified = verifyAccessToken(message.token, this.tokens);
      if (verified.ok && isRevoked(verified.claims.sub, verified.issuedAt, this.tokens.secret))
        return client.socket.close(WS_CLOSE.TOKEN_INVALID, 'access withdrawn');
      if (!verified.ok)
        return this.send(client, {
          type: 'error',
          code: verified.reason === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID',
          message: 'The token was not accepted; the current session is unchanged.',
        });
      if (verified.claims.sub !== client.userId)
        return client.socket.close(WS_CLOSE.ACCOUNT_MISMATCH, 'token belongs to another user');
      this.scheduleExpiry(client, verified.expiresAt);
      this.send(client, { type: 'auth.ok', expiresAt: new Date(verified.expiresAt).toISOString() });
    },

    /** Closes every socket of a user here (their access was withdrawn); the clients cannot renew. */
    closeUser(userId: string) {
      for (const client of [...(this.byUser.get(userId) ?? [])])
        client.socket.close(WS_CLOSE.TOKEN_INVALID, 'access withdrawn');
    },

    track(client: Client, expiresAt: number) {
      this.clients.add(client);
      this.broker.metrics.set(METRICS.wsClients, this.clients.size);
      let set = this.byUser.get(client.userId);
      if (!set) this.byUser.set(client.userId, (set = new Set()));
      set.add(client);
      this.scheduleExpiry(client, expiresAt);
    },

    untrack(client: Client) {
      clearTimeout(client.expiryTimer);
      this.clients.delete(client);
      this.broker.metrics.set(METRICS.wsClients, this.clients.size);
      const set = this.byUser.get(client.userId);
      set?.delete(client);
      if (set && set.size === 0) {
        this.byUser.delete(client.userId);
        const recent = this.recent.get(client.userId);
        if (recent) recent.seenAt = Date.now();
      }
    },

    scheduleExpiry(client: Client, expiresAt: number) {
      clearTimeout(client.expiryTimer);
      client.expiryTimer = setTimeout(
        () => client.socket.close(WS_CLOSE.TOKEN_EXPIRED, 'access token expired'),
        Math.max(0, expiresAt - Date.now()),
      );
      client.expiryTimer.unref();
    },

    send(client: Client, frame: ServerFrame): boolean {
      return this.sendText(client, JSON.stringify(frame));
    },

    /** A frame already serialized (once, for every socket that gets it). */
    sendText(client: Client, text: string): boolean {
      if (client.socket.readyState !== client.socket.OPEN) return false;
      // while testing, a frame that breaks the contract closes its socket instead of going out
      const problems = this.contracts?.frame(text);
      if (problems) {
        this.logger.error({ problems, frame: text.slice(0, 300) }, 'a ws frame broke its contract');
        client.socket.close(1011, 'contract violation');
        return false;
      }
      if (client.behind || client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        client.behind = true;
        this.dropped += 1;
        this.broker.metrics.increment(METRICS.wsDropped);
        return false;
      }
      client.socket.send(text);
      return true;
    },

    sendToUser(userId: string, text: string): number {
      let delivered = 0;
      for (const client of this.byUser.get(userId) ?? []) if (this.sendText(client, text)) delivered += 1;
      return delivered;
    },

    /** A client that drained its backlog starts over from the latest state. */
    catchUp(client: Client) {
      if (!client.behind || client.socket.bufferedAmount > MAX_BUFFERED_BYTES / 4) return;
      client.behind = false;
      this.send(client, { type: 'resync', reason: 'slow-consumer' });
      void this.sendSnapshot(client);
    },

    /**
     * Pings every socket and drops those that did not answer the last ping, in slices with a turn of
     * the event loop between them (forEachInSlices): 10,000 pings in one turn held the gateway's
     * event loop 256 ms (a profile of bench:realtime with 10,000 sockets), delaying every push.
     */
    async heartbeat() {
      if (this.heartbeating) return; // the last pass is still under way
      this.heartbeating = true;
      try {
        const now = Date.now();
        for (const [userId, recent] of this.recent) {
          if (this.byUser.has(userId)) recent.seenAt = now;
          else if (now - recent.seenAt > RESUME_KEEP_MS) this.recent.delete(userId);
        }
        await forEachInSlices([...this.clients], (client) => {
          // stopping, or it left while the pass yielded
          if (this.closing || !this.clients.has(client)) return;
          if (!client.alive) {
            client.socket.terminate();
            this.untrack(client);
            return;
          }
          client.alive = false;
          client.socket.ping();
        });
      } finally {
        this.heartbeating = false;
      }
    },
  },

  created() {
    const cfg = configOf(this.broker);
    // fails at start, not at the first socket, when the secret is missing
    this.tokens = accessTokenSettings(cfg.auth);
    this.heartbeatMs = cfg.ws.heartbeatIntervalMs;
    this.contracts = undefined;
    this.closing = false;
    this.heartbeating = false;
    this.clients = new Set<Client>();
    this.byUser = new Map<string, Set<Client>>();
    this.recent = new Map<string, Recent>();
    this.snapshotQueue = new Set<string>();
    this.snapshotsInFlight = 0;
    this.snapshotRetries = new Map<string, SnapshotRetry>();
    this.snapshotFailures = 0;
    // slow clients are checked more often than the heartbeat
    this.catchUpTimer = undefined;
    this.dropped = 0;
  },

  async started() {
    this.contracts = await contractChecker(configOf(this.broker).contractCheck);
    const api = this.broker.getLocalService('api') as { server?: Server } | undefined;
    if (!api?.server)
      throw new Error('ws gateway needs the api service on the same node (SERVICES must include api)');
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      handleProtocols: (protocols: Set<string>) => {
        // Echo our protocol name, never the bearer token.
        if (protocols.has(WS_SUBPROTOCOL)) return WS_SUBPROTOCOL;
        const other = [...protocols].find((p) => !p.startsWith(BEARER_PROTOCOL_PREFIX));
        return other ?? false;
      },
    });
    this.upgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.handleUpgrade(req, socket, head);
    api.server.on('upgrade', this.upgradeListener);
    this.httpServer = api.server;
    this.closing = false;
    this.heartbeating = false;
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    this.catchUpTimer = setInterval(() => {
      for (const client of this.clients) this.catchUp(client);
    }, 1_000);
    this.catchUpTimer.unref();
    this.watchTimer = setInterval(() => {
      if (this.byUser.size) broadcastEvent(this.broker, 'ws.watching', { userIds: [...this.byUser.keys()] });
    }, WATCH_INTERVAL_MS);
    this.watchTimer.unref();
  },

  async stopped() {
    this.closing = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.catchUpTimer);
    clearInterval(this.watchTimer);
    for (const retry of this.snapshotRetries.values()) clearTimeout(retry.timer);
    if (this.upgradeListener) this.httpServer?.off('upgrade', this.upgradeListener);
    for (const client of this.clients) client.socket.close(WS_CLOSE.GOING_AWAY, 'server shutting down');
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  },
};

export default WsServiceSchema;
