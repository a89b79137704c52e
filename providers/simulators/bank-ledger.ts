// A synthetic but realistic personal bank ledger, deterministic from a seed: salary,
// rent, bills, groceries, subscriptions, seasonal and travel spend (some in foreign
// currencies), refunds, pending → posted, and injected anomalies whose ground truth is
// kept for evaluation. Pure: no I/O; the Plaid simulator serves what this produces.
import { SeededRandom } from './random.ts';

export type AccountKind = 'checking' | 'savings' | 'credit' | 'loan';

export interface LedgerAccount {
  account_id: string;
  kind: AccountKind;
  name: string;
  official_name: string;
  mask: string;
  type: 'depository' | 'credit' | 'loan';
  subtype: 'checking' | 'savings' | 'credit card' | 'student';
  currency: string;
  /** balance (in cents) before the first generated day; a card's is what it owes then */
  openingCents: number;
  limitCents: number | null;
}

export interface LedgerTransaction {
  transaction_id: string;
  account_id: string;
  /** Plaid sign: positive = money leaves the account; in cents of `currency` */
  amountCents: number;
  currency: string;
  date: string;
  authorized_date: string;
  /** a card payment's minute (UTC, ISO 8601), as Plaid gives for some banks; null for the rest */
  authorized_datetime: string | null;
  name: string;
  merchant_name: string | null;
  payment_channel: 'online' | 'in store' | 'other';
  category: { primary: string; detailed: string };
  /** set on the posted version of a transaction that was first seen pending */
  pending_transaction_id: string | null;
}

export type AnomalyKind =
  | 'duplicate_charge'
  | 'outsized_amount'
  | 'new_merchant_large'
  | 'subscription_price_rise'
  | 'subscription_charged_twice'
  | 'burst'
  | 'missed_salary';

export interface Anomaly {
  kind: AnomalyKind;
  transaction_ids: string[];
  date: string;
  description: string;
}

export interface DayActivity {
  transactions: LedgerTransaction[];
  anomalies: Anomaly[];
}

interface Merchant {
  name: string;
  primary: string;
  detailed: string;
  channel: LedgerTransaction['payment_channel'];
  /** typical spend in cents: [min, max] */
  range: [number, number];
}

const GROCERS: Merchant[] = [
  {
    name: 'Whole Foods',
    primary: 'FOOD_AND_DRINK',
    detailed: 'FOOD_AND_DRINK_GROCERIES',
    channel: 'in store',
    range: [2000, 11000],
  },
  {
    name: "Trader Joe's",
    primary: 'FOOD_AND_DRINK',
    detailed: 'FOOD_AND_DRINK_GROCERIES',
    channel: 'in store',
    range: [1500, 7000],
  },
  {
    name: 'Safeway',
    primary: 'FOOD_AND_DRINK',
    detailed: 'FOOD_AND_DRINK_GROCERIES',
    channel: 'in store',
    range: [1200, 8000],
  },
];
const DINING: Merchant[] = [
  {
    name: 'Starbucks',
    primary: 'FOOD_AND_DRINK',
    detailed: 'FOOD_AND_DRINK_COFFEE',
    channel: 'in store',
    range: [350, 900],
  },
  {
    name: 'Chipotle',
    primary: 'FOOD_AND_DRINK',
    detailed: 'FOOD_AND_DRINK_FAST_FOOD',
    channel: 'in store',
    range: [1100, 2400],
  },
  {
    name: 'Sweetgreen',
    primary: 'FOOD_AND_DRINK',
    detailed: 'FOOD_AND_DRINK_RESTAURANT',
    channel: 'in store',
    range: [1300, 2200],
  },
  {
    name: 'DoorDash',
    primary: 'FOOD_AND_DRINK',
    detailed: 'FOOD_AND_DRINK_RESTAURANT',
    channel: 'online',
    range: [2200, 6500],
  },
];
const TRANSPORT: Merchant[] = [
  {
    name: 'Uber',
    primary: 'TRANSPORTATION',
    detailed: 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES',
    channel: 'online',
    range: [900, 4500],
  },
  {
    name: 'Shell',
    primary: 'TRANSPORTATION',
    detailed: 'TRANSPORTATION_GAS',
    channel: 'in store',
    range: [3000, 7500],
  },
  {
    name: 'Metro Transit',
    primary: 'TRANSPORTATION',
    detailed: 'TRANSPORTATION_PUBLIC_TRANSIT',
    channel: 'in store',
    range: [250, 1200],
  },
];
const SHOPPING: Merchant[] = [
  {
    name: 'Amazon',
    primary: 'GENERAL_MERCHANDISE',
    detailed: 'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES',
    channel: 'online',
    range: [900, 12000],
  },
  {
    name: 'Target',
    primary: 'GENERAL_MERCHANDISE',
    detailed: 'GENERAL_MERCHANDISE_SUPERSTORES',
    channel: 'in store',
    range: [1500, 9000],
  },
  {
    name: 'Best Buy',
    primary: 'GENERAL_MERCHANDISE',
    detailed: 'GENERAL_MERCHANDISE_ELECTRONICS',
    channel: 'in store',
    range: [2500, 18000],
  },
];
const TRAVEL: { merchant: Merchant; currency: string }[] = [
  {
    merchant: {
      name: 'Hotel Adlon',
      primary: 'TRAVEL',
      detailed: 'TRAVEL_LODGING',
      channel: 'in store',
      range: [18000, 42000],
    },
    currency: 'EUR',
  },
  {
    merchant: {
      name: 'Pret A Manger',
      primary: 'FOOD_AND_DRINK',
      detailed: 'FOOD_AND_DRINK_RESTAURANT',
      channel: 'in store',
      range: [600, 1800],
    },
    currency: 'GBP',
  },
  {
    merchant: {
      name: 'Lufthansa',
      primary: 'TRAVEL',
      detailed: 'TRAVEL_FLIGHTS',
      channel: 'online',
      range: [25000, 90000],
    },
    currency: 'EUR',
  },
];
interface Subscription {
  name: string;
  detailed: string;
  primary: string;
  cents: number;
  day: number;
}
const SUBSCRIPTIONS: Subscription[] = [
  { name: 'Netflix', detailed: 'ENTERTAINMENT_TV_AND_MOVIES', primary: 'ENTERTAINMENT', cents: 1549, day: 5 },
  {
    name: 'Spotify',
    detailed: 'ENTERTAINMENT_MUSIC_AND_AUDIO',
    primary: 'ENTERTAINMENT',
    cents: 1099,
    day: 12,
  },
  {
    name: 'Equinox',
    detailed: 'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS',
    primary: 'PERSONAL_CARE',
    cents: 3900,
    day: 2,
  },
  {
    name: 'iCloud',
    detailed: 'GENERAL_SERVICES_OTHER_GENERAL_SERVICES',
    primary: 'GENERAL_SERVICES',
    cents: 299,
    day: 18,
  },
];
// A merchant never paid before is named from two lists (400 names), so a ledger rarely meets one twice.
const NEW_MERCHANT_FIRST =
  'Luxe Quick Crypto Unknown Prime Global Metro Nova Apex Silver Blue Golden Royal Urban Pacific Summit Vertex Atlas Orion Zenith'.split(
    ' ',
  );
const NEW_MERCHANT_SECOND = [
  'Watches Ltd|Cash Transfer|ATM Services|Electronics Co|Jewelers|Auto Parts|Furniture|Travel Agency',
  'Art Gallery|Audio|Gaming Store|Boutique|Tech Supply|Outfitters|Motors|Design Studio|Home Goods',
  'Camera Shop|Wine Cellar|Instruments',
]
  .join('|')
  .split('|');

export interface LedgerOptions {
  seed: number;
  /** first generated day (UTC, YYYY-MM-DD) */
  startDate: string;
  currency?: string;
  /** scales the daily volume (1 ≈ 2,600 transactions over 24 months: two to four card payments a day) */
  volume?: number;
  /** probability per day that an anomaly is injected */
  anomalyRate?: number;
  /** a student loan beside the other accounts, paid down from checking each month */
  loan?: boolean;
}

const DAY_MS = 86_400_000;
/** The card's statement is paid on this day of each month. */
const CARD_PAYMENT_DAY = 20;
/** A loan's monthly payment is taken on this day. */
const LOAN_PAYMENT_DAY = 15;

/** The first loan payment day on or after `date`. */
function firstPaymentOnOrAfter(date: string): string {
  const thisMonth = `${date.slice(0, 8)}${String(LOAN_PAYMENT_DAY).padStart(2, '0')}`;
  return thisMonth >= date ? thisMonth : addMonths(thisMonth, 1);
}

/** The last card payment day before `date` (a statement runs from it to the day before the next). */
function lastPaymentDayBefore(date: string): string {
  const day = addDays(date, -1);
  const thisMonth = `${day.slice(0, 8)}${String(CARD_PAYMENT_DAY).padStart(2, '0')}`;
  return thisMonth <= day ? thisMonth : addMonths(thisMonth, -1);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The same day of the month `months` months away (day ≤ 28 in practice here). */
export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** A bank item's ledger: its accounts are fixed by the seed; each day's activity is a pure function of (seed, day). */
export class BankLedger {
  readonly accounts: LedgerAccount[];
  private readonly rng: SeededRandom;
  private readonly currency: string;
  private readonly volume: number;
  private readonly anomalyRate: number;
  /** the monthly salary: what the household spends in a year, plus what it saves (see below) */
  private salaryCents = 0;
  /** percent of income put aside each month */
  private readonly savingsPercent: number;
  private readonly rentCents: number;

  constructor(readonly options: LedgerOptions) {
    this.rng = new SeededRandom(options.seed);
    this.currency = options.currency ?? 'USD';
    this.volume = options.volume ?? 1;
    this.anomalyRate = options.anomalyRate ?? 0.02;
    const setup = this.rng.fork('setup');
    this.savingsPercent = setup.int(12, 24);
    this.rentCents = setup.int(130_000, 210_000);
    const account = (kind: AccountKind, name: string, official: string): LedgerAccount => ({
      account_id: setup.hex(37),
      kind,
      name,
      official_name: official,
      mask: String(setup.int(1000, 9999)),
      type: kind === 'credit' || kind === 'loan' ? kind : 'depository',
      subtype: kind === 'credit' ? 'credit card' : kind === 'loan' ? 'student' : kind,
      currency: this.currency,
      openingCents:
        kind === 'checking'
          ? setup.int(600_000, 1_500_000)
          : kind === 'savings'
            ? setup.int(500_000, 4_000_000)
            : kind === 'loan'
              ? setup.int(800_000, 3_500_000)
              : 0,
      limitCents: kind === 'credit' ? 1_000_000 : null,
    });
    this.accounts = [
      account('checking', 'Plaid Checking', 'Plaid Gold Standard 0% Interest Checking'),
      account('savings', 'Plaid Saving', 'Plaid Silver Standard 0.1% Interest Saving'),
      account('credit', 'Plaid Credit Card', 'Plaid Diamond 12.5% APR Interest Credit Card'),
      // drawn last: the other accounts are the same with or without it
      ...(options.loan ? [account('loan', 'Plaid Student Loan', 'Plaid Student Loan 5.5% Fixed')] : []),
    ];
    // the card owes, when the history begins, what was charged since its last payment day
    const card = this.byKind('credit');
    card.openingCents = this.cardCharges(
      lastPaymentDayBefore(options.startDate),
      addDays(options.startDate, -1),
    );
    this.salaryCents = this.salaryThatSaves(this.savingsPercent);
  }

  /** What was paid down on the loan before `date` (its payments since the history began). */
  private loanPaidBefore(date: string): number {
    const loan = this.accounts.find((a) => a.kind === 'loan');
    if (!loan) return 0;
    const monthly = Math.round(loan.openingCents / 120);
    let paid = 0;
    for (let day = firstPaymentOnOrAfter(this.options.startDate); day < date; day = addMonths(day, 1))
      paid = Math.min(loan.openingCents, paid + monthly);
    return paid;
  }

  /**
   * A household that lives within its means: the monthly salary (a March bonus of half a month
   * on top) that leaves `percent` of its income after what its first two years' days spend.
   * Whatever the volume, it saves 10–20 % (foreign charges counted at par: a rough target).
   */
  private salaryThatSaves(percent: number): number {
    let spent = 0;
    for (let i = 0; i < 730; i += 1)
      for (const t of this.day(addDays(this.options.startDate, i), false).transactions)
        if (!['INCOME', 'TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS'].includes(t.category.primary))
          spent += t.amountCents;
    return Math.round(spent / 2 / (1 - percent / 100) / 12.5);
  }

  /**
   * What was charged to the card (in its currency) from `from` to `to`, inclusive: a statement.
   * Days before the history's start count too: the card was in use before it.
   */
  private cardCharges(from: string, to: string): number {
    const card = this.byKind('credit');
    let cents = 0;
    for (let day = from; day <= to; day = addDays(day, 1))
      for (const t of this.day(day, false).transactions)
        if (t.account_id === card.account_id && t.currency === card.currency) cents += t.amountCents;
    return cents;
  }

  /**
   * The card's terms and last statement as of `today`, as Plaid Liabilities tells them: the
   * statement closes the day before the payment day and is paid in full on it; the APR is the
   * one its name states (it is never charged: the card is paid in full).
   */
  cardTerms(today: string): {
    aprPercent: number;
    statementIssued: string;
    statementCents: number;
    lastPayment: { date: string; cents: number } | null;
    nextDue: string;
    minimumCents: number;
  } {
    // the latest payment day up to today: its statement closed the day before
    const due = lastPaymentDayBefore(addDays(today, 1));
    const statementIssued = addDays(due, -1);
    const statementCents = this.cardCharges(addMonths(due, -1), statementIssued);
    const paidOn = due >= this.options.startDate ? due : null;
    const lastPaid = paidOn ? statementCents : 0;
    const nextDue = addMonths(due, 1);
    // the common US minimum: 1 % of the statement (no interest is charged), at least 25, never more than owed
    const minimumCents = Math.min(
      Math.max(statementCents, 0),
      Math.max(2500, Math.round(statementCents / 100)),
    );
    return {
      aprPercent: 12.5,
      statementIssued,
      statementCents,
      lastPayment: paidOn && lastPaid > 0 ? { date: paidOn, cents: lastPaid } : null,
      nextDue,
      minimumCents,
    };
  }

  /** The student loan's terms as of `today`: equal principal over ten years, on the 15th. */
  loanTerms(today: string): {
    aprPercent: number;
    originalCents: number;
    minimumCents: number;
    lastPayment: { date: string; cents: number } | null;
    nextDue: string;
  } | null {
    const loan = this.accounts.find((a) => a.kind === 'loan');
    if (!loan) return null;
    const monthly = Math.round(loan.openingCents / 120);
    const next = firstPaymentOnOrAfter(addDays(today, 1));
    const last = addMonths(next, -1);
    return {
      aprPercent: 5.5,
      originalCents: loan.openingCents,
      minimumCents: monthly,
      lastPayment: last >= this.options.startDate ? { date: last, cents: monthly } : null,
      nextDue: next,
    };
  }

  private byKind(kind: AccountKind): LedgerAccount {
    return this.accounts.find((a) => a.kind === kind) as LedgerAccount;
  }

  /** Everything that happened on one day (posted form; pending is a matter of when it is observed). */
  day(date: string, withPayments = true): DayActivity {
    const rng = this.rng.fork(`day:${date}`);
    const d = new Date(`${date}T00:00:00Z`);
    const dom = d.getUTCDate();
    const month = d.getUTCMonth();
    const weekday = d.getUTCDay();
    const monthsIn = this.monthsIn(date);
    const checking = this.byKind('checking');
    const savings = this.byKind('savings');
    const card = this.byKind('credit');
    const out: LedgerTransaction[] = [];
    const anomalies: Anomaly[] = [];

    const txn = (
      account: LedgerAccount,
      amountCents: number,
      name: string,
      merchant: string | null,
      primary: string,
      detailed: string,
      channel: LedgerTransaction['payment_channel'] = 'other',
      currency = account.currency,
      ids: SeededRandom = rng,
    ): LedgerTransaction => {
      const id = ids.hex(37);
      const t: LedgerTransaction = {
        transaction_id: id,
        account_id: account.account_id,
        amountCents,
        currency,
        date,
        authorized_date: date,
        authorized_datetime: channel === 'other' ? null : minuteOf(date, id),
        name,
        merchant_name: merchant,
        payment_channel: channel,
        category: { primary, detailed },
        pending_transaction_id: null,
      };
      out.push(t);
      return t;
    };
    const spend = (m: Merchant, account: LedgerAccount, currency?: string) =>
      txn(
        account,
        rng.int(m.range[0], m.range[1]),
        m.name.toUpperCase(),
        m.name,
        m.primary,
        m.detailed,
        m.channel,
        currency,
      );

    // Income: salary on the 25th, a 3 % raise each year; a bonus in March. Now and then the
    // payroll does not come (drawn and dropped, so the day's other ids stay as they were).
    if (dom === 25) {
      const raised = Math.round(this.salaryCents * 1.03 ** Math.floor(monthsIn / 12));
      const salary = [txn(checking, -raised, 'ACME CORP PAYROLL', 'Acme Corp', 'INCOME', 'INCOME_WAGES')];
      if (month === 2)
        salary.push(
          txn(checking, -Math.round(raised * 0.5), 'ACME CORP BONUS', 'Acme Corp', 'INCOME', 'INCOME_WAGES'),
        );
      if (this.salaryMissed(date)) {
        out.splice(out.length - salary.length, salary.length);
        anomalies.push({
          kind: 'missed_salary',
          transaction_ids: [],
          date,
          description: 'the monthly payroll from Acme Corp did not arrive',
        });
      }
    }
    // Fixed outgoings.
    if (dom === 1)
      txn(
        checking,
        this.rentCents,
        'RENT - OAK STREET APTS',
        'Oak Street Apartments',
        'RENT_AND_UTILITIES',
        'RENT_AND_UTILITIES_RENT',
      );
    if (dom === 8) {
      // heating makes winter bills higher
      const seasonal = month <= 1 || month === 11 ? 1.8 : month >= 5 && month <= 7 ? 1.3 : 1;
      txn(
        checking,
        Math.round(rng.int(6000, 9000) * seasonal),
        'PG&E UTILITIES',
        'PG&E',
        'RENT_AND_UTILITIES',
        'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY',
      );
    }
    if (dom === 14)
      txn(
        checking,
        7999,
        'COMCAST INTERNET',
        'Comcast',
        'RENT_AND_UTILITIES',
        'RENT_AND_UTILITIES_INTERNET_AND_CABLE',
      );
    if (dom === 27) {
      // about the household's savings rate of its salary, give or take half
      const saved = 100 * Math.round((this.salaryCents * this.savingsPercent * rng.int(5, 15)) / 100_000);
      txn(checking, saved, 'TRANSFER TO SAVINGS', null, 'TRANSFER_OUT', 'TRANSFER_OUT_SAVINGS');
      txn(savings, -saved, 'TRANSFER FROM CHECKING', null, 'TRANSFER_IN', 'TRANSFER_IN_SAVINGS');
    }
    if (dom === CARD_PAYMENT_DAY && withPayments) {
      // The card is paid in full: its statement, everything charged since the last payment day
      // up to yesterday (so it never owes less than nothing, but for a refund)
      const statement = this.cardCharges(addMonths(date, -1), addDays(date, -1));
      // their ids come from a stream of their own: the rest of the day is drawn as without them
      // (a statement is added up from days drawn without payments)
      const ids = this.rng.fork(`card-payment:${date}`);
      if (statement > 0) {
        txn(
          checking,
          statement,
          'CREDIT CARD PAYMENT',
          null,
          'LOAN_PAYMENTS',
          'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT',
          'other',
          checking.currency,
          ids,
        );
        txn(
          card,
          -statement,
          'PAYMENT THANK YOU',
          null,
          'TRANSFER_IN',
          'TRANSFER_IN_ACCOUNT_TRANSFER',
          'other',
          card.currency,
          ids,
        );
      }
    }
    const loan = this.accounts.find((a) => a.kind === 'loan');
    if (loan && dom === LOAN_PAYMENT_DAY) {
      // ten years of equal principal payments from what was owed when the history began, from
      // a stream of their own (the rest of the day is drawn as without a loan)
      const paid = this.loanPaidBefore(date);
      const payment = Math.min(Math.round(loan.openingCents / 120), loan.openingCents - paid);
      if (payment > 0) {
        const ids = this.rng.fork(`loan-payment:${date}`);
        txn(
          checking,
          payment,
          'STUDENT LOAN PAYMENT',
          null,
          'LOAN_PAYMENTS',
          'LOAN_PAYMENTS_STUDENT_LOAN_PAYMENT',
          'other',
          checking.currency,
          ids,
        );
        txn(
          loan,
          -payment,
          'PAYMENT RECEIVED',
          null,
          'TRANSFER_IN',
          'TRANSFER_IN_ACCOUNT_TRANSFER',
          'other',
          loan.currency,
          ids,
        );
      }
    }
    if (dom === 1 && month % 3 === 0)
      txn(savings, -rng.int(500, 4000), 'INTEREST PAYMENT', null, 'INCOME', 'INCOME_INTEREST_EARNED');
    // Subscriptions on the card; some raise their price once (an anomaly to flag once).
    for (const sub of SUBSCRIPTIONS) {
      if (dom !== sub.day) continue;
      const price = this.subscriptionPrice(sub, monthsIn);
      const t = txn(card, price.cents, sub.name.toUpperCase(), sub.name, sub.primary, sub.detailed, 'online');
      if (price.riseMonth === monthsIn)
        anomalies.push({
          kind: 'subscription_price_rise',
          transaction_ids: [t.transaction_id],
          date,
          description: `${sub.name} rose from ${(sub.cents / 100).toFixed(2)} to ${(price.cents / 100).toFixed(2)}`,
        });
    }

    // Everyday spending, more in December and on weekends.
    const season = month === 11 ? 1.6 : month === 6 || month === 7 ? 1.2 : 1;
    const weekend = weekday === 0 || weekday === 6 ? 1.3 : 1;
    const rate = this.volume * season * weekend;
    const times = (mean: number) => {
      let n = 0;
      for (let i = 0; i < 6; i += 1) if (rng.chance((mean * rate) / 6)) n += 1;
      return n;
    };
    for (let i = times(0.3); i > 0; i -= 1) spend(rng.pick(GROCERS), rng.chance(0.5) ? card : checking);
    for (let i = times(1.3); i > 0; i -= 1) spend(rng.pick(DINING), card);
    for (let i = times(0.55); i > 0; i -= 1) spend(rng.pick(TRANSPORT), card);
    for (let i = times(0.175); i > 0; i -= 1) spend(rng.pick(SHOPPING), card);
    // A trip abroad in July and in the spring: charges in EUR and GBP.
    if ((month === 6 && dom >= 10 && dom <= 20) || (month === 3 && dom >= 3 && dom <= 9)) {
      for (let i = times(0.45); i > 0; i -= 1) {
        const travel = rng.pick(TRAVEL);
        spend(travel.merchant, card, travel.currency);
      }
    }
    // Refunds: money back from a shop.
    if (rng.chance(0.015 * this.volume)) {
      const m = rng.pick(SHOPPING);
      txn(
        card,
        -rng.int(m.range[0], m.range[1]),
        `${m.name.toUpperCase()} REFUND`,
        m.name,
        m.primary,
        m.detailed,
        m.channel,
      );
    }

    if (rng.chance(this.anomalyRate)) anomalies.push(this.inject(rng, date, txn, spend, card));
    // A subscription that charges a second time some days after its usual day (drawn from
    // their own stream and added last, so nothing else of the day changes).
    for (const sub of SUBSCRIPTIONS) {
      const usual = date.slice(0, 8) + String(sub.day).padStart(2, '0');
      if (usual >= date || this.chargedTwiceAfter(usual, sub) !== daysBetween(usual, date)) continue;
      const again = txn(
        card,
        this.subscriptionPrice(sub, this.monthsIn(usual)).cents,
        sub.name.toUpperCase(),
        sub.name,
        sub.primary,
        sub.detailed,
        'online',
      );
      anomalies.push({
        kind: 'subscription_charged_twice',
        transaction_ids: [again.transaction_id],
        date,
        description: `${sub.name} charged a second time this month`,
      });
    }
    return { transactions: out, anomalies };
  }

  /**
   * A subscription's price in a given month of the ledger: Netflix rises after a year, each
   * other one rises or not (even odds) in a month of its own, by 8–30 % and at least 1.00,
   * to a price ending in 9.
   */
  private subscriptionPrice(
    sub: Subscription,
    monthsIn: number,
  ): { cents: number; riseMonth: number | null } {
    let riseMonth: number | null = 12;
    let raised = 1799;
    if (sub.name !== 'Netflix') {
      const rng = this.rng.fork(`price:${sub.name}`);
      riseMonth = rng.chance(0.5) ? rng.int(6, 20) : null;
      const target = Math.max(sub.cents * (1 + rng.int(8, 30) / 100), sub.cents + 100);
      raised = Math.ceil((target + 1) / 10) * 10 - 1;
    }
    if (this.anomalyRate === 0) riseMonth = null;
    return { cents: riseMonth !== null && monthsIn >= riseMonth ? raised : sub.cents, riseMonth };
  }

  /** Months since the ledger began on `date` (30-day months). */
  private monthsIn(date: string): number {
    return Math.max(0, Math.floor(daysBetween(this.options.startDate, date) / 30));
  }

  /** Whether the payroll due on `date` (a 25th) fails to come: rare, and never twice within four months. */
  private salaryMissed(date: string): boolean {
    if (this.anomalyRate === 0 || this.monthsIn(date) < 4) return false;
    // 5 % of months at the evaluation's rate (0.02 a day), rarer for a calmer ledger
    const missed = (d: string) => this.rng.fork(`salary:${d}`).chance(2.5 * this.anomalyRate);
    if (!missed(date)) return false;
    for (let back = 1; back <= 4; back += 1) {
      const earlier = addMonths(date, -back);
      if (this.monthsIn(earlier) >= 4 && missed(earlier)) return false;
    }
    return true;
  }

  /**
   * Days after its usual day on which a subscription charges a second time that month (4–12),
   * or null. Rare; never in the months around a price change, so the change stays one anomaly.
   */
  private chargedTwiceAfter(usualDate: string, sub: Subscription): number | null {
    const months = this.monthsIn(usualDate);
    const rise = this.subscriptionPrice(sub, months).riseMonth;
    if (this.anomalyRate === 0 || months < 4 || (rise !== null && Math.abs(months - rise) <= 2)) return null;
    const rng = this.rng.fork(`twice:${usualDate}:${sub.name}`);
    return rng.chance(0.03) ? rng.int(4, 12) : null;
  }

  private inject(
    rng: SeededRandom,
    date: string,
    txn: (
      a: LedgerAccount,
      c: number,
      n: string,
      m: string | null,
      p: string,
      d: string,
      ch?: LedgerTransaction['payment_channel'],
    ) => LedgerTransaction,
    spend: (m: Merchant, a: LedgerAccount) => LedgerTransaction,
    card: LedgerAccount,
  ): Anomaly {
    const kind = rng.pick<AnomalyKind>([
      'duplicate_charge',
      'outsized_amount',
      'new_merchant_large',
      'burst',
    ]);
    switch (kind) {
      case 'duplicate_charge': {
        const m = rng.pick(SHOPPING);
        const first = spend(m, card);
        const second = txn(
          card,
          first.amountCents,
          first.name,
          first.merchant_name,
          m.primary,
          m.detailed,
          m.channel,
        );
        return {
          kind,
          transaction_ids: [first.transaction_id, second.transaction_id],
          date,
          description: `${m.name} charged twice`,
        };
      }
      case 'outsized_amount': {
        const m = rng.pick(GROCERS);
        const t = txn(
          card,
          // from a clear 3× the most it usually costs to a glaring 15×
          m.range[1] * rng.int(3, 15),
          m.name.toUpperCase(),
          m.name,
          m.primary,
          m.detailed,
          m.channel,
        );
        return {
          kind,
          transaction_ids: [t.transaction_id],
          date,
          description: `${m.name} charge far above usual`,
        };
      }
      case 'new_merchant_large': {
        const name = `${rng.pick(NEW_MERCHANT_FIRST)} ${rng.pick(NEW_MERCHANT_SECOND)}`;
        const t = txn(
          card,
          rng.int(150_000, 600_000),
          name.toUpperCase(),
          name,
          'GENERAL_MERCHANDISE',
          'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE',
          'online',
        );
        return {
          kind,
          transaction_ids: [t.transaction_id],
          date,
          description: `first, large charge at ${name}`,
        };
      }
      default: {
        // many charges at one place in a day: in-app purchases, or a card used again and again
        const ids: string[] = [];
        const count = rng.int(8, 16);
        const place = rng.pick(['App Store', 'DoorDash', 'Uber']);
        const m = [...DINING, ...TRANSPORT].find((x) => x.name === place);
        for (let i = 0; i < count; i += 1)
          ids.push(
            m
              ? spend(m, card).transaction_id
              : txn(
                  card,
                  rng.int(99, 499),
                  'APPSTORE PURCHASE',
                  'App Store',
                  'ENTERTAINMENT',
                  'ENTERTAINMENT_VIDEO_GAMES',
                  'online',
                ).transaction_id,
          );
        return {
          kind: 'burst',
          transaction_ids: ids,
          date,
          description: `${count} charges at ${place} in one day`,
        };
      }
    }
  }
}

/**
 * A card payment's time of day, 07:00–22:59 UTC, from its id: no draw from the ledger's random
 * sequence, so adding times changed no seed's transactions.
 */
function minuteOf(date: string, id: string): string {
  const minute = 7 * 60 + (Number.parseInt(id.slice(0, 8), 16) % (16 * 60));
  const hh = String(Math.floor(minute / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  return `${date}T${hh}:${mm}:00Z`;
}

/** Plaid amounts are JSON numbers in major units. */
export function centsToNumber(cents: number): number {
  return Math.round(cents) / 100;
}
