// Coinbase-Advanced-Trade-compatible simulator: GET /api/v3/brokerage/accounts with
// cursor pagination, authenticated by a per-request JWT (ES256 or EdDSA) with claims
// iss "cdp", sub = key name, nbf/exp, uri "GET host/path". Only the path part of `uri`
// is checked, because the `coinbase-api` SDK builds it from an https base URL.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwtVerify, decodeProtectedHeader } from 'jose';
import { SeededRandom, seedFrom } from './random.ts';
import { CryptoMarket, E8, e8ToDecimal } from './market.ts';
import {
  Faults,
  SimServer,
  type FaultSettings,
  type Route,
  type SimRequest,
  type SimResponse,
} from './sim-server.ts';

export interface CoinbaseSimOptions {
  seed?: number;
  market?: CryptoMarket;
  faults?: Partial<FaultSettings>;
}

interface CoinbaseAccount {
  uuid: string;
  name: string;
  currency: string;
  available: bigint;
  hold: bigint;
  type: 'ACCOUNT_TYPE_CRYPTO' | 'ACCOUNT_TYPE_FIAT';
  created_at: string;
}

interface ApiKey {
  name: string;
  publicKey: KeyObject;
  portfolio: string;
  accounts: CoinbaseAccount[];
}

const unauthorized = (message = 'Unauthorized'): SimResponse => ({
  status: 401,
  body: { error: 'UNAUTHENTICATED', error_details: message, message },
});
const cbError = (status: number, error: string, message: string): SimResponse => ({
  status,
  body: { error, error_details: message, message },
});

export class CoinbaseSimulator {
  readonly faults: Faults;
  readonly server: SimServer;
  private readonly keys = new Map<string, ApiKey>();
  private readonly rng: SeededRandom;
  private readonly market: CryptoMarket;

  constructor(options: CoinbaseSimOptions = {}) {
    const seed = options.seed ?? 1;
    this.rng = new SeededRandom(seedFrom(seed, 'coinbase'));
    this.market = options.market ?? new CryptoMarket({ seed });
    this.faults = new Faults(seedFrom(seed, 'coinbase-faults'), options.faults);
    this.server = new SimServer({
      name: 'coinbase',
      routes: this.routes(),
      faults: this.faults,
      errors: {
        rateLimited: (retryAfter) => ({
          ...cbError(429, 'RATE_LIMIT_EXCEEDED', 'Too many requests'),
          headers: { 'Retry-After': String(retryAfter) },
        }),
        serverError: () => cbError(500, 'INTERNAL', 'internal error'),
        notFound: () => cbError(404, 'NOT_FOUND', 'Not Found'),
        badRequest: (message) => cbError(400, 'INVALID_ARGUMENT', message),
      },
    });
  }

  listen(port = 0, host?: string): Promise<string> {
    return this.server.listen(port, host);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** A new API key with seeded wallets; `apiSecret` is the PEM (ES256) or base64 (Ed25519) private key the SDK takes. */
  createKey(
    kind: 'ES256' | 'EdDSA' = 'ES256',
    holdings?: Record<string, string>,
  ): { apiKey: string; apiSecret: string } {
    const rng = this.rng.fork(`key:${this.keys.size}`);
    const org = rng.uuid();
    const name = `organizations/${org}/apiKeys/${rng.uuid()}`;
    let apiSecret: string;
    let publicKey: KeyObject;
    if (kind === 'ES256') {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      apiSecret = pair.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
      publicKey = pair.publicKey;
    } else {
      const pair = generateKeyPairSync('ed25519');
      apiSecret = pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
      publicKey = createPublicKey(pair.privateKey);
    }
    const portfolio = rng.uuid();
    const accounts: CoinbaseAccount[] = [];
    const created = new Date(Date.now() - 400 * 86_400_000).toISOString();
    const add = (currency: string, available: bigint, type: CoinbaseAccount['type']) =>
      accounts.push({
        uuid: rng.uuid(),
        name: `${currency} Wallet`,
        currency,
        available,
        hold: 0n,
        type,
        created_at: created,
      });
    if (holdings) {
      for (const [currency, qty] of Object.entries(holdings))
        add(
          currency,
          BigInt(Math.round(Number(qty) * 1e8)),
          currency === 'USD' ? 'ACCOUNT_TYPE_FIAT' : 'ACCOUNT_TYPE_CRYPTO',
        );
    } else {
      add('USD', BigInt(rng.int(50, 3_000)) * E8, 'ACCOUNT_TYPE_FIAT');
      for (const asset of this.market.assets.slice(0, 12)) {
        // many wallets, some empty, so pagination has work to do
        const usd = rng.chance(0.6) ? rng.int(100, 15_000) : 0;
        add(asset.symbol, (BigInt(usd) * E8 * E8) / asset.priceE8, 'ACCOUNT_TYPE_CRYPTO');
      }
    }
    this.keys.set(name, { name, publicKey, portfolio, accounts });
    return { apiKey: name, apiSecret };
  }

  truth(apiKey: string) {
    const key = this.keys.get(apiKey);
    return key?.accounts.map((a) => ({
      uuid: a.uuid,
      currency: a.currency,
      available: e8ToDecimal(a.available),
      hold: e8ToDecimal(a.hold),
    }));
  }

  private async authenticate(req: SimRequest): Promise<ApiKey | SimResponse> {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer '))
      return unauthorized('missing bearer token');
    const token = header.slice(7);
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return unauthorized('malformed token');
    }
    const key = kid ? this.keys.get(kid) : undefined;
    if (!key) return unauthorized('unknown api key');
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        issuer: 'cdp',
        subject: key.name,
        algorithms: ['ES256', 'EdDSA'],
        clockTolerance: 5,
      });
      const uri = typeof payload.uri === 'string' ? payload.uri : '';
      const [method, target = ''] = uri.split(' ', 2);
      const path = target.slice(target.indexOf('/'));
      if (method !== req.method || path !== req.path)
        return unauthorized('uri claim does not match the request');
      if (
        typeof payload.exp !== 'number' ||
        typeof payload.nbf !== 'number' ||
        payload.exp - payload.nbf > 120
      )
        return unauthorized('token lifetime too long');
      return key;
    } catch (err) {
      return unauthorized((err as Error).message);
    }
  }

  private routes(): Route[] {
    return [
      {
        method: 'GET',
        path: '/api/v3/brokerage/accounts',
        handler: async (req) => {
          const key = await this.authenticate(req);
          if (!('accounts' in key)) return key;
          const limit = req.query.has('limit') ? Number(req.query.get('limit')) : 49;
          if (!Number.isInteger(limit) || limit < 1 || limit > 250)
            return cbError(400, 'INVALID_ARGUMENT', 'limit must be between 1 and 250');
          const cursor = req.query.get('cursor');
          let start = 0;
          if (cursor) {
            const index = key.accounts.findIndex((a) => a.uuid === cursor);
            if (index < 0) return cbError(400, 'INVALID_ARGUMENT', 'invalid cursor');
            start = index;
          }
          const page = key.accounts.slice(start, start + limit);
          const next = key.accounts[start + limit];
          return {
            body: {
              accounts: page.map((a) => ({
                uuid: a.uuid,
                name: a.name,
                currency: a.currency,
                available_balance: { value: e8ToDecimal(a.available), currency: a.currency },
                default: a.currency === 'USD',
                active: true,
                created_at: a.created_at,
                updated_at: a.created_at,
                deleted_at: null,
                type: a.type,
                ready: true,
                hold: { value: e8ToDecimal(a.hold), currency: a.currency },
                retail_portfolio_id: key.portfolio,
                platform: 'ACCOUNT_PLATFORM_CONSUMER',
              })),
              has_next: next !== undefined,
              cursor: next?.uuid ?? '',
              size: page.length,
            },
          };
        },
      },
      {
        // what a key's portfolio holds (available + on hold), by currency: the truth a client must show
        method: 'GET',
        path: '/__sim/keys/truth',
        admin: true,
        handler: (req) => {
          const key = this.keys.get(req.query.get('name') ?? '');
          if (!key) return { status: 404, body: { error: 'no such key' } };
          return {
            body: {
              balances: key.accounts.map((a) => ({
                currency: a.currency,
                available: e8ToDecimal(a.available),
                hold: e8ToDecimal(a.hold),
              })),
            },
          };
        },
      },
      {
        method: 'POST',
        path: '/__sim/keys',
        admin: true,
        handler: (req) => {
          const body = (req.body ?? {}) as { kind?: unknown; holdings?: Record<string, string> };
          return {
            status: 201,
            body: this.createKey(body.kind === 'EdDSA' ? 'EdDSA' : 'ES256', body.holdings),
          };
        },
      },
    ];
  }
}
