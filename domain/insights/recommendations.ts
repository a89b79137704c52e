// Recommendations: concrete things a user could do, each with its rationale, the numbers behind
// it and its expected effect in the base currency, ranked by that effect. Every rule reads the
// same monthly cashflow and balances as the score; each assumption is named where it is used.
import type { RecommendationType, RecommendationView } from '@finexia/contracts/api.ts';
import { Decimal } from '../money.ts';
import { securityClassOf } from '../securities.ts';
import { assetLabel } from '@finexia/contracts/api.ts';
import { payoffPlan, type PayoffPlan } from './debt-payoff.ts';
import { annuityPayment } from '../loans.ts';
import { monthlyAverage, type CashflowTransaction, type Month } from './cashflow.ts';

/** Months of spending an emergency fund should cover (common guidance: three to six). */
export const EMERGENCY_MONTHS = 3;
/** What cash could earn a year in a savings account or T-bills (their 1928–2023 average, Damodaran). */
export const CASH_YIELD = 0.033;
/** Yearly interest assumed when the bank does not tell: US credit cards averaged ~21.5 % in 2024 (Federal Reserve G.19); other loans 8 %. */
export const ASSUMED_APR = { credit: 0.215, loan: 0.08 } as const;
/** The 50/30/20 rule's savings share of income. */
export const SAVINGS_RATE_GOAL = 0.2;
/** A single asset above this share of net worth is concentrated; the impact is what a halving of the excess would cost. */
export const CONCENTRATION_SHARE = 0.25;

export interface Debt {
  accountId: string;
  name: string;
  kind: 'credit' | 'loan';
  owed: Decimal;
  /** its yearly rate in percent, when known (else ASSUMED_APR for its kind) */
  aprPercent: number | null;
  /** what must be paid each month, when known (else assumed: see minimumOf) */
  minimum: Decimal | null;
  /** the lender's next payment due date, when known */
  nextDue?: string | null;
  /** the lender says a payment is past due */
  overdue?: boolean;
}

export interface RecommendationInputs {
  currency: string;
  money(amount: Decimal): string;
  /** YYYY-MM-DD in the user's time zone (debt-free dates are counted from it) */
  today: string;
  /** the last complete months (six), oldest first */
  months: readonly Month[];
  /** cash that earns nothing (checking, cash, business) and savings accounts, in the base currency */
  spendable: Decimal;
  savings: Decimal;
  debts: readonly Debt[];
  /** value of each held asset in the base currency (crypto, stablecoins, foreign cash) */
  byAsset: ReadonlyMap<string, Decimal>;
  fiat: ReadonlySet<string>;
  netWorth: Decimal;
  /** the last twelve months of transactions (subscriptions) */
  transactions: readonly CashflowTransaction[];
  toBase(amount: Decimal, currency: string): Decimal;
}

const TWELVE = Decimal.parse('12');
const dec = (n: number) => Decimal.parse(n.toFixed(6));
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;

function recommendation(
  inputs: RecommendationInputs,
  type: RecommendationType,
  key: string,
  fields: Omit<RecommendationView, 'id' | 'type' | 'impact' | 'currency'> & { impact: Decimal },
): RecommendationView {
  return {
    id: key ? `${type}:${key}` : type,
    type,
    ...fields,
    impact: fields.impact.round(2).toString(),
    currency: inputs.currency,
  };
}

/**
 * A debt's monthly minimum when nobody said: a card's is 1 % of what is owed plus the month's
 * interest, at least 25 (the common US card formula); a loan's is what repays it in five years.
 */
function minimumOf(debt: Debt, aprPercent: number | null): Decimal {
  const apr = aprPercent === null ? ASSUMED_APR[debt.kind] : aprPercent / 100;
  if (debt.kind === 'credit') {
    const m = debt.owed.toNumber() * (0.01 + apr / 12);
    return Decimal.parse(Math.max(25, m).toFixed(2));
  }
  return annuityPayment(debt.owed, Decimal.parse(String(aprPercent ?? ASSUMED_APR.loan * 100)), 60);
}

/**
 * What a debt must be paid each month: a loan's payment (known or assumed); a card's minimum
 * follows what is owed (the bank's figure is its last statement's), never under the bank's.
 */
export function monthlyDue(d: Debt): Decimal {
  return d.kind === 'credit'
    ? Decimal.max(d.minimum ?? Decimal.ZERO, minimumOf(d, d.aprPercent))
    : (d.minimum ?? minimumOf(d, d.aprPercent));
}

/** YYYY-MM of the month `n` months after `date`. */
function addMonths(date: string, n: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const month = m - 1 + n;
  return `${y + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
}

export function recommendations(inputs: RecommendationInputs): RecommendationView[] {
  const out: RecommendationView[] = [];
  const { money, months } = inputs;
  const spending = monthlyAverage(months, (m) => m.spending);
  const income = monthlyAverage(months, (m) => m.income);
  const liquid = inputs.spendable.add(inputs.savings);

  // an emergency fund: three months of spending within reach
  const target = spending.mul(Decimal.parse(String(EMERGENCY_MONTHS)));
  if (months.length && spending.cmp(Decimal.ZERO) > 0 && liquid.cmp(target) < 0) {
    const gap = target.sub(liquid);
    out.push(
      recommendation(inputs, 'emergency_fund', '', {
        title: `Build an emergency fund: ${money(gap)} to go`,
        rationale: `Your liquid savings of ${money(liquid)} cover ${(liquid.toNumber() / spending.toNumber()).toFixed(1)} months of your ${money(spending)} average monthly spending; ${EMERGENCY_MONTHS} months (${money(target)}) would carry you through a lost income or a large repair without borrowing.`,
        data: {
          liquid: liquid.round(2).toString(),
          monthlySpending: spending.round(2).toString(),
          target: target.round(2).toString(),
        },
        impact: gap,
        impactBasis: `the cushion missing to ${EMERGENCY_MONTHS} months of spending`,
      }),
    );
  }

  // cash beyond a month's spending and the emergency fund that earns nothing
  const stillNeeded = Decimal.max(Decimal.ZERO, target.sub(inputs.savings));
  const idle = inputs.spendable.sub(spending).sub(months.length ? stillNeeded : Decimal.ZERO);
  if (idle.cmp(Decimal.parse('1000')) > 0) {
    const yearly = idle.mul(dec(CASH_YIELD));
    out.push(
      recommendation(inputs, 'idle_cash', '', {
        title: `Put ${money(idle)} of idle cash to work`,
        rationale: `Beyond a month of spending and your emergency fund, ${money(idle)} sits in checking and cash accounts earning nothing; at ${pct(CASH_YIELD)} a year (T-bills' long-run average) it would earn about ${money(yearly)} a year.`,
        data: { idle: idle.round(2).toString(), yield: CASH_YIELD },
        impact: yearly,
        impactBasis: `${pct(CASH_YIELD)} a year on the idle cash`,
      }),
    );
  }

  // one asset too large a share of net worth: a coin or a single stock (a fund, a bond or a
  // money-market fund spreads its risk already)
  if (inputs.netWorth.cmp(Decimal.ZERO) > 0)
    for (const [asset, value] of inputs.byAsset) {
      if (inputs.fiat.has(asset)) continue;
      const securityClass = securityClassOf(asset);
      if (securityClass && securityClass !== 'equity') continue;
      const name = assetLabel(asset);
      const fall = securityClass
        ? 'as single stocks have within a year'
        : 'as crypto assets have within a year';
      const share = value.toNumber() / inputs.netWorth.toNumber();
      if (share <= 0.5) continue;
      const excess = value.sub(inputs.netWorth.mul(dec(CONCENTRATION_SHARE)));
      const atRisk = excess.mul(Decimal.parse('0.5'));
      out.push(
        recommendation(inputs, 'concentration', asset, {
          title: `${name} is ${pct(share)} of your net worth`,
          rationale: `${money(value)} of your ${money(inputs.netWorth)} net worth is in ${name}. Were it to halve, ${fall}, you would lose ${money(value.mul(Decimal.parse('0.5')))}; holding at most ${pct(CONCENTRATION_SHARE)} in one asset would limit that.`,
          data: { asset, value: value.round(2).toString(), share: Number(share.toFixed(4)) },
          impact: atRisk,
          impactBasis: `half of what is held above ${pct(CONCENTRATION_SHARE)} of net worth (a 50 % fall)`,
        }),
      );
    }

  // debt: the most expensive first against the smallest first, with the interest each saves
  const debts = inputs.debts.filter((d) => d.owed.cmp(Decimal.ZERO) > 0);
  if (debts.length) {
    const payoff = debts.map((d) => ({
      name: d.name,
      owed: d.owed,
      aprPercent: d.aprPercent ?? ASSUMED_APR[d.kind] * 100,
      minimum: monthlyDue(d),
    }));
    // half of what is kept each month goes to the debts on top of the minimums
    const surplus = months.length ? income.sub(spending) : Decimal.ZERO;
    const extra =
      surplus.cmp(Decimal.ZERO) > 0
        ? Decimal.parse(String(Math.floor(surplus.toNumber() / 20) * 10))
        : Decimal.ZERO;
    const [avalanche, snowball, minimums] = (['avalanche', 'snowball', 'minimums'] as const).map((order) =>
      payoffPlan(payoff, extra, order),
    ) as [PayoffPlan, PayoffPlan, PayoffPlan];
    const saved = minimums.totalInterest.sub(avalanche.totalInterest);
    const when = (p: PayoffPlan) =>
      p.finished ? `debt-free by ${addMonths(inputs.today, p.months)}` : 'not debt-free within 50 years';
    const rates = payoff
      .map(
        (d, i) =>
          `${d.name} ${d.aprPercent.toFixed(2).replace(/\.?0+$/, '')} %${debts[i]!.aprPercent === null ? ' (assumed)' : ''}`,
      )
      .join(', ');
    out.push(
      recommendation(inputs, 'debt_payoff', '', {
        title: `Pay off ${avalanche.sequence[0] ?? payoff[0]!.name} first`,
        rationale: `You owe ${money(debts.reduce((s, d) => s.add(d.owed), Decimal.ZERO))} on ${debts.length} account${debts.length > 1 ? 's' : ''} (${rates}). Paying ${money(extra)} a month on top of the minimums, most expensive first (${avalanche.sequence.join(', then ')}): ${when(avalanche)}, ${money(avalanche.totalInterest)} of interest, ${money(saved)} less than the minimums alone (${when(minimums)}, ${money(minimums.totalInterest)}). Smallest first (${snowball.sequence.join(', then ')}): ${when(snowball)}, ${money(snowball.totalInterest)} of interest${snowball.totalInterest.cmp(avalanche.totalInterest) > 0 ? `, ${money(snowball.totalInterest.sub(avalanche.totalInterest))} more, for a first debt gone sooner` : ''}.`,
        data: {
          extraMonthly: extra.round(2).toString(),
          ...Object.fromEntries(
            [avalanche, snowball, minimums].flatMap((p) => [
              [`${p.order}Interest`, p.totalInterest.round(2).toString()],
              [`${p.order}Months`, p.finished ? p.months : 'never'],
            ]),
          ),
        },
        impact: saved,
        impactBasis: 'the interest saved against paying only the minimums',
      }),
    );
  }

  // saving less than a fifth of income
  if (months.length && income.cmp(Decimal.ZERO) > 0) {
    const rate = (income.toNumber() - spending.toNumber()) / income.toNumber();
    if (rate < SAVINGS_RATE_GOAL) {
      const missing = income.mul(dec(SAVINGS_RATE_GOAL - rate)).mul(TWELVE);
      out.push(
        recommendation(inputs, 'savings_rate', '', {
          title: `Save ${pct(SAVINGS_RATE_GOAL)} of your income (now ${pct(Math.max(rate, -9.99))})`,
          rationale: `Over the last ${months.length} months you kept ${money(income.sub(spending))} of ${money(income)} monthly income. The 50/30/20 rule keeps a fifth; closing the gap would add ${money(missing)} a year to your savings.`,
          data: {
            savingsRate: Number(rate.toFixed(4)),
            goal: SAVINGS_RATE_GOAL,
            monthlyIncome: income.round(2).toString(),
          },
          impact: missing,
          impactBasis: 'a year of the savings missing to the goal',
        }),
      );
    }
  }

  // categories running over their usual level (last month against the median of the five before)
  if (months.length >= 4) {
    const last = months.at(-1) as Month;
    const before = months.slice(0, -1);
    for (const [category, amount] of last.byCategory) {
      const usual = median(before.map((m) => (m.byCategory.get(category) ?? Decimal.ZERO).toNumber()));
      const over = amount.toNumber() - usual;
      if (usual <= 0 || over < 50 || amount.toNumber() < usual * 1.25) continue;
      const yearly = dec(over * 12);
      out.push(
        recommendation(inputs, 'category_over_usual', category, {
          title: `${titleCase(category)} ran ${pct(over / usual)} over usual in ${last.month}`,
          rationale: `You spent ${money(amount)} on ${titleCase(category).toLowerCase()} in ${last.month}, against a usual ${money(dec(usual))} a month (the median of the ${before.length} months before). Kept at that level it would cost ${money(yearly)} more a year.`,
          data: { category, month: last.month, spent: amount.round(2).toString(), usual: usual.toFixed(2) },
          impact: yearly,
          impactBasis: 'the excess, if it lasted a year',
        }),
      );
    }
  }

  // subscriptions that cost more than a year ago
  for (const rise of subscriptionRises(inputs.transactions, inputs.toBase)) {
    const yearly = rise.after.sub(rise.before).mul(TWELVE);
    out.push(
      recommendation(inputs, 'subscription_rise', rise.merchantKey, {
        title: `${rise.merchant} now costs ${money(rise.after)} a month`,
        rationale: `${rise.merchant} charged ${money(rise.before)} a month ${rise.months} months ago and ${money(rise.after)} now: ${money(yearly)} more a year. Worth checking you still use it, or whether a cheaper plan would do.`,
        data: {
          merchant: rise.merchant,
          before: rise.before.round(2).toString(),
          after: rise.after.round(2).toString(),
          months: rise.months,
        },
        impact: yearly,
        impactBasis: 'twelve months of the rise',
      }),
    );
  }

  return out.sort((a, b) => Decimal.parse(b.impact).cmp(Decimal.parse(a.impact)) || (a.id < b.id ? -1 : 1));
}

/** A monthly charge (same merchant, 25–35 days apart, four or more in a year) that rose. */
export function subscriptionRises(
  transactions: readonly CashflowTransaction[],
  toBase: (amount: Decimal, currency: string) => Decimal,
): { merchant: string; merchantKey: string; before: Decimal; after: Decimal; months: number }[] {
  const byMerchant = new Map<string, CashflowTransaction[]>();
  for (const t of transactions) {
    if (t.pending || !t.amount.startsWith('-') || /^(TRANSFER|LOAN|INCOME)/.test(t.category ?? '')) continue;
    const key = t.merchant.toLowerCase();
    const list = byMerchant.get(key);
    if (list) list.push(t);
    else byMerchant.set(key, [t]);
  }
  const rises = [];
  for (const [key, list] of byMerchant) {
    if (list.length < 4) continue;
    const sorted = [...list].sort((a, b) => (a.date < b.date ? -1 : 1));
    const gaps = sorted.slice(1).map((t, i) => daysBetween(sorted[i]!.date, t.date));
    if (!gaps.every((g) => g >= 25 && g <= 35)) continue;
    const first = sorted[0]!;
    const last = sorted.at(-1)!;
    const before = toBase(Decimal.parse(first.amount).neg(), first.currency);
    const after = toBase(Decimal.parse(last.amount).neg(), last.currency);
    if (after.toNumber() < before.toNumber() * 1.02 || after.sub(before).toNumber() < 0.5) continue;
    rises.push({ merchant: last.merchant, merchantKey: key, before, after, months: sorted.length - 1 });
  }
  return rises;
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

function median(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const titleCase = (category: string) =>
  category
    .toLowerCase()
    .split('_')
    .map((w) => (w === 'and' ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join(' ');
