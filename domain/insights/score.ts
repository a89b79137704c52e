// The financial health score, 0–100, modelled on the eight indicators of the Financial Health
// Network's FinHealth Score® methodology (spend, save, borrow, plan), each worth 0–100 in steps
// of 25 as its survey answers are. Indicators the user's data can measure are measured (the
// breakdown says how, with the numbers); the others come from a short questionnaire the user may
// answer or skip. The score is the mean of the indicators it has, and says when it is partial.
import type {
  HealthIndicatorId,
  HealthIndicatorView,
  HealthScoreView,
  HealthTier,
  QuestionnaireAnswers,
} from '@finexia/contracts/api.ts';
import { Decimal, currencyDigits } from '../money.ts';
import { monthlyAverage, type Month } from './cashflow.ts';

export const INDICATORS: {
  id: HealthIndicatorId;
  name: string;
  pillar: 'spend' | 'save' | 'borrow' | 'plan';
}[] = [
  { id: 'spend_less_than_income', name: 'Spend less than income', pillar: 'spend' },
  { id: 'bills_on_time', name: 'Pay bills on time', pillar: 'spend' },
  { id: 'liquid_savings', name: 'Enough liquid savings', pillar: 'save' },
  { id: 'long_term_savings', name: 'Enough long-term savings', pillar: 'save' },
  { id: 'manageable_debt', name: 'Manageable debt', pillar: 'borrow' },
  { id: 'prime_credit', name: 'Prime credit', pillar: 'borrow' },
  { id: 'insurance', name: 'Appropriate insurance', pillar: 'plan' },
  { id: 'planning_ahead', name: 'Planning ahead', pillar: 'plan' },
];

/** The questionnaire: five answers each, best first (4 = 100 points … 0 = 0). */
export const QUESTIONS: Record<
  HealthIndicatorId,
  { question: string; answers: [string, string, string, string, string] }
> = {
  spend_less_than_income: {
    question: 'Over the last 12 months, how did your spending compare with your income?',
    answers: [
      'Much less than income',
      'A little less',
      'About equal',
      'A little more',
      'Much more than income',
    ],
  },
  bills_on_time: {
    question: 'Which describes how you paid your bills over the last 12 months?',
    answers: ['All on time', 'Almost all on time', 'Most on time', 'Some on time', 'Very few on time'],
  },
  liquid_savings: {
    question:
      'If you lost your main income, how long could you cover your expenses from savings, without borrowing?',
    answers: ['6 months or more', '3 to 5 months', '1 to 2 months', '1 to 3 weeks', 'Less than a week'],
  },
  long_term_savings: {
    question:
      'How confident are you that your long-term savings and investments are on track for your goals?',
    answers: [
      'Very confident',
      'Moderately confident',
      'Somewhat confident',
      'Slightly confident',
      'Not at all confident',
    ],
  },
  manageable_debt: {
    question: 'How manageable is the debt you have now?',
    answers: [
      'I have no debt',
      'Very manageable',
      'Somewhat manageable',
      'Not very manageable',
      'Not at all manageable',
    ],
  },
  prime_credit: {
    question: 'How would you rate your credit score?',
    answers: ['Excellent', 'Very good', 'Good', 'Fair', 'Poor'],
  },
  insurance: {
    question: 'How confident are you that your insurance would help you in a difficult situation?',
    answers: [
      'Very confident',
      'Moderately confident',
      'Somewhat confident',
      'Slightly confident',
      'Not at all confident',
    ],
  },
  planning_ahead: {
    question: '"My household plans ahead financially." How much do you agree?',
    answers: [
      'Agree strongly',
      'Agree somewhat',
      'Neither agree nor disagree',
      'Disagree somewhat',
      'Disagree strongly',
    ],
  },
};

export interface ScoreInputs {
  /** complete months the spending measures look at (the last six, say), oldest first */
  months: readonly Month[];
  /** the last twelve complete months (bills on time) */
  year: readonly Month[];
  /** balances in the base currency: what can be spent within days, investments, what is owed */
  liquid: Decimal;
  longTerm: Decimal;
  debt: Decimal;
  /**
   * what the debts must be paid each month (their lenders' minimums or loan payments where known,
   * else assumed), in the base currency; undefined: not known (the share of income owed is used)
   */
  debtPayments?: Decimal;
  /** lenders' due dates judged against the payments made, and debts the lender says are overdue now */
  dueDates?: { checked: number; missed: { name: string; date: string }[]; overdue: string[] };
  currency: string;
  answers: QuestionnaireAnswers;
  /** formats an amount for a sentence ("€2,940") */
  money(amount: Decimal): string;
}

export function tierOf(score: number): HealthTier {
  return score >= 80 ? 'healthy' : score >= 40 ? 'coping' : 'vulnerable';
}

/** Points from steps: the first threshold the value meets gives 100, the next 75, … */
function stepped(
  value: number,
  thresholds: [number, number, number, number],
  higherIsBetter: boolean,
): number {
  const meets = (t: number) => (higherIsBetter ? value >= t : value <= t);
  const index = thresholds.findIndex(meets);
  return index < 0 ? 0 : 100 - index * 25;
}

const fixed = (n: number, digits = 1) => n.toFixed(digits);

export function healthScore(inputs: ScoreInputs): HealthScoreView {
  const { months, year, money } = inputs;
  const spending = monthlyAverage(months, (m) => m.spending);
  const income = monthlyAverage(months, (m) => m.income);
  const yearlyIncome = income.mul(Decimal.parse('12'));
  const measured = months.length > 0;
  const fromData: Partial<
    Record<HealthIndicatorId, { points: number; explanation: string; figures?: Record<string, string> }>
  > = {};
  /** an amount as the figures show it: the base currency's minor unit */
  const figure = (amount: Decimal) => amount.round(currencyDigits(inputs.currency)).toString();

  if (measured && income.cmp(Decimal.ZERO) > 0) {
    const ratio = spending.toNumber() / income.toNumber();
    fromData.spend_less_than_income = {
      points: stepped(ratio, [0.85, 0.95, 1.05, 1.15], false),
      explanation: `You spent ${money(spending)} a month on average, ${fixed(ratio * 100, 0)} % of your ${money(income)} monthly income, over the last ${months.length} months.`,
      figures: { monthlySpending: figure(spending), monthlyIncome: figure(income) },
    };
  }
  const due = inputs.dueDates;
  if (year.length >= 3 || (due && (due.checked > 0 || due.overdue.length > 0))) {
    const fees = year.reduce((n, m) => n + m.lateFees, 0);
    const missed = due?.missed ?? [];
    const overdue = due?.overdue ?? [];
    // every late fee, every due date no payment reached, every debt overdue now is a bill paid late
    const late = fees + missed.length + overdue.length;
    const parts = [
      fees === 0
        ? `No late or overdraft fees in the last ${year.length} months`
        : `${fees} late or overdraft fee${fees === 1 ? '' : 's'} in the last ${year.length} months`,
      ...(due?.checked
        ? [
            missed.length === 0
              ? `all ${due.checked} payments due on your cards and loans arrived by their due dates`
              : `${missed.length} of ${due.checked} payments due arrived after their due date (${missed
                  .map((m) => `${m.name}, ${m.date}`)
                  .join('; ')})`,
          ]
        : []),
      ...(overdue.length
        ? [`your lender says ${overdue.join(' and ')} ${overdue.length === 1 ? 'is' : 'are'} overdue now`]
        : []),
    ];
    fromData.bills_on_time = {
      points: late === 0 ? 100 : late === 1 ? 75 : late === 2 ? 50 : late <= 4 ? 25 : 0,
      explanation: `${parts.join('; ')}.`,
      figures: {
        lateFees: String(fees),
        dueDatesChecked: String(due?.checked ?? 0),
        dueDatesMissed: String(missed.length),
        overdue: String(overdue.length),
      },
    };
  }
  if (measured && spending.cmp(Decimal.ZERO) > 0) {
    const cover = Math.max(0, inputs.liquid.toNumber()) / spending.toNumber();
    fromData.liquid_savings = {
      points: stepped(cover, [6, 3, 1, 0.25], true),
      explanation: `Liquid savings of ${money(inputs.liquid)} cover ${fixed(cover)} months of your ${money(spending)} average monthly spending.`,
      figures: { liquid: figure(inputs.liquid), monthlySpending: figure(spending) },
    };
  }
  if (measured && yearlyIncome.cmp(Decimal.ZERO) > 0) {
    const years = Math.max(0, inputs.longTerm.toNumber()) / yearlyIncome.toNumber();
    fromData.long_term_savings = {
      points: years >= 1 ? 100 : years >= 0.5 ? 75 : years >= 0.25 ? 50 : years > 0 ? 25 : 0,
      explanation: `Your investments of ${money(inputs.longTerm)} equal ${fixed(years, 2)} years of your ${money(yearlyIncome)} yearly income.`,
      figures: { longTerm: figure(inputs.longTerm), yearlyIncome: figure(yearlyIncome) },
    };
  }
  if (inputs.debt.cmp(Decimal.ZERO) <= 0)
    fromData.manageable_debt = {
      points: 100,
      explanation: 'You owe nothing on your linked accounts.',
      figures: { owed: figure(Decimal.max(inputs.debt, Decimal.ZERO)) },
    };
  else if (measured && income.cmp(Decimal.ZERO) > 0 && inputs.debtPayments) {
    // what the debts cost each month against income (debt-to-income): lenders' 28 % and 36 %
    // rules of thumb, and the 43 % the CFPB's qualified-mortgage rule allowed
    const share = inputs.debtPayments.toNumber() / income.toNumber();
    fromData.manageable_debt = {
      points: stepped(share, [0.15, 0.28, 0.36, 0.43], false),
      explanation: `You owe ${money(inputs.debt)}; its payments of ${money(inputs.debtPayments)} a month take ${fixed(share * 100, 0)} % of your ${money(income)} monthly income.`,
      figures: {
        owed: figure(inputs.debt),
        monthlyPayments: figure(inputs.debtPayments),
        monthlyIncome: figure(income),
      },
    };
  } else if (measured && yearlyIncome.cmp(Decimal.ZERO) > 0) {
    const share = inputs.debt.toNumber() / yearlyIncome.toNumber();
    fromData.manageable_debt = {
      points: stepped(share, [0, 0.2, 0.5, 1], false),
      explanation: `You owe ${money(inputs.debt)}, ${fixed(share * 100, 0)} % of your ${money(yearlyIncome)} yearly income.`,
      figures: { owed: figure(inputs.debt), yearlyIncome: figure(yearlyIncome) },
    };
  }

  const indicators: HealthIndicatorView[] = INDICATORS.map(({ id, name, pillar }) => {
    const data = fromData[id];
    if (data)
      return {
        id,
        name,
        pillar,
        source: 'data',
        points: data.points,
        explanation: data.explanation,
        figures: data.figures ?? {},
      };
    const answer = inputs.answers[id];
    if (answer !== undefined && answer !== null)
      return {
        id,
        name,
        pillar,
        source: 'answer',
        points: answer * 25,
        figures: {},
        explanation: `You answered "${QUESTIONS[id].answers[4 - answer]}".`,
      };
    return {
      id,
      name,
      pillar,
      source: 'skipped',
      points: null,
      figures: {},
      explanation: `Not measured from your accounts yet, and not answered: ${QUESTIONS[id].question}`,
    };
  });
  const counted = indicators.filter((i) => i.points !== null);
  const score = counted.length
    ? Math.round(counted.reduce((sum, i) => sum + (i.points as number), 0) / counted.length)
    : null;
  return {
    score,
    tier: score === null ? null : tierOf(score),
    partial: counted.length < indicators.length,
    measured: indicators.filter((i) => i.source === 'data').length,
    answered: indicators.filter((i) => i.source === 'answer').length,
    indicators,
    currency: inputs.currency,
  };
}
