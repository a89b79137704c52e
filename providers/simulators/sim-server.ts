// What every provider simulator shares: a small HTTP server with a route table, and
// fault knobs (latency, error rate, 429 bursts, 5xx, timeouts, …) settable at start
// and at run time through `GET/POST /__sim/faults`. Each simulator formats its own
// errors the way its real provider does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeededRandom } from './random.ts';

export interface FaultSettings {
  /** added to every response, in ms */
  latencyMs: number;
  /** probability that a request fails with a 5xx */
  serverErrorRate: number;
  /** probability that a request is answered 429 */
  rateLimitRate: number;
  /** the next N requests are answered 429 */
  rateLimitBurst: number;
  /** Retry-After (seconds) sent with 429s */
  retryAfterSeconds: number;
  /** probability that a request hangs until the client gives up */
  timeoutRate: number;
  /** probability that a paginated read finds the data changed (where the protocol has that error) */
  paginationMutationRate: number;
  /** probability per second that a WebSocket connection is dropped (where there are streams) */
  wsDropRate: number;
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  serverErrorRate: 0,
  rateLimitRate: 0,
  rateLimitBurst: 0,
  retryAfterSeconds: 1,
  timeoutRate: 0,
  paginationMutationRate: 0,
  wsDropRate: 0,
};

export class Faults {
  settings: FaultSettings;
  private readonly rng: SeededRandom;
  readonly counts = { rateLimited: 0, serverErrors: 0, timeouts: 0, mutations: 0, wsDrops: 0 };

  constructor(seed: number, initial: Partial<FaultSettings> = {}) {
    this.rng = new SeededRandom(seed).fork('faults');
    this.settings = { ...NO_FAULTS, ...initial };
  }

  update(patch: Partial<FaultSettings>): FaultSettings {
    for (const [key, value] of Object.entries(patch)) {
      if (!(key in NO_FAULTS) || typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw new Error(`bad fault setting ${key}`);
    }
    this.settings = { ...this.settings, ...patch };
    return this.settings;
  }

  /** Decides what happens to one request, in a fixed order. */
  draw(): 'timeout' | 'rateLimited' | 'serverError' | 'ok' {
    const s = this.settings;
    if (s.rateLimitBurst > 0) {
      s.rateLimitBurst -= 1;
      this.counts.rateLimited += 1;
      return 'rateLimited';
    }
    if (s.timeoutRate && this.rng.chance(s.timeoutRate)) {
      this.counts.timeouts += 1;
      return 'timeout';
    }
    if (s.rateLimitRate && this.rng.chance(s.rateLimitRate)) {
      this.counts.rateLimited += 1;
      return 'rateLimited';
    }
    if (s.serverErrorRate && this.rng.chance(s.serverErrorRate)) {
      this.counts.serverErrors += 1;
      return 'serverError';
    }
    return 'ok';
  }

  mutateNow(): boolean {
    const hit =
      this.settings.paginationMutationRate > 0 && this.rng.chance(this.settings.paginationMutationRate);
    if (hit) this.counts.mutations += 1;
    return hit;
  }
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** the query string as sent (signatures are computed over it) */
  rawQuery: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** parsed JSON body, or undefined */
  body: unknown;
  params: Record<string, string>;
}

export interface SimResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface Route {
  method: string;
  /** exact path, or a pattern with :params */
  path: string;
  handler: RouteHandler;
  /** admin routes skip fault injection */
  admin?: boolean;
}

export interface SimErrorFormatter {
  rateLimited(retryAfterSeconds: number): SimResponse;
  serverError(): SimResponse;
  notFound(req: SimRequest): SimResponse;
  badRequest(message: string): SimResponse;
}

export interface SimServerOptions {
  name: string;
  routes: Route[];
  errors: SimErrorFormatter;
  faults: Faults;
  /** runs after fault decisions, before the route (e.g. to add weight headers) */
  decorate?: (req: SimRequest, res: SimResponse) => void;
}

function compile(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${pattern}$`), names };
}

const MAX_BODY = 1 << 20;

export class SimServer {
  readonly server: Server;
  private readonly compiled: { route: Route; regex: RegExp; names: string[] }[];
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly options: SimServerOptions) {
    const faultRoutes: Route[] = [
      { method: 'GET', path: '/__sim/faults', admin: true, handler: () => ({ body: this.faultState() }) },
      {
        method: 'POST',
        path: '/__sim/faults',
        admin: true,
        handler: (req) => {
          try {
            options.faults.update((req.body ?? {}) as Partial<FaultSettings>);
            return { body: this.faultState() };
          } catch (err) {
            return { status: 400, body: { error: (err as Error).message } };
          }
        },
      },
    ];
    this.compiled = [...faultRoutes, ...options.routes].map((route) => ({ route, ...compile(route.path) }));
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  private faultState() {
    return { settings: this.options.faults.settings, counts: this.options.faults.counts };
  }

  get url(): string {
    const address = this.server.address() as AddressInfo | null;
    if (!address) throw new Error(`${this.options.name} simulator is not listening`);
    return `http://127.0.0.1:${address.port}`;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return this.url;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const url = req.url ?? '/';
    const [path = '/', rawQuery = ''] = url.split('?', 2);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (rawBody && (req.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return this.send(res, this.options.errors.badRequest('request body is not valid JSON'));
      }
    }
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path,
      query: new URLSearchParams(rawQuery),
      rawQuery,
      headers: req.headers,
      rawBody,
      body,
      params: {},
    };
    const match = this.match(simReq);
    if (!match) return this.send(res, this.options.errors.notFound(simReq));
    simReq.params = match.params;

    if (!match.route.admin) {
      const faults = this.options.faults;
      if (faults.settings.latencyMs) await new Promise((r) => setTimeout(r, faults.settings.latencyMs));
      const outcome = faults.draw();
      if (outcome === 'timeout') {
        // Hold the request open; the client's timeout decides. Closed when the server stops.
        this.hanging.add(res);
        res.once('close', () => this.hanging.delete(res));
        return;
      }
      if (outcome === 'rateLimited')
        return this.send(res, this.options.errors.rateLimited(faults.settings.retryAfterSeconds), simReq);
      if (outcome === 'serverError') return this.send(res, this.options.errors.serverError(), simReq);
    }
    let out: SimResponse;
    try {
      out = await match.route.handler(simReq);
    } catch (err) {
      console.error(`${this.options.name} simulator route failed`, err);
      out = this.options.errors.serverError();
    }
    this.send(res, out, simReq);
  }

  private match(req: SimRequest): { route: Route; params: Record<string, string> } | undefined {
    for (const { route, regex, names } of this.compiled) {
      if (route.method !== req.method) continue;
      const m = regex.exec(req.path);
      if (!m) continue;
      const params: Record<string, string> = {};
      names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
      return { route, params };
    }
    return undefined;
  }

  private send(res: ServerResponse, out: SimResponse, req?: SimRequest): void {
    if (req && this.options.decorate) this.options.decorate(req, out);
    const headers: Record<string, string> = { ...out.headers };
    let payload = '';
    if (out.body !== undefined) {
      payload = typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    res.writeHead(out.status ?? 200, headers);
    res.end(payload);
  }
}
