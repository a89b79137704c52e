// A brokerage connected through Plaid Investments, on the service tier (wallets, market and
// portfolio on one broker, with sign-up for the person, the real database, the simulators): its accounts and holdings as the
// brokerage reports them, each security in its class, the euro account converted at the FX
// provider's rate, cost basis and gain per holding, and the net worth they add, all by hand
// from the simulator's own figures (big.js).
import { randomUUID } from 'node:crypto';
import BigJs from 'big.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, startServices, type TestNode } from '../helpers/node.ts';
import { waitFor } from '../helpers/wait.ts';
import { register } from '../helpers/http.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import type { WalletView } from '@finexia/contracts/api.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';

const TODAY = '2026-11-25';
const Big = BigJs();
Big.DP = 40;
let sims: Simulators;
let node: TestNode;
let user: { id: string };
let wallet: WalletView;

beforeAll(async () => {
  sims = await startSimulators({ seed: 77, ticksPerSecond: 0, today: TODAY });
  // the feed's market is open: Wednesday 25 November, 10:00 in New York
  sims.securitiesFeed.now = () => Date.parse(`${TODAY}T15:00:00Z`);
  node = await startServices(['api', 'auth', 'users', 'wallets', 'market', 'portfolio'], sims.env);
  user = { id: (await register(node.baseUrl)).user.id };
  const linked = await callAs<WalletView>(node, user, 'wallets.linkBrokerage', {
    institutionId: 'ins_109509',
  });
  wallet = await waitFor(
    async () => {
      const w = await callAs<WalletView>(node, user, 'wallets.get', { id: linked.id });
      if (w.sync.state === 'failed') throw new Error(`sync failed: ${w.sync.reason}`);
      return w.sync.state === 'ok' ? w : undefined;
    },
    60_000,
    'the brokerage sync',
  );
}, 120_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

/** The simulator's own account of the item (what Plaid holds), read through its admin API. */
async function truth() {
  const itemId = (await import('../../infra/models/wallet.model.ts')).Wallet.findOne({ publicId: wallet.id })
    .lean()
    .then((w) => w?.providerItemId as string);
  const t = sims.plaid.investmentsTruth(await itemId);
  if (!t) throw new Error('no investments truth');
  return t;
}

describe('a brokerage through Plaid Investments', () => {
  it('holds each security in its account by what it is, with its price, cost basis and gain', async () => {
    expect(wallet).toMatchObject({
      kind: 'brokerage',
      provider: 'plaid',
      name: 'First Gingham Credit Union',
    });
    const t = await truth();
    expect(wallet.accounts.map((a) => [a.name, a.type, a.subtype, a.currency])).toEqual([
      ['Plaid Brokerage', 'investment', 'brokerage', 'USD'],
      ['Plaid 401k', 'investment', '401k', 'USD'],
      ['Plaid International', 'investment', 'brokerage', 'EUR'],
    ]);
    // the names as we expect them, written out: a stock, an ETF, a fund, a money-market fund, a bond, cash
    const expectedAsset = (
      s: { ticker_symbol: string | null; cusip: string | null; type: string; is_cash_equivalent: boolean },
      currency: string,
    ) =>
      s.type === 'cash'
        ? currency
        : s.type === 'fixed income'
          ? `${s.cusip}.BOND`
          : s.type === 'mutual fund'
            ? `${s.ticker_symbol}.${s.is_cash_equivalent ? 'MMF' : 'FUND'}`
            : s.type === 'etf'
              ? `${s.ticker_symbol}.ETF`
              : s.ticker_symbol === 'SAP'
                ? 'SAP-XETR.STOCK'
                : `${s.ticker_symbol}.STOCK`;
    for (const account of wallet.accounts) {
      const theirs = t.accounts.find((a) => a.name === account.name)!;
      const held = t.holdings.filter((h) => h.account_id === theirs.account_id);
      const want = Object.fromEntries(
        held.map((h) => {
          const s = t.securities.find((x) => x.security_id === h.security_id)!;
          return [expectedAsset(s, h.iso_currency_code), String(h.quantity)];
        }),
      );
      expect(Object.fromEntries(account.holdings.map((h) => [h.asset, h.quantity])), account.name).toEqual(
        want,
      );
    }
    // a stock never sold: its gain is its value at the brokerage's price less what its buys cost
    const apple = wallet.accounts[0]!.holdings.find((h) => h.asset === 'AAPL.STOCK')!;
    const theirApple = t.holdings.find(
      (h) => t.securities.find((s) => s.security_id === h.security_id)?.ticker_symbol === 'AAPL',
    )!;
    expect(apple).toMatchObject({
      name: 'Apple Inc.',
      price: String(theirApple.institution_price),
      priceCurrency: 'USD',
      priceAsOf: '2026-11-24',
      costBasis: String(theirApple.cost_basis),
    });
    expect(apple.value).toBe(
      new Big(theirApple.quantity).times(theirApple.institution_price).round(2).toString(),
    );
    expect(apple.gain).toBe(new Big(apple.value!).minus(theirApple.cost_basis!).toString());
  });

  it('adds to net worth what the holdings are worth, in dollars, each in its class', async () => {
    const t = await truth();
    // the FX provider's rate now, as it serves it
    const fx = (await (await fetch(`${sims.env.FX_URL}/v1/latest?base=USD&symbols=EUR`)).json()) as {
      rates: { EUR: number };
    };
    const eurPerUsd = fx.rates.EUR;
    const usdPer = (currency: string) =>
      currency === 'USD' ? new Big(1) : new Big(1).div(String(eurPerUsd));
    const byClass: Record<string, BigJs.Big> = {};
    let total = new Big(0);
    for (const h of t.holdings) {
      const s = t.securities.find((x) => x.security_id === h.security_id)!;
      const usd = new Big(h.quantity).times(h.institution_price).times(usdPer(h.iso_currency_code));
      const cls =
        s.type === 'cash' || s.is_cash_equivalent
          ? 'cash'
          : s.type === 'equity'
            ? 'equity'
            : s.type === 'fixed income'
              ? 'bond'
              : 'fund';
      byClass[cls] = (byClass[cls] ?? new Big(0)).plus(usd);
      total = total.plus(usd);
    }
    const view = await waitFor(
      async () => {
        const v = await callAs<PortfolioView>(node, user, 'portfolio.snapshot', { userId: user.id });
        return v.netWorth !== '0' && !v.unpriced?.length ? v : undefined;
      },
      30_000,
      'the portfolio to value the brokerage',
    );
    expect(view.currency).toBe('USD');
    expect(new Big(view.netWorth).round(2).toString()).toBe(total.round(2).toString());
    for (const cls of ['equity', 'fund', 'bond', 'cash'])
      expect(new Big(view.byClass[cls] ?? '0').round(2).toString(), cls).toBe(
        (byClass[cls] ?? new Big(0)).round(2).toString(),
      );
    expect(Number(view.byClass.equity)).toBeGreaterThan(0);
    expect(Number(view.byClass.bond)).toBeGreaterThan(0);
  });

  it('refuses a link with neither a public token nor an institution, and makes nothing', async () => {
    const other = { id: randomUUID() };
    const err = (await callAs(node, other, 'wallets.linkBrokerage', {}).then(
      () => undefined,
      (e: unknown) => e,
    )) as { type?: string; data?: { fields?: { field: string }[] } } | undefined;
    expect(err?.type).toBe('VALIDATION_FAILED');
    expect(err?.data?.fields?.[0]?.field).toBe('publicToken');
    expect((await callAs<{ wallets: unknown[] }>(node, other, 'wallets.list')).wallets).toHaveLength(0);
  });

  it('moves net worth with a trade on the securities feed: the shares held times the move', async () => {
    const before = await callAs<PortfolioView>(node, user, 'portfolio.snapshot', { userId: user.id });
    const apple = wallet.accounts[0]!.holdings.find((h) => h.asset === 'AAPL.STOCK')!;
    const price = new Big(before.prices['AAPL.STOCK']!);
    const next = price.plus('1.37');
    expect(sims.securitiesFeed.trade('AAPL', Number(next.times(100).toFixed(0)))).toBe(true);
    const after = await waitFor(
      async () => {
        const v = await callAs<PortfolioView>(node, user, 'portfolio.snapshot', { userId: user.id });
        return v.prices['AAPL.STOCK'] === next.toString() ? v : undefined;
      },
      15_000,
      'the trade to reach the portfolio',
    );
    expect(new Big(after.netWorth).minus(before.netWorth).toString()).toBe(
      new Big(apple.quantity).times('1.37').toString(),
    );
    // a brokerage's next sync (its close) does not put back the older price
    await callAs(node, user, 'wallets.syncNow', { id: wallet.id });
    await waitFor(
      async () => {
        const w = await callAs<WalletView>(node, user, 'wallets.get', { id: wallet.id });
        return w.sync.state === 'ok' && w.sync.lastSyncedAt !== wallet.sync.lastSyncedAt ? w : undefined;
      },
      30_000,
      'the second sync',
    );
    const later = await callAs<PortfolioView>(node, user, 'portfolio.snapshot', { userId: user.id });
    expect(later.prices['AAPL.STOCK']).toBe(next.toString());
  });

  it('keeps the brokerage’s activity once: a year’s dividends, interest and fees per account, by hand', async () => {
    const t = await truth();
    const { InvestmentTransaction } = await import('../../infra/models/wallet.model.ts');
    // the sync before this one (the feed test's) and the first one stored each transaction once
    expect(await InvestmentTransaction.countDocuments({ walletId: wallet.id })).toBe(t.transactions.length);
    const w = await callAs<WalletView>(node, user, 'wallets.get', { id: wallet.id });
    const since = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
    for (const account of w.accounts) {
      const theirs = t.accounts.find((a) => a.name === account.name)!;
      const recent = t.transactions.filter((x) => x.account_id === theirs.account_id && x.date > since);
      const sum = (pick: (x: (typeof recent)[number]) => boolean, sign: number) =>
        recent
          .filter(pick)
          .reduce((acc, x) => acc.plus(new Big(x.amount).times(sign)), new Big(0))
          .toString();
      expect(account.investment, account.name).toMatchObject({
        since,
        dividends: sum((x) => x.subtype === 'dividend', -1),
        fees: sum((x) => x.type === 'fee', 1),
        interest: '0',
      });
      // the gain is the holdings' (in the account's currency) value less their cost
      const gains = account.holdings
        .filter((h) => h.gain !== undefined && h.gain !== null && h.priceCurrency === account.currency)
        .reduce((acc, h) => acc.plus(h.gain!), new Big(0));
      expect(account.investment?.gain).toBe(gains.toString());
    }
    expect(Number(w.accounts[0]!.investment!.dividends)).toBeGreaterThan(0);
    // the person's export carries every one of them
    const exported = await node.broker.call<{ investmentTransactions: { walletId: string }[] }, object>(
      'wallets.exportUser',
      { userId: user.id },
    );
    expect(exported.investmentTransactions.filter((x) => x.walletId === wallet.id)).toHaveLength(
      t.transactions.length,
    );
  });
});
