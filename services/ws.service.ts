// ws: raw WebSockets at /ws on the api's HTTP server. The access token is checked on
// connect; heartbeats drop dead peers; user-scoped broker events (`portfolio.*`,
// `notification.*`, `wallet.*`, each carrying `userId`) reach that user's sockets on
// whichever node they are connected to.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Context, ServiceSchema } from 'moleculer';
import { WebSocketServer, type WebSocket } from 'ws';
import { config } from '../config/index.ts';
import { accessTokenSettings } from '../mixins/tokens.ts';
import { nodesRunning } from '../mixins/registry.ts';
import { verifyAccessToken } from '../domain/auth/access-tokens.ts';
import {
  BEARER_PROTOCOL_PREFIX,
  WS_CLOSE,
  WS_SUBPROTOCOL,
  parseClientMessage,
  tokenFromUpgrade,
} from '../domain/ws-protocol.ts';

interface Client {
  id: string;
  socket: WebSocket;
  userId: string;
  alive: boolean;
  expiryTimer: NodeJS.Timeout | undefined;
}

interface UserEvent {
  userId?: unknown;
}

/** Frames above this many buffered bytes are dropped for that client, so one slow peer cannot hold memory. */
const MAX_BUFFERED_BYTES = 1 << 20;
const USER_EVENTS = ['portfolio.*', 'notification.*', 'wallet.*'];

function deliverUserEvent(this: WsService, ctx: Context<UserEvent>) {
  const userId = ctx.params?.userId;
  if (typeof userId !== 'string') {
    this.logger.warn({ event: ctx.eventName }, 'user event without userId dropped');
    return;
  }
  this.sendToUser(userId, { type: 'event', event: ctx.eventName, data: ctx.params });
}

type WsService = {
  logger: { warn: (...args: unknown[]) => void };
  sendToUser(userId: string, frame: object): number;
};

const WsGatewayService: ServiceSchema = {
  name: 'ws',
  dependencies: ['api'],

  events: {
    ...Object.fromEntries(USER_EVENTS.map((pattern) => [pattern, { handler: deliverUserEvent }])),
    // A node left: its actors are gone. Fresh snapshots re-activate them on their new owners.
    '$node.disconnected': {
      handler(this: WsService & { clients: Set<Client>; sendSnapshot(client: Client): Promise<void> }) {
        // twice: the other nodes may notice the departure a little later than this one
        for (const delay of [500, 5_000]) {
          setTimeout(() => {
            for (const client of this.clients) void this.sendSnapshot(client);
          }, delay).unref();
        }
      },
    },
  },

  // Every ws node must see every user event (the user may be connected to any of them),
  // so each node subscribes in a group of its own instead of sharing the 'ws' group.
  merged(schema: ServiceSchema) {
    for (const pattern of USER_EVENTS) {
      const event = schema.events?.[pattern];
      if (event && typeof event === 'object') event.group = `ws:${this.broker.nodeID}`;
    }
  },

  actions: {
    /** Connected sockets on this node (REPL: `call ws.stats`). */
    stats: {
      visibility: 'public',
      handler() {
        return {
          node: this.broker.nodeID,
          sockets: this.clients.size,
          users: this.byUser.size,
          dropped: this.dropped,
        };
      },
    },
  },

  methods: {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.onConnection(ws, req));
    },

    onConnection(socket: WebSocket, req: IncomingMessage) {
      const token = tokenFromUpgrade(req.headers['sec-websocket-protocol'], req.url);
      if (!token) return socket.close(WS_CLOSE.TOKEN_MISSING, 'access token required');
      const verified = verifyAccessToken(token, accessTokenSettings());
      if (!verified.ok) {
        return verified.reason === 'expired'
          ? socket.close(WS_CLOSE.TOKEN_EXPIRED, 'access token expired')
          : socket.close(WS_CLOSE.TOKEN_INVALID, 'access token invalid');
      }
      const client: Client = {
        id: randomUUID(),
        socket,
        userId: verified.claims.sub,
        alive: true,
        expiryTimer: undefined,
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
        heartbeatMs: config().ws.heartbeatIntervalMs,
      });
      void this.sendSnapshot(client);
    },

    /**
     * A subscriber gets the portfolio as it is now, then `portfolio.updated` deltas. Asking
     * also activates the user's actor on the node that owns it — after a node leaves, this
     * is how the actors of connected users come back on the survivors.
     */
    async sendSnapshot(client: Client) {
      if (!nodesRunning(this.broker, 'portfolio').length) return;
      try {
        const snapshot = await this.broker.call('portfolio.inspect', { userId: client.userId });
        this.send(client, { type: 'snapshot', data: snapshot });
      } catch (err) {
        this.logger.warn(
          { clientId: client.id, err: (err as Error).message },
          'no portfolio snapshot for a new subscriber',
        );
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
      // 'auth': a client renews its session with a fresh access token before the old one expires.
      const verified = verifyAccessToken(message.token, accessTokenSettings());
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

    track(client: Client, expiresAt: number) {
      this.clients.add(client);
      let set = this.byUser.get(client.userId);
      if (!set) this.byUser.set(client.userId, (set = new Set()));
      set.add(client);
      this.scheduleExpiry(client, expiresAt);
    },

    untrack(client: Client) {
      clearTimeout(client.expiryTimer);
      this.clients.delete(client);
      const set = this.byUser.get(client.userId);
      set?.delete(client);
      if (set && set.size === 0) this.byUser.delete(client.userId);
    },

    scheduleExpiry(client: Client, expiresAt: number) {
      clearTimeout(client.expiryTimer);
      client.expiryTimer = setTimeout(
        () => client.socket.close(WS_CLOSE.TOKEN_EXPIRED, 'access token expired'),
        Math.max(0, expiresAt - Date.now()),
      );
      client.expiryTimer.unref();
    },

    send(client: Client, frame: object): boolean {
      if (client.socket.readyState !== client.socket.OPEN) return false;
      if (client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.dropped += 1;
        return false;
      }
      client.socket.send(JSON.stringify(frame));
      return true;
    },

    sendToUser(userId: string, frame: object): number {
      let delivered = 0;
      for (const client of this.byUser.get(userId) ?? []) if (this.send(client, frame)) delivered += 1;
      return delivered;
    },

    heartbeat() {
      for (const client of this.clients as Set<Client>) {
        if (!client.alive) {
          client.socket.terminate();
          this.untrack(client);
          continue;
        }
        client.alive = false;
        client.socket.ping();
      }
    },
  },

  created() {
    this.clients = new Set<Client>();
    this.byUser = new Map<string, Set<Client>>();
    this.dropped = 0;
    accessTokenSettings();
  },

  started() {
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
    this.heartbeatTimer = setInterval(() => this.heartbeat(), config().ws.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  },

  async stopped() {
    clearInterval(this.heartbeatTimer);
    this.httpServer?.off('upgrade', this.upgradeListener);
    for (const client of this.clients as Set<Client>)
      client.socket.close(WS_CLOSE.GOING_AWAY, 'server shutting down');
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  },
};

export default WsGatewayService;
