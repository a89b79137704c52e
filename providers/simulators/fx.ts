// FX-rates simulator in the shape of the ECB-reference-rate APIs many apps use
// (frankfurter-style): /v1/latest?base=USD&symbols=EUR,GBP, /v1/<date>, /v1/<from>..<to>.
import { seedFrom } from './random.ts';
import { addDays } from './bank-ledger.ts';
import { FIAT, FxMarket } from './market.ts';
import {
  Faults,
  SimServer,
  type FaultSettings,
  type Route,
  type SimRequest,
  type SimResponse,
} from './sim-server.ts';

export interface FxSimOptions {
  seed?: number;
  fx?: FxMarket;
  faults?: Partial<FaultSettings>;
}

const fxError = (status: number, message: string): SimResponse => ({ status, body: { message } });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class FxSimulator {
  readonly faults: Faults;
  readonly server: SimServer;
  readonly fx: FxMarket;

  constructor(options: FxSimOptions = {}) {
    const seed = options.seed ?? 1;
    this.fx = options.fx ?? new FxMarket(seed, new Date().toISOString().slice(0, 10));
    this.faults = new Faults(seedFrom(seed, 'fx-faults'), options.faults);
    this.server = new SimServer({
      name: 'fx',
      routes: this.routes(),
      faults: this.faults,
      errors: {
        rateLimited: (retryAfter) => ({
          ...fxError(429, 'too many requests'),
          headers: { 'Retry-After': String(retryAfter) },
        }),
        serverError: () => fxError(500, 'internal error'),
        notFound: () => fxError(404, 'not found'),
        badRequest: (message) => fxError(400, message),
      },
    });
  }

  listen(port = 0, host?: string): Promise<string> {
    return this.server.listen(port, host);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private parse(req: SimRequest): { base: string; symbols: string[] } | SimResponse {
    const base = (req.query.get('base') ?? 'USD').toUpperCase();
    if (!(FIAT as readonly string[]).includes(base)) return fxError(422, `unsupported base ${base}`);
    const symbols = (req.query.get('symbols') ?? FIAT.join(','))
      .toUpperCase()
      .split(',')
      .filter((s) => s && s !== base);
    const unknown = symbols.find((s) => !(FIAT as readonly string[]).includes(s));
    if (unknown) return fxError(422, `unsupported currency ${unknown}`);
    return { base, symbols };
  }

  private ratesFor(date: string, base: string, symbols: string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of symbols) out[s] = this.fx.rate(base, s, date) as number;
    return out;
  }

  private routes(): Route[] {
    const today = () => new Date().toISOString().slice(0, 10);
    return [
      {
        method: 'GET',
        path: '/v1/latest',
        handler: (req) => {
          const p = this.parse(req);
          if (!('base' in p)) return p;
          return {
            body: {
              amount: 1,
              base: p.base,
              date: today(),
              rates: this.ratesFor(today(), p.base, p.symbols),
            },
          };
        },
      },
      {
        method: 'GET',
        path: '/v1/currencies',
        handler: () => ({ body: Object.fromEntries(FIAT.map((c) => [c, c])) }),
      },
      {
        method: 'GET',
        path: '/v1/:range',
        handler: (req) => {
          const p = this.parse(req);
          if (!('base' in p)) return p;
          const range = req.params.range ?? '';
          if (DATE.test(range)) {
            if (range > today()) return fxError(422, 'date is in the future');
            return {
              body: { amount: 1, base: p.base, date: range, rates: this.ratesFor(range, p.base, p.symbols) },
            };
          }
          const [from = '', to = today()] = range.split('..');
          if (!DATE.test(from) || (to && !DATE.test(to)) || from > to)
            return fxError(422, 'use YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD');
          const rates: Record<string, Record<string, number>> = {};
          let days = 0;
          for (let d = from; d <= to && d <= today(); d = addDays(d, 1)) {
            if (++days > 800) return fxError(422, 'range too long (at most 800 days)');
            rates[d] = this.ratesFor(d, p.base, p.symbols);
          }
          return { body: { amount: 1, base: p.base, start_date: from, end_date: to, rates } };
        },
      },
    ];
  }
}
