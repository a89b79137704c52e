// The simulated securities market (stocks, ETFs, mutual funds, a Treasury note, cash) and the
// brokerage books built on it: what Plaid Investments serves. A security's closes are a
// deterministic walk over the US market's trading days (domain/market-calendar.ts), back from
// its price on the simulator's first day; a mutual fund's close is its NAV. A book's history is
// generated one trading day at a time (deposits, buys, sells, dividends, fees), so the holdings
// are what its transactions add up to, to the cent, at every point.
import { createHash } from 'node:crypto';
import { isTradingDay, previousTradingDay, tradingDayOnOrBefore } from '../../domain/market-calendar.ts';
import { SeededRandom } from './random.ts';
import { addDays } from './bank-ledger.ts';

export type SecurityType = 'equity' | 'etf' | 'mutual fund' | 'fixed income' | 'cash';

export interface Security {
  security_id: string;
  name: string;
  /** null for a bond (it is known by its CUSIP) */
  ticker: string | null;
  type: SecurityType;
  currency: string;
  /** the listing's market (ISO 10383), null for a fund or a bond traded off exchange */
  mic: string | null;
  cusip: string | null;
  isin: string | null;
  isCashEquivalent: boolean;
  sector: string | null;
  industry: string | null;
  /** the close the walk starts back from, in cents */
  baseCents: number;
  /** annualised volatility of the walk (0: the price never moves) */
  volatility: number;
  /** dividend yield per year, paid quarterly (0: none) */
  dividendYield: number;
  /** a bond's terms (Plaid's fixed_income object) */
  fixedIncome?: { couponPercent: number; maturity: string; issued: string; faceValue: number };
}

type Listed = Omit<Security, 'security_id'>;
const LISTED: Listed[] = [
  // prettier-ignore
  ...([
    ['AAPL', 'Apple Inc.', 'XNAS', '037833100', 'US0378331005', 22_800, 0.28, 0.0045, 'Electronic Technology', 'Telecommunications Equipment'],
    ['MSFT', 'Microsoft Corporation', 'XNAS', '594918104', 'US5949181045', 42_500, 0.25, 0.0075, 'Technology Services', 'Packaged Software'],
    ['NVDA', 'NVIDIA Corporation', 'XNAS', '67066G104', 'US67066G1040', 14_000, 0.5, 0.0003, 'Electronic Technology', 'Semiconductors'],
    ['JPM', 'JPMorgan Chase & Co.', 'XNYS', '46625H100', 'US46625H1005', 24_000, 0.22, 0.021, 'Finance', 'Major Banks'],
    ['KO', 'The Coca-Cola Company', 'XNYS', '191216100', 'US1912161007', 6_300, 0.15, 0.031, 'Consumer Non-Durables', 'Beverages: Non-Alcoholic'],
  ] as const).map(([ticker, name, mic, cusip, isin, baseCents, volatility, dividendYield, sector, industry]): Listed => ({
    ticker, name, type: 'equity', currency: 'USD', mic, cusip, isin, isCashEquivalent: false, sector, industry,
    baseCents, volatility, dividendYield,
  })),
  {
    ticker: 'SAP',
    name: 'SAP SE',
    type: 'equity',
    currency: 'EUR',
    mic: 'XETR',
    cusip: null,
    isin: 'DE0007164600',
    isCashEquivalent: false,
    sector: 'Technology Services',
    industry: 'Packaged Software',
    baseCents: 24_500,
    volatility: 0.27,
    dividendYield: 0,
  },
  // prettier-ignore
  ...([
    ['VTI', 'Vanguard Total Stock Market ETF', 'etf', 'ARCX', '922908769', 'US9229087690', 29_000, 0.17, 0.013],
    ['VOO', 'Vanguard S&P 500 ETF', 'etf', 'ARCX', '922908363', 'US9229083632', 54_000, 0.16, 0.012],
    ['BND', 'Vanguard Total Bond Market ETF', 'etf', 'XNAS', '921937835', 'US9219378356', 7_200, 0.06, 0.036],
    ['VTSAX', 'Vanguard Total Stock Market Index Fund Admiral Shares', 'mutual fund', null, '922908728', 'US9229087286', 14_000, 0.17, 0.013],
    ['VFIAX', 'Vanguard 500 Index Fund Admiral Shares', 'mutual fund', null, '922908710', 'US9229087104', 52_000, 0.16, 0.012],
  ] as const).map(([ticker, name, type, mic, cusip, isin, baseCents, volatility, dividendYield]): Listed => ({
    ticker, name, type, currency: 'USD', mic, cusip, isin, isCashEquivalent: false, sector: null, industry: null,
    baseCents, volatility, dividendYield,
  })),
  {
    ticker: 'VMFXX',
    name: 'Vanguard Federal Money Market Fund',
    type: 'mutual fund',
    currency: 'USD',
    mic: null,
    cusip: '922906300',
    isin: 'US9229063000',
    isCashEquivalent: true,
    sector: null,
    industry: null,
    baseCents: 100,
    volatility: 0,
    dividendYield: 0,
  },
  {
    ticker: null,
    name: 'United States Treasury Note 4.25% 15/11/2034',
    type: 'fixed income',
    currency: 'USD',
    mic: null,
    cusip: '91282CLW9',
    isin: 'US91282CLW90',
    isCashEquivalent: false,
    sector: 'Government',
    industry: null,
    baseCents: 9_850,
    volatility: 0.05,
    dividendYield: 0,
    fixedIncome: { couponPercent: 4.25, maturity: '2034-11-15', issued: '2024-11-15', faceValue: 100 },
  },
  ...(['USD', 'EUR'] as const).map((currency): Listed => ({
    ticker: `CUR:${currency}`,
    name: currency === 'USD' ? 'U S Dollar' : 'Euro',
    type: 'cash',
    currency,
    mic: null,
    cusip: null,
    isin: null,
    isCashEquivalent: true,
    sector: null,
    industry: null,
    baseCents: 100,
    volatility: 0,
    dividendYield: 0,
  })),
];

/** A security's id, the same in every item (as Plaid's are): 37 characters drawn from its identity. */
function securityIdOf(s: Listed): string {
  return createHash('sha256')
    .update(`security:${s.isin ?? s.ticker ?? s.cusip}`)
    .digest('base64url')
    .replace(/[-_]/g, 'x')
    .slice(0, 37);
}

export class SecuritiesMarket {
  readonly securities: Security[];
  private readonly byTicker = new Map<string, Security>();
  /** per security, the closes 1, 2, … trading days back from the anchor day (cents) */
  private readonly walks = new Map<string, number[]>();
  /** the sessions before the anchor day, the latest first, and each one's place in that list */
  private readonly sessions: string[] = [];
  private readonly sessionIndex = new Map<string, number>();

  /**
   * `anchorDay`: the day the walk starts back from (the simulator's first "today"); `extraStocks`:
   * synthetic US stocks beside the listed ones (S0 … S<n−1>, for benchmarks of thousands of symbols).
   */
  constructor(
    private readonly seed: number,
    readonly anchorDay: string,
    extraStocks = 0,
  ) {
    const draw = new SeededRandom(seed).fork('synthetic-stocks');
    const synthetic = Array.from({ length: extraStocks }, (_, i): Listed => ({
      ticker: `S${i}`,
      name: `Synthetic Stock ${i}`,
      type: 'equity',
      currency: 'USD',
      mic: 'XNAS',
      cusip: null,
      isin: null,
      isCashEquivalent: false,
      sector: null,
      industry: null,
      baseCents: draw.int(500, 50_000),
      volatility: 0.2 + draw.next() * 0.4,
      dividendYield: 0,
    }));
    this.securities = [...LISTED, ...synthetic].map((s) => ({ ...s, security_id: securityIdOf(s) }));
    for (const s of this.securities) this.byTicker.set(s.ticker ?? s.cusip ?? s.security_id, s);
  }

  security(tickerOrCusip: string): Security {
    const s = this.byTicker.get(tickerOrCusip);
    if (!s) throw new Error(`unknown security ${tickerOrCusip}`);
    return s;
  }

  /** How many sessions before the anchor's last one a past session is (0: the last one). */
  private sessionsBack(session: string): number {
    if (!this.sessions.length) {
      const last = tradingDayOnOrBefore(addDays(this.anchorDay, -1));
      this.sessions.push(last);
      this.sessionIndex.set(last, 0);
    }
    while ((this.sessions.at(-1) as string) > session) {
      const next = previousTradingDay(this.sessions.at(-1) as string);
      this.sessionIndex.set(next, this.sessions.length);
      this.sessions.push(next);
    }
    return this.sessionIndex.get(session) as number;
  }

  /**
   * The close (cents) of the session on or before `day`. Sessions from the anchor day on close
   * at the anchor's price (the live feed moves from there); a cash-like security is always 1.00.
   */
  closeCents(s: Security, day: string): number {
    if (s.volatility === 0) return s.baseCents;
    const session = tradingDayOnOrBefore(day);
    if (session >= this.anchorDay) return s.baseCents;
    const back = this.sessionsBack(session);
    const key = s.security_id;
    let walk = this.walks.get(key);
    if (!walk) this.walks.set(key, (walk = [s.baseCents]));
    // a mutual fund's NAV and a stock's close walk alike; one step per session
    const dailyVol = s.volatility / Math.sqrt(252);
    while (walk.length <= back) {
      const k = walk.length;
      const z = new SeededRandom(this.seed).fork(`security:${key}:${k}`).normal();
      walk.push(Math.max(1, Math.round((walk[k - 1] as number) / Math.exp(dailyVol * z))));
    }
    return walk[back] as number;
  }
}

/** A brokerage account of an item: its currency and what it buys. */
export interface BookAccount {
  account_id: string;
  name: string;
  official_name: string;
  subtype: 'brokerage' | '401k';
  currency: string;
  mask: string;
  /** tickers (or a bond's CUSIP) it invests in */
  buys: string[];
  /** cents deposited each month */
  monthlyDepositCents: number;
}

export interface InvestmentTransaction {
  investment_transaction_id: string;
  account_id: string;
  security_id: string | null;
  date: string;
  name: string;
  /** thousandths of a unit: positive bought, negative sold, 0 for cash movements */
  quantityMilli: number;
  /** cents: positive when cash leaves the account (a buy, a fee), negative when it comes in */
  amountCents: number;
  priceCents: number;
  feesCents: number;
  type: 'buy' | 'sell' | 'cash' | 'fee' | 'transfer';
  subtype: 'buy' | 'sell' | 'dividend' | 'account fee' | 'deposit';
  currency: string;
}

export interface BookHolding {
  account_id: string;
  security: Security;
  quantityMilli: number;
  /** what the units held cost (average cost: a sale takes its share of the basis) */
  costBasisCents: number;
}

/** Value in cents of thousandths of a unit at a price in cents (half away from zero). */
export const valueCents = (quantityMilli: number, priceCents: number): number =>
  Math.sign(quantityMilli * priceCents) * Math.round(Math.abs(quantityMilli * priceCents) / 1000);

/** One item's brokerage accounts and their history, released a day at a time. */
export class InvestmentBook {
  readonly transactions: InvestmentTransaction[] = [];
  /** per account, per security id: the position */
  private readonly positions = new Map<string, Map<string, BookHolding>>();
  private sessions = 0;

  constructor(
    private readonly market: SecuritiesMarket,
    readonly accounts: BookAccount[],
    private readonly rng: SeededRandom,
  ) {
    for (const a of accounts) this.positions.set(a.account_id, new Map());
  }

  /** The holdings now (cash included, as Plaid lists it: a cash security). */
  holdings(): BookHolding[] {
    return [...this.positions.values()].flatMap((m) => [...m.values()]).filter((h) => h.quantityMilli !== 0);
  }

  private position(account: BookAccount, security: Security): BookHolding {
    const held = this.positions.get(account.account_id) as Map<string, BookHolding>;
    let h = held.get(security.security_id);
    if (!h)
      held.set(
        security.security_id,
        (h = { account_id: account.account_id, security, quantityMilli: 0, costBasisCents: 0 }),
      );
    return h;
  }

  private cash(account: BookAccount): BookHolding {
    return this.position(account, this.market.security(`CUR:${account.currency}`));
  }

  private record(t: Omit<InvestmentTransaction, 'investment_transaction_id'>): InvestmentTransaction {
    const full = { investment_transaction_id: this.rng.hex(37), ...t };
    this.transactions.push(full);
    return full;
  }

  /** A day's activity: on a trading day, every 21st session a deposit and buys, dividends every 63rd, a sale and the yearly fee now and then. */
  releaseDay(day: string): InvestmentTransaction[] {
    if (!isTradingDay(day)) return [];
    const n = this.sessions;
    this.sessions += 1;
    const made: InvestmentTransaction[] = [];
    for (const account of this.accounts) {
      const rng = this.rng.fork(`${account.account_id}:${day}`);
      const cash = this.cash(account);
      if (n % 21 === 0) {
        cash.quantityMilli += account.monthlyDepositCents * 10;
        cash.costBasisCents += account.monthlyDepositCents;
        made.push(
          this.record({
            account_id: account.account_id,
            security_id: null,
            date: day,
            name: 'Deposit',
            quantityMilli: 0,
            amountCents: -account.monthlyDepositCents,
            priceCents: 0,
            feesCents: 0,
            type: 'transfer',
            subtype: 'deposit',
            currency: account.currency,
          }),
        );
        made.push(...this.buy(account, day, rng));
      }
      if (n % 63 === 62) made.push(...this.dividends(account, day));
      if (n % 126 === 100) made.push(...this.sell(account, day, rng));
      if (n % 252 === 200) {
        const fee = 2_500;
        cash.quantityMilli -= fee * 10;
        cash.costBasisCents -= fee;
        made.push(
          this.record({
            account_id: account.account_id,
            security_id: null,
            date: day,
            name: 'Annual account fee',
            quantityMilli: 0,
            amountCents: fee,
            priceCents: 0,
            feesCents: fee,
            type: 'fee',
            subtype: 'account fee',
            currency: account.currency,
          }),
        );
      }
    }
    return made;
  }

  private buy(account: BookAccount, day: string, rng: SeededRandom): InvestmentTransaction[] {
    const cash = this.cash(account);
    const made: InvestmentTransaction[] = [];
    for (const ticker of account.buys) {
      if (!rng.chance(0.6)) continue;
      const security = this.market.security(ticker);
      const price = this.market.closeCents(security, day);
      // funds are bought in thousandths of a share, stocks and ETFs whole, a bond by the $100 unit
      const whole = security.type === 'equity' || security.type === 'etf' || security.type === 'fixed income';
      const budget = Math.floor((cash.quantityMilli / 10) * (0.2 + rng.next() * 0.3));
      const quantityMilli = whole ? Math.floor(budget / price) * 1000 : Math.floor((budget * 1000) / price);
      if (quantityMilli <= 0) continue;
      const amount = valueCents(quantityMilli, price);
      const h = this.position(account, security);
      h.quantityMilli += quantityMilli;
      h.costBasisCents += amount;
      cash.quantityMilli -= amount * 10;
      cash.costBasisCents -= amount;
      made.push(
        this.record({
          account_id: account.account_id,
          security_id: security.security_id,
          date: day,
          name: `BUY ${security.name}`,
          quantityMilli,
          amountCents: amount,
          priceCents: price,
          feesCents: 0,
          type: 'buy',
          subtype: 'buy',
          currency: account.currency,
        }),
      );
    }
    return made;
  }

  private sell(account: BookAccount, day: string, rng: SeededRandom): InvestmentTransaction[] {
    const held = [...(this.positions.get(account.account_id) as Map<string, BookHolding>).values()].filter(
      (h) => h.security.type !== 'cash' && h.quantityMilli >= 2000,
    );
    if (!held.length) return [];
    const h = rng.pick(held);
    const price = this.market.closeCents(h.security, day);
    const whole = h.security.type !== 'mutual fund';
    const quantityMilli = whole ? Math.floor(h.quantityMilli / 2000) * 1000 : Math.floor(h.quantityMilli / 2);
    if (quantityMilli <= 0) return [];
    const proceeds = valueCents(quantityMilli, price);
    const basisSold = Math.round((h.costBasisCents * quantityMilli) / h.quantityMilli);
    h.quantityMilli -= quantityMilli;
    h.costBasisCents -= basisSold;
    const cash = this.cash(account);
    cash.quantityMilli += proceeds * 10;
    cash.costBasisCents += proceeds;
    return [
      this.record({
        account_id: account.account_id,
        security_id: h.security.security_id,
        date: day,
        name: `SELL ${h.security.name}`,
        quantityMilli: -quantityMilli,
        amountCents: -proceeds,
        priceCents: price,
        feesCents: 0,
        type: 'sell',
        subtype: 'sell',
        currency: account.currency,
      }),
    ];
  }

  private dividends(account: BookAccount, day: string): InvestmentTransaction[] {
    const made: InvestmentTransaction[] = [];
    const cash = this.cash(account);
    for (const h of (this.positions.get(account.account_id) as Map<string, BookHolding>).values()) {
      if (!h.security.dividendYield || h.quantityMilli <= 0) continue;
      const perUnit = Math.round((this.market.closeCents(h.security, day) * h.security.dividendYield) / 4);
      const amount = valueCents(h.quantityMilli, perUnit);
      if (amount <= 0) continue;
      cash.quantityMilli += amount * 10;
      cash.costBasisCents += amount;
      made.push(
        this.record({
          account_id: account.account_id,
          security_id: h.security.security_id,
          date: day,
          name: `DIVIDEND ${h.security.name}`,
          quantityMilli: 0,
          amountCents: -amount,
          priceCents: 0,
          feesCents: 0,
          type: 'cash',
          subtype: 'dividend',
          currency: account.currency,
        }),
      );
    }
    return made;
  }
}
