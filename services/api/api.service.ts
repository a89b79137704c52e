// api: the HTTP edge. REST under /api/v1 (aliases come from each action's `rest`),
// /healthz and /readyz at the root, one error body for every failure, a request id on
// every response and log line. The ws gateway shares this HTTP server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ActionSchema, Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import ApiGateway, { type ApiSettingsSchema } from 'moleculer-web';
import bodyParser from 'body-parser';
import { configOf } from '../../config/index.ts';
import { clientAddress } from './client-address.ts';
import { isRevoked, loadRevocations, revokeAccess } from '../../infra/access-revocations.ts';
import type { EventMap } from '@finexia/contracts/events.ts';
import { liveness, readiness } from '../../infra/health.ts';
import { accessTokenSettings } from '../../infra/tokens.ts';
import type { AuthUser, Ctx, RequestMeta } from '../../infra/context.ts';
import { verifyAccessToken, type TokenSettings } from '../../domain/auth/access-tokens.ts';
import { AppError } from '../../domain/errors.ts';
import { assertMayCall } from '../../mixins/auth-guard.mixin.ts';
import { MAX_CSV_BYTES } from '../../domain/csv-import.ts';
import { MAX_IMPORT_ARCHIVE_BYTES } from '@finexia/contracts/export.ts';
import { toHttpError } from './http-errors.ts';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from './json-depth.ts';
import { loadWebHandler, type NodeHandler } from './web-app.ts';
import { contractChecker, type ContractChecker } from '../../infra/contract-check.ts';

interface GatewayRequest extends IncomingMessage {
  $requestId?: string;
  $rawBody?: string;
  $startedAt?: number;
  body?: unknown;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A client's own request id is kept when it is sane; otherwise we mint one. */
function requestIdFor(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Bodies that carry a whole file as a JSON string: a CSV import's preview (escaping can double
 * it) and an export brought back in (a base64 zip).
 */
const FILE_BODIES: ReadonlyMap<string, number> = new Map([
  ['/api/v1/transactions/import/preview', 2 * MAX_CSV_BYTES + 64 * 1024],
  ['/api/v1/users/me/import', Math.ceil((MAX_IMPORT_ARCHIVE_BYTES * 4) / 3) + 64 * 1024],
]);

/**
 * JSON bodies up to the configured limit, except the import preview's, which may be as large
 * as the file it carries. Webhook routes keep the exact bytes: their signature is over them.
 */
function jsonBodies(limit: string) {
  const options = (max: string | number) => ({
    strict: true,
    limit: max,
    verify(req: GatewayRequest, _res: ServerResponse, buf: Buffer) {
      // refused before JSON.parse: a deep nest would overflow the stack of whatever walks it
      if (jsonDepthExceeds(buf, MAX_JSON_DEPTH))
        throw new AppError('BAD_REQUEST', `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
      if ((req.originalUrl ?? req.url ?? '').includes('/webhooks/')) req.$rawBody = buf.toString('utf8');
    },
  });
  const usual = bodyParser.json(options(limit));
  const files = new Map([...FILE_BODIES].map(([path, max]) => [path, bodyParser.json(options(max))]));
  return function parseJson(
    this: ApiService,
    req: GatewayRequest,
    res: ServerResponse,
    next: (err?: unknown) => void,
  ): void {
    const parse = files.get((req.originalUrl ?? req.url ?? '').split('?')[0] ?? '') ?? usual;
    parse(req, res, (err?: unknown) => (err ? this.respondError(req, res, err) : next()));
  };
}

/**
 * JSON only: a request that carries a body must say it is JSON, and that JSON must be an
 * object. (Answered here: moleculer-web would strip a middleware's error to a bare one.)
 */
function requireJsonObject(
  this: ApiService,
  req: GatewayRequest,
  res: ServerResponse,
  next: (err?: unknown) => void,
): void {
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!BODY_METHODS.has(req.method ?? '') || !hasBody) return next();
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    return this.respondError(
      req,
      res,
      new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.'),
    );
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))
    return this.respondError(
      req,
      res,
      new AppError('BAD_REQUEST', 'The request body must be a JSON object.'),
    );
  next();
}

// moleculer-web accepts a function for rootCallOptions (see its httpHandler); its typings only list the object form.
interface GatewaySettings extends ServiceSettingSchema, Omit<ApiSettingsSchema, 'rootCallOptions'> {
  /** from config (TRUST_PROXY), set in `merged` */
  trustProxy?: boolean;
  rootCallOptions?: (
    this: ApiService,
    options: { requestID?: string; meta?: RequestMeta },
    req: GatewayRequest,
    res: ServerResponse,
  ) => void;
}

interface ApiMethods {
  logAccess(req: GatewayRequest, status: number, err?: unknown): void;
  respondError(req: GatewayRequest, res: ServerResponse, err: unknown): void;
  writeCorsHeaders(route: unknown, req: IncomingMessage, res: ServerResponse, isPreFlight: boolean): unknown;
  authenticate(ctx: Ctx<unknown>, route: unknown, req: GatewayRequest): AuthUser | null;
  authorize(ctx: Ctx<unknown>, route: unknown, req: GatewayRequest & { $action?: ActionSchema }): void;
}

interface ApiVars {
  /** from the broker's config, read once at creation */
  tokens: TokenSettings;
  /** set while testing (CONTRACT_CHECK) */
  contracts: ContractChecker | undefined;
  /** the dashboard's handler (moleculer-web's hook for requests no route answered) */
  serve?: NodeHandler;
}

type ApiService = Service<GatewaySettings> & ApiMethods & ApiVars;

const ApiServiceSchema: ServiceSchema<GatewaySettings, ApiMethods, ApiVars> = {
  name: 'api',
  mixins: [ApiGateway],

  settings: {
    // port, ip, CORS origin and body limit are filled from config in `merged` below.
    // Access lines are written by logAccess (structured, with request id, no query string).
    logRequest: null,
    logResponse: null,
    // a repeated query key is a list (`symbols=BTC&symbols=AAPL.STOCK`); qs turns a list of more
    // than 20 into an object by default (refused as "not a string"); a list longer than a route
    // allows is then refused by its own limit, naming the field
    qsOptions: { arrayLimit: 10_000 },
    log4XXResponses: false,
    logRouteRegistration: 'debug',

    cors: {
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-ID'],
      exposedHeaders: ['X-Request-ID', 'Retry-After'],
      credentials: true,
      maxAge: 600,
    },

    rootCallOptions(
      this: ApiService,
      options: { requestID?: string; meta?: RequestMeta },
      req: GatewayRequest,
      res: ServerResponse,
    ) {
      const requestId = requestIdFor(req);
      req.$requestId = requestId;
      req.$startedAt = performance.now();
      res.setHeader('X-Request-ID', requestId);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      // API answers are per user: never stored by a browser or a shared cache
      if ((req.url ?? '').startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
      options.requestID = requestId;
      const userAgent = req.headers['user-agent'];
      const clientIp = clientAddress(
        req.socket.remoteAddress,
        req.headers['x-forwarded-for'],
        this.settings.trustProxy ?? false,
      );
      options.meta = { clientIp, ...(userAgent ? { userAgent } : {}) };
    },

    routes: [
      {
        path: '/api/v1',
        authentication: true,
        // who may call what is decided here, before the action validates its parameters: a
        // caller without the right never learns the shape of a request it may not make
        authorization: true,
        autoAliases: true,
        mappingPolicy: 'restrict',
        // bodies are parsed by jsonBodies (set in `merged`, from the configuration)
        bodyParsers: false,
        use: [requireJsonObject],
        onBeforeCall(ctx: Ctx<unknown>, _route: unknown, req: GatewayRequest) {
          if (req.$rawBody !== undefined) {
            ctx.meta.rawBody = req.$rawBody;
            const signature = req.headers['plaid-verification'];
            if (typeof signature === 'string') ctx.meta.webhookVerification = signature;
          }
        },
        onAfterCall(
          this: ApiService,
          ctx: Ctx<unknown>,
          _route: unknown,
          req: GatewayRequest & { $alias?: { method: string; fullPath: string } },
          _res: ServerResponse,
          data: unknown,
        ) {
          // while testing, a body that breaks its route's contract is refused (500), not sent (a
          // file streamed is not JSON: its route's contract is its content type)
          const route = req.$alias && `${req.$alias.method} ${req.$alias.fullPath.replace(/^\/api\/v1/, '')}`;
          const streamed = typeof (data as { pipe?: unknown } | null)?.pipe === 'function';
          const problems = route && !streamed ? this.contracts?.response(route, data) : undefined;
          if (problems) {
            this.logger.error({ route, problems }, 'a response broke its contract');
            throw new AppError(
              'CONTRACT_VIOLATION',
              `The response of ${route} broke its contract: ${problems}`,
            );
          }
          this.logAccess(req, ctx.meta.$statusCode ?? 200);
          return data;
        },
      },
      {
        path: '/',
        authentication: false,
        mappingPolicy: 'restrict',
        bodyParsers: false,
        aliases: { 'GET healthz': 'api.healthz', 'GET readyz': 'api.readyz' },
      },
    ],

    onError(this: ApiService, req: GatewayRequest, res: ServerResponse, err: unknown) {
      this.respondError(req, res, err);
    },
  },

  // Read the broker's configuration when it creates the service, not when the file is imported.
  merged(this: Service, schema: ServiceSchema) {
    const { http } = configOf(this.broker);
    const settings = schema.settings as GatewaySettings;
    settings.trustProxy = http.trustProxy;
    settings.port = http.port;
    settings.ip = http.host;
    if (settings.cors) settings.cors.origin = http.webOrigin;
    const api = settings.routes?.find((r: { path?: string }) => r.path === '/api/v1');
    if (api) api.use = [jsonBodies(http.bodyLimit), requireJsonObject];
  },

  actions: {
    healthz: {
      visibility: 'published',
      handler() {
        return liveness(this.broker);
      },
    },

    readyz: {
      visibility: 'published',
      async handler(ctx: Ctx) {
        const ready = await readiness(this.broker);
        if (ready.status !== 'ready') ctx.meta.$statusCode = 503;
        return ready;
      },
    },
  },

  methods: {
    /**
     * A request from a page of this same origin (the dashboard) is not cross-origin, whatever
     * WEB_ORIGIN lists; anything else goes through moleculer-web's CORS check.
     */
    writeCorsHeaders(route: unknown, req: IncomingMessage, res: ServerResponse, isPreFlight: boolean) {
      const origin = req.headers.origin;
      if (origin && req.headers.host && URL.canParse(origin) && new URL(origin).host === req.headers.host)
        return;
      return (
        ApiGateway.methods as { writeCorsHeaders: (...args: unknown[]) => unknown }
      ).writeCorsHeaders.call(this, route, req, res, isPreFlight);
    },

    /** Verifies a Bearer access token if one is sent; public actions decide for themselves when none is. */
    authenticate(_ctx: Ctx<unknown>, _route: unknown, req: GatewayRequest): AuthUser | null {
      const header = req.headers.authorization;
      if (!header) return null;
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header);
      if (!match?.[1]) throw new AppError('TOKEN_INVALID', 'The access token is malformed.');
      const result = verifyAccessToken(match[1], this.tokens);
      if (!result.ok) {
        throw result.reason === 'expired'
          ? new AppError('TOKEN_EXPIRED', 'Your session has expired. Refresh it or sign in again.')
          : new AppError('TOKEN_INVALID', 'The access token is not valid.');
      }
      if (isRevoked(result.claims.sub, result.issuedAt, this.tokens.secret))
        throw new AppError('TOKEN_INVALID', 'This access was withdrawn. Sign in again.');
      return { id: result.claims.sub, role: result.claims.role, sid: result.claims.sid };
    },

    /** Signed-in for anything not public; the action's roles (the services check again). */
    authorize(ctx: Ctx<unknown>, _route: unknown, req: GatewayRequest & { $action?: ActionSchema }) {
      if (req.$action) assertMayCall(req.$action, ctx.meta.user);
    },

    /** Answers a failed request with the one error body (and logs it once). */
    respondError(req: GatewayRequest, res: ServerResponse, err: unknown) {
      const mapped = toHttpError(err);
      this.logAccess(req, mapped.status, mapped.status >= 500 ? err : undefined);
      const problems = this.contracts?.error(mapped.body);
      if (problems) this.logger.error({ problems }, 'an error response broke its contract');
      if (res.headersSent) return;
      for (const [name, value] of Object.entries(mapped.headers)) res.setHeader(name, value);
      if (!res.hasHeader('X-Request-ID')) res.setHeader('X-Request-ID', req.$requestId ?? randomUUID());
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.writeHead(mapped.status);
      res.end(JSON.stringify(mapped.body));
    },

    logAccess(req: GatewayRequest, status: number, err?: unknown) {
      const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
      const entry = {
        requestId: req.$requestId,
        method: req.method,
        path,
        status,
        ms: req.$startedAt ? Math.round((performance.now() - req.$startedAt) * 10) / 10 : undefined,
      };
      if (err) this.logger.error({ ...entry, err }, 'request failed');
      else if (status >= 500) this.logger.error(entry, 'request failed');
      else this.logger.info(entry, 'request');
    },
  },

  events: {
    // a disabled user's access tokens stop working here at once (every node hears it)
    'user.access.revoked': {
      handler(ctx: Ctx<EventMap['user.access.revoked']>) {
        revokeAccess(ctx.params.userId, ctx.params.before);
      },
    },
  },

  created() {
    // fails at start, not at the first request, when the secret is missing
    this.tokens = accessTokenSettings(configOf(this.broker).auth);
  },

  async started() {
    const cfg = configOf(this.broker);
    this.contracts = await contractChecker(cfg.contractCheck);
    // users disabled while this node was away: their tokens still alive are refused here too
    void loadRevocations(this.broker).catch((err: Error) =>
      this.logger.warn({ err: err.message }, 'recent revocations not loaded'),
    );
    const web = await loadWebHandler({ trustProxy: cfg.http.trustProxy });
    if (web) {
      // moleculer-web hands requests no route answered to `serve` (its static-assets hook)
      this.serve = web;
      this.logger.info('dashboard served at /');
    } else this.logger.info('no dashboard build (web/build); serving the API only');
  },
};

declare module 'node:http' {
  interface IncomingMessage {
    originalUrl?: string;
  }
}

export default ApiServiceSchema;
