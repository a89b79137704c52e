// Bank data through Plaid's official SDK. Pointing at real Plaid is configuration:
// basePath, client id and secret.
import { createHash } from 'node:crypto';
import { isAxiosError } from 'axios';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import {
  Configuration,
  CountryCode,
  PlaidApi,
  Products,
  type AccountBase,
  type Holding,
  type InvestmentAccount,
  type InvestmentTransaction,
  type JWKPublicKey,
  type Security,
  type RemovedTransaction,
  type Transaction,
} from 'plaid';
import { Decimal } from '../domain/money.ts';
import { ProviderError, type ProviderErrorCode } from '../domain/providers.ts';
import { codeForStatus, parseRetryAfter } from './errors.ts';
import { resilientCaller, type ResilienceOptions } from './resilience.ts';
import type {
  BankLiability,
  BankAccount,
  BankProvider,
  BankSyncPage,
  BankTransaction,
  BankWebhook,
  BrokerageHolding,
  BrokerageHoldings,
  BrokerageTransaction,
  BrokerageSecurity,
  LinkProduct,
} from '../domain/providers.ts';

export interface PlaidAdapterOptions {
  basePath: string;
  clientId: string;
  secret: string;
  /** where Plaid should send webhooks for new items */
  webhookUrl?: string;
  clientName?: string;
  resilience?: Partial<ResilienceOptions>;
}

const CODE_MAP: Record<string, ProviderErrorCode> = {
  ITEM_LOGIN_REQUIRED: 'ITEM_LOGIN_REQUIRED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  INVALID_API_KEYS: 'INVALID_CREDENTIALS',
  INVALID_ACCESS_TOKEN: 'NOT_FOUND',
  ITEM_NOT_FOUND: 'NOT_FOUND',
  TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION: 'MUTATION_DURING_PAGINATION',
  RATE_LIMIT: 'RATE_LIMITED',
  TRANSACTIONS_SYNC_LIMIT: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'UNAVAILABLE',
  PLANNED_MAINTENANCE: 'UNAVAILABLE',
  INSTITUTION_DOWN: 'UNAVAILABLE',
  INSTITUTION_NOT_RESPONDING: 'UNAVAILABLE',
};

/** Turns whatever the SDK threw into a ProviderError. */
export function plaidErrorFrom(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (isAxiosError(err)) {
    if (!err.response) {
      const timedOut = err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT';
      return new ProviderError(
        'plaid',
        timedOut ? 'TIMEOUT' : 'UNAVAILABLE',
        `plaid request failed: ${err.code ?? err.message}`,
      );
    }
    const data = err.response.data as {
      error_type?: string;
      error_code?: string;
      error_message?: string;
      display_message?: string | null;
    };
    const status = err.response.status;
    const code =
      (data?.error_code && CODE_MAP[data.error_code]) ||
      (data?.error_type === 'RATE_LIMIT_EXCEEDED'
        ? 'RATE_LIMITED'
        : data?.error_type === 'API_ERROR'
          ? 'UNAVAILABLE'
          : codeForStatus(status));
    return new ProviderError(
      'plaid',
      code,
      `plaid ${data?.error_type ?? status}/${data?.error_code ?? ''}: ${data?.error_message ?? ''}`,
      {
        status,
        providerCode: data?.error_code,
        retryAfterMs: parseRetryAfter(err.response.headers?.['retry-after']),
        ...(data?.display_message ? { userMessage: data.display_message } : {}),
      },
    );
  }
  return new ProviderError('plaid', 'UNKNOWN', err instanceof Error ? err.message : String(err));
}

const decimal = (value: number | null | undefined): string | null =>
  value === null || value === undefined ? null : Decimal.fromJsonNumber(value).toString();

function toAccount(a: AccountBase | InvestmentAccount): BankAccount {
  return {
    providerAccountId: a.account_id,
    name: a.name,
    officialName: a.official_name ?? null,
    mask: a.mask ?? null,
    type: String(a.type),
    subtype: a.subtype ? String(a.subtype) : null,
    currency: a.balances.iso_currency_code ?? a.balances.unofficial_currency_code ?? 'USD',
    current: decimal(a.balances.current),
    available: decimal(a.balances.available),
    limit: decimal(a.balances.limit),
  };
}

function toTransaction(t: Transaction): BankTransaction {
  return {
    providerTransactionId: t.transaction_id,
    providerAccountId: t.account_id,
    // Plaid: positive = money leaves the account. Ours: negative = money out.
    amount: Decimal.fromJsonNumber(t.amount).neg().toString(),
    currency: t.iso_currency_code ?? t.unofficial_currency_code ?? 'USD',
    date: t.date,
    authorizedDate: t.authorized_date ?? null,
    authorizedAt: t.authorized_datetime ?? t.datetime ?? null,
    name: t.name,
    merchantName: t.merchant_name ?? null,
    pending: t.pending,
    pendingTransactionId: t.pending_transaction_id ?? null,
    category: t.personal_finance_category
      ? { primary: t.personal_finance_category.primary, detailed: t.personal_finance_category.detailed }
      : null,
  };
}

const PRODUCTS: Record<LinkProduct, Products> = {
  transactions: Products.Transactions,
  investments: Products.Investments,
};

function toHolding(h: Holding): BrokerageHolding {
  return {
    providerAccountId: h.account_id,
    securityId: h.security_id,
    quantity: Decimal.fromJsonNumber(h.quantity).toString(),
    price: Decimal.fromJsonNumber(h.institution_price).toString(),
    priceAsOf: h.institution_price_as_of ?? null,
    value: Decimal.fromJsonNumber(h.institution_value).toString(),
    costBasis: decimal(h.cost_basis),
    currency: h.iso_currency_code ?? h.unofficial_currency_code ?? 'USD',
  };
}

function toInvestmentTransaction(t: InvestmentTransaction): BrokerageTransaction {
  return {
    providerTransactionId: t.investment_transaction_id,
    providerAccountId: t.account_id,
    securityId: t.security_id ?? null,
    date: t.date,
    name: t.name,
    quantity: Decimal.fromJsonNumber(t.quantity).toString(),
    amount: Decimal.fromJsonNumber(t.amount).toString(),
    price: Decimal.fromJsonNumber(t.price).toString(),
    fees: decimal(t.fees),
    type: String(t.type),
    subtype: String(t.subtype),
    currency: t.iso_currency_code ?? t.unofficial_currency_code ?? 'USD',
  };
}

function toSecurity(s: Security): BrokerageSecurity {
  return {
    securityId: s.security_id,
    name: s.name ?? null,
    ticker: s.ticker_symbol ?? null,
    cusip: s.cusip ?? null,
    isin: s.isin ?? null,
    type: s.type ?? null,
    isCashEquivalent: s.is_cash_equivalent ?? false,
    mic: s.market_identifier_code ?? null,
    currency: s.iso_currency_code ?? s.unofficial_currency_code ?? 'USD',
    closePrice: decimal(s.close_price),
    closePriceAsOf: s.close_price_as_of ?? null,
  };
}

const toRemoved = (r: RemovedTransaction) => ({
  providerTransactionId: String(r.transaction_id),
  providerAccountId: String(r.account_id ?? ''),
});

export class PlaidAdapter implements BankProvider {
  readonly name = 'plaid' as const;
  private readonly client: PlaidApi;
  private readonly call;
  private readonly keys = new Map<string, JWKPublicKey>();

  constructor(private readonly options: PlaidAdapterOptions) {
    this.client = new PlaidApi(
      new Configuration({
        basePath: options.basePath,
        baseOptions: {
          headers: {
            'PLAID-CLIENT-ID': options.clientId,
            'PLAID-SECRET': options.secret,
            'Plaid-Version': '2020-09-14',
          },
          timeout: 15_000,
        },
      }),
    );
    this.call = resilientCaller('plaid', options.resilience, plaidErrorFrom);
  }

  async createLinkToken(userId: string, product: LinkProduct = 'transactions') {
    const res = await this.call('linkTokenCreate', (signal) =>
      this.client.linkTokenCreate(
        {
          client_name: this.options.clientName ?? 'Finexia',
          user: { client_user_id: userId },
          products: [PRODUCTS[product]],
          country_codes: [CountryCode.Us],
          language: 'en',
          ...(this.options.webhookUrl ? { webhook: this.options.webhookUrl } : {}),
        },
        { signal },
      ),
    );
    return { linkToken: res.data.link_token, expiration: res.data.expiration };
  }

  async createSandboxPublicToken(
    institutionId: string,
    credentials?: { username: string; password: string },
    product: LinkProduct = 'transactions',
  ) {
    const res = await this.call('sandboxPublicTokenCreate', (signal) =>
      this.client.sandboxPublicTokenCreate(
        {
          institution_id: institutionId,
          initial_products: [PRODUCTS[product]],
          options: {
            ...(this.options.webhookUrl ? { webhook: this.options.webhookUrl } : {}),
            ...(credentials
              ? { override_username: credentials.username, override_password: credentials.password }
              : {}),
          },
        },
        { signal },
      ),
    );
    return res.data.public_token;
  }

  async exchangePublicToken(publicToken: string) {
    const res = await this.call('itemPublicTokenExchange', (signal) =>
      this.client.itemPublicTokenExchange({ public_token: publicToken }, { signal }),
    );
    return { accessToken: res.data.access_token, itemId: res.data.item_id };
  }

  async getAccounts(accessToken: string) {
    const res = await this.call('accountsBalanceGet', (signal) =>
      this.client.accountsBalanceGet({ access_token: accessToken }, { signal }),
    );
    return res.data.accounts.map(toAccount);
  }

  /** A brokerage's accounts, holdings and the securities they hold (Plaid Investments). */
  async getHoldings(accessToken: string): Promise<BrokerageHoldings> {
    const res = await this.call('investmentsHoldingsGet', (signal) =>
      this.client.investmentsHoldingsGet({ access_token: accessToken }, { signal }),
    );
    return {
      accounts: res.data.accounts.map(toAccount),
      holdings: res.data.holdings.map(toHolding),
      securities: res.data.securities.map(toSecurity),
    };
  }

  async getInvestmentTransactions(
    accessToken: string,
    start: string,
    end: string,
  ): Promise<{ transactions: BrokerageTransaction[]; securities: BrokerageSecurity[] }> {
    const transactions: BrokerageTransaction[] = [];
    const securities = new Map<string, BrokerageSecurity>();
    for (let total = Infinity; transactions.length < total;) {
      const offset = transactions.length;
      const res = await this.call('investmentsTransactionsGet', (signal) =>
        this.client.investmentsTransactionsGet(
          { access_token: accessToken, start_date: start, end_date: end, options: { count: 500, offset } },
          { signal },
        ),
      );
      total = res.data.total_investment_transactions;
      for (const s of res.data.securities) securities.set(s.security_id, toSecurity(s));
      transactions.push(...res.data.investment_transactions.map(toInvestmentTransaction));
      if (!res.data.investment_transactions.length) break;
    }
    return { transactions, securities: [...securities.values()] };
  }

  async getLiabilities(accessToken: string): Promise<BankLiability[]> {
    try {
      const res = await this.call('liabilitiesGet', (signal) =>
        this.client.liabilitiesGet({ access_token: accessToken }, { signal }),
      );
      const { credit, student, mortgage } = res.data.liabilities;
      return [
        ...(credit ?? []).map((c) => ({
          providerAccountId: c.account_id ?? '',
          aprPercent: decimal(
            c.aprs.find((a) => a.apr_type === 'purchase_apr')?.apr_percentage ?? c.aprs[0]?.apr_percentage,
          ),
          minimumPayment: decimal(c.minimum_payment_amount),
          nextPaymentDueDate: c.next_payment_due_date ?? null,
          overdue: c.is_overdue === true,
        })),
        ...(student ?? []).map((s) => ({
          providerAccountId: s.account_id ?? '',
          aprPercent: decimal(s.interest_rate_percentage),
          minimumPayment: decimal(s.minimum_payment_amount),
          nextPaymentDueDate: s.next_payment_due_date ?? null,
          overdue: s.is_overdue === true,
        })),
        ...(mortgage ?? []).map((m) => ({
          providerAccountId: m.account_id,
          aprPercent: decimal(m.interest_rate.percentage),
          minimumPayment: decimal(m.next_monthly_payment),
          nextPaymentDueDate: m.next_payment_due_date ?? null,
          overdue: (m.past_due_amount ?? 0) > 0,
        })),
      ].filter((l) => l.providerAccountId);
    } catch (err) {
      // an institution without the product, or an item without debts: nothing to tell
      if (
        err instanceof ProviderError &&
        (err.providerCode === 'PRODUCTS_NOT_SUPPORTED' || err.providerCode === 'NO_LIABILITY_ACCOUNTS')
      )
        return [];
      throw err;
    }
  }

  async syncTransactions(accessToken: string, cursor: string | null, count: number): Promise<BankSyncPage> {
    const res = await this.call('transactionsSync', (signal) =>
      this.client.transactionsSync(
        { access_token: accessToken, count, ...(cursor ? { cursor } : {}) },
        { signal },
      ),
    );
    const d = res.data;
    return {
      added: d.added.map(toTransaction),
      modified: d.modified.map(toTransaction),
      removed: d.removed.map(toRemoved),
      nextCursor: d.next_cursor,
      hasMore: d.has_more,
      accounts: (d.accounts ?? []).map(toAccount),
    };
  }

  async removeItem(accessToken: string) {
    await this.call('itemRemove', (signal) =>
      this.client.itemRemove({ access_token: accessToken }, { signal }),
    );
  }

  async listInstitutions() {
    const res = await this.call('institutionsGet', (signal) =>
      this.client.institutionsGet({ count: 50, offset: 0, country_codes: [CountryCode.Us] }, { signal }),
    );
    return res.data.institutions.map((i) => ({ id: i.institution_id, name: i.name }));
  }

  /** Plaid-Verification: an ES256 JWT over the body's SHA-256, at most 5 minutes old, signed by a key Plaid serves. */
  async verifyWebhook(
    rawBody: string,
    verificationHeader: string | undefined,
  ): Promise<BankWebhook | undefined> {
    if (!verificationHeader) return undefined;
    try {
      const header = decodeProtectedHeader(verificationHeader);
      if (header.alg !== 'ES256' || typeof header.kid !== 'string') return undefined;
      let key = this.keys.get(header.kid);
      if (!key) {
        const kid = header.kid;
        const res = await this.call('webhookVerificationKeyGet', (signal) =>
          this.client.webhookVerificationKeyGet({ key_id: kid }, { signal }),
        );
        key = res.data.key;
        this.keys.set(kid, key);
      }
      const { payload } = await jwtVerify(
        verificationHeader,
        await importJWK({ ...key, alg: 'ES256' }, 'ES256'),
        { maxTokenAge: '5 min', algorithms: ['ES256'] },
      );
      const digest = createHash('sha256').update(rawBody).digest('hex');
      if (payload.request_body_sha256 !== digest) return undefined;
      const body = JSON.parse(rawBody) as {
        webhook_type?: unknown;
        webhook_code?: unknown;
        item_id?: unknown;
      };
      if (
        typeof body.webhook_type !== 'string' ||
        typeof body.webhook_code !== 'string' ||
        typeof body.item_id !== 'string'
      )
        return undefined;
      return { type: body.webhook_type, code: body.webhook_code, itemId: body.item_id };
    } catch {
      return undefined;
    }
  }
}
