// Plaid Investments through the official `plaid` SDK against the simulator: holdings, securities
// and investment transactions (offset/count paging), the HOLDINGS and INVESTMENTS_TRANSACTIONS
// webhooks, and errors. Every answer carries each field the SDK's types require (a list checked
// against those types when this file is type-checked), and the holdings are what the
// transactions add up to, recomputed here with big.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Big from 'big.js';
import { isAxiosError } from 'axios';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  Configuration,
  CountryCode,
  PlaidApi,
  Products,
  type Holding,
  type InvestmentTransaction,
  type PlaidError,
  type Security,
} from 'plaid';
import { PlaidSimulator } from '../../providers/simulators/plaid.ts';

const TODAY = '2026-11-25';
let sim: PlaidSimulator;
let client: PlaidApi;

beforeAll(async () => {
  sim = new PlaidSimulator({ seed: 17, today: TODAY, months: 24 });
  const url = await sim.listen();
  client = new PlaidApi(
    new Configuration({
      basePath: url,
      baseOptions: {
        headers: { 'PLAID-CLIENT-ID': 'finexia-client', 'PLAID-SECRET': 'finexia-sandbox-secret' },
      },
    }),
  );
});
afterAll(() => sim.close());

/** The keys a type requires (not optional). */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/** Exactly the SDK type's required keys: a key missing here or not required there fails the type check. */
const requiredOf = <T>(keys: Record<RequiredKeys<T>, true>) => Object.keys(keys);
const HOLDING_KEYS = requiredOf<Holding>({
  account_id: true,
  security_id: true,
  institution_price: true,
  institution_value: true,
  cost_basis: true,
  quantity: true,
  iso_currency_code: true,
  unofficial_currency_code: true,
});
const SECURITY_KEYS = requiredOf<Security>({
  security_id: true,
  isin: true,
  cusip: true,
  sedol: true,
  institution_security_id: true,
  institution_id: true,
  proxy_security_id: true,
  name: true,
  ticker_symbol: true,
  is_cash_equivalent: true,
  type: true,
  close_price: true,
  close_price_as_of: true,
  iso_currency_code: true,
  unofficial_currency_code: true,
  market_identifier_code: true,
  sector: true,
  industry: true,
  option_contract: true,
  fixed_income: true,
  cfi_code: true,
  figi: true,
});
const TRANSACTION_KEYS = requiredOf<InvestmentTransaction>({
  investment_transaction_id: true,
  account_id: true,
  security_id: true,
  date: true,
  name: true,
  quantity: true,
  amount: true,
  price: true,
  fees: true,
  type: true,
  subtype: true,
  iso_currency_code: true,
  unofficial_currency_code: true,
});

async function plaidErrorOf(promise: Promise<unknown>): Promise<PlaidError> {
  try {
    await promise;
  } catch (err) {
    if (isAxiosError(err) && err.response) return err.response.data as PlaidError;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function linkBrokerage(products = [Products.Investments], webhook?: string) {
  const pt = await client.sandboxPublicTokenCreate({
    institution_id: 'ins_109508',
    initial_products: products,
    ...(webhook ? { options: { webhook } } : {}),
  });
  return (await client.itemPublicTokenExchange({ public_token: pt.data.public_token })).data;
}

/** Every investment transaction of the item, page by page. */
async function allTransactions(accessToken: string, count: number) {
  const out: InvestmentTransaction[] = [];
  let total = Infinity;
  while (out.length < total) {
    const page = (
      await client.investmentsTransactionsGet({
        access_token: accessToken,
        start_date: '2020-01-01',
        end_date: sim.today,
        options: { count, offset: out.length },
      })
    ).data;
    total = page.total_investment_transactions;
    if (!page.investment_transactions.length) break;
    out.push(...page.investment_transactions);
  }
  return { transactions: out, total };
}

const cents = (n: number) => new Big(n).times(100).toNumber();

describe('Plaid Investments with the plaid SDK', () => {
  it('links for investments and answers holdings with every field the SDK requires', async () => {
    const link = await client.linkTokenCreate({
      client_name: 'Finexia',
      user: { client_user_id: 'user-9' },
      products: [Products.Investments],
      country_codes: [CountryCode.Us],
      language: 'en',
    });
    expect(link.data.link_token).toMatch(/^link-sandbox-/);
    const item = await linkBrokerage();
    const {
      accounts,
      holdings,
      securities,
      item: itemBody,
    } = (await client.investmentsHoldingsGet({ access_token: item.access_token })).data;
    expect(itemBody.products).toEqual(['investments']);
    // an investments-only item shows only its brokerage accounts
    expect(accounts.map((a) => [a.type, a.subtype, a.balances.iso_currency_code])).toEqual([
      ['investment', 'brokerage', 'USD'],
      ['investment', '401k', 'USD'],
      ['investment', 'brokerage', 'EUR'],
    ]);
    for (const h of holdings) for (const key of HOLDING_KEYS) expect(h, key).toHaveProperty(key);
    for (const s of securities) for (const key of SECURITY_KEYS) expect(s, key).toHaveProperty(key);
    expect(new Set(securities.map((s) => s.type))).toEqual(
      new Set(['equity', 'etf', 'mutual fund', 'fixed income', 'cash']),
    );
    const sap = securities.find((s) => s.ticker_symbol === 'SAP');
    expect(sap).toMatchObject({ iso_currency_code: 'EUR', market_identifier_code: 'XETR' });
    const bond = securities.find((s) => s.type === 'fixed income');
    expect(bond?.fixed_income?.maturity_date).toBe('2034-11-15');
    // priced at the close of the last session before today (Tuesday 24 November)
    expect(new Set(holdings.map((h) => h.institution_price_as_of))).toEqual(new Set(['2026-11-24']));
    for (const h of holdings) {
      const security = securities.find((s) => s.security_id === h.security_id)!;
      expect(h.institution_price).toBe(security.close_price);
      // value = quantity × price, to the cent, half up
      expect(h.institution_value).toBe(new Big(h.quantity).times(h.institution_price).round(2).toNumber());
      expect(h.iso_currency_code).toBe(security.iso_currency_code);
    }
    // an account's balance is what its holdings are worth
    for (const a of accounts) {
      const worth = holdings
        .filter((h) => h.account_id === a.account_id)
        .reduce((sum, h) => sum.plus(h.institution_value), new Big(0));
      expect(a.balances.current).toBe(worth.toNumber());
    }
    // an item linked for transactions has no brokerage
    const bank = await linkBrokerage([Products.Transactions]);
    expect(
      (await plaidErrorOf(client.investmentsHoldingsGet({ access_token: bank.access_token }))).error_code,
    ).toBe('PRODUCTS_NOT_SUPPORTED');
    expect(
      (await plaidErrorOf(client.transactionsSync({ access_token: item.access_token }))).error_code,
    ).toBe('PRODUCTS_NOT_SUPPORTED');
  });

  it('pages investment transactions by offset and count; the holdings are what they add up to', async () => {
    const item = await linkBrokerage([Products.Investments, Products.Transactions]);
    const small = await allTransactions(item.access_token, 37);
    const big = await allTransactions(item.access_token, 500);
    expect(small.total).toBe(small.transactions.length);
    expect(small.transactions.map((t) => t.investment_transaction_id)).toEqual(
      big.transactions.map((t) => t.investment_transaction_id),
    );
    const ids = small.transactions.map((t) => t.investment_transaction_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of small.transactions)
      for (const key of TRANSACTION_KEYS) expect(t, key).toHaveProperty(key);
    // newest first
    const dates = small.transactions.map((t) => t.date);
    expect([...dates].sort().reverse()).toEqual(dates);
    // every kind of activity, and none on a day the market was closed
    expect(new Set(small.transactions.map((t) => t.subtype))).toEqual(
      new Set(['deposit', 'buy', 'sell', 'dividend', 'account fee']),
    );
    const closed = ['2025-12-25', '2026-01-19', '2026-04-03', '2026-07-03', '2026-11-26'];
    for (const t of small.transactions) {
      expect(closed).not.toContain(t.date);
      expect([0, 6]).not.toContain(new Date(`${t.date}T00:00:00Z`).getUTCDay());
    }

    const { holdings, securities, accounts } = (
      await client.investmentsHoldingsGet({ access_token: item.access_token })
    ).data;
    // linked for both: the bank's accounts are the item's too
    const all = (await client.accountsGet({ access_token: item.access_token })).data.accounts;
    expect(all.map((a) => a.subtype)).toEqual([
      'checking',
      'savings',
      'credit card',
      'brokerage',
      '401k',
      'brokerage',
    ]);
    expect(accounts.every((a) => a.type === 'investment')).toBe(true);
    const cashOf = (currency: string) =>
      securities.find((s) => s.ticker_symbol === `CUR:${currency}`)!.security_id;
    const expected = new Map<string, Big>();
    const add = (account: string, security: string, units: Big) =>
      expected.set(
        `${account}/${security}`,
        (expected.get(`${account}/${security}`) ?? new Big(0)).plus(units),
      );
    const boughtFor = new Map<string, Big>();
    const sold = new Set<string>();
    for (const t of small.transactions) {
      // cash moves against the amount (a buy's amount is positive: cash leaves)
      add(t.account_id, cashOf(t.iso_currency_code!), new Big(t.amount).neg());
      if (t.type === 'buy' || t.type === 'sell') add(t.account_id, t.security_id!, new Big(t.quantity));
      const key = `${t.account_id}/${t.security_id}`;
      if (t.type === 'buy') boughtFor.set(key, (boughtFor.get(key) ?? new Big(0)).plus(t.amount));
      if (t.type === 'sell') sold.add(key);
      // a trade's amount is its quantity at its price
      if (t.type === 'buy' || t.type === 'sell')
        expect(Math.abs(t.amount)).toBe(new Big(t.quantity).abs().times(t.price).round(2).toNumber());
    }
    const held = new Map(holdings.map((h) => [`${h.account_id}/${h.security_id}`, h]));
    for (const [key, units] of expected) {
      if (units.eq(0)) continue;
      expect(held.get(key)?.quantity, key).toBe(units.toNumber());
    }
    expect(holdings.length).toBe([...expected.values()].filter((u) => !u.eq(0)).length);
    // never sold: the cost basis is what the buys cost
    let checked = 0;
    for (const [key, cost] of boughtFor)
      if (!sold.has(key) && held.has(key)) {
        expect(cents(held.get(key)!.cost_basis!), key).toBe(cents(cost.toNumber()));
        checked += 1;
      }
    expect(checked).toBeGreaterThan(3);
    // dividends name their security and move no units
    const dividend = small.transactions.find((t) => t.subtype === 'dividend')!;
    expect(dividend.security_id).toBeTruthy();
    expect(dividend.quantity).toBe(0);
    expect(dividend.amount).toBeLessThan(0);
  });

  it('refuses bad paging and dates, and unknown accounts, saying which field', async () => {
    const item = await linkBrokerage();
    const ask = (over: Record<string, unknown>) =>
      plaidErrorOf(
        client.investmentsTransactionsGet({
          access_token: item.access_token,
          start_date: '2026-01-01',
          end_date: TODAY,
          ...over,
        } as never),
      );
    expect((await ask({ options: { count: 501 } })).error_message).toMatch(/count/);
    expect((await ask({ options: { offset: -1 } })).error_message).toMatch(/offset/);
    expect((await ask({ start_date: '2026-02-30' })).error_code).toBe('INVALID_FIELD');
    expect((await ask({ options: { account_ids: ['nope'] } })).error_code).toBe('INVALID_ACCOUNT_ID');
  });

  it('sends HOLDINGS and INVESTMENTS_TRANSACTIONS webhooks as sessions end', async () => {
    const received: Record<string, unknown>[] = [];
    const hook: Server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.headers['plaid-verification']) received.push(JSON.parse(body) as Record<string, unknown>);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as { port: number }).port;
    try {
      const item = await linkBrokerage([Products.Investments], `http://127.0.0.1:${port}/hook`);
      const before = (await allTransactions(item.access_token, 500)).total;
      // a month of sessions ends: prices change every night, and the monthly deposit and buys land
      await sim.advance(31);
      const after = (await allTransactions(item.access_token, 500)).total;
      expect(after).toBeGreaterThan(before);
      const mine = received.filter((b) => b.item_id === item.item_id);
      // one nightly update for the run of days (the simulator's clock jumped them at once)
      expect(
        mine.filter((b) => b.webhook_type === 'HOLDINGS' && b.webhook_code === 'DEFAULT_UPDATE').length,
      ).toBe(1);
      const news = mine.filter((b) => b.webhook_type === 'INVESTMENTS_TRANSACTIONS');
      expect(news.length).toBeGreaterThan(0);
      expect(news.reduce((sum, b) => sum + (b.new_investments_transactions as number), 0)).toBe(
        after - before,
      );
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });
});
