/// <reference lib="dom" />
// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
// node: sign up → connect a bank, a brokerage, an exchange and a manual account → the net worth equals
// the sum of the accounts → a price tick changes it without a reload → a sync's progress
// and result appear live. Desktop and phone width; screenshots in test-artifacts/.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startNode, type TestNode } from '../helpers/node.ts';
import {
  failureArtifacts as reportFailure,
  goNav,
  launchBrowser,
  screenshot,
  watchPage,
} from '../helpers/browser.ts';
import { uniqueEmail } from '../helpers/http.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { Decimal } from '../../domain/money.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import type { WalletList } from '@finexia/contracts/api.ts';
import { readFileSync } from 'node:fs';
import { addressAt, parseExtendedPublicKey } from '../../domain/chain/bitcoin.ts';

/** an Ethereum address both flows watch (EIP-55's first example), holding ether and USDC */
const ETH_ADDRESS = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const ZPUB =
  'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';

const OFX_STATEMENT = readFileSync(
  new URL('../../domain/bank-files/samples/checking-2026-11.ofx', import.meta.url),
  'utf8',
);

let sims: Simulators;
let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  sims = await startSimulators({
    seed: 81,
    bankVolume: 0.1,
    ticksPerSecond: 0,
    today: '2026-11-25',
    ethereumRpcUrl: inject('ethereumRpcUrl'),
  });
  await sims.evm!.pay(ETH_ADDRESS, 15n * 10n ** 17n); // 1.5 ETH
  await sims.evm!.mint('USDC', ETH_ADDRESS, 250_000_000n); // 250 USDC
  // the US market is open on the feed's clock (Wednesday 25 November, 10:00 in New York)
  sims.securitiesFeed.now = () => Date.parse('2026-11-25T15:00:00Z');
  node = await startNode(sims.env);
  // the chain: 0.02 BTC to the zpub's first address (both flows watch the same wallet; 0.52 BTC
  // in all keeps the tick's move below to the cent)
  const zpub = parseExtendedPublicKey(ZPUB);
  if ('problem' in zpub) throw new Error(zpub.problem);
  sims.esplora.pay(addressAt(zpub, 0, 0), 2_000_000);
  sims.esplora.mine();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await sims?.stop();
});

/** The API as the signed-in page sees it (same cookies, same token). */
async function apiFromPage<T>(page: Page, path: string): Promise<T> {
  return page.evaluate(async (p) => {
    const { accessToken } = (await (await fetch('/session')).json()) as { accessToken: string };
    const res = await fetch(`/api/v1${p}`, { headers: { authorization: `Bearer ${accessToken}` } });
    return (await res.json()) as unknown;
  }, path) as Promise<T>;
}

async function netWorthShown(page: Page): Promise<string> {
  const el = page.getByTestId('net-worth');
  await el.waitFor({ timeout: 20_000 });
  return (await el.getAttribute('data-value')) as string;
}

const pageErrors: string[] = [];

async function flow(page: Page, label: string) {
  const base = node.baseUrl;
  watchPage(page, label, pageErrors);
  page.on('websocket', (ws) =>
    ws.on('framereceived', (f) => {
      const text = String(f.payload);
      if (text.includes('wallet.')) pageErrors.push(`${label} ws: ${text.slice(0, 200)}`);
    }),
  );
  // sign up → onboarding
  await page.goto(`${base}/signup`, { waitUntil: 'networkidle' });
  await page.getByLabel('Name').fill('Ada Lovelace');
  const email = uniqueEmail(label);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/onboarding');
  await expect(page.getByRole('heading', { name: /Welcome, Ada/ }).isVisible()).resolves.toBe(true);

  // a bank through the Link-like flow
  await page.getByRole('link', { name: 'Connect a bank' }).click();
  await page.waitForURL('**/accounts?add=bank');
  await page.getByLabel('Username').fill('user_good');
  await page.getByLabel('Password').fill('pass_good');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.locator('[data-kind="bank"]').waitFor({ timeout: 30_000 });
  // a brokerage the same way: its holdings show with what they are worth at the brokerage's
  // price, as the brokerage itself reports it (the simulator's own holdings)
  await page.getByRole('button', { name: 'Connect a brokerage' }).click();
  await page.getByLabel('Username').fill('user_good');
  await page.getByLabel('Password').fill('pass_good');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const brokerage = page.locator('[data-kind="brokerage"]');
  await brokerage.locator('[data-asset="AAPL.STOCK"]').waitFor({ timeout: 30_000 });
  const brokerageId = (await brokerage.getAttribute('data-wallet')) as string;
  const { Wallet } = await import('../../infra/models/wallet.model.ts');
  const itemId = (await Wallet.findOne({ publicId: brokerageId }).lean())?.providerItemId as string;
  const theirs = sims.plaid.investmentsTruth(itemId)!;
  const apple = theirs.holdings.find(
    (h) => theirs.securities.find((x) => x.security_id === h.security_id)?.ticker_symbol === 'AAPL',
  )!;
  expect(await brokerage.locator('[data-asset="AAPL.STOCK"]').textContent()).toContain(
    new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(apple.institution_value),
  );
  // the account's year of dividends and fees, as the brokerage's own transactions add up
  const since = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  const brokerageAccount = theirs.accounts.find((a) => a.name === 'Plaid Brokerage')!;
  const dividends = theirs.transactions
    .filter((t) => t.account_id === brokerageAccount.account_id && t.date > since && t.subtype === 'dividend')
    .reduce((sum, t) => sum.sub(Decimal.parse(String(t.amount))), Decimal.ZERO);
  await brokerage
    .getByTestId('investment-summary')
    .filter({
      hasText: `dividends ${new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(dividends.toNumber())}`,
    })
    .waitFor({ timeout: 15_000 });

  // a wrong exchange key is refused with the field named, and nothing is added
  await page.getByRole('button', { name: 'Connect an exchange' }).click();
  await page.getByLabel('API key').fill('not-a-real-key');
  await page.getByLabel('API secret').fill('not-a-real-secret');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.locator('[data-kind="exchange"]').count()).toBe(0);
  // then the right one, its answer held back: the new exchange shows at once (a live event), so
  // the user goes on to the next panel while the answer is on its way, as on a slow network
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/v1/wallets/exchange', async (route) => {
    const response = await route.fetch();
    await held;
    await route.fulfill({ response });
  });
  const creds = sims.binance.createAccount({ BTC: '0.5', ETH: '2' });
  await page.getByLabel('API key').fill(creds.apiKey);
  await page.getByLabel('API secret').fill(creds.apiSecret);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.locator('[data-kind="exchange"]').waitFor({ timeout: 30_000 });

  // a manual cash account, begun before the exchange's answer: that answer neither blocks nor
  // clears what is typed here
  await page.getByRole('button', { name: 'Add manual account' }).click();
  await page.getByLabel('Name').fill('Emergency cash');
  await page.getByLabel('Balance').fill('250.75');
  expect(await page.getByRole('button', { name: 'Add account' }).isEnabled()).toBe(true);
  release();
  await page.getByRole('status').filter({ hasText: 'Exchange connected.' }).waitFor();
  await page.unroute('**/api/v1/wallets/exchange');
  expect(await page.getByLabel('Name').inputValue()).toBe('Emergency cash');
  expect(await page.getByLabel('Balance').inputValue()).toBe('250.75');
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.locator('[data-kind="manual"]').waitFor();
  // a Bitcoin wallet by its zpub, watch-only: a recovery phrase is refused in words, the
  // public key is taken and the wallet holds what the chain says (0.02 BTC to its first address)
  await page.getByRole('button', { name: 'Add a wallet address' }).click();
  await page
    .getByLabel('Address or public key')
    .fill('legal winner thank year wave sausage worth useful legal winner thank yellow');
  await page.getByRole('button', { name: 'Add wallet' }).click();
  await page.getByText(/looks like a 12-word recovery phrase/).waitFor();
  await page.getByLabel('Address or public key').fill(ZPUB);
  await page.getByRole('button', { name: 'Add wallet' }).click();
  const bitcoin = page.locator('[data-kind="chain"]').filter({ hasText: 'Bitcoin' });
  await bitcoin.getByTestId('account-balance').filter({ hasText: '0.02 BTC' }).waitFor();
  // and what its transactions on chain moved: the payment that brought it
  expect(await bitcoin.getByTestId('chain-activity').allInnerTexts()).toEqual([
    expect.stringMatching(/\+0\.02 BTC$/),
  ]);
  // an Ethereum address: a private key is refused in words; the address holds its ether and USDC
  await page.getByRole('button', { name: 'Add a wallet address' }).click();
  await page.getByLabel('Chain').selectOption('ethereum');
  await page
    .getByLabel('Address or public key')
    .fill('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
  await page.getByRole('button', { name: 'Add wallet' }).click();
  await page.getByText(/looks like a private key/).waitFor();
  await page.getByLabel('Address or public key').fill(ETH_ADDRESS);
  await page.getByRole('button', { name: 'Add wallet' }).click();
  const ethereum = page.locator('[data-kind="chain"]').filter({ hasText: 'Ethereum' });
  await ethereum.getByTestId('account-balance').filter({ hasText: 'ETH' }).waitFor();
  expect(await ethereum.textContent()).toContain('250 USDC');
  // a mortgage, entered with its terms: 200,000 at 6% over 30 years is 1,199.10 a month (by hand:
  // 2/3 of the 1,798.65 of 300,000); it is owed, and the net worth below subtracts it
  await page.getByRole('button', { name: 'Add manual account' }).click();
  await page.getByLabel('Name').fill('Home loan');
  await page.getByLabel('Type').selectOption('mortgage');
  await page.getByLabel('Amount borrowed').fill('200000');
  await page.getByLabel('Yearly interest rate (%)').fill('6');
  await page.getByLabel('Began on').fill('2024-01-15');
  await page.getByRole('button', { name: 'Add account' }).click();
  const mortgage = page.locator('[data-kind="manual"]').filter({ hasText: 'Home loan' });
  await mortgage.getByTestId('loan-status').filter({ hasText: '$1,199.10 a month at 6%' }).waitFor();
  expect(await mortgage.getByTestId('account-balance').textContent()).toContain('owed');
  // the house it financed: bought for 250,000 that day, worth 280,000 today; its equity is that
  // less what the mortgage owes now (read from the mortgage's own card)
  await page.getByRole('button', { name: 'Add manual account' }).click();
  await page.getByLabel('Name').fill('House');
  await page.getByLabel('Type').selectOption('property');
  await page.getByLabel('Price paid').fill('250000');
  await page.getByLabel('Bought on').fill('2024-01-15');
  await page.getByLabel('Financed by').selectOption({ label: 'Home loan' });
  await page.getByLabel('Worth today (optional)').fill('280000');
  await page.getByRole('button', { name: 'Add account' }).click();
  const house = page.locator('[data-kind="manual"]').filter({ hasText: 'House' });
  await house.getByTestId('equity').waitFor();
  const owedOnHouse = (await apiFromPage<WalletList>(page, '/wallets')).wallets.find(
    (w) => w.name === 'Home loan',
  )!.accounts[0]!.current!;
  const equity = Decimal.parse('280000').sub(Decimal.parse(owedOnHouse));
  expect(await house.getByTestId('equity').textContent()).toContain(
    new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(equity.toNumber()),
  );
  // a car bought on 10 March 2025 for 24,000, losing 12 % a year: 1 % of its value a month since
  await page.getByRole('button', { name: 'Add manual account' }).click();
  await page.getByLabel('Name').fill('Car');
  await page.getByLabel('Type').selectOption('vehicle');
  await page.getByLabel('Price paid').fill('24000');
  await page.getByLabel('Bought on').fill('2025-03-10');
  await page.getByLabel('Loses each year (%)').fill('12');
  await page.getByRole('button', { name: 'Add account' }).click();
  const car = page.locator('[data-kind="manual"]').filter({ hasText: 'Car' });
  await car.getByTestId('owned-status').waitFor();
  const today = new Date().toISOString().slice(0, 10);
  const months =
    (Number(today.slice(0, 4)) - 2025) * 12 +
    Number(today.slice(5, 7)) -
    3 -
    (Number(today.slice(8)) < 10 ? 1 : 0);
  const carWorth = (24_000 * 0.99 ** months).toFixed(2);
  expect(await car.getByTestId('owned-status').textContent()).toContain(
    `worth ${new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(carWorth))}`,
  );

  // the dashboard, reached without a page load from here on
  await goNav(page, 'Dashboard');
  await page.waitForURL('**/dashboard');
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

  // the net worth on screen equals the accounts added up: bank balances (debts subtract),
  // exchange holdings at their live prices, the cash
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="holding-row"]').length >= 3,
    null,
    {
      timeout: 20_000,
    },
  );
  const shown = await netWorthShown(page);
  const [wallets, portfolio] = await Promise.all([
    apiFromPage<WalletList>(page, '/wallets'),
    apiFromPage<PortfolioView>(page, '/portfolio'),
  ]);
  let sum = Decimal.ZERO;
  for (const w of wallets.wallets)
    for (const a of w.accounts) {
      if (a.holdings.length)
        for (const h of a.holdings)
          sum = sum.add(Decimal.parse(h.quantity).mul(Decimal.parse(portfolio.prices[h.asset] ?? '0')));
      else if (a.current && a.currency === 'USD') {
        const current = Decimal.parse(a.current);
        sum = sum.add(a.type === 'credit' || a.type === 'loan' ? current.neg() : current);
      }
    }
  expect(shown).toBe(sum.round(2).toString());
  // the house and the car are their own classes in the allocation
  expect(portfolio.byClass).toMatchObject({
    property: '280000',
    vehicle: Decimal.parse(carWorth).toString(),
  });
  await page.getByText('Property', { exact: true }).waitFor();
  await page.getByText('Vehicles', { exact: true }).waitFor();
  expect(await page.getByTestId('net-worth').textContent()).toContain(
    new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(shown)),
  );
  await screenshot(page, `${label}-dashboard`, 'light');
  await screenshot(page, `${label}-dashboard`, 'dark');

  // a price tick moves the number in place
  const btc = Decimal.parse(portfolio.prices.BTC ?? '0');
  const newBtc = btc.add(Decimal.parse('1234.5'));
  await node.broker.call('market.ingest', {
    ticks: [{ symbol: 'BTC', price: newBtc.toString(), ts: Date.now(), source: 'e2e' }],
  });
  // 0.5 BTC at the exchange and 0.02 on chain
  const expected = Decimal.parse(shown)
    .add(Decimal.parse('0.52').mul(Decimal.parse('1234.5')))
    .round(2)
    .toString();
  await page.waitForFunction(
    (value) => document.querySelector('[data-testid="net-worth"]')?.getAttribute('data-value') === value,
    expected,
    { timeout: 15_000 },
  );
  // a transfer on the chain: 0.5 ETH to the watched address moves the number within a block (no
  // sync asked: the node follows the chain)
  const eth = Decimal.parse(portfolio.prices.ETH ?? '0');
  expect(eth.isZero()).toBe(false);
  await sims.evm!.pay(ETH_ADDRESS, 5n * 10n ** 17n);
  const afterTransfer = Decimal.parse(expected).add(Decimal.parse('0.5').mul(eth)).round(2).toString();
  await page.waitForFunction(
    (value) => document.querySelector('[data-testid="net-worth"]')?.getAttribute('data-value') === value,
    afterTransfer,
    { timeout: 15_000 },
  );
  // a trade on the securities feed: Apple at $2.50 more moves the number by the shares held × 2.50
  const appleShares = wallets.wallets
    .flatMap((w) => w.accounts.flatMap((a) => a.holdings))
    .filter((h) => h.asset === 'AAPL.STOCK')
    .reduce((sum, h) => sum.add(Decimal.parse(h.quantity)), Decimal.ZERO);
  expect(appleShares.isZero()).toBe(false);
  const applePrice = Decimal.parse(portfolio.prices['AAPL.STOCK'] ?? '0');
  const newApple = applePrice.add(Decimal.parse('2.5'));
  expect(sims.securitiesFeed.trade('AAPL', Number(newApple.mul(Decimal.parse('100')).toString()))).toBe(true);
  const afterTrade = Decimal.parse(afterTransfer)
    .add(appleShares.mul(Decimal.parse('2.5')))
    .round(2)
    .toString();
  await page.waitForFunction(
    (value) => document.querySelector('[data-testid="net-worth"]')?.getAttribute('data-value') === value,
    afterTrade,
    { timeout: 15_000 },
  );
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
    true,
  );

  // a sync's progress and result, live: the bank answers slowly so the progress shows
  await goNav(page, 'Accounts');
  await page.waitForURL('**/accounts');
  sims.plaid.faults.update({ latencyMs: 400 });
  try {
    const bank = page.locator('[data-kind="bank"]');
    // every state the badge shows is recorded, however briefly it shows
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __syncStates: string[] }).__syncStates = seen;
      const badge = () =>
        document.querySelector('[data-kind="bank"] [data-testid="sync-state"]')?.textContent?.trim();
      new MutationObserver(() => {
        const text = badge();
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await bank.getByTestId('sync-now').click();
    await page.waitForFunction(
      () => {
        const seen = (window as unknown as { __syncStates: string[] }).__syncStates;
        const started = seen.findIndex((s) => /Syncing|Waiting to sync/.test(s));
        return started >= 0 && seen.slice(started).some((s) => /^Synced/.test(s));
      },
      null,
      { timeout: 60_000 },
    );
    const states = await page.evaluate(() => (window as unknown as { __syncStates: string[] }).__syncStates);
    console.error(`${label}: sync states shown: ${states.join(' → ')}`);
  } finally {
    sims.plaid.faults.update({ latencyMs: 0 });
  }
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
    true,
  );
  // a manual balance updated by hand
  const cash = page.locator('[data-kind="manual"]').filter({ hasText: 'Emergency cash' });
  await cash.getByRole('button', { name: 'Update balance' }).click();
  await cash.getByLabel(/^Balance/).fill('300');
  await cash.getByRole('button', { name: 'Save' }).click();
  await cash.getByTestId('account-balance').filter({ hasText: '$300.00' }).waitFor();

  await screenshot(page, `${label}-accounts`, 'light');
  await screenshot(page, `${label}-accounts`, 'dark');

  // transactions: the bank's history is there; one added by hand is found by search
  await goNav(page, 'Transactions');
  await page.getByTestId('transaction-row').first().waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Add transaction' }).click();
  await page.getByLabel('Description').fill('Farmers market');
  await page.getByLabel('Amount', { exact: true }).fill('23.40');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByTestId('transaction-row').filter({ hasText: 'Farmers market' }).waitFor();
  await page.getByLabel('Search').fill('Farmers');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="transaction-row"]').length === 1);
  expect(await page.getByTestId('transaction-row').textContent()).toContain('-$23.40');
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
    true,
  );
  // a CSV with a bad row is refused as a whole, naming the row by its line in the file
  await page.getByRole('button', { name: 'Import a file' }).click();
  await page
    .getByLabel('…or paste it')
    .fill('Date,Description,Amount\n2026-11-01,Bakery,-4.20\n2026-13-45,Broken,-1.00\n');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Import 2 rows' }).click();
  await page.getByRole('alert').filter({ hasText: 'Line 3 (date)' }).waitFor();
  expect(await page.getByRole('alert').textContent()).not.toContain('undefined');
  // a bank's OFX statement needs no columns: the preview says what it holds, and it imports whole
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByLabel('…or paste it').fill(OFX_STATEMENT);
  await page.getByRole('button', { name: 'Preview' }).click();
  expect(await page.getByTestId('statement-summary').textContent()).toContain(
    'OFX statement of account …6789 in USD, 2026-11-01 to 2026-11-30: 5 transactions.',
  );
  await page.getByRole('button', { name: 'Import 5 transactions' }).click();
  await page.getByRole('status').filter({ hasText: 'Imported 5 transactions' }).waitFor();

  // sign out of every device: the session is gone, signed-in pages send you to sign in
  await goNav(page, 'Settings');
  await page.getByRole('button', { name: 'Sign out of all devices' }).click();
  await page.waitForURL('**/signin?signedOut=1');
  await page.getByText('You are signed out.').waitFor();
  // signing in again: a wrong password is refused in words and the email is kept, the right one works
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.getByLabel('Email').inputValue()).toBe(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/dashboard');
  await goNav(page, 'Settings');
  await page.getByRole('button', { name: 'Sign out of all devices' }).click();
  await page.waitForURL('**/signin?signedOut=1');
  await page.goto(`${base}/dashboard`);
  await page.waitForURL('**/signin?next=%2Fdashboard');
}

describe('the dashboard in a browser', () => {
  it('desktop: sign up, connect three accounts, live net worth, live sync', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    try {
      await flow(page, 'desktop');
    } catch (err) {
      await failureArtifacts(page, 'desktop');
      throw err;
    } finally {
      await context.close();
    }
  }, 240_000);

  it('phone width: the same flow', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    try {
      await flow(page, 'phone');
    } catch (err) {
      await failureArtifacts(page, 'phone');
      throw err;
    } finally {
      await context.close();
    }
  }, 240_000);
});

const failureArtifacts = (page: Page, label: string) => reportFailure(page, label, pageErrors);
