// The official `plaid` SDK against the Plaid simulator, changing only basePath and keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Configuration, CountryCode, PlaidApi, Products, type PlaidError, type Transaction } from 'plaid';
import { isAxiosError } from 'axios';
import { createServer, type IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { importJWK, jwtVerify, decodeProtectedHeader } from 'jose';
import { PlaidSimulator } from '../../providers/simulators/plaid.ts';

let sim: PlaidSimulator;
let client: PlaidApi;
let url: string;

const headers = {
  'PLAID-CLIENT-ID': 'finexia-client',
  'PLAID-SECRET': 'finexia-sandbox-secret',
  'Plaid-Version': '2020-09-14',
};

beforeAll(async () => {
  sim = new PlaidSimulator({ seed: 11, today: '2026-11-25', volume: 0.8 });
  url = await sim.listen();
  client = new PlaidApi(new Configuration({ basePath: url, baseOptions: { headers } }));
});
afterAll(() => sim.close());

async function plaidErrorOf(promise: Promise<unknown>): Promise<{ status: number; data: PlaidError }> {
  try {
    await promise;
  } catch (err) {
    if (isAxiosError(err) && err.response)
      return { status: err.response.status, data: err.response.data as PlaidError };
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function linkItem(webhook?: string) {
  const pt = await client.sandboxPublicTokenCreate({
    institution_id: 'ins_109508',
    initial_products: [Products.Transactions],
    ...(webhook ? { options: { webhook } } : {}),
  });
  return (await client.itemPublicTokenExchange({ public_token: pt.data.public_token })).data;
}

async function syncAll(accessToken: string, count = 500) {
  const added = new Map<string, Transaction>();
  let cursor: string | undefined;
  for (;;) {
    const page = (await client.transactionsSync({ access_token: accessToken, cursor, count })).data;
    for (const t of [...page.added, ...page.modified]) added.set(t.transaction_id, t);
    for (const r of page.removed) added.delete(r.transaction_id as string);
    cursor = page.next_cursor;
    if (!page.has_more) return { transactions: added, cursor };
  }
}

describe('Plaid simulator with the plaid SDK', () => {
  it('runs the link flow: link token → sandbox public token → exchange → accounts and balances', async () => {
    const link = await client.linkTokenCreate({
      client_name: 'Finexia',
      user: { client_user_id: 'user-1' },
      products: [Products.Transactions],
      country_codes: [CountryCode.Us],
      language: 'en',
    });
    expect(link.data.link_token).toMatch(/^link-sandbox-/);
    const item = await linkItem();
    expect(item.access_token).toMatch(/^access-sandbox-[0-9a-f-]{36}$/);
    const accounts = (await client.accountsGet({ access_token: item.access_token })).data.accounts;
    expect(accounts.map((a) => a.subtype)).toEqual(['checking', 'savings', 'credit card']);
    const balances = (await client.accountsBalanceGet({ access_token: item.access_token })).data.accounts;
    expect(balances[0]?.balances.iso_currency_code).toBe('USD');
    expect(typeof balances[0]?.balances.current).toBe('number');
  });

  it('accepts credentials in the body as well as in headers', async () => {
    const bare = new PlaidApi(new Configuration({ basePath: url }));
    const res = await bare.institutionsGetById({
      institution_id: 'ins_109508',
      country_codes: [CountryCode.Us],
      client_id: 'finexia-client',
      secret: 'finexia-sandbox-secret',
    });
    expect(res.data.institution.name).toBe('First Platypus Bank');
  });

  it('pages /transactions/sync to exactly the simulator’s truth', async () => {
    const item = await linkItem();
    const { transactions } = await syncAll(item.access_token, 173);
    const truth = sim.truth(item.item_id)!;
    expect(transactions.size).toBe(truth.transactions.length);
    expect([...transactions.keys()].sort()).toEqual(truth.transactions.map((t) => t.transaction_id).sort());
    const sample = truth.transactions[0]!;
    expect(transactions.get(sample.transaction_id)?.amount).toBe(sample.amount);
    expect(truth.transactions.some((t) => t.iso_currency_code === 'EUR')).toBe(true);
    expect(truth.transactions.some((t) => t.pending)).toBe(true);
    expect(truth.anomalies.length).toBeGreaterThan(0);
  });

  it('reports pending → posted and modifications after the clock advances', async () => {
    const item = await linkItem();
    const first = await syncAll(item.access_token);
    const pendingBefore = [...first.transactions.values()].filter((t) => t.pending);
    expect(pendingBefore.length).toBeGreaterThan(0);
    await sim.advance(3);
    const page = (
      await client.transactionsSync({ access_token: item.access_token, cursor: first.cursor, count: 500 })
    ).data;
    const removedIds = new Set(page.removed.map((r) => r.transaction_id));
    for (const p of pendingBefore) expect(removedIds.has(p.transaction_id)).toBe(true);
    const posted = page.added.filter((t) => t.pending_transaction_id !== null);
    const postedFrom = new Set(posted.map((t) => t.pending_transaction_id));
    for (const p of pendingBefore) expect(postedFrom.has(p.transaction_id)).toBe(true);
  });

  it('raises TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION mid-pagination, and a restart converges', async () => {
    const item = await linkItem();
    sim.faults.update({ paginationMutationRate: 1 });
    const firstPage = (await client.transactionsSync({ access_token: item.access_token, count: 100 })).data;
    expect(firstPage.has_more).toBe(true);
    const error = await plaidErrorOf(
      client.transactionsSync({ access_token: item.access_token, cursor: firstPage.next_cursor, count: 100 }),
    );
    expect(error.status).toBe(400);
    expect(error.data.error_code).toBe('TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION');
    sim.faults.update({ paginationMutationRate: 0 });
    const { transactions } = await syncAll(item.access_token);
    expect(transactions.size).toBe(sim.truth(item.item_id)!.transactions.length);
  });

  it('returns Plaid error objects for bad keys, bad tokens, bad cursors and rate limits', async () => {
    const wrongKeys = new PlaidApi(
      new Configuration({ basePath: url, baseOptions: { headers: { ...headers, 'PLAID-SECRET': 'nope' } } }),
    );
    const keys = await plaidErrorOf(wrongKeys.accountsGet({ access_token: 'access-sandbox-x' }));
    expect(keys.data).toMatchObject({ error_type: 'INVALID_API_KEYS', error_code: 'INVALID_API_KEYS' });
    expect(keys.data.request_id).toBeTruthy();

    const token = await plaidErrorOf(
      client.accountsGet({ access_token: 'access-sandbox-00000000-0000-0000-0000-000000000000' }),
    );
    expect(token.data).toMatchObject({ error_type: 'INVALID_INPUT', error_code: 'INVALID_ACCESS_TOKEN' });

    const item = await linkItem();
    const cursor = await plaidErrorOf(
      client.transactionsSync({ access_token: item.access_token, cursor: 'garbage' }),
    );
    expect(cursor.data.error_code).toBe('INVALID_CURSOR');

    sim.faults.update({ rateLimitBurst: 1, retryAfterSeconds: 2 });
    const limited = await plaidErrorOf(client.accountsGet({ access_token: item.access_token }));
    expect(limited.status).toBe(429);
    expect(limited.data.error_type).toBe('RATE_LIMIT_EXCEEDED');

    await client.sandboxItemResetLogin({ access_token: item.access_token });
    const login = await plaidErrorOf(client.accountsGet({ access_token: item.access_token }));
    expect(login.data).toMatchObject({ error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED' });
    expect(login.data.display_message).toBeTruthy();

    const used = await client.sandboxPublicTokenCreate({
      institution_id: 'ins_109508',
      initial_products: [Products.Transactions],
    });
    await client.itemPublicTokenExchange({ public_token: used.data.public_token });
    const again = await plaidErrorOf(
      client.itemPublicTokenExchange({ public_token: used.data.public_token }),
    );
    expect(again.data.error_code).toBe('INVALID_PUBLIC_TOKEN');
  });

  it("serves Liabilities: the card's statement and the student loan's payments, as the bank's history shows them", async () => {
    const pt = await client.sandboxPublicTokenCreate({
      institution_id: 'ins_109511',
      initial_products: [Products.Transactions, Products.Liabilities],
    });
    const { access_token: token, item_id: itemId } = (
      await client.itemPublicTokenExchange({ public_token: pt.data.public_token })
    ).data;
    const { liabilities, accounts } = (await client.liabilitiesGet({ access_token: token })).data;
    const card = liabilities.credit?.[0];
    const loan = liabilities.student?.[0];
    expect(card && loan).toBeTruthy();
    expect(accounts.find((a) => a.account_id === card!.account_id)?.type).toBe('credit');
    expect(liabilities.mortgage).toBeNull();
    // the statement closed the day before the last payment day (the 20th): from the bank's own
    // posted history, what was charged to the card from 20 October to 19 November
    const posted = sim.truth(itemId)!.transactions.filter((t) => !t.pending);
    const charged = posted
      .filter(
        (t) =>
          t.account_id === card!.account_id &&
          t.date >= '2026-10-20' &&
          t.date <= '2026-11-19' &&
          t.name !== 'PAYMENT THANK YOU',
      )
      .reduce((sum, t) => sum + Math.round(t.amount * 100), 0);
    expect(card).toMatchObject({
      aprs: [{ apr_percentage: 12.5, apr_type: 'purchase_apr' }],
      last_statement_issue_date: '2026-11-19',
      next_payment_due_date: '2026-12-20',
      is_overdue: false,
    });
    expect(Math.round(card!.last_statement_balance! * 100)).toBe(charged);
    expect(card!.minimum_payment_amount).toBe(
      Math.min(charged, Math.max(2500, Math.round(charged / 100))) / 100,
    );
    // the loan's last payment is in the history, on the 15th, of its minimum
    const paid = posted.find(
      (t) => t.account_id === loan!.account_id && t.date === '2026-11-15' && t.name === 'PAYMENT RECEIVED',
    );
    expect(-paid!.amount).toBe(loan!.minimum_payment_amount);
    expect(loan).toMatchObject({
      interest_rate_percentage: 5.5,
      last_payment_date: '2026-11-15',
      next_payment_due_date: '2026-12-15',
    });
    expect(loan!.minimum_payment_amount).toBeCloseTo(loan!.origination_principal_amount! / 120, 2);
  });

  it('removes an item', async () => {
    const item = await linkItem();
    await client.itemRemove({ access_token: item.access_token });
    const gone = await plaidErrorOf(client.accountsGet({ access_token: item.access_token }));
    expect(gone.data.error_code).toBe('INVALID_ACCESS_TOKEN');
  });

  it('sends SYNC_UPDATES_AVAILABLE webhooks signed with a key the SDK can fetch', async () => {
    const received: { body: string; verification: string }[] = [];
    const hook = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, verification: String(req.headers['plaid-verification']) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const port = (hook.address() as { port: number }).port;
    const item = await linkItem(`http://127.0.0.1:${port}/hooks/plaid`);
    await client.sandboxItemFireWebhook({
      access_token: item.access_token,
      webhook_code: 'SYNC_UPDATES_AVAILABLE' as never,
    });
    expect(received).toHaveLength(1);
    const { body, verification } = received[0]!;
    expect(JSON.parse(body)).toMatchObject({
      webhook_type: 'TRANSACTIONS',
      webhook_code: 'SYNC_UPDATES_AVAILABLE',
      item_id: item.item_id,
    });
    const kid = decodeProtectedHeader(verification).kid as string;
    const key = (await client.webhookVerificationKeyGet({ key_id: kid })).data.key;
    const { payload } = await jwtVerify(verification, await importJWK(key as never, 'ES256'));
    expect(payload.request_body_sha256).toBe(createHash('sha256').update(body).digest('hex'));
    hook.close();
  });
});
