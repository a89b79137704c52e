// The truth oracle: every figure the product shows a person, compared with the same figure
// computed here from what the providers hold. Its arithmetic is exact (big.js) and its own; it
// imports nothing of the product but the API's types and vocabulary (the classes it reports).
//
// The rules it states (what a figure is, independently of how the product computes it):
// - a card's or a loan's balance (Plaid: positive when owed) counts against net worth, in the
//   class of debts (not cash);
// - a price is the exchange's last price of the asset's USDT pair, else the price API's USD
//   price; a currency is worth 1 / (units per USD) of the FX provider's rate (today's, or the
//   day's fixing for a past day); a past day's crypto price is that day's close;
// - a manual account is worth its latest recorded balance (on a past day: the latest recorded
//   on or before it; none before its first);
// - a thing owned is worth its latest valuation (its purchase price from its purchase day); a
//   vehicle loses rate/12 % of that a month since, on the valuation's day of the month; a home,
//   a vehicle and valuables are each their own class, whatever their currency;
// - a past day is one of the last three years (3 × 366 days back from yesterday: what the
//   product rebuilds); a past day values today's exchange holdings at that day's closes (the product's stated
//   estimate: trades are not known);
// - a brokerage holds what it says it holds (Plaid Investments); a US stock's or ETF's price is
//   the securities feed's last trade, any other security's the brokerage's own price in its
//   currency; stocks are equity, ETFs and mutual funds fund, a money-market fund cash, a bond
//   bond; a past day's holdings are today's less what the brokerage's transactions moved after
//   it, at the feed's last session close on or before it, or at the brokerage's price at that
//   day's fixing (a fund's past NAVs are not known: the product's stated estimate);
// - the day opens (UTC) at the previous day's closes and fixings (a stock: its last session's close);
// - a figure is in the person's base currency at today's rate (a past day: that day's fixing),
//   rounded half-even to its minor unit; it matches when it is within one minor unit of that.
import type {
  HealthScoreView,
  HistoryResponse,
  ValueAtResponse,
  WalletView,
} from '@finexia/contracts/api.ts';
import { ASSET_CLASSES, type PortfolioView } from '@finexia/contracts/portfolio.ts';
import {
  classOf,
  holdingOf,
  exact,
  FIAT,
  loanOwed,
  MINOR_DIGITS,
  ONE,
  ownedWorth,
  roundMinor,
  ZERO,
  type Exact,
} from './exact.ts';
import { ProviderTruth } from './providers.ts';
import type { OwnedSpec, Person, PublicApi } from './people.ts';

export interface Mismatch {
  user: string;
  figure: string;
  expected: string;
  got: string;
}

export interface Checked {
  figures: number;
  mismatches: Mismatch[];
}

const LIABILITIES = new Set(['credit', 'loan']);
/** What the score counts as liquid: bank deposits and cash-like manual accounts. */
const LIQUID = new Set(['depository', 'cash', 'savings', 'business']);

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => dayOf(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000);

/** A position the oracle values: an account holds `quantity` of `asset`. */
interface Position {
  accountId: string;
  asset: string;
  quantity: Exact;
  /** its account's role for the score (a thing owned is none of liquid, long-term or owed) */
  role: 'liquid' | 'debt' | 'longTerm' | 'owned';
  /** a thing owned is its own class (a home is property, whatever its currency), and so is what is owed; a security is its kind's */
  assetClass?: 'property' | 'vehicle' | 'valuables' | 'debt' | 'equity' | 'fund' | 'bond' | 'cash';
  /** a brokerage's security: the feed's symbol when it trades there, else the brokerage's price and its currency */
  security?: { feed: string | null; price: Exact; currency: string };
}

/** The prices of now, as the providers give them (USD per unit). */
export interface PricesNow {
  exchange: Map<string, Exact>;
  fx: Record<string, number>;
  /** the price API's, for what the exchange does not list */
  priceApi: Map<string, Exact>;
}

export async function pricesNow(providers: ProviderTruth, assets: Iterable<string>): Promise<PricesNow> {
  const exchange = await providers.exchangePrices();
  const priceApi = new Map<string, Exact>();
  for (const asset of assets)
    if (!FIAT.has(asset) && !exchange.has(asset)) {
      const price = await providers.priceApiPrice(asset);
      if (price) priceApi.set(asset, price);
    }
  return { exchange, fx: await providers.fxLatest(), priceApi };
}

function priceNow(asset: string, prices: PricesNow): Exact | undefined {
  if (FIAT.has(asset)) return ProviderTruth.usdPer(asset, prices.fx);
  return prices.exchange.get(asset) ?? prices.priceApi.get(asset);
}

/** Everything a person holds now, by our account ids (read from the providers, matched through the wallets' views). */
async function positionsNow(api: PublicApi, providers: ProviderTruth, person: Person): Promise<Position[]> {
  const token = person.session.accessToken;
  const { wallets } = await api.call<{ wallets: WalletView[] }>('GET', '/wallets', token);
  const walletById = new Map(wallets.map((w) => [w.id, w]));
  const positions: Position[] = [];
  for (const bank of person.banks) {
    const ours = walletById.get(bank.walletId)?.accounts ?? [];
    for (const account of await providers.bankAccounts(bank.itemId)) {
      const match = ours.find((a) => a.name === account.name && a.mask === account.mask);
      if (!match)
        throw new Error(
          `${person.spec.label}: the bank's ${account.name} ••${account.mask} is not among the wallet's accounts`,
        );
      const balance = exact(account.balances.current);
      const owed = LIABILITIES.has(account.type);
      positions.push({
        accountId: match.id,
        asset: account.balances.iso_currency_code,
        quantity: owed ? balance.neg() : balance,
        role: owed ? 'debt' : LIQUID.has(account.type) ? 'liquid' : 'longTerm',
        ...(owed ? { assetClass: 'debt' as const } : {}),
      });
    }
  }
  const exchanges: [string | undefined, Record<string, Exact> | undefined][] = [
    [
      person.binance?.walletId,
      person.binance ? await providers.binanceHoldings(person.binance.apiKey) : undefined,
    ],
    [
      person.coinbase?.walletId,
      person.coinbase ? await providers.coinbaseHoldings(person.coinbase.keyName) : undefined,
    ],
  ];
  for (const [walletId, holdings] of exchanges) {
    if (!walletId || !holdings) continue;
    const account = walletById.get(walletId)?.accounts[0];
    if (!account) throw new Error(`${person.spec.label}: exchange wallet ${walletId} has no account`);
    for (const [asset, quantity] of Object.entries(holdings))
      if (!quantity.eq(ZERO)) positions.push({ accountId: account.id, asset, quantity, role: 'longTerm' });
  }
  for (const brokerage of person.brokerages) {
    const ours = walletById.get(brokerage.walletId)?.accounts ?? [];
    const theirs = await providers.brokerage(brokerage.itemId);
    for (const account of theirs.accounts) {
      const match = ours.find((a) => a.name === account.name && a.mask === account.mask);
      if (!match)
        throw new Error(
          `${person.spec.label}: the brokerage's ${account.name} ••${account.mask} is not among the wallet's accounts`,
        );
      for (const h of theirs.holdings.filter((x) => x.account_id === account.account_id)) {
        const security = theirs.securities.find((s) => s.security_id === h.security_id);
        if (!security)
          throw new Error(`${person.spec.label}: the brokerage lists no security ${h.security_id}`);
        const named = holdingOf(security, h.iso_currency_code);
        positions.push({
          accountId: match.id,
          asset: named.asset,
          quantity: exact(h.quantity),
          role: 'longTerm',
          assetClass: named.assetClass,
          ...(security.type === 'cash'
            ? {}
            : {
                security: {
                  feed: named.feed,
                  price: exact(h.institution_price),
                  currency: h.iso_currency_code,
                },
              }),
        });
      }
    }
  }
  for (const manual of person.manual) {
    const account = walletById.get(manual.walletId)?.accounts[0];
    if (!account) throw new Error(`${person.spec.label}: manual wallet ${manual.walletId} has no account`);
    const latest = [...manual.spec.balances].sort((a, b) => (a.date < b.date ? -1 : 1)).at(-1);
    if (latest)
      positions.push({
        accountId: account.id,
        asset: manual.spec.currency,
        quantity: exact(latest.balance),
        role: manual.spec.manualType === 'other' ? 'longTerm' : 'liquid',
      });
  }
  if (person.ethereum) {
    const account = walletById.get(person.ethereum.walletId)?.accounts[0];
    if (!account)
      throw new Error(`${person.spec.label}: ethereum wallet ${person.ethereum.walletId} has no account`);
    for (const [asset, quantity] of Object.entries(await providers.ethereumAt(person.ethereum.address)))
      positions.push({ accountId: account.id, asset, quantity, role: 'longTerm' });
  }
  if (person.bitcoin) {
    const account = walletById.get(person.bitcoin.walletId)?.accounts[0];
    if (!account)
      throw new Error(`${person.spec.label}: bitcoin wallet ${person.bitcoin.walletId} has no account`);
    const quantity = await providers.bitcoinAt(person.bitcoin.addresses);
    if (!quantity.eq(ZERO))
      positions.push({ accountId: account.id, asset: 'BTC', quantity, role: 'longTerm' });
  }
  for (const loan of person.loans) {
    const account = walletById.get(loan.walletId)?.accounts[0];
    if (!account) throw new Error(`${person.spec.label}: loan wallet ${loan.walletId} has no account`);
    const owed = loanOwed(loan.spec.terms, new Date().toISOString().slice(0, 10));
    if (owed && !owed.eq(ZERO))
      positions.push({
        accountId: account.id,
        asset: loan.spec.currency,
        quantity: owed.neg(),
        role: 'debt',
        assetClass: 'debt',
      });
  }
  for (const thing of person.owned) {
    const account = walletById.get(thing.walletId)?.accounts[0];
    if (!account) throw new Error(`${person.spec.label}: owned wallet ${thing.walletId} has no account`);
    const worth = ownedWorth(valuationsOf(thing.spec), thing.spec.depreciationPercent, dayOf(Date.now()));
    if (worth && !worth.eq(ZERO))
      positions.push({
        accountId: account.id,
        asset: thing.spec.currency,
        quantity: worth,
        role: 'owned',
        assetClass: thing.spec.manualType,
      });
  }
  return positions;
}

/** The feed symbols among a person's positions. */
const positionsFeed = (positions: Position[]) =>
  positions.flatMap((p) => (p.security?.feed ? [p.security.feed] : []));

/** A thing owned's valuations: its purchase, then those recorded. */
const valuationsOf = (spec: OwnedSpec) => [
  { date: spec.purchaseDate, balance: spec.purchasePrice },
  ...spec.valuations,
];

class Comparer {
  figures = 0;
  readonly mismatches: Mismatch[] = [];
  constructor(
    private readonly user: string,
    private readonly currency: string,
  ) {}

  /** expected: exact, rounded here; got: the product's text (absent: shown as "(none)") */
  money(figure: string, expected: Exact, got: string | undefined): void {
    this.figures += 1;
    const want = roundMinor(expected, this.currency);
    const unit = exact(10).pow(-(MINOR_DIGITS[this.currency] ?? 2));
    if (got !== undefined && exact(got).minus(want).abs().lte(unit)) return;
    this.mismatches.push({ user: this.user, figure, expected: want.toFixed(), got: got ?? '(none)' });
  }

  same(figure: string, expected: string, got: string): void {
    this.figures += 1;
    if (expected !== got) this.mismatches.push({ user: this.user, figure, expected, got });
  }
}

/** The live view's figures: net worth, by account, asset and class, the day so far, nothing unpriced. */
export async function checkLive(
  api: PublicApi,
  providers: ProviderTruth,
  person: Person,
  prices: PricesNow,
  closesBefore: (asset: string) => Promise<Exact | undefined>,
): Promise<Checked> {
  const today = dayOf(Date.now());
  const yesterday = addDays(today, -1);
  const fixingYesterday = await providers.fxOn(yesterday);
  const positions = await positionsNow(api, providers, person);
  const feed = await providers.feedPrices([...new Set(positionsFeed(positions))]);
  /** a security's price now: the feed's last trade, else the brokerage's price at today's rate */
  const securityNow = (s: NonNullable<Position['security']>) =>
    s.feed ? feed.get(s.feed) : s.price.times(ProviderTruth.usdPer(s.currency, prices.fx) ?? ZERO);
  /** and at the day's open: the feed's last session close before today, else the brokerage's price at yesterday's fixing */
  const securityOpen = async (s: NonNullable<Position['security']>) => {
    if (!s.feed) return s.price.times(ProviderTruth.usdPer(s.currency, fixingYesterday) ?? ZERO);
    const sessions = [...(await providers.feedSessions(s.feed, addDays(today, -10), yesterday))];
    return sessions.at(-1)?.[1];
  };
  const token = person.session.accessToken;
  const view = await api.call<PortfolioView>('GET', '/portfolio', token);
  const base = person.spec.baseCurrency;
  const toBase = ProviderTruth.usdPer(base, prices.fx);
  if (!toBase) throw new Error(`no FX rate for ${base}`);
  const c = new Comparer(person.spec.label, base);
  c.same('currency', base, view.currency);
  const inBase = (usd: Exact) => usd.div(toBase);
  const byAccount = new Map<string, Exact>();
  const byAsset = new Map<string, Exact>();
  // every class the API reports is compared (zero where the person holds none)
  const byClass = new Map<string, Exact>(ASSET_CLASSES.map((c) => [c, ZERO]));
  let netWorth = ZERO;
  let open = ZERO;
  const unpriced: string[] = [];
  for (const p of positions) {
    const price = p.security ? securityNow(p.security) : priceNow(p.asset, prices);
    if (!price) {
      unpriced.push(p.asset);
      continue;
    }
    const usd = p.quantity.times(price);
    netWorth = netWorth.plus(usd);
    byAccount.set(p.accountId, (byAccount.get(p.accountId) ?? ZERO).plus(usd));
    byAsset.set(p.asset, (byAsset.get(p.asset) ?? ZERO).plus(usd));
    const cls = p.assetClass ?? classOf(p.asset);
    byClass.set(cls, (byClass.get(cls) as Exact).plus(usd));
    const opened = p.security ? await securityOpen(p.security) : await closesBefore(p.asset);
    open = open.plus(p.quantity.times(opened ?? price));
  }
  c.money('netWorth', inBase(netWorth), view.netWorth);
  for (const [accountId, usd] of byAccount)
    c.money(
      `byAccount[${accountId}]`,
      inBase(usd),
      view.byAccount[accountId] ?? (roundMinor(inBase(usd), base).eq(ZERO) ? '0' : undefined),
    );
  for (const accountId of Object.keys(view.byAccount))
    if (!byAccount.has(accountId)) c.money(`byAccount[${accountId}]`, ZERO, view.byAccount[accountId]);
  for (const [asset, usd] of byAsset)
    c.money(
      `byAsset[${asset}]`,
      inBase(usd),
      view.byAsset[asset] ?? (roundMinor(inBase(usd), base).eq(ZERO) ? '0' : undefined),
    );
  for (const [cls, usd] of byClass) c.money(`byClass[${cls}]`, inBase(usd), view.byClass[cls]);
  // both sides rounded first, as the product states (the numbers on screen add up)
  c.money('dayOpen', inBase(open), view.dayOpen);
  c.money(
    'dayChange',
    roundMinor(inBase(netWorth), base).minus(roundMinor(inBase(open), base)),
    view.dayChange,
  );
  c.same('unpriced', JSON.stringify(unpriced), JSON.stringify(view.unpriced.map((u) => u.asset)));
  c.same('pegged', '[]', JSON.stringify(view.pegged));
  const securityPrices = new Map(
    positions.flatMap((p) => (p.security ? [[p.asset, securityNow(p.security)] as const] : [])),
  );
  for (const [asset, price] of Object.entries(view.prices)) {
    const want = securityPrices.get(asset) ?? priceNow(asset, prices);
    // an FX rate is a quotient: compared to 12 places
    if (want && !exact(price).minus(want).abs().lte(exact('1e-12')))
      c.same(`prices[${asset}]`, want.toFixed(), price);
    else c.figures += 1;
  }

  // the score's inputs: what can be spent within days, and what is owed (from each account's value as shown)
  const score = await api.call<HealthScoreView>('GET', '/insights/score', token);
  const rounded = (usd: Exact) => roundMinor(inBase(usd), base);
  let liquid = ZERO;
  let owed = ZERO;
  const roleOf = new Map(positions.map((p) => [p.accountId, p.role]));
  for (const [accountId, usd] of byAccount) {
    if (roleOf.get(accountId) === 'liquid') liquid = liquid.plus(rounded(usd));
    if (roleOf.get(accountId) === 'debt') owed = owed.minus(rounded(usd));
  }
  const figures = (id: string) => score.indicators.find((i) => i.id === id)?.figures ?? {};
  const liquidShown = figures('liquid_savings').liquid;
  if (liquidShown !== undefined) c.money('score.liquid', liquid, liquidShown);
  const owedShown = figures('manageable_debt').owed;
  if (owedShown !== undefined) c.money('score.owed', owed.gt(ZERO) ? owed : ZERO, owedShown);
  return { figures: c.figures, mismatches: c.mismatches };
}

/** The days the product's history says it knows (from the first transaction or recorded balance), sampled. */
export async function historyDays(
  providers: ProviderTruth,
  person: Person,
  today: string,
  samples: number,
): Promise<string[]> {
  let first: string | null = null;
  for (const bank of person.banks) {
    const res = await fetch(`${providers.urls.plaid}/__sim/items/${bank.itemId}/truth`);
    const { transactions } = (await res.json()) as { transactions: { date: string; pending: boolean }[] };
    for (const t of transactions) if (!t.pending && (first === null || t.date < first)) first = t.date;
  }
  for (const brokerage of person.brokerages)
    for (const t of (await providers.brokerage(brokerage.itemId)).transactions)
      if (first === null || t.date < first) first = t.date;
  for (const m of person.manual)
    for (const b of m.spec.balances) if (first === null || b.date < first) first = b.date;
  for (const l of person.loans)
    if (first === null || l.spec.terms.startDate < first) first = l.spec.terms.startDate;
  for (const o of person.owned)
    if (first === null || o.spec.purchaseDate < first) first = o.spec.purchaseDate;
  if (person.bitcoin)
    for (const m of await providers.bitcoinMoves(person.bitcoin.addresses))
      if (first === null || m.date < first) first = m.date;
  // the product rebuilds at most three years (3 × 366 days) back from yesterday
  const window = addDays(today, -1 - 3 * 366);
  if (first !== null && first < window) first = window;
  if (first === null || first >= today) return [];
  const yesterday = addDays(today, -1);
  const span = Math.round(
    (Date.parse(`${yesterday}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000,
  );
  const days = new Set<string>([yesterday, first]);
  for (let i = 1; days.size < samples + 2 && i <= samples * 3; i += 1)
    days.add(addDays(first, Math.floor((span * i) / (samples + 1))));
  return [...days].filter((d) => d >= first && d <= yesterday).sort();
}

/** The history at past days: each day's end valued from the bank's own daily balances, the recorded balances and that day's closes. */
export async function checkHistory(
  api: PublicApi,
  providers: ProviderTruth,
  person: Person,
  days: readonly string[],
): Promise<Checked> {
  const token = person.session.accessToken;
  const base = person.spec.baseCurrency;
  const c = new Comparer(person.spec.label, base);
  if (!days.length) return { figures: 0, mismatches: [] };
  const from = days[0] as string;
  const to = days[days.length - 1] as string;
  // the banks' own balances, by their account ids; which are owed, and in what currency
  const bankDays: { currency: string; owed: boolean; byDay: Record<string, number> }[] = [];
  for (const bank of person.banks) {
    const accounts = await providers.bankAccounts(bank.itemId);
    const balances = await providers.bankDailyBalances(bank.itemId, from, to);
    for (const a of accounts)
      bankDays.push({
        currency: a.balances.iso_currency_code,
        owed: LIABILITIES.has(a.type),
        byDay: balances[a.account_id] ?? {},
      });
  }
  const holdings: Record<string, Exact> = {};
  const add = (h: Record<string, Exact>) => {
    for (const [asset, q] of Object.entries(h)) holdings[asset] = (holdings[asset] ?? ZERO).plus(q);
  };
  if (person.binance) add(await providers.binanceHoldings(person.binance.apiKey));
  if (person.coinbase) add(await providers.coinbaseHoldings(person.coinbase.keyName));
  // a Bitcoin wallet on a day: what its transactions confirmed by that day's end brought in, less
  // what they took out
  const bitcoinMoves = person.bitcoin ? await providers.bitcoinMoves(person.bitcoin.addresses) : [];
  if (person.ethereum) add(await providers.ethereumAt(person.ethereum.address));
  // a brokerage's holdings on a day: today's less what its transactions moved after that day
  // (a trade's units of its security; every transaction's amount out of its cash), each at its
  // price then: a US stock's or ETF's last session close on or before the day (the feed's), else
  // the brokerage's price at that day's fixing; cash at the day's fixing
  const books: {
    quantity: Exact;
    feed: string | null;
    price: Exact | null;
    currency: string;
    moves: { date: string; quantity: Exact }[];
  }[] = [];
  for (const brokerage of person.brokerages) {
    const theirs = await providers.brokerage(brokerage.itemId);
    const book = new Map<string, (typeof books)[number]>();
    const securityOf = (id: string) => theirs.securities.find((s) => s.security_id === id);
    for (const h of theirs.holdings) {
      const security = securityOf(h.security_id);
      if (!security) continue;
      const cash = security.type === 'cash';
      book.set(`${h.account_id}/${cash ? h.iso_currency_code : h.security_id}`, {
        quantity: exact(h.quantity),
        feed: cash ? null : holdingOf(security, h.iso_currency_code).feed,
        price: cash ? null : exact(h.institution_price),
        currency: h.iso_currency_code,
        moves: [],
      });
    }
    const entry = (key: string, currency: string) => {
      let e = book.get(key);
      // cash that is all spent today, or a security sold out: held then, not now
      if (!e) book.set(key, (e = { quantity: ZERO, feed: null, price: null, currency, moves: [] }));
      return e;
    };
    for (const t of theirs.transactions) {
      entry(`${t.account_id}/${t.iso_currency_code}`, t.iso_currency_code).moves.push({
        date: t.date,
        quantity: exact(t.amount).neg(),
      });
      if (t.security_id && Number(t.quantity) !== 0)
        entry(`${t.account_id}/${t.security_id}`, t.iso_currency_code).moves.push({
          date: t.date,
          quantity: exact(t.quantity),
        });
    }
    books.push(...book.values());
  }
  for (const day of days) {
    const fixing = await providers.fxOn(day);
    const usdOf = async (asset: string): Promise<Exact | undefined> =>
      FIAT.has(asset)
        ? ProviderTruth.usdPer(asset, fixing)
        : (await providers.dailyCloses(asset, from, to)).get(day);
    let usd = ZERO;
    for (const b of bankDays) {
      const balance = b.byDay[day];
      if (balance === undefined) continue;
      const rate = await usdOf(b.currency);
      if (!rate) throw new Error(`no ${b.currency} rate on ${day}`);
      usd = usd.plus((b.owed ? exact(balance).neg() : exact(balance)).times(rate));
    }
    for (const m of person.manual) {
      const recorded = m.spec.balances
        .filter((b) => b.date <= day)
        .sort((a, b) => (a.date < b.date ? -1 : 1))
        .at(-1);
      if (!recorded) continue;
      usd = usd.plus(exact(recorded.balance).times((await usdOf(m.spec.currency)) as Exact));
    }
    for (const l of person.loans) {
      const owed = loanOwed(l.spec.terms, day);
      if (owed) usd = usd.minus(owed.times((await usdOf(l.spec.currency)) as Exact));
    }
    for (const o of person.owned) {
      const worth = ownedWorth(valuationsOf(o.spec), o.spec.depreciationPercent, day);
      if (worth) usd = usd.plus(worth.times((await usdOf(o.spec.currency)) as Exact));
    }
    for (const [asset, quantity] of Object.entries(holdings)) {
      const price = await usdOf(asset);
      if (price) usd = usd.plus(quantity.times(price));
    }
    const btc = bitcoinMoves.filter((m) => m.date <= day).reduce((q, m) => q.plus(m.quantity), ZERO);
    if (!btc.eq(ZERO)) usd = usd.plus(btc.times((await usdOf('BTC')) as Exact));
    for (const b of books) {
      const quantity = b.moves.filter((m) => m.date > day).reduce((q, m) => q.minus(m.quantity), b.quantity);
      if (quantity.eq(ZERO)) continue;
      let price: Exact | undefined;
      if (b.price === null) price = await usdOf(b.currency);
      else if (b.feed) {
        const sessions = await providers.feedSessions(b.feed, addDays(from, -10), to);
        for (const [d, close] of sessions) if (d <= day) price = close;
      } else price = b.price.times((await usdOf(b.currency)) as Exact);
      if (price) usd = usd.plus(quantity.times(price));
    }
    const toBase = ProviderTruth.usdPer(base, fixing) ?? ONE;
    const at = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
    const got = await api
      .call<ValueAtResponse>('GET', `/portfolio/history/at?t=${new Date(at).toISOString()}`, token)
      .catch(() => undefined);
    // the point at the end of that day (a later one would be another day's)
    c.money(`history[${day}]`, usd.div(toBase), got && Date.parse(got.t) === at ? got.value : undefined);
  }
  return { figures: c.figures, mismatches: c.mismatches };
}

/** Waits until the person's wallets are synced and the history stops changing. */
export async function settle(
  api: PublicApi,
  person: Person,
  days: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const token = person.session.accessToken;
  const deadline = Date.now() + timeoutMs;
  const expectSynced = new Set(
    [
      ...person.banks.map((b) => b.walletId),
      ...person.brokerages.map((b) => b.walletId),
      person.binance?.walletId,
      person.coinbase?.walletId,
    ].filter((w): w is string => Boolean(w)),
  );
  for (;;) {
    const { wallets } = await api.call<{ wallets: WalletView[] }>('GET', '/wallets', token);
    const failed = wallets.find((w) => w.sync.state === 'failed');
    if (failed) throw new Error(`${person.spec.label}: ${failed.name} failed to sync: ${failed.sync.reason}`);
    if (wallets.filter((w) => expectSynced.has(w.id)).every((w) => w.sync.state === 'ok')) break;
    if (Date.now() > deadline) throw new Error(`${person.spec.label}: wallets not synced in time`);
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!days.length) return;
  // the history is rebuilt a few seconds after the last wallet event: wait until it is steady
  let last = '';
  let steadySince = Date.now();
  for (;;) {
    const from = days[0] as string;
    const history = await api.call<HistoryResponse>(
      'GET',
      `/portfolio/history?from=${from}T00:00:00Z&to=${new Date().toISOString()}&points=1000`,
      token,
    );
    // every point but the live one at the end
    const text = JSON.stringify(history.points.slice(0, -1).map((p) => [p.t, p.value]));
    const rebuilt = history.points.some((p) => p.t.startsWith(addDays(days[days.length - 1] as string, 1)));
    if (text !== last) {
      last = text;
      steadySince = Date.now();
    } else if (rebuilt && Date.now() - steadySince > 5_000) return;
    if (Date.now() > deadline) throw new Error(`${person.spec.label}: history not rebuilt in time`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
