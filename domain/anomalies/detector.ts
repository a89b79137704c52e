// The anomaly detector: one per user, fed every new transaction in date order, whatever brought
// it (bank sync, CSV import, manual entry). It keeps running statistics in bounded windows — per
// merchant, per category and currency, per day, per income payer — so each transaction costs a
// few small array operations and nothing rescans the user's history. The state is plain JSON:
// the anomalies service stores it after every batch, so a restart or a moved actor resumes it.
import { median, percentile, pushBounded, robustZ } from './stats.ts';
import { formatAmountE4 } from './format.ts';
import type { AnomalyType, Severity } from '@finexia/contracts/api.ts';

/** A transaction as the detector sees it (amount × 10^4 exact; negative is money out). */
export interface DetectorTransaction {
  id: string;
  date: string;
  amountE4: number;
  currency: string;
  /** what the user recognises: the merchant, else the description */
  merchant: string;
  merchantKey: string;
  category: string | null;
  accountId: string;
  walletId: string;
  /** ms since the epoch, when the source gives a time of day (most bank files give dates only) */
  at?: number;
}

export interface Finding {
  /** stable identity: the same situation found twice is one anomaly */
  key: string;
  type: AnomalyType;
  severity: Severity;
  /** the day the anomaly is about */
  date: string;
  transactionIds: string[];
  walletIds: string[];
  /** plain language, with its evidence */
  reason: string;
  evidence: Record<string, string | number>;
  /** for feedback: the merchant and the amount (× 10^4) the anomaly is about, when there is one */
  merchantKey?: string;
  amountE4?: number;
}

export interface DetectorSettings {
  /** the user's "large transaction" threshold, × 10^4 in their base currency */
  largeE4: number;
}

interface MerchantStats {
  name: string;
  /** money out: [day number, amount × 10^4 as a positive number], last MERCHANT_WINDOW */
  out: [number, number][];
  /** amounts up to this were marked expected by the user */
  toleratedE4?: number;
  /** a price the user accepted (a dismissed price rise): the series' new baseline */
  baselineE4?: number;
  /** its last charge was itself flagged as a large first charge (so the next is not "known" yet) */
  flaggedNew?: boolean;
  /** days that were bursts themselves: not what "usual" means */
  burstDays?: number[];
  /**
   * every charge here, and those on a day that already had one (a duplicate found is not
   * counted): how often this merchant charges twice in a day, over its whole history
   */
  visits?: [charges: number, sameDay: number];
}

interface IncomeSeries {
  name: string;
  currency: string;
  /** distinct dates income arrived, last INCOME_WINDOW */
  dates: string[];
  amounts: number[];
  /** expected dates already reported missing */
  reported: string[];
  /** the wallet it last arrived in (absent in states saved before it was kept) */
  walletId?: string;
}

export interface DetectorState {
  v: 1;
  merchants: Record<string, MerchantStats>;
  /** `${category}|${currency}` → money-out amounts, last CATEGORY_WINDOW */
  categories: Record<string, number[]>;
  income: Record<string, IncomeSeries>;
  /** `${date}|${merchantKey}` → transaction ids that day (money out), kept for BURST_DAYS */
  merchantDays: Record<string, string[]>;
  /** the last few days of money out, for duplicates (day numbers) */
  recent: { id: string; day: number; merchantKey: string; accountId: string; e4: number }[];
  /** merchants the user said are expected (never "new") */
  known: string[];
  /** the first and the latest transaction date seen */
  first: string;
  latest: string;
  /** the date the short windows were last pruned around */
  prunedAt: string;
  /** the latest date missing income was checked for (in history, before that day's transactions) */
  incomeCheckedAt?: string;
  transactions: number;
  /**
   * the person's money out (not transfers) by currency, last SPEND_WINDOW each: what "large for
   * them" means (amounts in two currencies say nothing about each other)
   */
  spend?: Record<string, number[]>;
  /** what the person's past days with spending cost in all, last DAY_WINDOW */
  dayTotals?: number[];
  /** the day being read: its charges, and the single-charge findings held until it ends */
  day?: OpenDay;
  /** the latest date seen per wallet: how far a wallet's data goes (a file ends at its last date) */
  covered?: Record<string, string>;
  /**
   * `${chain}|${currency}` → money-out amounts at every store of a chain (a merchant printed with
   * its town or branch: "tesco stores leeds" is of "tesco stores"), last FAMILY_WINDOW: what a
   * store seldom visited usually costs
   */
  chains?: Record<string, number[]>;
}

interface DayCharge {
  id: string;
  e4: number;
  merchant: string;
  walletId: string;
  currency: string;
  at?: number;
  /** large for this person, and not what this merchant usually costs */
  large: boolean;
  /** a bank's fee (it may be a share of another payment of the day) */
  fee?: true;
}

/**
 * One day's charges, kept until a later day starts (or the engine closes it): a day of several
 * large payments at different merchants is one spree, not one alert per payment, and that can
 * only be said once the day is known whole (bank files give dates, not times).
 */
interface OpenDay {
  date: string;
  charges: DayCharge[];
  /** unusual_amount and new_merchant_large findings of this day, released when it closes */
  held: Finding[];
}

const MERCHANT_WINDOW = 24;
/** charges a month apart that make a recurring series */
const SERIES_LENGTH = 4;
/** visits before a merchant's own prices say what is usual (fewer: its category's do) */
const MIN_VISITS = 8;
const CATEGORY_WINDOW = 120;
const FAMILY_WINDOW = 60;
/** A merchant of three words or more belongs to the chain its first two name. */
const chainOf = (merchantKey: string) => {
  const words = merchantKey.split(' ');
  return words.length >= 3 ? words.slice(0, 2).join(' ') : undefined;
};
const INCOME_WINDOW = 8;
const BURST_DAYS = 2;
const RECENT_DAYS = 3;
/** at most this many charges are kept for duplicates (a few busy days) */
const RECENT_MAX = 120;
const DAY_MS = 86_400_000;
/** one unit (1.00) × 10^4 */
const UNIT = 10_000;
const CENT = UNIT / 100;
/** A same-day, same-amount pair is a duplicate when chance would explain it less than 1 in 20,000 times. */
const MAX_COINCIDENCE = 1 / 20_000;
/**
 * Before a merchant's own history says how often it charges twice in a day, it is guessed from
 * how often it charges at all (as if visits were random): that guess weighs as much as this many
 * charges seen. Merchants that bill once a day (a transit fare capped daily, a bill) show it soon.
 */
const SAME_DAY_PRIOR = 4;
/** charges kept to say what is large for the person, and past days to say what a usual day costs */
const SPEND_WINDOW = 200;
const DAY_WINDOW = 120;
/** a spree: at least this many large payments in a day (or within SPREE_HOURS when times are known) */
const SPREE_PAYMENTS = 3;
const SPREE_HOURS = 6;
/** a fee at most 1/FEE_SHARE of a payment the same day on the same account is that payment's */
const FEE_SHARE = 20;
/**
 * Large for a person: well above what they usually pay (SPREE_LARGE for one payment of a spree,
 * FIRST_LARGE for a first payment at a merchant), never below SMALL_FLOOR. Multiples of their
 * median charge and of their 90th percentile, so a person who pays €20 at a time and one who pays
 * €200 each have their own "large".
 */
const SPREE_LARGE = { p90: 2.5, median: 4 };
const FIRST_LARGE = { p90: 8, median: 15 };
const SMALL_FLOOR = 100 * 10_000;
/** charges seen before the person's own spending says what is large for them */
const MIN_SPEND = 30;
/**
 * The first days of a user's history only teach: with nothing to compare to, everything is new.
 * Longer than a month, so every monthly payee (rent, loan, bills moved by a weekend) is seen once
 * before anything is judged: at 30 days, a history starting the day after rent day flagged the
 * first rent in it as a large first charge.
 */
const WARM_UP_DAYS = 35;

export function createDetectorState(): DetectorState {
  return {
    v: 1,
    merchants: {},
    categories: {},
    income: {},
    merchantDays: {},
    recent: [],
    known: [],
    first: '',
    latest: '',
    prunedAt: '',
    transactions: 0,
  };
}

const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => dayNumber(b) - dayNumber(a);
const money = (e4: number, currency: string) => formatAmountE4(e4, currency);
const isTransfer = (category: string | null) =>
  category !== null && /^(TRANSFER_IN|TRANSFER_OUT|LOAN_PAYMENTS)$/.test(category);
/**
 * Bills, fees and travel are large by nature and arranged ahead (a yearly insurance, a hotel
 * abroad): only the user's own threshold calls one of them large, never "large for you".
 */
const judgedByPerson = (category: string | null) =>
  category === null ||
  !/^(GENERAL_SERVICES|RENT_AND_UTILITIES|TRAVEL|BANK_FEES|GOVERNMENT_AND_NON_PROFIT|LOAN_PAYMENTS)$/.test(
    category,
  );

/**
 * Income that stopped: for each regular payer, an expected date plus a tolerance that passed
 * with nothing from them. Checked before each transaction (a replayed history finds past gaps)
 * and with the clock (a salary that should have come by today).
 */
export function checkMissingIncome(
  state: DetectorState,
  today: string,
  toleranceDays = 6,
  coverage: IncomeCoverage = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const [key, series] of Object.entries(state.income)) {
    if (series.dates.length < 3) continue;
    const gaps = series.dates.slice(1).map((d, i) => daysBetween(series.dates[i] as string, d));
    const cadence = median(gaps);
    // regular: weekly, fortnightly, four-weekly or monthly, every recent gap close to it (pay moves
    // before weekends and holidays by a few days)
    const slack = Math.max(2, Math.round(cadence / 4));
    if (cadence < 6 || cadence > 35 || gaps.slice(-3).some((g) => Math.abs(g - cadence) > slack)) continue;
    const last = series.dates.at(-1) as string;
    // a new payer that started about when this one stopped, paying as much or near it: a new job
    if (replacedBy(state, key, series, cadence)) continue;
    const grace = Math.min(toleranceDays, Math.max(2, Math.round(cadence / 3)));
    const expected = dateOf(dayNumber(last) + Math.round(cadence));
    // nothing can be missing past the end of what we know of the account it comes into
    const asOf = coveredUntil(state, series.walletId, today, coverage);
    if (daysBetween(expected, asOf) <= grace || series.reported.includes(expected)) continue;
    series.reported.push(expected);
    if (series.reported.length > INCOME_WINDOW) series.reported.shift();
    const usual = median(series.amounts);
    findings.push({
      key: `income_missing:${key}:${expected}`,
      type: 'income_missing',
      severity: 'high',
      date: expected,
      transactionIds: [],
      walletIds: series.walletId ? [series.walletId] : [],
      reason: `No income from ${series.name} since ${last}; ${money(usual, series.currency)} usually arrives every ${Math.round(cadence)} days and was due around ${expected}.`,
      evidence: {
        payer: series.name,
        lastDate: last,
        expectedDate: expected,
        cadenceDays: Math.round(cadence),
      },
    });
  }
  return findings;
}

/** Another payer whose first payment came within a cadence of this one's last (or after it), paying at least half as much. */
function replacedBy(state: DetectorState, key: string, series: IncomeSeries, cadence: number): boolean {
  const last = series.dates.at(-1) as string;
  const usual = median(series.amounts);
  return Object.entries(state.income).some(
    ([other, s]) =>
      other !== key &&
      daysBetween(last, s.dates[0] as string) >= -cadence &&
      (s.dates[0] as string) > (series.dates[0] as string) &&
      median(s.amounts) >= 0.5 * usual,
  );
}

/**
 * How far an account's data goes, for missing income: a linked account's last successful sync
 * (`coverage.syncedUntil`), else the last date seen in that wallet (a file ends at its last
 * row), else the last date seen at all; never past `today`.
 */
export interface IncomeCoverage {
  /** walletId → the date of its last successful sync (linked accounts) */
  syncedUntil?: Record<string, string>;
}

function coveredUntil(
  state: DetectorState,
  walletId: string | undefined,
  today: string,
  coverage: IncomeCoverage,
): string {
  const known =
    (walletId && (coverage.syncedUntil?.[walletId] ?? state.covered?.[walletId])) || state.latest || today;
  return known < today ? known : today;
}

/**
 * One new transaction: the anomalies it shows (usually none), then the statistics it joins.
 * A transaction is judged against what came before it, never against itself.
 */
export function analyzeTransaction(
  state: DetectorState,
  tx: DetectorTransaction,
  settings: DetectorSettings,
): Finding[] {
  // a later day: the one being read is whole, and judged as a day
  const findings = state.day && tx.date > state.day.date ? closeDay(state) : [];
  // income that stopped is a matter of days passing: asked once per new day, not per transaction
  if (tx.date > (state.incomeCheckedAt ?? '')) {
    findings.push(...checkMissingIncome(state, tx.date));
    state.incomeCheckedAt = tx.date;
  }
  state.transactions += 1;
  if (tx.date > state.latest) state.latest = tx.date;
  if (!state.first || tx.date < state.first) state.first = tx.date;
  const covered = (state.covered ??= {});
  if (tx.date > (covered[tx.walletId] ?? '')) covered[tx.walletId] = tx.date;
  if (tx.amountE4 > 0) {
    learnIncome(state, tx);
    return findings;
  }
  const e4 = -tx.amountE4;
  if (e4 === 0) return findings;
  const merchant = (state.merchants[tx.merchantKey] ??= { name: tx.merchant, out: [] });
  const learning = daysBetween(state.first, tx.date) < WARM_UP_DAYS;
  const transfer = isTransfer(tx.category);
  const found = transfer ? undefined : judge(state, merchant, tx, e4, settings, learning);
  countVisit(merchant, dayNumber(tx.date), found?.type === 'duplicate_charge');
  merchant.flaggedNew = found?.type === 'new_merchant_large';
  // the day this charge belongs to (a row of a day already closed is judged alone)
  if (!state.day && tx.date >= state.latest) state.day = { date: tx.date, charges: [], held: [] };
  const day = state.day?.date === tx.date ? state.day : undefined;
  const single = found?.type === 'unusual_amount' || found?.type === 'new_merchant_large';
  if (found && single && day) day.held.push(found);
  else if (found) findings.push(found);
  if (day && !transfer)
    day.charges.push({
      id: tx.id,
      e4,
      merchant: merchant.name,
      walletId: tx.walletId,
      currency: tx.currency,
      ...(tx.at !== undefined ? { at: tx.at } : {}),
      ...(tx.category === 'BANK_FEES' ? { fee: true as const } : {}),
      large:
        !learning &&
        (single || (judgedByPerson(tx.category) && isSpreeLarge(state, merchant, tx.date, tx.currency, e4))),
    });
  const burst = isTransfer(tx.category) ? undefined : burstOf(state, merchant, tx);
  if (burst) findings.push(burst);
  learnSpend(state, merchant, tx, e4);
  return findings;
}

/**
 * How likely a second charge of exactly this amount at this merchant on the same day is by
 * chance: how often it charges twice in a day (its own history, starting from a guess by how
 * often it charges at all), times how likely two of its charges are to match to the cent (the
 * share of its past charges at this amount, or one over its spread of prices).
 */
function coincidenceChance(merchant: MerchantStats, e4: number): number {
  // the twin itself is already in the history: leave it out
  const twin = merchant.out.findLastIndex(([, a]) => a === e4);
  const out = merchant.out.filter((_, i) => i !== twin);
  // too little history to know the merchant: a twin is worth a look
  if (out.length < 5) return 0;
  const span = (out.at(-1) as [number, number])[0] - (out[0] as [number, number])[0] + 1;
  const perDay = out.length / span;
  const [charges, sameDay] = visitsOf(merchant);
  const twiceADay = (sameDay + SAME_DAY_PRIOR * Math.min(1, perDay)) / (charges + SAME_DAY_PRIOR);
  const amounts = out.map(([, a]) => a);
  const spreadCents = Math.max(1, (percentile(amounts, 0.9) - percentile(amounts, 0.1)) / CENT);
  const sameShare = amounts.filter((a) => a === e4).length / amounts.length;
  return twiceADay * Math.max(sameShare, 1 / spreadCents);
}

/** A merchant's visit counts; a state stored before they were kept starts from its window. */
function visitsOf(merchant: MerchantStats): [number, number] {
  merchant.visits ??= [
    merchant.out.length,
    merchant.out.filter(([d], i) => i > 0 && merchant.out[i - 1]?.[0] === d).length,
  ];
  return merchant.visits;
}

/** The most specific thing wrong with one charge, if anything. */
function judge(
  state: DetectorState,
  merchant: MerchantStats,
  tx: DetectorTransaction,
  e4: number,
  settings: DetectorSettings,
  learning: boolean,
): Finding | undefined {
  // the words are made only for a finding (formatting costs more than judging)
  const at = () => `${money(e4, tx.currency)} at ${merchant.name}`;
  const today = dayNumber(tx.date);
  const base = {
    date: tx.date,
    transactionIds: [tx.id],
    walletIds: [tx.walletId],
    merchantKey: tx.merchantKey,
    amountE4: e4,
  };

  // the same charge twice: same merchant, account and amount on the same day (a refund or a
  // reversal has the other sign, so it never matches), where that is unlikely to be chance: two
  // coffees of the same price at the café you visit daily are two coffees.
  if (e4 >= 5 * UNIT) {
    const twin = state.recent.find(
      (r) =>
        r.merchantKey === tx.merchantKey &&
        r.accountId === tx.accountId &&
        r.e4 === e4 &&
        r.id !== tx.id &&
        r.day === today,
    );
    if (twin && coincidenceChance(merchant, e4) < MAX_COINCIDENCE)
      return {
        ...base,
        key: `duplicate_charge:${[twin.id, tx.id].sort().join(':')}`,
        type: 'duplicate_charge',
        severity: e4 >= settings.largeE4 ? 'high' : 'medium',
        transactionIds: [twin.id, tx.id],
        reason: `${at()} twice on ${tx.date}, on the same account; you rarely pay the same amount there twice in a day.`,
        evidence: {
          merchant: merchant.name,
          amount: money(e4, tx.currency),
          date: tx.date,
          charges: 2,
        },
      };
  }

  const history = merchant.out.filter(([d]) => today - d <= 365);
  const known = state.known.includes(tx.merchantKey);

  // during the first weeks everything is new: learn, do not judge (duplicates above still count)
  if (learning) return undefined;

  // a first charge at a merchant (or the second, when the first was itself such a charge), and a
  // large one: above the user's threshold, or far above what this person usually pays
  // (ever: a merchant paid once a year, a yearly trip or a renewal, is known the next year)
  const firstTime = merchant.out.length === 0 || (merchant.out.length === 1 && merchant.flaggedNew === true);
  const personal =
    !known && firstTime && e4 < settings.largeE4 && judgedByPerson(tx.category)
      ? personalLarge(state, tx.date, tx.currency, FIRST_LARGE)
      : undefined;
  const usual = state.spend?.[tx.currency] ?? [];
  if (!known && firstTime && (e4 >= settings.largeE4 || (personal !== undefined && e4 >= personal)))
    return {
      ...base,
      key: `new_merchant_large:${tx.id}`,
      type: 'new_merchant_large',
      severity: e4 >= 5 * settings.largeE4 ? 'critical' : 'high',
      reason:
        e4 >= settings.largeE4
          ? `${at()}, a merchant you ${history.length ? 'have paid only once before' : 'have not paid before'}, and above your ${money(settings.largeE4, tx.currency)} large-transaction threshold.`
          : `${at()}, a merchant you ${history.length ? 'have paid only once before' : 'have not paid before'}; you usually pay ${money(median(usual), tx.currency)} at a time, and rarely more than ${money(percentile(usual, 0.9), tx.currency)}.`,
      evidence: {
        merchant: merchant.name,
        amount: money(e4, tx.currency),
        priorVisits: history.length,
        ...(e4 < settings.largeE4 && personal !== undefined
          ? { usualCharge: money(median(usual), tx.currency) }
          : {}),
      },
    };

  // a recurring charge (monthly, same amount) that rose, or that came twice in one period
  const series = recurringBaseline(merchant);
  if (series) {
    const since = today - series.lastDay;
    if (
      series.steady &&
      since >= 20 &&
      since <= 40 &&
      e4 > series.amount * 1.02 &&
      e4 - series.amount >= 0.5 * UNIT
    )
      return {
        ...base,
        key: `subscription_price_rise:${tx.merchantKey}:${tx.date}`,
        type: 'subscription_price_rise',
        severity: e4 >= series.amount * 1.25 ? 'medium' : 'low',
        reason: `${merchant.name} now charges ${money(e4, tx.currency)}; it was ${money(series.amount, tx.currency)} every month (${(((e4 - series.amount) / series.amount) * 100).toFixed(1)}% more).`,
        evidence: {
          merchant: merchant.name,
          before: money(series.amount, tx.currency),
          after: money(e4, tx.currency),
          months: series.months,
        },
      };
    if (since >= 2 && since <= 15 && Math.abs(e4 - series.amount) <= series.amount * 0.02)
      return {
        ...base,
        key: `recurring_twice:${tx.merchantKey}:${tx.date}`,
        type: 'recurring_twice',
        severity: 'medium',
        reason: `${merchant.name} charged ${money(e4, tx.currency)} on ${tx.date}, ${since} days after this month's charge on ${dateOf(series.lastDay)}; it charges once a month.`,
        evidence: {
          merchant: merchant.name,
          amount: money(e4, tx.currency),
          previous: dateOf(series.lastDay),
        },
      };
  }

  // an amount far outside what this merchant (or, for a rarely seen one, its chain's stores or
  // this category) usually costs
  if (merchant.toleratedE4 !== undefined && e4 <= merchant.toleratedE4) return undefined;
  /**
   * Far outside `amounts` (well above both the typical charge and the top of the usual range,
   * and by a robust z of 6), unless `expected` says otherwise; `where` says where they were paid.
   */
  const outsized = (amounts: number[], where: string, expected = () => false): Finding | undefined => {
    const usual = median(amounts);
    // most charges are nowhere near: the cheap test first
    if (e4 < 2.5 * usual || e4 < 2 * percentile(amounts, 0.9)) return undefined;
    const z = robustZ(e4, amounts, Math.max(0.1 * usual, UNIT));
    if (z < 6 || expected()) return undefined;
    return {
      ...base,
      key: `unusual_amount:${tx.id}`,
      type: 'unusual_amount',
      severity: e4 >= settings.largeE4 || z >= 20 ? 'high' : 'medium',
      reason: `${at()}; usually ${money(percentile(amounts, 0.1), tx.currency)}–${money(percentile(amounts, 0.9), tx.currency)}${where} over your last ${amounts.length} visits.`,
      evidence: {
        merchant: merchant.name,
        amount: money(e4, tx.currency),
        usualLow: money(percentile(amounts, 0.1), tx.currency),
        usualHigh: money(percentile(amounts, 0.9), tx.currency),
        visits: amounts.length,
      },
    };
  };
  const amounts = history.map(([, a]) => a);
  if (amounts.length >= MIN_VISITS)
    // seasonality: a bill that is this high in the same month every year is not a surprise
    return outsized(amounts, '', () => {
      const lastYear = merchant.out.filter(([d]) => Math.abs(today - d - 365) <= 20).map(([, a]) => a);
      return lastYear.length > 0 && e4 <= 1.5 * Math.max(...lastYear);
    });
  // a store seldom visited: what the chain's stores usually cost
  const chain = chainOf(tx.merchantKey);
  const chainAmounts = chain ? (state.chains?.[`${chain}|${tx.currency}`] ?? []) : [];
  if (chainAmounts.length >= MIN_VISITS) return outsized(chainAmounts, ' at its stores');
  const category = state.categories[`${tx.category ?? 'OTHER'}|${tx.currency}`] ?? [];
  if (category.length >= 30 && !known) {
    const usual = median(category);
    if (e4 < 4 * usual) return undefined;
    const z = robustZ(e4, category, Math.max(0.1 * usual, UNIT));
    if (z >= 8 && e4 >= 1.5 * percentile(category, 0.99))
      return {
        ...base,
        key: `unusual_amount:${tx.id}`,
        type: 'unusual_amount',
        severity: e4 >= settings.largeE4 ? 'high' : 'medium',
        reason: `${at()}; your ${label(tx.category)} spending is usually ${money(percentile(category, 0.1), tx.currency)}–${money(percentile(category, 0.9), tx.currency)} a charge.`,
        evidence: {
          merchant: merchant.name,
          category: tx.category ?? 'OTHER',
          amount: money(e4, tx.currency),
          usualLow: money(percentile(category, 0.1), tx.currency),
          usualHigh: money(percentile(category, 0.9), tx.currency),
          charges: category.length,
        },
      };
  }
  return undefined;
}

/** Many charges at one merchant in one day, far above how often it usually charges. */
function burstOf(
  state: DetectorState,
  merchant: MerchantStats,
  tx: DetectorTransaction,
): Finding | undefined {
  const dayKey = `${tx.date}|${tx.merchantKey}`;
  const ids = (state.merchantDays[dayKey] ??= []);
  if (!ids.includes(tx.id)) ids.push(tx.id);
  if (ids.length < 6) return undefined;
  const today = dayNumber(tx.date);
  const bursts = merchant.burstDays ?? [];
  const counts = new Map<number, number>();
  for (const [d] of merchant.out)
    if (d !== today && !bursts.includes(d)) counts.set(d, (counts.get(d) ?? 0) + 1);
  const usualMax = Math.max(1, percentile([...counts.values()], 0.95));
  if (ids.length < 2 * usualMax + 1) return undefined;
  if (!bursts.includes(today)) pushBounded((merchant.burstDays ??= []), today, 10);
  return {
    key: `spending_burst:${tx.merchantKey}:${tx.date}`,
    type: 'spending_burst',
    severity: 'high',
    date: tx.date,
    transactionIds: [...ids],
    walletIds: [tx.walletId],
    merchantKey: tx.merchantKey,
    reason: `${ids.length} charges at ${merchant.name} on ${tx.date}; it usually charges you at most ${usualMax} time${usualMax === 1 ? '' : 's'} a day.`,
    evidence: { merchant: merchant.name, charges: ids.length, usualPerDay: usualMax },
  };
}

/**
 * The person's median and 90th-percentile charge per currency as of the start of a day: sorting
 * their window for every charge cost more than all the rest of the detector, and "large" is
 * meant against what came before the day anyway. Not part of the saved state (made again after
 * a restart from the same window).
 */
const usualByDay = new WeakMap<DetectorState, { date: string; byCurrency: Map<string, [number, number]> }>();

/** What is large for this person (multiples of their median and 90th-percentile charge), once known. */
function personalLarge(
  state: DetectorState,
  date: string,
  currency: string,
  times: { p90: number; median: number },
): number | undefined {
  let day = usualByDay.get(state);
  if (day?.date !== date) usualByDay.set(state, (day = { date, byCurrency: new Map() }));
  let usual = day.byCurrency.get(currency);
  if (!usual) {
    const spend = state.spend?.[currency] ?? [];
    usual = spend.length < MIN_SPEND ? [0, 0] : [median(spend), percentile(spend, 0.9)];
    day.byCurrency.set(currency, usual);
  }
  if (usual[1] === 0) return undefined;
  return Math.max(times.p90 * usual[1], times.median * usual[0], SMALL_FLOOR);
}

/** One payment of a possible spree: large for the person, and not what this merchant usually costs. */
function isSpreeLarge(
  state: DetectorState,
  merchant: MerchantStats,
  date: string,
  currency: string,
  e4: number,
): boolean {
  if (e4 < SMALL_FLOOR) return false;
  const large = personalLarge(state, date, currency, SPREE_LARGE);
  if (large === undefined || e4 < large) return false;
  const today = dayNumber(date);
  const before = merchant.out.filter(([d]) => d < today && today - d <= 365).map(([, a]) => a);
  return before.length < 3 || e4 > 1.5 * median(before);
}

/**
 * The day being read is over: one spree for it when it had SPREE_PAYMENTS large payments or more
 * at two merchants or more (within SPREE_HOURS of each other when the source gives times), with
 * its payments, total and what a usual day costs; its single-charge findings otherwise, and those
 * of payments outside the spree. The engine calls this for a day that ended with nothing after it.
 */
export function closeDay(state: DetectorState): Finding[] {
  const day = state.day;
  if (!day) return [];
  state.day = undefined;
  const totals = (state.dayTotals ??= []);
  const total = day.charges.reduce((sum, c) => sum + c.e4, 0);
  const usualDay = median(totals);
  const spree = spreeOf(day.charges.filter((c) => c.large));
  if (total > 0) pushBounded(totals, total, DAY_WINDOW);
  const held = day.held.filter((f) => !f.transactionIds.every((id) => feeOnPayment(day.charges, id)));
  if (!spree) return held;
  const ids = new Set(spree.map((c) => c.id));
  const spreeTotal = spree.reduce((sum, c) => sum + c.e4, 0);
  const currency = (spree[0] as DayCharge).currency;
  const merchants = [...new Set(spree.map((c) => c.merchant))];
  const finding: Finding = {
    key: `spending_burst:day:${day.date}`,
    type: 'spending_burst',
    severity: 'high',
    date: day.date,
    transactionIds: spree.map((c) => c.id),
    walletIds: [...new Set(spree.map((c) => c.walletId))],
    reason: `${spree.length} large payments on ${day.date} at ${listOf(merchants)}: ${money(spreeTotal, currency)} in all${totals.length > 1 ? `, where a usual day costs you ${money(usualDay, currency)}` : ''}.`,
    evidence: {
      payments: spree.length,
      total: money(spreeTotal, currency),
      ...(totals.length > 1 ? { usualDay: money(usualDay, currency) } : {}),
      merchants: merchants.join(', '),
    },
  };
  // a payment of the spree is told once, in it
  return [finding, ...held.filter((f) => !f.transactionIds.every((id) => ids.has(id)))];
}

/**
 * A fee the bank charged on one of the day's payments (a foreign payment's percentage, printed
 * as its own line): it is as unusual as that payment, which is judged itself, so it is not told
 * apart. A fee with no payment of the day at least FEE_SHARE times it stands on its own.
 */
function feeOnPayment(charges: DayCharge[], id: string): boolean {
  const fee = charges.find((c) => c.id === id);
  return (
    fee?.fee === true &&
    charges.some((c) => !c.fee && c.walletId === fee.walletId && c.e4 >= FEE_SHARE * fee.e4)
  );
}

/** The payments of a spree among a day's large ones, or undefined. */
function spreeOf(large: DayCharge[]): DayCharge[] | undefined {
  let best = large;
  // times known: the most payments within SPREE_HOURS of each other
  if (large.length && large.every((c) => c.at !== undefined)) {
    const sorted = [...large].sort((a, b) => (a.at as number) - (b.at as number));
    best = [];
    for (let i = 0, j = 0; j < sorted.length; j += 1) {
      while ((sorted[j]!.at as number) - (sorted[i]!.at as number) > SPREE_HOURS * 3_600_000) i += 1;
      if (j - i + 1 > best.length) best = sorted.slice(i, j + 1);
    }
  }
  if (best.length < SPREE_PAYMENTS || new Set(best.map((c) => c.merchant)).size < 2) return undefined;
  return best;
}

function listOf(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * A monthly charge of a steady amount: its amount and last date, or undefined. The series is
 * the chain of charges about a month apart (each step the one nearest a month back) ending at
 * one of the last two charges, so an extra charge in between (itself an anomaly) neither hides
 * the series nor becomes its last date. Four steady months make a series: three similar bills
 * in a row happen by chance.
 */
function recurringBaseline(
  merchant: MerchantStats,
): { amount: number; lastDay: number; months: number; steady: boolean } | undefined {
  const out = merchant.out;
  for (let end = out.length - 1; end >= Math.max(0, out.length - 2); end -= 1) {
    const chain = [out[end] as [number, number]];
    for (let i = end - 1; i >= 0 && chain.length < SERIES_LENGTH;) {
      const head = (chain.at(-1) as [number, number])[0];
      let best = -1;
      for (let j = i; j >= 0 && head - (out[j] as [number, number])[0] <= 35; j -= 1) {
        const gap = head - (out[j] as [number, number])[0];
        if (gap >= 25 && (best < 0 || Math.abs(gap - 30) < Math.abs(head - out[best]![0] - 30))) best = j;
      }
      if (best < 0) break;
      chain.push(out[best] as [number, number]);
      i = best - 1;
    }
    if (chain.length < SERIES_LENGTH) continue;
    const amounts = chain.map(([, a]) => a);
    const lastDay = chain[0]![0];
    if (merchant.baselineE4 !== undefined)
      return { amount: merchant.baselineE4, lastDay, months: out.length, steady: true };
    if (Math.max(...amounts) - Math.min(...amounts) <= 0.01 * Math.min(...amounts))
      return { amount: amounts[0] as number, lastDay, months: out.length, steady: true };
    // a bill that varies (gas, water): monthly only when the merchant charged nothing else in
    // between; its last charge is what a second one this month would repeat
    const firstDay = chain.at(-1)![0];
    const between = out.filter(([d]) => d >= firstDay && d <= lastDay).length;
    if (between <= chain.length)
      return { amount: amounts[0] as number, lastDay, months: out.length, steady: false };
  }
  return undefined;
}

function countVisit(merchant: MerchantStats, today: number, duplicate: boolean): void {
  const visits = visitsOf(merchant);
  visits[0] += 1;
  if (!duplicate && merchant.out.some(([d]) => d === today)) visits[1] += 1;
}

function learnSpend(
  state: DetectorState,
  merchant: MerchantStats,
  tx: DetectorTransaction,
  e4: number,
): void {
  const out = merchant.out;
  const today = dayNumber(tx.date);
  pushBounded(out, [today, e4], MERCHANT_WINDOW);
  // usually already in date order (transactions come sorted); keep it so when one is late
  if (out.length > 1 && (out.at(-2) as [number, number])[0] > today) out.sort(([a], [b]) => a - b);
  if (!isTransfer(tx.category)) {
    pushBounded((state.categories[`${tx.category ?? 'OTHER'}|${tx.currency}`] ??= []), e4, CATEGORY_WINDOW);
    pushBounded(((state.spend ??= {})[tx.currency] ??= []), e4, SPEND_WINDOW);
    const chain = chainOf(tx.merchantKey);
    if (chain) pushBounded(((state.chains ??= {})[`${chain}|${tx.currency}`] ??= []), e4, FAMILY_WINDOW);
  }
  pushBounded(
    state.recent,
    { id: tx.id, day: today, merchantKey: tx.merchantKey, accountId: tx.accountId, e4 },
    RECENT_MAX,
  );
  if (state.prunedAt !== tx.date) {
    // another day: what is too far from it to matter goes (once per day, not per transaction;
    // around the day being read, so a backfill of old months in date order works the same)
    state.prunedAt = tx.date;
    state.recent = state.recent.filter((r) => Math.abs(today - r.day) <= RECENT_DAYS);
    for (const key of Object.keys(state.merchantDays))
      if (Math.abs(today - dayNumber(key.slice(0, 10))) > BURST_DAYS) delete state.merchantDays[key];
  }
}

function learnIncome(state: DetectorState, tx: DetectorTransaction): void {
  if (tx.category !== 'INCOME') return;
  const series = (state.income[tx.merchantKey] ??= {
    name: tx.merchant,
    currency: tx.currency,
    dates: [],
    amounts: [],
    reported: [],
  });
  series.walletId = tx.walletId;
  if (series.dates.includes(tx.date)) return;
  pushBounded(series.dates, tx.date, INCOME_WINDOW);
  series.dates.sort();
  pushBounded(series.amounts, tx.amountE4, INCOME_WINDOW);
}

/** What the user said about an anomaly, applied to what is flagged next. */
export function applyFeedback(
  state: DetectorState,
  finding: { type: AnomalyType; merchantKey: string | null; amountE4: number | null },
  verdict: 'expected' | 'dismissed',
): void {
  const merchant = finding.merchantKey ? state.merchants[finding.merchantKey] : undefined;
  if (finding.type === 'new_merchant_large' && verdict === 'expected' && finding.merchantKey) {
    if (!state.known.includes(finding.merchantKey)) state.known.push(finding.merchantKey);
  } else if (finding.type === 'subscription_price_rise' && merchant && finding.amountE4 !== null) {
    // the new price is the series' price from now on
    merchant.baselineE4 = finding.amountE4;
  } else if (
    finding.type === 'unusual_amount' &&
    verdict === 'expected' &&
    merchant &&
    finding.amountE4 !== null
  ) {
    merchant.toleratedE4 = Math.max(merchant.toleratedE4 ?? 0, finding.amountE4);
  }
}

function label(category: string | null): string {
  return (category ?? 'other').toLowerCase().replaceAll('_', ' ');
}
