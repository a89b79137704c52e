// The broker's one typed configuration. Everything that differs between the embedded
// default and a cluster node comes from the environment through config/.
import type { BrokerOptions } from 'moleculer';
import { Middleware as ChannelsMiddleware } from '@moleculer/channels';
import type { Config } from './config/index.ts';
import { replCommands } from './infra/repl-commands.ts';
import { createValidator } from './infra/validation.ts';
import { MetricsMiddleware } from './infra/metrics.ts';
import { InternalActionsMiddleware } from './infra/internal-actions.ts';
import { ChannelConsumerRaceMiddleware, ensureChannelStreams } from './infra/channel-streams.ts';
import { NodeWatchMiddleware } from './infra/node-watch.ts';
import { WireSerializer } from './infra/serializer.ts';

/** ioredis options from a redis:// URL (Moleculer's Redis cacher takes options, not a URL). */
function redisOptions(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number(parsed.pathname.slice(1) || 0),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export function brokerOptions(cfg: Config): BrokerOptions {
  return {
    namespace: cfg.namespace,
    // Unique per process unless set: two nodes on one host must not collide.
    nodeID: cfg.nodeID ?? null,

    logger: {
      type: 'Console',
      options: {
        level: cfg.logLevel,
        // Structured JSON lines in production, readable lines while developing.
        formatter: cfg.env === 'production' ? 'json' : 'short',
        colors: cfg.env !== 'production',
        moduleColors: false,
        autoPadding: false,
      },
    },

    // No transporter = the embedded single process; NATS for a cluster.
    transporter:
      cfg.transporter.kind === 'nats' ? { type: 'NATS', options: { url: cfg.transporter.url } } : null,

    // Memory in one process, Redis when several nodes must share cached answers.
    cacher:
      cfg.cacher.kind === 'redis'
        ? {
            type: 'Redis',
            options: {
              prefix: `MOL-${cfg.namespace || 'finexia'}`,
              redis: redisOptions(cfg.cacher.url),
              ttl: 60,
            },
          }
        : { type: 'Memory', options: { ttl: 60, clone: true } },

    // JSONExt, with plain JSON for the real-time events (infra/serializer.ts)
    serializer: new WireSerializer(),
    validator: createValidator(),

    requestTimeout: 10_000,
    retryPolicy: { enabled: false },
    // a node that stops beating is dropped 6–12 s later (checked every heartbeatTimeout); one whose
    // process is gone, within about a second (infra/node-watch.ts)
    heartbeatInterval: 2,
    heartbeatTimeout: 6,
    circuitBreaker: {
      enabled: true,
      threshold: 0.5,
      minRequestCount: 20,
      windowTime: 60,
      halfOpenTime: 10_000,
    },

    // Finish in-flight requests before stopping (SIGTERM/SIGINT).
    tracking: { enabled: true, shutdownTimeout: 10_000 },

    metrics: cfg.metrics.enabled
      ? {
          enabled: true,
          reporter: [{ type: 'Prometheus', options: { port: cfg.metrics.port, path: '/metrics' } }],
        }
      : false,

    tracing:
      cfg.tracing.kind === 'off'
        ? { enabled: false }
        : {
            enabled: true,
            exporter:
              cfg.tracing.kind === 'zipkin'
                ? { type: 'Zipkin', options: { baseURL: cfg.tracing.url, interval: 2 } }
                : { type: 'Console', options: { logger: null } },
            // actions only: a span per event would be one per tick
            actions: true,
            events: false,
            // no params or meta in spans: they hold credentials, tokens and personal data
            tags: { action: { params: false, meta: false } },
          },

    // Durable work (provider syncs) over NATS JetStream: acked, retried, dead-lettered.
    // JetStream is used in the embedded default too, since NATS runs on every machine.
    // Retries, dead-lettering and ack_wait are set per channel (mixins/channels.mixin.ts).
    middlewares: [
      InternalActionsMiddleware,
      MetricsMiddleware(),
      ChannelsMiddleware({
        // `Fake`: the library's in-process adapter (moleculer events; no acks, retries or dead letters)
        adapter: cfg.durableChannels === 'memory' ? 'Fake' : cfg.natsUrl,
        // the library's defaults, spelled out because its typings mark them required
        schemaProperty: 'channels',
        sendMethodName: 'sendToChannel',
        adapterPropertyName: 'channelAdapter',
        channelHandlerTrigger: 'emitLocalChannelHandler',
        context: false,
      }),
      ChannelConsumerRaceMiddleware,
      // a cluster notices a dead node in about a second, not after the heartbeat timeout
      ...(cfg.transporter.kind === 'nats'
        ? [NodeWatchMiddleware({ natsUrl: cfg.transporter.url, namespace: cfg.namespace })]
        : []),
    ],

    replOptions: { customCommands: replCommands, delimiter: 'finexia $' },

    // a job can be sent to any channel as soon as this node is up, whoever consumes it
    started: (broker) => ensureChannelStreams(broker),
  };
}

// No default export for moleculer-runner: a broker is made by createBroker (services/index.ts),
// which also gives it its config (configOf); a broker without one could not start its services.
