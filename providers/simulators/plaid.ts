// Plaid-compatible simulator: link token → sandbox public token → exchange → accounts,
// balances, /transactions/sync (cursor, count, added/modified/removed, has_more, the
// mutation-during-pagination error), Liabilities, Investments (holdings, and transactions paged
// by offset and count, on the simulated securities market of securities.ts), item remove,
// signed SYNC_UPDATES_AVAILABLE, HOLDINGS and INVESTMENTS_TRANSACTIONS webhooks, Plaid error
// objects, credentials in body or headers. The official `plaid` SDK works against it with only
// basePath changed.
import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { SeededRandom, seedFrom } from './random.ts';
import {
  BankLedger,
  addDays,
  centsToNumber,
  daysBetween,
  type Anomaly,
  type LedgerAccount,
  type LedgerTransaction,
} from './bank-ledger.ts';
import {
  Faults,
  SimServer,
  type FaultSettings,
  type Route,
  type SimRequest,
  type SimResponse,
} from './sim-server.ts';
import {
  InvestmentBook,
  SecuritiesMarket,
  valueCents,
  type BookAccount,
  type BookHolding,
  type InvestmentTransaction,
  type Security,
} from './securities.ts';
import { isRealDate } from '../../domain/dates.ts';
import { previousTradingDay } from '../../domain/market-calendar.ts';

export interface PlaidSimOptions {
  seed?: number;
  clientId?: string;
  secret?: string;
  /** the simulator's "today" (YYYY-MM-DD); defaults to the real UTC date */
  today?: string;
  /** months of history per item */
  months?: number;
  /** scales daily volume: 1 ≈ 2,600 transactions in 24 months */
  volume?: number;
  /** chance a day carries an injected anomaly (labelled in the truth); 0.02 by default */
  anomalyRate?: number;
  faults?: Partial<FaultSettings>;
  /** the securities market brokerage items invest in (one of the seed's own by default) */
  securities?: SecuritiesMarket;
}

/** Products an item can be linked for (Link's `products`, the sandbox's `initial_products`). */
const PRODUCTS = ['transactions', 'auth', 'balance', 'liabilities', 'investments'] as const;
type Product = (typeof PRODUCTS)[number];

/** A card's and a loan's balance is what is owed (Plaid: positive when owed). */
const owes = (a: LedgerAccount) => a.type === 'credit' || a.type === 'loan';

/** Items at these institutions have a student loan beside checking, savings and a card. */
export const INSTITUTIONS_WITH_LOANS: ReadonlySet<string> = new Set(['ins_109511', 'ins_109512']);

export const PLAID_INSTITUTIONS = [
  { institution_id: 'ins_109508', name: 'First Platypus Bank' },
  { institution_id: 'ins_109509', name: 'First Gingham Credit Union' },
  { institution_id: 'ins_109510', name: 'Tattersall Federal Credit Union' },
  { institution_id: 'ins_109511', name: 'Tartan Bank' },
  { institution_id: 'ins_109512', name: 'Houndstooth Bank' },
] as const;

const PENDING_DAYS = 2;

interface PublicTransaction {
  transaction_id: string;
  account_id: string;
  amount: number;
  iso_currency_code: string;
  unofficial_currency_code: null;
  date: string;
  authorized_date: string;
  datetime: string | null;
  authorized_datetime: string | null;
  name: string;
  merchant_name: string | null;
  pending: boolean;
  pending_transaction_id: string | null;
  payment_channel: string;
  account_owner: null;
  transaction_code: null;
  transaction_type: string;
  category: string[];
  category_id: null;
  location: Record<string, null>;
  payment_meta: Record<string, null>;
  personal_finance_category: { primary: string; detailed: string; confidence_level: string };
  logo_url: null;
  website: null;
  check_number: null;
  counterparties: [];
  merchant_entity_id: null;
}

interface Change {
  seq: number;
  kind: 'added' | 'modified' | 'removed';
  transaction_id: string;
  account_id: string;
}

interface Item {
  item_id: string;
  access_token: string;
  institution_id: string;
  webhook: string | null;
  ledger: BankLedger;
  /** current state of every transaction the item shows */
  current: Map<string, PublicTransaction>;
  log: Change[];
  anomalies: Anomaly[];
  /** cursors handed out while more pages remained */
  paginationCursors: Set<string>;
  loginRequired: boolean;
  removed: boolean;
  rng: SeededRandom;
  /** debt accounts whose payment is past due (set by /__sim/items/:itemId/overdue) */
  overdue: Set<string>;
  products: Product[];
  /** the bank's accounts are shown (linked for anything besides investments) */
  banking: boolean;
  /** the brokerage accounts, when linked for investments */
  investments: InvestmentBook | null;
}

type PlaidErrorType =
  | 'INVALID_REQUEST'
  | 'INVALID_INPUT'
  | 'INVALID_API_KEYS'
  | 'ITEM_ERROR'
  | 'RATE_LIMIT_EXCEEDED'
  | 'API_ERROR'
  | 'TRANSACTIONS_ERROR';

function plaidError(
  status: number,
  error_type: PlaidErrorType,
  error_code: string,
  error_message: string,
  display_message: string | null = null,
): SimResponse {
  return {
    status,
    body: {
      error_type,
      error_code,
      error_message,
      display_message,
      request_id: randomUUID().slice(0, 15),
      causes: [],
      status,
      documentation_url: '',
      suggested_action: null,
    },
  };
}

function toPublic(t: LedgerTransaction, pending: boolean, pendingId: string | null): PublicTransaction {
  const nulls = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, null]));
  return {
    transaction_id: pending ? pendingIdFor(t.transaction_id) : t.transaction_id,
    account_id: t.account_id,
    amount: centsToNumber(t.amountCents),
    iso_currency_code: t.currency,
    unofficial_currency_code: null,
    date: t.date,
    authorized_date: t.authorized_date,
    // the minute a card payment was made; Plaid's datetime is when it posted, which the ledger
    // does not know (null, as for many banks)
    datetime: null,
    authorized_datetime: t.authorized_datetime,
    name: t.name,
    merchant_name: t.merchant_name,
    pending,
    pending_transaction_id: pendingId,
    payment_channel: t.payment_channel,
    account_owner: null,
    transaction_code: null,
    transaction_type:
      t.payment_channel === 'online' ? 'digital' : t.payment_channel === 'in store' ? 'place' : 'special',
    category: [t.category.primary],
    category_id: null,
    location: nulls(['address', 'city', 'region', 'postal_code', 'country', 'lat', 'lon', 'store_number']),
    payment_meta: nulls([
      'by_order_of',
      'payee',
      'payer',
      'payment_method',
      'payment_processor',
      'ppd_id',
      'reason',
      'reference_number',
    ]),
    personal_finance_category: { ...t.category, confidence_level: 'VERY_HIGH' },
    logo_url: null,
    website: null,
    check_number: null,
    counterparties: [],
    merchant_entity_id: null,
  };
}

/** A list of products as a request gives it (transactions when none is given), or undefined when it is not one. */
function productsOf(value: unknown): Product[] | undefined {
  if (value === undefined) return ['transactions'];
  if (!Array.isArray(value) || !value.length) return undefined;
  const known: readonly string[] = PRODUCTS;
  return value.every((p) => typeof p === 'string' && known.includes(p)) ? (value as Product[]) : undefined;
}

/** The bank's own accounts of an item (none when it was linked for investments only). */
const bankAccountsOf = (item: Item): LedgerAccount[] => (item.banking ? item.ledger.accounts : []);

/** An investments item's accounts: a brokerage account, a 401(k) and a euro account at a German broker. */
function brokerageAccounts(rng: SeededRandom): BookAccount[] {
  const account = (a: Omit<BookAccount, 'account_id' | 'mask'>): BookAccount => ({
    ...a,
    account_id: rng.hex(37),
    mask: String(rng.int(1000, 9999)),
  });
  return [
    account({
      name: 'Plaid Brokerage',
      official_name: 'Plaid Individual Brokerage Account',
      subtype: 'brokerage',
      currency: 'USD',
      buys: ['AAPL', 'MSFT', 'NVDA', 'JPM', 'KO', 'VTI', 'VOO', 'BND'],
      monthlyDepositCents: 150_000,
    }),
    account({
      name: 'Plaid 401k',
      official_name: 'Plaid Retirement Savings 401(k)',
      subtype: '401k',
      currency: 'USD',
      buys: ['VTSAX', 'VFIAX', 'VMFXX', '91282CLW9'],
      monthlyDepositCents: 120_000,
    }),
    account({
      name: 'Plaid International',
      official_name: 'Plaid Depot (XETRA)',
      subtype: 'brokerage',
      currency: 'EUR',
      buys: ['SAP'],
      monthlyDepositCents: 40_000,
    }),
  ];
}

/** Plaid's security object. */
function securityBody(s: Security, closeCents: number, closeDay: string) {
  return {
    security_id: s.security_id,
    isin: s.isin,
    cusip: s.cusip,
    sedol: null,
    figi: null,
    cfi_code: null,
    institution_security_id: null,
    institution_id: null,
    proxy_security_id: null,
    name: s.name,
    ticker_symbol: s.ticker,
    is_cash_equivalent: s.isCashEquivalent,
    type: s.type,
    subtype:
      s.type === 'equity'
        ? 'common stock'
        : s.type === 'fixed income'
          ? 'treasury'
          : s.type === 'mutual fund' && s.isCashEquivalent
            ? 'money market'
            : s.type,
    close_price: centsToNumber(closeCents),
    close_price_as_of: closeDay,
    update_datetime: null,
    iso_currency_code: s.currency,
    unofficial_currency_code: null,
    market_identifier_code: s.mic,
    sector: s.sector,
    industry: s.industry,
    option_contract: null,
    fixed_income: s.fixedIncome
      ? {
          yield_rate: { percentage: s.fixedIncome.couponPercent, type: 'coupon' },
          maturity_date: s.fixedIncome.maturity,
          issue_date: s.fixedIncome.issued,
          face_value: s.fixedIncome.faceValue,
        }
      : null,
  };
}

const unitsOf = (quantityMilli: number) => quantityMilli / 1000;

function investmentTransactionBody(t: InvestmentTransaction) {
  return {
    investment_transaction_id: t.investment_transaction_id,
    account_id: t.account_id,
    security_id: t.security_id,
    date: t.date,
    transaction_datetime: null,
    name: t.name,
    quantity: unitsOf(t.quantityMilli),
    amount: centsToNumber(t.amountCents),
    price: centsToNumber(t.priceCents),
    fees: centsToNumber(t.feesCents),
    type: t.type,
    subtype: t.subtype,
    iso_currency_code: t.currency,
    unofficial_currency_code: null,
    cancel_transaction_id: null,
  };
}

export function pendingIdFor(postedId: string): string {
  return createHash('sha256')
    .update(`pending:${postedId}`)
    .digest('base64url')
    .replace(/[-_]/g, 'x')
    .slice(0, 37);
}

export class PlaidSimulator {
  readonly faults: Faults;
  readonly server: SimServer;
  private readonly items = new Map<string, Item>();
  private readonly byAccessToken = new Map<string, Item>();
  private readonly publicTokens = new Map<
    string,
    { institution_id: string; webhook: string | null; products: Product[]; expiresAt: number }
  >();
  private readonly seed: number;
  private readonly clientId: string;
  private readonly secret: string;
  private readonly months: number;
  private readonly volume: number;
  private readonly anomalyRate: number | undefined;
  private readonly webhookKey: { kid: string; privateKey: KeyObject; jwk: Record<string, unknown> };
  private itemCounter = 0;
  readonly securities: SecuritiesMarket;
  /** which item each exchanged public token became (for a test that linked through the public API) */
  private readonly exchangedTokens = new Map<string, string>();
  today: string;
  readonly webhookDeliveries: { url: string; status: number | string; body: unknown }[] = [];

  constructor(options: PlaidSimOptions = {}) {
    this.seed = options.seed ?? 1;
    this.clientId = options.clientId ?? 'finexia-client';
    this.secret = options.secret ?? 'finexia-sandbox-secret';
    this.today = options.today ?? new Date().toISOString().slice(0, 10);
    this.months = options.months ?? 24;
    this.volume = options.volume ?? 1;
    this.anomalyRate = options.anomalyRate;
    this.faults = new Faults(this.seed, options.faults);
    this.securities = options.securities ?? new SecuritiesMarket(this.seed, this.today);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = randomUUID();
    this.webhookKey = {
      kid,
      privateKey,
      jwk: {
        ...publicKey.export({ format: 'jwk' }),
        kid,
        alg: 'ES256',
        use: 'sig',
        created_at: Math.floor(Date.now() / 1000),
        expired_at: null,
      },
    };
    this.server = new SimServer({
      name: 'plaid',
      routes: this.routes(),
      faults: this.faults,
      errors: {
        rateLimited: () =>
          plaidError(
            429,
            'RATE_LIMIT_EXCEEDED',
            'RATE_LIMIT',
            'rate limit exceeded for this client',
            'Too many requests. Try again later.',
          ),
        serverError: () =>
          plaidError(
            500,
            'API_ERROR',
            'INTERNAL_SERVER_ERROR',
            'an unexpected error occurred',
            'Something went wrong at the bank connection provider.',
          ),
        notFound: (req) => plaidError(404, 'INVALID_REQUEST', 'NOT_FOUND', `unknown endpoint ${req.path}`),
        badRequest: (message) => plaidError(400, 'INVALID_REQUEST', 'INVALID_BODY', message),
      },
    });
  }

  listen(port = 0, host?: string): Promise<string> {
    return this.server.listen(port, host);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---- the item model -------------------------------------------------------------

  private createItem(
    institution_id: string,
    webhook: string | null,
    products: Product[] = ['transactions'],
  ): Item {
    this.itemCounter += 1;
    const rng = new SeededRandom(seedFrom(this.seed, 'item', this.itemCounter));
    const startDate = addDays(this.today, -Math.round(this.months * 30.44));
    const item: Item = {
      item_id: rng.hex(37),
      access_token: `access-sandbox-${rng.uuid()}`,
      institution_id,
      webhook,
      ledger: new BankLedger({
        seed: rng.fork('ledger').seed,
        startDate,
        volume: this.volume,
        loan: INSTITUTIONS_WITH_LOANS.has(institution_id),
        ...(this.anomalyRate === undefined ? {} : { anomalyRate: this.anomalyRate }),
      }),
      current: new Map(),
      log: [],
      anomalies: [],
      paginationCursors: new Set(),
      overdue: new Set(),
      loginRequired: false,
      removed: false,
      rng,
      products,
      banking: products.some((p) => p !== 'investments'),
      investments: products.includes('investments')
        ? new InvestmentBook(this.securities, brokerageAccounts(rng.fork('brokerage')), rng.fork('book'))
        : null,
    };
    for (let date = startDate; date <= this.today; date = addDays(date, 1)) {
      if (item.banking) this.releaseDay(item, date);
      // a session's trades are known once it is over: up to yesterday
      if (date < this.today) item.investments?.releaseDay(date);
    }
    this.items.set(item.item_id, item);
    this.byAccessToken.set(item.access_token, item);
    return item;
  }

  private record(item: Item, kind: Change['kind'], t: PublicTransaction): void {
    if (kind === 'removed') item.current.delete(t.transaction_id);
    else item.current.set(t.transaction_id, t);
    item.log.push({
      seq: item.log.length + 1,
      kind,
      transaction_id: t.transaction_id,
      account_id: t.account_id,
    });
  }

  /** A day's activity appears: pending if it is recent, posted otherwise. */
  private releaseDay(item: Item, date: string): void {
    const activity = item.ledger.day(date);
    const pending = daysBetween(date, this.today) < PENDING_DAYS;
    for (const t of activity.transactions) this.record(item, 'added', toPublic(t, pending, null));
    item.anomalies.push(...activity.anomalies);
  }

  /** Pending transactions of `date` post: the pending one is removed, the posted one added. */
  private postDay(item: Item, date: string): void {
    for (const t of item.ledger.day(date).transactions) {
      const pendingId = pendingIdFor(t.transaction_id);
      const pendingTxn = item.current.get(pendingId);
      if (!pendingTxn) continue;
      this.record(item, 'removed', pendingTxn);
      this.record(item, 'added', toPublic(t, false, pendingId));
    }
  }

  /** Moves the simulated clock forward; new activity appears and webhooks fire. */
  async advance(days: number): Promise<void> {
    const newTrades = new Map<Item, number>();
    for (let i = 0; i < days; i += 1) {
      const ended = this.today;
      this.today = addDays(this.today, 1);
      for (const item of this.items.values()) {
        if (item.removed) continue;
        if (item.investments)
          newTrades.set(item, (newTrades.get(item) ?? 0) + item.investments.releaseDay(ended).length);
        if (!item.banking) continue;
        this.postDay(item, addDays(this.today, -PENDING_DAYS));
        this.releaseDay(item, this.today);
        // Now and then the bank cleans up a merchant name: a "modified" change.
        const posted = [...item.current.values()].filter((t) => !t.pending);
        if (posted.length && item.rng.chance(0.3)) this.modify(item, item.rng.pick(posted));
      }
    }
    const live = [...this.items.values()].filter((i) => !i.removed && i.webhook);
    await Promise.all([
      ...live.filter((i) => i.banking).map((i) => this.fireWebhook(i, 'SYNC_UPDATES_AVAILABLE')),
      // every night a brokerage's holdings are priced again; new trades, when there were some
      ...live
        .filter((i) => i.investments)
        .map((i) =>
          this.fireWebhook(i, 'DEFAULT_UPDATE', 'HOLDINGS', {
            new_holdings: 0,
            updated_holdings: i.investments?.holdings().length ?? 0,
          }),
        ),
      ...live
        .filter((i) => newTrades.get(i))
        .map((i) =>
          this.fireWebhook(i, 'DEFAULT_UPDATE', 'INVESTMENTS_TRANSACTIONS', {
            new_investments_transactions: newTrades.get(i),
            canceled_investments_transactions: 0,
          }),
        ),
    ]);
  }

  private modify(item: Item, t: PublicTransaction): void {
    const name = t.name.endsWith(' *') ? t.name.slice(0, -2) : `${t.name} *`;
    this.record(item, 'modified', { ...t, name });
  }

  /**
   * A charge (or, with a negative amount, money in) on one of the item's accounts, posted on
   * `date` (default: the last day already posted), recorded as an anomaly of `kind` in the
   * truth when one is given. For tests of what a client does with a particular transaction.
   */
  addTransaction(
    itemId: string,
    t: {
      name: string;
      merchant: string | null;
      amountCents: number;
      category: string;
      date?: string;
      /** the minute it was made (ISO 8601), as a card payment carries it */
      at?: string;
      account?: 'checking' | 'credit';
    },
    anomaly?: Anomaly['kind'],
  ): string {
    const item = this.items.get(itemId);
    if (!item) throw new Error(`no such item: ${itemId}`);
    const account = item.ledger.accounts.find((a) => a.kind === (t.account ?? 'credit')) as LedgerAccount;
    const date = t.date ?? addDays(this.today, -PENDING_DAYS - 1);
    const id = item.rng.hex(37);
    this.record(
      item,
      'added',
      toPublic(
        {
          transaction_id: id,
          account_id: account.account_id,
          amountCents: t.amountCents,
          currency: account.currency,
          date,
          authorized_date: date,
          authorized_datetime: t.at ?? null,
          name: t.name,
          merchant_name: t.merchant,
          payment_channel: 'online',
          category: { primary: t.category, detailed: `${t.category}_OTHER` },
          pending_transaction_id: null,
        },
        false,
        null,
      ),
    );
    if (anomaly)
      item.anomalies.push({ kind: anomaly, transaction_ids: [id], date, description: 'added by a test' });
    return id;
  }

  /** Ground truth for evaluation: what a correct client must hold after syncing. */
  truth(itemId: string): { transactions: PublicTransaction[]; anomalies: Anomaly[] } | undefined {
    const item = this.items.get(itemId);
    if (!item) return undefined;
    return { transactions: [...item.current.values()], anomalies: item.anomalies };
  }

  /**
   * Each account's balance at the end of each day, computed forward from its opening balance
   * through the posted transactions in its currency — the bank's own account of its past,
   * independent of a client that walks balances back (credit: what is owed).
   */
  dailyBalances(
    itemId: string,
    from: string,
    to: string,
  ): Record<string, Record<string, number>> | undefined {
    const item = this.items.get(itemId);
    if (!item) return undefined;
    const out: Record<string, Record<string, number>> = {};
    for (const a of bankAccountsOf(item)) {
      const byDay = new Map<string, number>();
      for (const t of item.current.values())
        if (t.account_id === a.account_id && t.iso_currency_code === a.currency && !t.pending)
          byDay.set(t.date, (byDay.get(t.date) ?? 0) + Math.round(t.amount * 100));
      let spent = [...byDay].filter(([day]) => day < from).reduce((sum, [, cents]) => sum + cents, 0);
      const days: Record<string, number> = {};
      for (let day = from; day <= to; day = addDays(day, 1)) {
        spent += byDay.get(day) ?? 0;
        days[day] = centsToNumber(owes(a) ? a.openingCents + spent : a.openingCents - spent);
      }
      out[a.account_id] = days;
    }
    return out;
  }

  /** A card's or a loan's payment past due (or paid again); undefined when the item has no such debt. */
  setOverdue(itemId: string, accountId: string, overdue: boolean): boolean | undefined {
    const item = this.items.get(itemId);
    const account = item?.ledger.accounts.find((a) => a.account_id === accountId);
    if (!item || !account || (account.kind !== 'credit' && account.kind !== 'loan')) return undefined;
    if (overdue) item.overdue.add(accountId);
    else item.overdue.delete(accountId);
    return overdue;
  }

  itemIdFor(accessToken: string): string | undefined {
    return this.byAccessToken.get(accessToken)?.item_id;
  }

  // ---- webhooks ---------------------------------------------------------------------

  async fireWebhook(
    item: Item,
    code: string,
    type: 'TRANSACTIONS' | 'HOLDINGS' | 'INVESTMENTS_TRANSACTIONS' = 'TRANSACTIONS',
    fields: Record<string, unknown> = {},
  ): Promise<void> {
    if (!item.webhook) return;
    const body = JSON.stringify({
      webhook_type: type,
      webhook_code: code,
      item_id: item.item_id,
      ...(type === 'TRANSACTIONS'
        ? { initial_update_complete: true, historical_update_complete: true }
        : { error: null }),
      ...fields,
      environment: 'sandbox',
    });
    const verification = jwt.sign(
      { request_body_sha256: createHash('sha256').update(body).digest('hex') },
      this.webhookKey.privateKey,
      {
        algorithm: 'ES256',
        keyid: this.webhookKey.kid,
      },
    );
    try {
      const res = await fetch(item.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'plaid-verification': verification },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      this.webhookDeliveries.push({ url: item.webhook, status: res.status, body: JSON.parse(body) });
    } catch (err) {
      this.webhookDeliveries.push({
        url: item.webhook,
        status: (err as Error).message,
        body: JSON.parse(body),
      });
    }
  }

  // ---- the HTTP API -----------------------------------------------------------------

  private authenticate(req: SimRequest): SimResponse | undefined {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const clientId =
      (body.client_id as string | undefined) ?? (req.headers['plaid-client-id'] as string | undefined);
    const secret = (body.secret as string | undefined) ?? (req.headers['plaid-secret'] as string | undefined);
    if (!clientId || !secret)
      return plaidError(
        400,
        'INVALID_REQUEST',
        'MISSING_FIELDS',
        'the following required fields are missing: client_id, secret',
      );
    if (clientId !== this.clientId || secret !== this.secret)
      return plaidError(400, 'INVALID_API_KEYS', 'INVALID_API_KEYS', 'invalid client_id or secret provided');
    return undefined;
  }

  private withItem(
    req: SimRequest,
    run: (item: Item, body: Record<string, unknown>) => SimResponse | Promise<SimResponse>,
  ) {
    const denied = this.authenticate(req);
    if (denied) return denied;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.access_token !== 'string')
      return plaidError(
        400,
        'INVALID_REQUEST',
        'MISSING_FIELDS',
        'the following required fields are missing: access_token',
      );
    const item = this.byAccessToken.get(body.access_token);
    if (!item || item.removed)
      return plaidError(
        400,
        'INVALID_INPUT',
        'INVALID_ACCESS_TOKEN',
        'provided access token is in an invalid format or no longer valid',
      );
    if (item.loginRequired)
      return plaidError(
        400,
        'ITEM_ERROR',
        'ITEM_LOGIN_REQUIRED',
        'the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information.',
        'Your bank needs you to sign in again.',
      );
    return run(item, body);
  }

  /**
   * Plaid Liabilities for an item: its card (APR, last statement, minimum, due date) and its
   * student loan when it has one (rate, minimum, payments); no mortgages at these banks. The
   * figures are the ledger's own, so a client's view can be checked against them.
   */
  private liabilitiesOf(item: Item) {
    const today = this.today;
    const card = bankAccountsOf(item).find((a) => a.kind === 'credit');
    const loan = bankAccountsOf(item).find((a) => a.kind === 'loan');
    const c = item.ledger.cardTerms(today);
    const l = item.ledger.loanTerms(today);
    return {
      credit: card
        ? [
            {
              account_id: card.account_id,
              aprs: [
                {
                  apr_percentage: c.aprPercent,
                  apr_type: 'purchase_apr',
                  balance_subject_to_apr: null,
                  interest_charge_amount: null,
                },
              ],
              is_overdue: item.overdue.has(card.account_id),
              last_payment_amount: c.lastPayment ? centsToNumber(c.lastPayment.cents) : null,
              last_payment_date: c.lastPayment?.date ?? null,
              last_statement_issue_date: c.statementIssued,
              last_statement_balance: centsToNumber(c.statementCents),
              minimum_payment_amount: centsToNumber(c.minimumCents),
              next_payment_due_date: c.nextDue,
            },
          ]
        : null,
      mortgage: null,
      student:
        loan && l
          ? [
              {
                account_id: loan.account_id,
                account_number: `${loan.mask}`,
                disbursement_dates: [item.ledger.options.startDate],
                expected_payoff_date: addDays(item.ledger.options.startDate, 3652),
                guarantor: 'DEPT OF ED',
                interest_rate_percentage: l.aprPercent,
                is_overdue: item.overdue.has(loan.account_id),
                last_payment_amount: l.lastPayment ? centsToNumber(l.lastPayment.cents) : null,
                last_payment_date: l.lastPayment?.date ?? null,
                last_statement_balance: null,
                last_statement_issue_date: null,
                loan_name: loan.official_name,
                loan_status: { end_date: addDays(item.ledger.options.startDate, 3652), type: 'repayment' },
                minimum_payment_amount: centsToNumber(l.minimumCents),
                next_payment_due_date: l.nextDue,
                origination_date: item.ledger.options.startDate,
                origination_principal_amount: centsToNumber(l.originalCents),
                outstanding_interest_amount: 0,
                payment_reference_number: `${loan.mask}-PLAID`,
                pslf_status: {
                  estimated_eligibility_date: null,
                  payments_made: null,
                  payments_remaining: null,
                },
                repayment_plan: { description: 'Standard Repayment', type: 'standard' },
                sequence_number: '1',
                servicer_address: {
                  city: 'San Matias',
                  country: 'US',
                  postal_code: '99415',
                  region: 'CA',
                  street: '123 Relaxation Road',
                },
                ytd_interest_paid: 0,
                ytd_principal_paid: null,
              },
            ]
          : null,
    };
  }

  private accountsOf(item: Item) {
    return [...this.bankAccountBodies(item), ...this.brokerageAccountBodies(item)];
  }

  private bankAccountBodies(item: Item) {
    return bankAccountsOf(item).map((a) => {
      let spent = 0;
      let pending = 0;
      for (const t of item.current.values()) {
        if (t.account_id !== a.account_id || t.iso_currency_code !== a.currency) continue;
        const cents = Math.round(t.amount * 100);
        if (t.pending) pending += cents;
        else spent += cents;
      }
      // depository: balance falls as money leaves; credit: balance owed rises with spend
      const current = owes(a) ? a.openingCents + spent : a.openingCents - spent;
      const available =
        a.type === 'credit'
          ? (a.limitCents ?? 0) - current - pending
          : a.type === 'loan'
            ? null
            : current - pending;
      return {
        account_id: a.account_id,
        balances: {
          available: available === null ? null : centsToNumber(available),
          current: centsToNumber(current),
          limit: a.limitCents === null ? null : centsToNumber(a.limitCents),
          iso_currency_code: a.currency,
          unofficial_currency_code: null,
        },
        mask: a.mask,
        name: a.name,
        official_name: a.official_name,
        type: a.type,
        subtype: a.subtype,
      };
    });
  }

  /** The session whose closes price the holdings: the last one that ended before today. */
  private pricedOn(): string {
    return previousTradingDay(this.today);
  }

  private holdingBody(h: BookHolding) {
    const day = this.pricedOn();
    const price = this.securities.closeCents(h.security, day);
    return {
      account_id: h.account_id,
      security_id: h.security.security_id,
      institution_price: centsToNumber(price),
      institution_price_as_of: day,
      institution_price_datetime: null,
      institution_value: centsToNumber(valueCents(h.quantityMilli, price)),
      cost_basis: centsToNumber(h.costBasisCents),
      quantity: unitsOf(h.quantityMilli),
      iso_currency_code: h.security.currency,
      unofficial_currency_code: null,
      vested_quantity: null,
      vested_value: null,
    };
  }

  private brokerageAccountBodies(item: Item) {
    const book = item.investments;
    if (!book) return [];
    const day = this.pricedOn();
    return book.accounts.map((a) => {
      const held = book.holdings().filter((h) => h.account_id === a.account_id);
      const value = held.reduce(
        (sum, h) => sum + valueCents(h.quantityMilli, this.securities.closeCents(h.security, day)),
        0,
      );
      const cash = held
        .filter((h) => h.security.type === 'cash')
        .reduce((sum, h) => sum + valueCents(h.quantityMilli, 100), 0);
      return {
        account_id: a.account_id,
        balances: {
          available: centsToNumber(cash),
          current: centsToNumber(value),
          limit: null,
          iso_currency_code: a.currency,
          unofficial_currency_code: null,
        },
        mask: a.mask,
        name: a.name,
        official_name: a.official_name,
        type: 'investment',
        subtype: a.subtype,
      };
    });
  }

  private securitiesOf(ids: Iterable<string>) {
    const day = this.pricedOn();
    const wanted = new Set(ids);
    return this.securities.securities
      .filter((s) => wanted.has(s.security_id))
      .map((s) => securityBody(s, this.securities.closeCents(s, day), day));
  }

  /** The account ids an Investments request is narrowed to (options.account_ids), or an error. */
  private accountFilter(item: Item, body: Record<string, unknown>): Set<string> | SimResponse {
    const book = item.investments as InvestmentBook;
    const all = book.accounts.map((a) => a.account_id);
    const options = (body.options ?? {}) as { account_ids?: unknown };
    if (options.account_ids === undefined) return new Set(all);
    if (
      !Array.isArray(options.account_ids) ||
      options.account_ids.some((id) => typeof id !== 'string' || !all.includes(id))
    )
      return plaidError(
        400,
        'INVALID_INPUT',
        'INVALID_ACCOUNT_ID',
        'one or more of the account IDs is invalid',
      );
    return new Set(options.account_ids as string[]);
  }

  private holdings(item: Item, body: Record<string, unknown>): SimResponse {
    const accounts = this.accountFilter(item, body);
    if (!(accounts instanceof Set)) return accounts;
    const held = (item.investments as InvestmentBook).holdings().filter((h) => accounts.has(h.account_id));
    return {
      body: {
        accounts: this.brokerageAccountBodies(item).filter((a) => accounts.has(a.account_id)),
        holdings: held.map((h) => this.holdingBody(h)),
        securities: this.securitiesOf(held.map((h) => h.security.security_id)),
        item: this.itemBody(item),
        is_investments_fallback_item: false,
        request_id: randomUUID().slice(0, 15),
      },
    };
  }

  private investmentTransactions(item: Item, body: Record<string, unknown>): SimResponse {
    const { start_date: start, end_date: end } = body;
    if (typeof start !== 'string' || typeof end !== 'string')
      return plaidError(
        400,
        'INVALID_REQUEST',
        'MISSING_FIELDS',
        'the following required fields are missing: start_date, end_date',
      );
    if (!isRealDate(start) || !isRealDate(end) || start > end)
      return plaidError(
        400,
        'INVALID_REQUEST',
        'INVALID_FIELD',
        'start_date and end_date must be dates (YYYY-MM-DD), start_date not after end_date',
      );
    const options = (body.options ?? {}) as { count?: unknown; offset?: unknown };
    const count = options.count ?? 100;
    const offset = options.offset ?? 0;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 500)
      return plaidError(
        400,
        'INVALID_REQUEST',
        'INVALID_FIELD',
        'options.count must be an integer between 1 and 500',
      );
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
      return plaidError(
        400,
        'INVALID_REQUEST',
        'INVALID_FIELD',
        'options.offset must be a non-negative integer',
      );
    const accounts = this.accountFilter(item, body);
    if (!(accounts instanceof Set)) return accounts;
    // newest first, as Plaid lists them; ties keep the order they were made in
    const matching = (item.investments as InvestmentBook).transactions
      .map((t, i) => ({ t, i }))
      .filter(({ t }) => accounts.has(t.account_id) && t.date >= start && t.date <= end)
      .sort((a, b) => (a.t.date === b.t.date ? b.i - a.i : a.t.date < b.t.date ? 1 : -1))
      .map(({ t }) => t);
    const page = matching.slice(offset, offset + count);
    return {
      body: {
        accounts: this.brokerageAccountBodies(item).filter((a) => accounts.has(a.account_id)),
        investment_transactions: page.map(investmentTransactionBody),
        securities: this.securitiesOf(page.flatMap((t) => (t.security_id ? [t.security_id] : []))),
        total_investment_transactions: matching.length,
        item: this.itemBody(item),
        is_investments_fallback_item: false,
        request_id: randomUUID().slice(0, 15),
      },
    };
  }

  /** An item asked for a product it was not linked for. */
  private withProduct(
    req: SimRequest,
    product: 'investments' | 'banking',
    run: (item: Item, body: Record<string, unknown>) => SimResponse | Promise<SimResponse>,
  ) {
    return this.withItem(req, (item, body) =>
      (product === 'investments' ? item.investments : item.banking)
        ? run(item, body)
        : plaidError(
            400,
            'ITEM_ERROR',
            'PRODUCTS_NOT_SUPPORTED',
            `this item was not linked for ${product === 'investments' ? 'investments' : 'transactions'}`,
          ),
    );
  }

  /** What an item's brokerage holds and did, for a test's truth. */
  investmentsTruth(itemId: string) {
    const item = this.items.get(itemId);
    if (!item?.investments) return undefined;
    const held = item.investments.holdings();
    return {
      pricedOn: this.pricedOn(),
      accounts: this.brokerageAccountBodies(item),
      holdings: held.map((h) => this.holdingBody(h)),
      securities: this.securitiesOf(held.map((h) => h.security.security_id)),
      transactions: item.investments.transactions.map(investmentTransactionBody),
    };
  }

  private itemBody(item: Item) {
    return {
      item_id: item.item_id,
      institution_id: item.institution_id,
      webhook: item.webhook ?? '',
      error: null,
      available_products: ['balance'],
      billed_products: item.products,
      products: item.products,
      consent_expiration_time: null,
      update_type: 'background',
    };
  }

  private encodeCursor(item: Item, seq: number): string {
    return Buffer.from(JSON.stringify({ i: item.item_id.slice(0, 8), s: seq })).toString('base64url');
  }

  private decodeCursor(item: Item, cursor: unknown): number | undefined {
    if (cursor === undefined || cursor === null || cursor === '') return 0;
    if (typeof cursor !== 'string') return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { i?: unknown; s?: unknown };
      if (
        parsed.i !== item.item_id.slice(0, 8) ||
        typeof parsed.s !== 'number' ||
        parsed.s < 0 ||
        parsed.s > item.log.length
      )
        return undefined;
      return parsed.s;
    } catch {
      return undefined;
    }
  }

  private sync(item: Item, body: Record<string, unknown>): SimResponse {
    const count = body.count === undefined ? 100 : body.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 500)
      return plaidError(
        400,
        'INVALID_REQUEST',
        'INVALID_FIELD',
        'count must be an integer between 1 and 500',
      );
    const from = this.decodeCursor(item, body.cursor);
    if (from === undefined)
      return plaidError(400, 'INVALID_INPUT', 'INVALID_CURSOR', 'the cursor is invalid for this item');
    if (
      typeof body.cursor === 'string' &&
      item.paginationCursors.has(body.cursor) &&
      this.faults.mutateNow()
    ) {
      // The data changed under a client that is part-way through paging.
      const posted = [...item.current.values()].filter((t) => !t.pending);
      if (posted.length) this.modify(item, item.rng.pick(posted));
      return plaidError(
        400,
        'TRANSACTIONS_ERROR',
        'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION',
        'Underlying transaction data changed since last page was fetched. Please restart pagination from last update.',
      );
    }
    const slice = item.log.slice(from, from + count);
    // Within one page a transaction appears once, in its latest form.
    const net = new Map<string, Change['kind']>();
    for (const change of slice) {
      const before = net.get(change.transaction_id);
      if (change.kind === 'removed') net.set(change.transaction_id, 'removed');
      else if (before === 'added' || (before === undefined && change.kind === 'added'))
        net.set(change.transaction_id, 'added');
      else net.set(change.transaction_id, change.kind === 'added' ? 'added' : 'modified');
    }
    const added: PublicTransaction[] = [];
    const modified: PublicTransaction[] = [];
    const removed: { transaction_id: string; account_id: string }[] = [];
    for (const [id, kind] of net) {
      const current = item.current.get(id);
      if (kind === 'removed' || !current) {
        const change = slice.find((c) => c.transaction_id === id) as Change;
        removed.push({ transaction_id: id, account_id: change.account_id });
      } else (kind === 'added' ? added : modified).push(current);
    }
    const nextSeq = from + slice.length;
    const hasMore = nextSeq < item.log.length;
    const next_cursor = this.encodeCursor(item, nextSeq);
    if (hasMore) item.paginationCursors.add(next_cursor);
    return {
      body: {
        added,
        modified,
        removed,
        next_cursor,
        has_more: hasMore,
        accounts: this.accountsOf(item),
        transactions_update_status: 'HISTORICAL_UPDATE_COMPLETE',
        request_id: randomUUID().slice(0, 15),
      },
    };
  }

  private routes(): Route[] {
    const requestId = () => randomUUID().slice(0, 15);
    return [
      {
        method: 'POST',
        path: '/link/token/create',
        handler: (req) => {
          const denied = this.authenticate(req);
          if (denied) return denied;
          const body = (req.body ?? {}) as Record<string, unknown>;
          const user = body.user as { client_user_id?: unknown } | undefined;
          if (typeof body.client_name !== 'string' || typeof user?.client_user_id !== 'string')
            return plaidError(
              400,
              'INVALID_REQUEST',
              'MISSING_FIELDS',
              'the following required fields are missing: client_name, user.client_user_id',
            );
          if (body.products !== undefined && !productsOf(body.products))
            return plaidError(
              400,
              'INVALID_REQUEST',
              'INVALID_FIELD',
              `products must be a non-empty list of: ${PRODUCTS.join(', ')}`,
            );
          return {
            body: {
              link_token: `link-sandbox-${randomUUID()}`,
              expiration: new Date(Date.now() + 4 * 3_600_000).toISOString(),
              request_id: requestId(),
            },
          };
        },
      },
      {
        method: 'POST',
        path: '/sandbox/public_token/create',
        handler: (req) => {
          const denied = this.authenticate(req);
          if (denied) return denied;
          const body = (req.body ?? {}) as Record<string, unknown>;
          const institution = PLAID_INSTITUTIONS.find((i) => i.institution_id === body.institution_id);
          if (!institution)
            return plaidError(400, 'INVALID_INPUT', 'INVALID_INSTITUTION', 'invalid institution_id provided');
          const options = (body.options ?? {}) as {
            webhook?: unknown;
            override_username?: unknown;
            override_password?: unknown;
          };
          if (
            options.override_username !== undefined &&
            (options.override_username !== 'user_good' || options.override_password !== 'pass_good')
          )
            return plaidError(
              400,
              'ITEM_ERROR',
              'INVALID_CREDENTIALS',
              'the provided credentials were not correct',
              'The username or password you entered is incorrect.',
            );
          const products = productsOf(body.initial_products);
          if (!products)
            return plaidError(
              400,
              'INVALID_REQUEST',
              'INVALID_FIELD',
              `initial_products must be a non-empty list of: ${PRODUCTS.join(', ')}`,
            );
          const public_token = `public-sandbox-${randomUUID()}`;
          this.publicTokens.set(public_token, {
            products,
            institution_id: institution.institution_id,
            webhook: typeof options.webhook === 'string' ? options.webhook : null,
            expiresAt: Date.now() + 30 * 60_000,
          });
          return { body: { public_token, request_id: requestId() } };
        },
      },
      {
        method: 'POST',
        path: '/item/public_token/exchange',
        handler: (req) => {
          const denied = this.authenticate(req);
          if (denied) return denied;
          const token = ((req.body ?? {}) as Record<string, unknown>).public_token;
          const pending = typeof token === 'string' ? this.publicTokens.get(token) : undefined;
          if (!pending || pending.expiresAt < Date.now())
            return plaidError(
              400,
              'INVALID_INPUT',
              'INVALID_PUBLIC_TOKEN',
              'provided public token is expired or invalid',
            );
          this.publicTokens.delete(token as string); // single use
          const item = this.createItem(pending.institution_id, pending.webhook, pending.products);
          this.exchangedTokens.set(token as string, item.item_id);
          return {
            body: { access_token: item.access_token, item_id: item.item_id, request_id: requestId() },
          };
        },
      },
      {
        method: 'POST',
        path: '/accounts/get',
        handler: (req) =>
          this.withItem(req, (item) => ({
            body: { accounts: this.accountsOf(item), item: this.itemBody(item), request_id: requestId() },
          })),
      },
      {
        method: 'POST',
        path: '/accounts/balance/get',
        handler: (req) =>
          this.withItem(req, (item) => ({
            body: { accounts: this.accountsOf(item), item: this.itemBody(item), request_id: requestId() },
          })),
      },
      {
        method: 'POST',
        path: '/liabilities/get',
        handler: (req) =>
          this.withItem(req, (item) => ({
            body: {
              accounts: this.accountsOf(item),
              liabilities: this.liabilitiesOf(item),
              item: this.itemBody(item),
              request_id: requestId(),
            },
          })),
      },
      {
        method: 'POST',
        path: '/item/get',
        handler: (req) =>
          this.withItem(req, (item) => ({
            body: { item: this.itemBody(item), status: null, request_id: requestId() },
          })),
      },
      {
        method: 'POST',
        path: '/transactions/sync',
        handler: (req) => this.withProduct(req, 'banking', (item, body) => this.sync(item, body)),
      },
      {
        method: 'POST',
        path: '/investments/holdings/get',
        handler: (req) => this.withProduct(req, 'investments', (item, body) => this.holdings(item, body)),
      },
      {
        method: 'POST',
        path: '/investments/transactions/get',
        handler: (req) =>
          this.withProduct(req, 'investments', (item, body) => this.investmentTransactions(item, body)),
      },
      {
        method: 'POST',
        path: '/item/remove',
        handler: (req) =>
          this.withItem(req, (item) => {
            item.removed = true;
            return { body: { request_id: requestId() } };
          }),
      },
      {
        method: 'POST',
        path: '/item/webhook/update',
        handler: (req) =>
          this.withItem(req, (item, body) => {
            item.webhook = typeof body.webhook === 'string' ? body.webhook : null;
            return { body: { item: this.itemBody(item), request_id: requestId() } };
          }),
      },
      {
        method: 'POST',
        path: '/sandbox/item/fire_webhook',
        handler: (req) =>
          this.withItem(req, async (item, body) => {
            await this.fireWebhook(
              item,
              typeof body.webhook_code === 'string' ? body.webhook_code : 'SYNC_UPDATES_AVAILABLE',
            );
            return { body: { webhook_fired: true, request_id: requestId() } };
          }),
      },
      {
        method: 'POST',
        path: '/sandbox/item/reset_login',
        handler: (req) =>
          this.withItem(req, (item) => {
            item.loginRequired = true;
            return { body: { reset_login: true, request_id: requestId() } };
          }),
      },
      {
        method: 'POST',
        path: '/institutions/get_by_id',
        handler: (req) => {
          const denied = this.authenticate(req);
          if (denied) return denied;
          const id = ((req.body ?? {}) as Record<string, unknown>).institution_id;
          const inst = PLAID_INSTITUTIONS.find((i) => i.institution_id === id);
          if (!inst)
            return plaidError(400, 'INVALID_INPUT', 'INVALID_INSTITUTION', 'invalid institution_id provided');
          return {
            body: {
              institution: {
                ...inst,
                products: ['transactions', 'balance', 'liabilities', 'investments'],
                country_codes: ['US'],
                routing_numbers: [],
                oauth: false,
              },
              request_id: requestId(),
            },
          };
        },
      },
      {
        method: 'POST',
        path: '/institutions/get',
        handler: (req) => {
          const denied = this.authenticate(req);
          if (denied) return denied;
          return {
            body: {
              institutions: PLAID_INSTITUTIONS.map((i) => ({
                ...i,
                products: ['transactions', 'balance', 'liabilities', 'investments'],
                country_codes: ['US'],
                routing_numbers: [],
                oauth: false,
              })),
              total: PLAID_INSTITUTIONS.length,
              request_id: requestId(),
            },
          };
        },
      },
      {
        method: 'POST',
        path: '/webhook_verification_key/get',
        handler: (req) => {
          const denied = this.authenticate(req);
          if (denied) return denied;
          const keyId = ((req.body ?? {}) as Record<string, unknown>).key_id;
          if (keyId !== this.webhookKey.kid)
            return plaidError(
              400,
              'INVALID_INPUT',
              'INVALID_WEBHOOK_VERIFICATION_KEY_ID',
              'invalid key_id provided',
            );
          return { body: { key: this.webhookKey.jwk, request_id: requestId() } };
        },
      },
      // ---- simulator administration (not part of Plaid's API) ----
      {
        // a card's or a loan's payment is past due (or paid again): Liabilities says is_overdue
        method: 'POST',
        path: '/__sim/items/:itemId/overdue',
        admin: true,
        handler: (req) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          const overdue = this.setOverdue(
            req.params.itemId ?? '',
            String(body.account_id),
            body.overdue !== false,
          );
          return overdue === undefined
            ? { status: 404, body: { error: 'no such debt account' } }
            : { body: { account_id: body.account_id, overdue } };
        },
      },
      {
        method: 'GET',
        path: '/__sim/items/:itemId/daily-balances',
        admin: true,
        handler: (req) => {
          const balances = this.dailyBalances(
            req.params.itemId ?? '',
            req.query.get('from') ?? '',
            req.query.get('to') ?? '',
          );
          const item = this.items.get(req.params.itemId ?? '');
          return balances && item
            ? {
                body: {
                  balances,
                  accounts: item.ledger.accounts.map((a) => ({ account_id: a.account_id, type: a.type })),
                },
              }
            : { status: 404, body: { error: 'no such item' } };
        },
      },
      {
        method: 'GET',
        path: '/__sim/public-tokens/:token/item',
        admin: true,
        handler: (req) => {
          const itemId = this.exchangedTokens.get(req.params.token ?? '');
          return itemId ? { body: { item_id: itemId } } : { status: 404, body: { error: 'not exchanged' } };
        },
      },
      {
        method: 'GET',
        path: '/__sim/items/:itemId/investments',
        admin: true,
        handler: (req) => {
          const truth = this.investmentsTruth(req.params.itemId ?? '');
          return truth ? { body: truth } : { status: 404, body: { error: 'no such investments item' } };
        },
      },
      {
        method: 'GET',
        path: '/__sim/items/:itemId/truth',
        admin: true,
        handler: (req) => {
          const truth = this.truth(req.params.itemId ?? '');
          const item = this.items.get(req.params.itemId ?? '');
          // the accounts with their balances as the bank reports them now
          return truth && item
            ? { body: { ...truth, accounts: this.accountsOf(item) } }
            : { status: 404, body: { error: 'no such item' } };
        },
      },
      {
        method: 'POST',
        path: '/__sim/advance',
        admin: true,
        handler: async (req) => {
          const days = ((req.body ?? {}) as { days?: unknown }).days;
          if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 366)
            return { status: 400, body: { error: 'days must be 1..366' } };
          await this.advance(days);
          return { body: { today: this.today } };
        },
      },
    ];
  }
}
