// The one config loader: every environment variable the product reads is declared,
// typed and validated here, once, at start. A bad value stops the process with a
// message that names every offending variable (never its value: some are secrets).
import type { EvmChainConfig } from '../domain/providers.ts';
import { z } from 'zod';
import { fileURLToPath } from 'node:url';

const ALL_SERVICES = [
  'api',
  'ws',
  'auth',
  'users',
  'wallets',
  'transactions',
  'market',
  'portfolio',
  'notifications',
  'anomalies',
  'insights',
] as const;
export type ServiceName = (typeof ALL_SERVICES)[number];

/** A user may make `calls` calls of a kind within any `periodMs`. */
export interface Budget {
  calls: number;
  periodMs: number;
}

/**
 * The expensive calls and what each may cost one user by default: a projection runs 10,000–
 * 20,000 paths (~0.3 s of CPU each), an export reads everything the user has, "sync now" calls the
 * provider, a CSV preview parses up to 2 MiB.
 */
export const BUDGET_DEFAULTS = {
  projection: { calls: 30, periodMs: 60_000 },
  export: { calls: 5, periodMs: 3_600_000 },
  syncNow: { calls: 12, periodMs: 3_600_000 },
  csvPreview: { calls: 60, periodMs: 3_600_000 },
} as const satisfies Record<string, Budget>;
export type BudgetName = keyof typeof BUDGET_DEFAULTS;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 900s, 15m, 30d')
  .transform(parseDuration);

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `a URL with scheme ${protocols.map((p) => p.replace(':', '://')).join(' or ')}`,
  );

const evmAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address')
  .transform((a) => a as `0x${string}`);
/** EVM_CHAINS: a JSON array of chains (see providers/evm.adapter.ts EvmChainConfig) */
const evmChains = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z.object({
        chainId: z.number().int().positive(),
        name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
        rpcUrl: url(['http:', 'https:']),
        nativeSymbol: z.string().regex(/^[A-Z0-9]{1,12}$/),
        nativeDecimals: z.number().int().min(0).max(18),
        multicallAddress: evmAddress,
        tokens: z.array(
          z.object({
            address: evmAddress,
            symbol: z.string().regex(/^[A-Z0-9]{1,12}$/),
            decimals: z.number().int().min(0).max(18),
          }),
        ),
        priceApiPlatform: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
          .optional(),
      }),
    ),
  );

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    NODE_ID: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "-" or "_" (at most 64)')
      .optional(),
    NAMESPACE: z
      .string()
      .regex(/^[\w-]{0,32}$/, 'letters, digits, "-" or "_"')
      .default(''),
    SERVICES: z
      .string()
      .default(ALL_SERVICES.join(','))
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(ALL_SERVICES)).min(1, 'at least one service')),
    TRANSPORTER: z.enum(['none', 'nats']).default('none'),
    NATS_URL: url(['nats:', 'tls:']).default('nats://127.0.0.1:4222'),
    CACHER: z.enum(['memory', 'redis']).default('memory'),
    REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    MONGO_URL: url(['mongodb:', 'mongodb+srv:']).optional(),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    WEB_ORIGIN: z.string().default('http://localhost:3000'),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb or 1mb')
      .default('100kb'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    // Check every REST body and ws frame the gateways send against the contracts (tests turn it on;
    // needs the schemas scripts/contract-schemas.ts generates, and the development dependencies)
    CONTRACT_CHECK: bool.default(false),
    // outbound requests a user aims (webhooks) may reach loopback receivers and use plain http:
    // by default in development and tests only, never in production
    OUTBOUND_ALLOW_LOOPBACK: bool.optional(),
    // what expensive calls may cost one user, over every node: name=calls/period, comma-separated;
    // the ones not named keep their defaults (BUDGET_DEFAULTS)
    BUDGETS: z
      .string()
      .default('')
      .transform((text, issue) => {
        const out: Partial<Record<BudgetName, Budget>> = {};
        for (const part of text
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)) {
          const match = /^(\w+)=(\d+)\/(\d+(?:ms|s|m|h|d))$/.exec(part);
          if (!match || !(match[1]! in BUDGET_DEFAULTS)) {
            issue.addIssue({
              code: 'custom',
              message: `"${part}": use name=calls/period with a name of ${Object.keys(BUDGET_DEFAULTS).join(', ')} (projection=30/1m)`,
            });
            continue;
          }
          out[match[1] as BudgetName] = { calls: Number(match[2]), periodMs: parseDuration(match[3]!) };
        }
        return { ...BUDGET_DEFAULTS, ...out };
      }),
    CONTRACT_SCHEMAS: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../.cache/contracts/schemas.json', import.meta.url))),
    METRICS: bool.default(true),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(3030),
    // Moleculer's tracer: spans of every action call, with the request id as the trace id.
    // zipkin: sent to TRACING_URL (a Zipkin server, or an OpenTelemetry collector's zipkin receiver)
    TRACING: z.enum(['off', 'console', 'zipkin']).default('off'),
    TRACING_URL: url(['http:', 'https:']).default('http://127.0.0.1:9411'),
    // /healthz and /readyz on a port of their own, for nodes that host no api (0: none)
    HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    JWT_ISSUER: z.string().min(1).default('finexia'),
    JWT_AUDIENCE: z.string().min(1).default('finexia-app'),
    ACCESS_TOKEN_TTL: duration.default(15 * 60_000),
    REFRESH_TOKEN_TTL: duration.default(30 * 86_400_000),
    BCRYPT_COST: z.coerce.number().int().min(12, 'at least 12').max(15).default(12),
    LOGIN_MAX_FAILS_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
    LOGIN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(50),
    LOGIN_BLOCK_WINDOW: duration.default(15 * 60_000),
    WS_HEARTBEAT_INTERVAL: duration.default(30_000),
    TRUST_PROXY: bool.default(false),
    // Credentials at rest: "id:base64(32 bytes)[,older-id:...]", the first encrypts.
    CREDENTIALS_KEYS: z.string().min(1).optional(),
    // Provider endpoints (the embedded default points them at in-process simulators).
    PLAID_URL: url(['http:', 'https:']).optional(),
    PLAID_CLIENT_ID: z.string().min(1).optional(),
    PLAID_SECRET: z.string().min(1).optional(),
    PLAID_WEBHOOK_URL: url(['http:', 'https:']).optional(),
    BINANCE_URL: url(['http:', 'https:']).optional(),
    BINANCE_WS_URL: url(['ws:', 'wss:']).optional(),
    COINBASE_URL: url(['http:', 'https:']).optional(),
    COINGECKO_URL: url(['http:', 'https:']).optional(),
    COINGECKO_API_KEY: z.string().min(1).optional(),
    // how often held assets without a live stream price are polled from CoinGecko
    COINGECKO_POLL_INTERVAL: duration.default(60_000),
    FX_URL: url(['http:', 'https:']).optional(),
    // a Bitcoin chain's Esplora REST API (Blockstream, mempool.space, or the simulator)
    ESPLORA_URL: url(['http:', 'https:']).optional(),
    // a US equities feed in Alpaca's shape (Alpaca's market data, or the simulator): REST and stream
    SECURITIES_FEED_URL: url(['http:', 'https:']).optional(),
    SECURITIES_FEED_WS_URL: url(['ws:', 'wss:']).optional(),
    SECURITIES_FEED_KEY_ID: z.string().min(1).optional(),
    SECURITIES_FEED_SECRET: z.string().min(1).optional(),
    // EVM chains as JSON: [{chainId, name, rpcUrl, nativeSymbol, nativeDecimals, multicallAddress,
    // tokens: [{address, symbol, decimals}], priceApiPlatform?}] (another chain is another entry;
    // priceApiPlatform is CoinGecko's platform id, e.g. ethereum: tokens priced by contract there)
    EVM_CHAINS: evmChains.optional(),
    // how often FX rates are fetched and published as ticks (fiat balances and base currencies follow)
    FX_POLL_INTERVAL: duration.default(10 * 60_000),
    SIMULATORS: z.enum(['in-process', 'off']).default('in-process'),
    SIM_SEED: z.coerce.number().int().min(0).default(42),
    // chance a simulated bank day carries an anomaly: a household's rare surprises (the anomaly
    // evaluation and the tests use 0.02, labelled)
    SIM_BANK_ANOMALY_RATE: z.coerce.number().min(0).max(1).default(0.004),
    // A cluster node with SIM_PORT hosts the simulators on SIM_HOST, ports SIM_PORT…SIM_PORT+4
    // (Plaid, Binance, Coinbase, CoinGecko, FX) and the demo data: a deployment's demo node.
    SIM_HOST: z.string().min(1).default('127.0.0.1'),
    SIM_PORT: z.coerce.number().int().min(0).max(65530).default(0),
    SYNC_INTERVAL: duration.default(6 * 3_600_000),
    SYNC_MAX_RETRIES: z.coerce.number().int().min(0).max(50).default(5),
    // how long JetStream waits for a sync job's ack before redelivering it (a dead worker)
    SYNC_ACK_WAIT: duration.default(30_000),
    // transactions per provider page (Plaid allows 1–500)
    SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(500),
    // durable work over NATS JetStream; `memory`: in this process only, no acks, retries or dead
    // letters (the service test tier, which runs without NATS; refused in production)
    DURABLE_CHANNELS: z.enum(['jetstream', 'memory']).default('jetstream'),
    // a write's announcement to the anomaly detector still owed after this was left by a writer
    // that died: the transactions service's sweep makes it
    OUTBOX_STALE_AFTER: duration.default(60_000),
    // named points where a test node kills itself (SIGKILL), to prove what survives it; tests only
    FAILPOINTS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required in production' });
    }
    if (env.NODE_ENV === 'production' && !env.CREDENTIALS_KEYS) {
      ctx.addIssue({ code: 'custom', path: ['CREDENTIALS_KEYS'], message: 'required in production' });
    }
    if (env.NODE_ENV !== 'test' && env.FAILPOINTS.length) {
      ctx.addIssue({ code: 'custom', path: ['FAILPOINTS'], message: 'only with NODE_ENV=test' });
    }
    if (env.NODE_ENV === 'production' && env.DURABLE_CHANNELS === 'memory') {
      ctx.addIssue({
        code: 'custom',
        path: ['DURABLE_CHANNELS'],
        message: 'memory loses work a node was doing when it stops: jetstream in production',
      });
    }
    if (env.NODE_ENV === 'production' && !env.MONGO_URL) {
      ctx.addIssue({ code: 'custom', path: ['MONGO_URL'], message: 'required in production' });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Every environment variable the product reads (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  env: Env['NODE_ENV'];
  nodeID: string | undefined;
  namespace: string;
  services: ServiceName[];
  transporter: { kind: 'none' } | { kind: 'nats'; url: string };
  cacher: { kind: 'memory' } | { kind: 'redis'; url: string };
  redisUrl: string;
  /** JetStream for durable channels (NATS, also in the embedded default) */
  natsUrl: string;
  /** `memory`: channels within this process only (the service test tier) */
  durableChannels: 'jetstream' | 'memory';
  mongoUrl: string | undefined;
  http: { host: string; port: number; webOrigin: string[]; bodyLimit: string; trustProxy: boolean };
  logLevel: Env['LOG_LEVEL'];
  contractCheck: { enabled: boolean; schemasPath: string };
  outbound: { allowLoopback: boolean };
  budgets: Record<BudgetName, Budget>;
  metrics: { enabled: boolean; port: number };
  healthPort: number;
  tracing: { kind: 'off' } | { kind: 'console' } | { kind: 'zipkin'; url: string };
  auth: {
    jwtSecret: string | undefined;
    issuer: string;
    audience: string;
    accessTokenTtlMs: number;
    refreshTokenTtlMs: number;
    bcryptCost: number;
    loginMaxFailsPerAccount: number;
    loginMaxAttemptsPerIp: number;
    loginBlockWindowMs: number;
  };
  ws: { heartbeatIntervalMs: number };
  credentialsKeys: string | undefined;
  providers: {
    plaid: { url: string; clientId: string; secret: string; webhookUrl: string | undefined } | undefined;
    binance: { url: string; wsUrl: string | undefined } | undefined;
    coinbase: { url: string } | undefined;
    coingecko: { url: string; apiKey: string; pollIntervalMs: number } | undefined;
    fx: { url: string; pollIntervalMs: number } | undefined;
    esplora: { url: string } | undefined;
    /** US stocks' and ETFs' live trades and past closes (Alpaca's API) */
    securitiesFeed: { url: string; wsUrl: string; keyId: string; secret: string } | undefined;
    /** EVM chains by name (`ethereum`) */
    evm: EvmChainConfig[];
  };
  simulators: {
    mode: 'in-process' | 'off';
    seed: number;
    host: string;
    basePort: number;
    bankAnomalyRate: number;
  };
  sync: { intervalMs: number; maxRetries: number; ackWaitMs: number; pageSize: number };
  /** an outbox entry older than this was left by a writer that died (services/transactions/announcements.ts) */
  outboxStaleAfterMs: number;
  /** where a test node kills itself (infra/failpoints.ts) */
  failpoints: string[];
  /** backoff of provider calls (tests and benchmarks shorten it; production keeps the adapters' defaults) */
  providerRetry: { baseDelayMs?: number; maxDelayMs?: number; timeoutMs?: number; maxAttempts?: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    match[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * unit;
}

/** Parses an environment (process.env by default); throws ConfigError naming each bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    );
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    nodeID: env.NODE_ID,
    namespace: env.NAMESPACE,
    services: [...new Set(env.SERVICES)],
    transporter: env.TRANSPORTER === 'nats' ? { kind: 'nats', url: env.NATS_URL } : { kind: 'none' },
    cacher: env.CACHER === 'redis' ? { kind: 'redis', url: env.REDIS_URL } : { kind: 'memory' },
    redisUrl: env.REDIS_URL,
    natsUrl: env.NATS_URL,
    durableChannels: env.DURABLE_CHANNELS,
    mongoUrl: env.MONGO_URL,
    http: {
      host: env.HOST,
      port: env.PORT,
      webOrigin: env.WEB_ORIGIN.split(',').map((o) => o.trim()),
      bodyLimit: env.BODY_LIMIT,
      trustProxy: env.TRUST_PROXY,
    },
    logLevel: env.LOG_LEVEL,
    contractCheck: { enabled: env.CONTRACT_CHECK, schemasPath: env.CONTRACT_SCHEMAS },
    outbound: { allowLoopback: env.OUTBOUND_ALLOW_LOOPBACK ?? env.NODE_ENV !== 'production' },
    budgets: env.BUDGETS,
    metrics: { enabled: env.METRICS, port: env.METRICS_PORT },
    healthPort: env.HEALTH_PORT,
    tracing:
      env.TRACING === 'zipkin'
        ? { kind: 'zipkin', url: env.TRACING_URL }
        : env.TRACING === 'console'
          ? { kind: 'console' }
          : { kind: 'off' },
    auth: {
      jwtSecret: env.JWT_SECRET,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenTtlMs: env.ACCESS_TOKEN_TTL,
      refreshTokenTtlMs: env.REFRESH_TOKEN_TTL,
      bcryptCost: env.BCRYPT_COST,
      loginMaxFailsPerAccount: env.LOGIN_MAX_FAILS_PER_ACCOUNT,
      loginMaxAttemptsPerIp: env.LOGIN_MAX_ATTEMPTS_PER_IP,
      loginBlockWindowMs: env.LOGIN_BLOCK_WINDOW,
    },
    ws: { heartbeatIntervalMs: env.WS_HEARTBEAT_INTERVAL },
    credentialsKeys: env.CREDENTIALS_KEYS,
    providers: {
      plaid:
        env.PLAID_URL && env.PLAID_CLIENT_ID && env.PLAID_SECRET
          ? {
              url: env.PLAID_URL,
              clientId: env.PLAID_CLIENT_ID,
              secret: env.PLAID_SECRET,
              webhookUrl: env.PLAID_WEBHOOK_URL,
            }
          : undefined,
      binance: env.BINANCE_URL ? { url: env.BINANCE_URL, wsUrl: env.BINANCE_WS_URL } : undefined,
      coinbase: env.COINBASE_URL ? { url: env.COINBASE_URL } : undefined,
      coingecko:
        env.COINGECKO_URL && env.COINGECKO_API_KEY
          ? {
              url: env.COINGECKO_URL,
              apiKey: env.COINGECKO_API_KEY,
              pollIntervalMs: env.COINGECKO_POLL_INTERVAL,
            }
          : undefined,
      fx: env.FX_URL ? { url: env.FX_URL, pollIntervalMs: env.FX_POLL_INTERVAL } : undefined,
      esplora: env.ESPLORA_URL ? { url: env.ESPLORA_URL } : undefined,
      securitiesFeed:
        env.SECURITIES_FEED_URL &&
        env.SECURITIES_FEED_WS_URL &&
        env.SECURITIES_FEED_KEY_ID &&
        env.SECURITIES_FEED_SECRET
          ? {
              url: env.SECURITIES_FEED_URL,
              wsUrl: env.SECURITIES_FEED_WS_URL,
              keyId: env.SECURITIES_FEED_KEY_ID,
              secret: env.SECURITIES_FEED_SECRET,
            }
          : undefined,
      evm: env.EVM_CHAINS ?? [],
    },
    simulators: {
      mode: env.SIMULATORS,
      seed: env.SIM_SEED,
      host: env.SIM_HOST,
      basePort: env.SIM_PORT,
      bankAnomalyRate: env.SIM_BANK_ANOMALY_RATE,
    },
    sync: {
      intervalMs: env.SYNC_INTERVAL,
      maxRetries: env.SYNC_MAX_RETRIES,
      ackWaitMs: env.SYNC_ACK_WAIT,
      pageSize: env.SYNC_PAGE_SIZE,
    },
    outboxStaleAfterMs: env.OUTBOX_STALE_AFTER,
    failpoints: env.FAILPOINTS,
    providerRetry: {},
  };
}

// Each broker carries its own config: createBroker binds it, and a service reads it with
// configOf(this.broker). Several nodes started in one process (the tests, bench:*) therefore each
// see their own, and nothing reads a process-wide config once a broker is made.
const bound = new WeakMap<object, Config>();

/** Gives `broker` its config (createBroker does this before any service is created). */
export function bindConfig(broker: object, cfg: Config): void {
  bound.set(broker, cfg);
}

/** The config of the broker a service runs on. */
export function configOf(broker: object): Config {
  const cfg = bound.get(broker);
  if (!cfg) throw new Error('this broker has no config: make brokers with createBroker (services/index.ts)');
  return cfg;
}

export { ALL_SERVICES };
