// insights: what a person opens the app for — the financial health score (with its monthly
// history and the questionnaire for what data cannot measure), ranked recommendations, and a
// projection of net worth with goals. Every rule is pure code in domain/insights and
// domain/projection; this service reads the user's inputs (inputs.ts), stores answers, goals
// and dismissals, and answers under /api/v1/insights.
import type { Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import { randomUUID } from 'node:crypto';
import {
  HEALTH_INDICATORS,
  type CreateGoalRequest,
  type GoalList,
  type GoalView,
  type HealthScoreView,
  type ProjectionRequest,
  type ProjectionView,
  type QuestionnaireAnswers,
  type QuestionnaireView,
  type RecommendationList,
  type RecommendationView,
  type ScoreHistoryView,
} from '@finexia/contracts/api.ts';
import type { ExportFiles } from '@finexia/contracts/export.ts';
import { ASSET_CLASSES, type AssetClass } from '@finexia/contracts/portfolio.ts';
import type { EventName } from '@finexia/contracts/events.ts';
import { DbMixin } from '../../mixins/db.mixin.ts';
import { BudgetsMixin, type BudgetsMethods } from '../../mixins/budgets.mixin.ts';
import { AuthGuardMixin } from '../../mixins/auth-guard.mixin.ts';
import { callerId, type Ctx } from '../../infra/context.ts';
import {
  Dismissal,
  GoalModel,
  HealthAnswers,
  type DismissalRecord,
  type GoalRecord,
  type HealthAnswersRecord,
} from '../../infra/models/insight.model.ts';
import { Decimal } from '../../domain/money.ts';
import { invalidField, notFound } from '../../domain/errors.ts';
import {
  addMonths,
  byRole,
  completeMonths,
  monthlyAverage,
  valuesAt,
} from '../../domain/insights/cashflow.ts';
import { healthScore, QUESTIONS } from '../../domain/insights/score.ts';
import { monthlyDue, recommendations } from '../../domain/insights/recommendations.ts';
import { dueDatesKept } from '../../domain/insights/due-dates.ts';
import {
  DEFAULT_CLASS_ASSUMPTIONS,
  DEFAULT_INFLATION,
  deterministicPath,
  project,
  savingsMix,
  vehicleAssumption,
  type ProjectionInput,
} from '../../domain/projection.ts';
import { addDays } from '../../domain/dates.ts';
import { FIAT_CURRENCIES } from '../../domain/portfolio.ts';
import { InsightInputs, type UserInputs } from './inputs.ts';

/** Months the spending measures average over, and the score history's length. */
const SPEND_MONTHS = 6;
const HISTORY_MONTHS = 12;
/** A dismissed recommendation comes back when its impact moved by more than this share. */
const MATERIAL_CHANGE = 0.25;

/** Any of these changes what the insights read. */
const INPUT_EVENTS = [
  'transaction.changed',
  'wallet.synced',
  'wallet.balance.changed',
  'wallet.holdings.changed',
  'wallet.created',
  'wallet.deleted',
  'user.preferences.changed',
  // the view read on one of the events above may have been the live portfolio's before it reloaded
  'portfolio.reloaded',
] as const satisfies readonly EventName[];

interface InsightsVars {
  inputs: InsightInputs;
}

interface InsightsMethods extends BudgetsMethods {
  recommendationsOf(userId: string): Promise<{ all: RecommendationView[]; shown: RecommendationView[] }>;
  answersOf(userId: string): Promise<QuestionnaireAnswers>;
  scoreOf(inputs: UserInputs, answers: QuestionnaireAnswers, at?: string): HealthScoreView;
  ownGoal(ctx: Ctx<unknown>, id: string): Promise<GoalRecord>;
}

type InsightsService = Service & InsightsMethods & InsightsVars;

const decimalRule = { type: 'decimal', digits: 24, scale: 2 } as const;
const rateRule = (min: number, max: number) => ({ type: 'number', min, max, optional: true }) as const;

function goalView(g: GoalRecord, currency: string): GoalView {
  return { id: g.publicId, name: g.name, target: g.target, date: g.date, currency };
}

/** Whole months from today to a date (at least one). */
function monthsUntil(today: string, date: string): number {
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.max(1, (y - ty) * 12 + (m - tm) + (d >= td ? 0 : -1));
}

/** The last day of a month (YYYY-MM). */
const monthEnd = (month: string) => addDays(`${addMonths(month, 1)}-01`, -1);

const InsightsServiceSchema: ServiceSchema<ServiceSettingSchema, InsightsMethods, InsightsVars> = {
  name: 'insights',
  settings: { rest: '/insights' },
  mixins: [DbMixin([HealthAnswers, GoalModel, Dismissal]), AuthGuardMixin, BudgetsMixin(['projection'])],

  actions: {
    /** The caller's financial health score now, each indicator with how it was measured. */
    score: {
      rest: 'GET /score',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<HealthScoreView> {
        const userId = callerId(ctx);
        const [inputs, answers] = await Promise.all([this.inputs.of(userId), this.answersOf(userId)]);
        return this.scoreOf(inputs, answers);
      },
    },

    /** The score at the end of each of the last months (balances walked back through transactions). */
    scoreHistory: {
      rest: 'GET /score/history',
      params: {
        $$strict: true,
        months: { type: 'number', integer: true, min: 1, max: 24, convert: true, optional: true },
      },
      async handler(ctx: Ctx<{ months?: number }>): Promise<ScoreHistoryView> {
        const userId = callerId(ctx);
        const [inputs, answers] = await Promise.all([this.inputs.of(userId), this.answersOf(userId)]);
        const count = ctx.params.months ?? HISTORY_MONTHS;
        const current = inputs.today.slice(0, 7);
        const months = Array.from({ length: count }, (_, i) => addMonths(current, i - count));
        const first = inputs.months[0]?.month;
        return {
          months: months.map((month) => {
            // before the first transaction there is nothing to measure
            if (!first || month < first)
              return { month, score: null, tier: null, partial: true, estimated: true };
            const view = this.scoreOf(inputs, answers, month);
            return { month, score: view.score, tier: view.tier, partial: view.partial, estimated: true };
          }),
        };
      },
    },

    /** The questionnaire: a question per indicator, whether the data measures it, the caller's answer. */
    questionnaire: {
      rest: 'GET /questionnaire',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<QuestionnaireView> {
        const userId = callerId(ctx);
        const [inputs, answers] = await Promise.all([this.inputs.of(userId), this.answersOf(userId)]);
        const score = this.scoreOf(inputs, {});
        return {
          questions: HEALTH_INDICATORS.map((indicator) => ({
            indicator,
            question: QUESTIONS[indicator].question,
            answers: [...QUESTIONS[indicator].answers],
            measured: score.indicators.find((i) => i.id === indicator)?.source === 'data',
            answer: answers[indicator] ?? null,
          })),
        };
      },
    },

    /** Answers (0 worst … 4 best, null to skip); the score changes with them. */
    answer: {
      rest: 'PUT /questionnaire',
      params: {
        $$strict: true,
        answers: {
          type: 'object',
          strict: true,
          props: Object.fromEntries(
            HEALTH_INDICATORS.map((id) => [
              id,
              { type: 'number', integer: true, min: 0, max: 4, optional: true, nullable: true },
            ]),
          ),
        },
      },
      async handler(ctx: Ctx<{ answers: QuestionnaireAnswers }>): Promise<HealthScoreView> {
        const userId = callerId(ctx);
        const current = await this.answersOf(userId);
        const next: Record<string, number> = {};
        for (const id of HEALTH_INDICATORS) {
          const value = id in ctx.params.answers ? ctx.params.answers[id] : current[id];
          if (value !== null && value !== undefined) next[id] = value;
        }
        await HealthAnswers.updateOne({ _id: userId }, { $set: { answers: next } }, { upsert: true });
        return this.scoreOf(await this.inputs.of(userId), next);
      },
    },

    /** What the caller could do, ranked by expected yearly effect in the base currency. */
    recommendations: {
      rest: 'GET /recommendations',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<RecommendationList> {
        const { all, shown } = await this.recommendationsOf(callerId(ctx));
        return { recommendations: shown, dismissed: all.length - shown.length };
      },
    },

    /** Hides a recommendation until its data change materially (its impact by more than a quarter). */
    dismiss: {
      rest: 'POST /recommendations/dismiss',
      params: {
        $$strict: true,
        id: { type: 'string', min: 1, max: 120, pattern: /^[a-z_]+(:[\w .&'-]+)?$/ },
      },
      async handler(ctx: Ctx<{ id: string }>): Promise<RecommendationList> {
        const userId = callerId(ctx);
        const { all, shown } = await this.recommendationsOf(userId);
        const found = shown.find((r) => r.id === ctx.params.id);
        if (!found) throw notFound('Recommendation');
        await Dismissal.updateOne(
          { _id: `${userId}:${found.id}` },
          { $set: { userId, recommendationId: found.id, impact: found.impact } },
          { upsert: true },
        );
        const left = shown.filter((r) => r.id !== found.id);
        return { recommendations: left, dismissed: all.length - left.length };
      },
    },

    /** Net worth over the coming years: a deterministic path and seeded percentiles, with goals. */
    projection: {
      rest: 'POST /projection',
      params: {
        $$strict: true,
        years: { type: 'number', integer: true, min: 1, max: 30, optional: true },
        monthlySavings: { ...decimalRule, optional: true },
        incomeGrowth: rateRule(-0.5, 0.5),
        inflation: rateRule(-0.05, 0.5),
        inflationAdjusted: { type: 'boolean', optional: true },
        classes: {
          type: 'object',
          optional: true,
          strict: true,
          props: Object.fromEntries(
            ASSET_CLASSES.map((c) => [
              c,
              {
                type: 'object',
                optional: true,
                strict: true,
                props: { expectedReturn: rateRule(-0.9, 2), volatility: rateRule(0, 3) },
              },
            ]),
          ),
        },
        paths: { type: 'number', integer: true, min: 100, max: 20_000, optional: true },
        seed: { type: 'number', integer: true, min: 0, max: 2 ** 31 - 1, optional: true },
      },
      async handler(ctx: Ctx<ProjectionRequest>): Promise<ProjectionView> {
        const userId = callerId(ctx);
        await this.spend(ctx, 'projection');
        const p = ctx.params;
        const [inputs, goals] = await Promise.all([
          this.inputs.of(userId),
          GoalModel.find({ userId }).sort({ date: 1 }).lean<GoalRecord[]>(),
        ]);
        const recent = completeMonths(inputs.months, inputs.today, SPEND_MONTHS);
        const measured = recent.length
          ? monthlyAverage(recent, (m) => m.income.sub(m.spending)).round(2)
          : null;
        const monthlySavings =
          p.monthlySavings !== undefined ? Decimal.parse(p.monthlySavings) : (measured ?? Decimal.ZERO);
        const classes = Object.fromEntries(
          ASSET_CLASSES.map((c) => [c, { ...DEFAULT_CLASS_ASSUMPTIONS[c], ...(p.classes?.[c] ?? {}) }]),
        ) as ProjectionInput['classes'];
        // vehicles lose value at the rates they were entered with
        const ownVehicles = vehicleAssumption(inputs.vehicles);
        if (ownVehicles) classes.vehicle = { ...classes.vehicle, ...ownVehicles };
        for (const c of ASSET_CLASSES)
          if (p.classes?.[c])
            classes[c] = {
              ...classes[c],
              ...p.classes[c],
              source: `your assumption (default: ${(c === 'vehicle' && ownVehicles?.source) || DEFAULT_CLASS_ASSUMPTIONS[c].source})`,
            };
        // debts apart from the assets: each repaid on its own schedule where its terms are known
        // (a card's balance is assumed to stay, spent and repaid each month)
        const debts = inputs.debts.map((d) => ({
          owed: d.owed.toNumber(),
          aprPercent: d.aprPercent ?? 0,
          payment: d.minimum?.toNumber() ?? 0,
        }));
        const start = Object.fromEntries(
          ASSET_CLASSES.map((c) => [c, Decimal.parse(inputs.view.byClass[c] ?? '0').toNumber()]),
        ) as Record<AssetClass, number>;
        // what is owed is repaid by the debts' schedules, not grown as a class
        start.debt = 0;
        const input: ProjectionInput = {
          start,
          debts,
          monthlySavings: monthlySavings.toNumber(),
          incomeGrowth: p.incomeGrowth ?? 0.02,
          inflation: p.inflation ?? DEFAULT_INFLATION.rate,
          inflationAdjusted: p.inflationAdjusted ?? true,
          years: p.years ?? 30,
          classes,
          paths: p.paths ?? 10_000,
          seed: p.seed ?? 1,
          goals: goals.map((g) => ({
            id: g.publicId,
            name: g.name,
            target: Decimal.parse(g.target).toNumber(),
            months: monthsUntil(inputs.today, g.date),
          })),
        };
        const result = project(input);
        const money = (n: number) => Decimal.parse(n.toFixed(2)).toString();
        const today = deterministicPath(input, 0)[0] as number;
        return {
          currency: inputs.currency,
          assumptions: {
            start: Object.fromEntries(ASSET_CLASSES.map((c) => [c, money(start[c])])) as Record<
              AssetClass,
              string
            >,
            debts: debts.map((d) => ({
              owed: money(d.owed),
              aprPercent: d.aprPercent,
              payment: money(d.payment),
            })),
            monthlySavings: monthlySavings.toString(),
            measuredMonthlySavings: measured?.toString() ?? null,
            savingsMeasuredOver: recent.length,
            incomeGrowth: input.incomeGrowth,
            inflation: input.inflation,
            inflationSource: p.inflation === undefined ? DEFAULT_INFLATION.source : 'your assumption',
            inflationAdjusted: input.inflationAdjusted,
            years: input.years,
            classes,
            savingsMix: savingsMix(start),
            paths: input.paths,
            seed: input.seed,
          },
          points: [
            { year: 0, deterministic: money(today), p10: money(today), p50: money(today), p90: money(today) },
            ...result.years.map((y) => ({
              year: y.year,
              deterministic: money(y.deterministic),
              p10: money(y.p10),
              p50: money(y.p50),
              p90: money(y.p90),
            })),
          ],
          goals: result.goals.map((o, i) => ({
            ...goalView(goals[i] as GoalRecord, inputs.currency),
            probability: o.probability,
            monthlyNeededP50: money(o.monthlyNeededP50),
            monthlyNeededP90: money(o.monthlyNeededP90),
            deterministicAtDate: money(o.deterministicAtDate),
          })),
        };
      },
    },

    goals: {
      rest: 'GET /goals',
      params: { $$strict: true },
      async handler(ctx: Ctx): Promise<GoalList> {
        const userId = callerId(ctx);
        const [goals, inputs] = await Promise.all([
          GoalModel.find({ userId }).sort({ date: 1 }).lean<GoalRecord[]>(),
          this.inputs.of(userId),
        ]);
        return { goals: goals.map((g) => goalView(g, inputs.currency)) };
      },
    },

    createGoal: {
      rest: 'POST /goals',
      params: {
        $$strict: true,
        name: { type: 'string', min: 1, max: 80, trim: true },
        target: { ...decimalRule, nonNegative: true },
        date: { type: 'isoDate' },
      },
      async handler(ctx: Ctx<CreateGoalRequest>): Promise<GoalView> {
        const userId = callerId(ctx);
        const inputs = await this.inputs.of(userId);
        if (ctx.params.date <= inputs.today) throw invalidField('date', 'must be after today', 'date.future');
        if (Decimal.parse(ctx.params.target).isZero())
          throw invalidField('target', 'must be above zero', 'number.positive');
        if ((await GoalModel.countDocuments({ userId })) >= 20)
          throw invalidField('name', 'at most 20 goals; remove one first', 'goals.limit');
        const goal: GoalRecord = {
          publicId: randomUUID(),
          userId,
          name: ctx.params.name,
          target: Decimal.parse(ctx.params.target).toString(),
          date: ctx.params.date,
        };
        await GoalModel.create(goal);
        ctx.meta.$statusCode = 201;
        return goalView(goal, inputs.currency);
      },
    },

    updateGoal: {
      rest: 'PATCH /goals/:id',
      params: {
        $$strict: true,
        id: 'uuid',
        name: { type: 'string', min: 1, max: 80, trim: true, optional: true },
        target: { ...decimalRule, nonNegative: true, optional: true },
        date: { type: 'isoDate', optional: true },
      },
      async handler(ctx: Ctx<Partial<CreateGoalRequest> & { id: string }>): Promise<GoalView> {
        const goal = await this.ownGoal(ctx, ctx.params.id);
        const inputs = await this.inputs.of(goal.userId);
        const { name, target, date } = ctx.params;
        if (date !== undefined && date <= inputs.today)
          throw invalidField('date', 'must be after today', 'date.future');
        if (target !== undefined && Decimal.parse(target).isZero())
          throw invalidField('target', 'must be above zero', 'number.positive');
        const set = {
          ...(name !== undefined ? { name } : {}),
          ...(target !== undefined ? { target: Decimal.parse(target).toString() } : {}),
          ...(date !== undefined ? { date } : {}),
        };
        await GoalModel.updateOne({ publicId: goal.publicId }, { $set: set });
        return goalView({ ...goal, ...set }, inputs.currency);
      },
    },

    removeGoal: {
      rest: 'DELETE /goals/:id',
      params: { $$strict: true, id: 'uuid' },
      async handler(ctx: Ctx<{ id: string }>): Promise<void> {
        const goal = await this.ownGoal(ctx, ctx.params.id);
        await GoalModel.deleteOne({ publicId: goal.publicId });
        ctx.meta.$statusCode = 204;
      },
    },

    /** The user's goals, answers and dismissed recommendations, as their export carries them. */
    exportUser: {
      internal: true,
      params: { $$strict: true, userId: 'uuid', currency: 'currencyCode' },
      async handler(
        ctx: Ctx<{ userId: string; currency: string }>,
      ): Promise<Pick<ExportFiles, 'goals' | 'questionnaire' | 'dismissals'>> {
        const { userId, currency } = ctx.params;
        const [goals, answers, dismissals] = await Promise.all([
          GoalModel.find({ userId }).sort({ date: 1 }).lean<GoalRecord[]>(),
          HealthAnswers.findById(userId).lean<HealthAnswersRecord>(),
          Dismissal.find({ userId }).lean<(DismissalRecord & { updatedAt?: Date })[]>(),
        ]);
        return {
          goals: goals.map((g) => goalView(g, currency)),
          questionnaire: (answers?.answers ?? {}) as QuestionnaireAnswers,
          dismissals: dismissals.map((d) => ({
            recommendationId: d.recommendationId,
            impact: d.impact,
            dismissedAt: (d.updatedAt ?? new Date(0)).toISOString(),
          })),
        };
      },
    },

    /** A deleted account: its goals, answers and dismissals go, and what this node kept of it. */
    eraseUser: {
      internal: true,
      params: { userId: 'uuid' },
      async handler(ctx: Ctx<{ userId: string }>): Promise<{ deleted: number }> {
        const { userId } = ctx.params;
        this.inputs.forget(userId);
        const results = await Promise.all([
          GoalModel.deleteMany({ userId }),
          HealthAnswers.deleteMany({ _id: userId }),
          Dismissal.deleteMany({ userId }),
        ]);
        return { deleted: results.reduce((n, r) => n + r.deletedCount, 0) };
      },
    },
  },

  events: Object.fromEntries(
    INPUT_EVENTS.map((event) => [
      event,
      {
        handler(this: InsightsService, ctx: Ctx<{ userId: string }>) {
          this.inputs.forget(ctx.params.userId);
        },
      },
    ]),
  ),

  methods: {
    /** Every recommendation for the user now, and those not dismissed (or changed materially since). */
    async recommendationsOf(userId: string) {
      const [inputs, dismissals] = await Promise.all([
        this.inputs.of(userId),
        Dismissal.find({ userId }).lean<DismissalRecord[]>(),
      ]);
      const roles = byRole(inputs.accounts);
      const all = recommendations({
        currency: inputs.currency,
        money: inputs.money,
        today: inputs.today,
        months: completeMonths(inputs.months, inputs.today, SPEND_MONTHS),
        spendable: roles.spendable,
        savings: roles.savings,
        debts: inputs.debts,
        byAsset: new Map(Object.entries(inputs.view.byAsset).map(([k, v]) => [k, Decimal.parse(v)])),
        fiat: FIAT_CURRENCIES,
        netWorth: Decimal.parse(inputs.view.netWorth),
        transactions: inputs.transactions.filter((t) => t.date >= addDays(inputs.today, -365)),
        toBase: inputs.toBase,
      });
      const dismissedAt = new Map(dismissals.map((d) => [d.recommendationId, Decimal.parse(d.impact)]));
      const stillDismissed = (id: string, impact: string) => {
        const then = dismissedAt.get(id);
        if (!then) return false;
        const base = Math.max(Math.abs(then.toNumber()), 1);
        return Math.abs(Decimal.parse(impact).toNumber() - then.toNumber()) / base <= MATERIAL_CHANGE;
      };
      return { all, shown: all.filter((r) => !stillDismissed(r.id, r.impact)) };
    },

    async answersOf(userId: string): Promise<QuestionnaireAnswers> {
      const doc = await HealthAnswers.findById(userId).lean<HealthAnswersRecord>();
      return (doc?.answers ?? {}) as QuestionnaireAnswers;
    },

    /** The score now, or at the end of a past month (`at`, YYYY-MM). */
    scoreOf(inputs: UserInputs, answers: QuestionnaireAnswers, at?: string): HealthScoreView {
      const until = at ? `${addMonths(at, 1)}-01` : inputs.today;
      const accounts = at ? valuesAt(inputs.accounts, inputs.flows, monthEnd(at)) : inputs.accounts;
      const roles = byRole(accounts);
      // the debts owed then (a past month: those whose account owed at its end), at today's terms
      const owing = new Set(accounts.filter((a) => a.value.isNegative()).map((a) => a.accountId));
      const debts = inputs.debts.filter((d) => owing.has(d.accountId));
      const judgedUntil = at ? monthEnd(at) : inputs.today;
      let checked = 0;
      const missed: { name: string; date: string }[] = [];
      for (const d of debts) {
        if (!d.nextDue) continue;
        const flows = inputs.flows
          .filter((f) => f.accountId === d.accountId)
          .map((f) => ({ date: f.date, positive: !f.amount.isNegative() && !f.amount.isZero() }));
        if (!flows.length) continue;
        const kept = dueDatesKept({
          nextDue: d.nextDue,
          kind: d.kind,
          flows,
          since: flows.reduce((first, f) => (f.date < first ? f.date : first), flows[0]!.date),
          until: judgedUntil,
          months: 12,
        });
        checked += kept.checked;
        missed.push(...kept.missed.map((date) => ({ name: d.name, date })));
      }
      return healthScore({
        months: completeMonths(inputs.months, until, SPEND_MONTHS),
        year: completeMonths(inputs.months, until, 12),
        liquid: roles.spendable.add(roles.savings),
        longTerm: roles.longTerm,
        debt: roles.debt,
        debtPayments: debts.length
          ? debts.reduce((sum, d) => sum.add(monthlyDue(d)), Decimal.ZERO).round(2)
          : undefined,
        dueDates: {
          checked,
          missed,
          // what the lender says now (a past month's score cannot know it)
          overdue: at ? [] : debts.filter((d) => d.overdue).map((d) => d.name),
        },
        currency: inputs.currency,
        answers,
        money: inputs.money,
      });
    },

    async ownGoal(ctx: Ctx<unknown>, id: string): Promise<GoalRecord> {
      const goal = await GoalModel.findOne({ userId: callerId(ctx), publicId: id }).lean<GoalRecord>();
      if (!goal) throw notFound('Goal');
      return goal;
    },
  },

  created() {
    this.inputs = new InsightInputs(this.broker);
  },
};

export default InsightsServiceSchema;
