// What the insights read of a user, in one place: preferences, accounts (and what each is worth
// now, from the live portfolio), the last years' transactions converted to the base currency.
// Kept per user until one of the events that change them arrives (transactions, balances,
// holdings, preferences): the score is recomputed when its inputs change, never per tick.
import { preferencesOf } from '../../infra/user-preferences.ts';
import { callAction } from '../../infra/actions.ts';
import type { ServiceBroker } from 'moleculer';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import { Account, Wallet, type AccountRecord, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { providersOf } from '../../infra/providers.ts';
import { Decimal, currencyDigits } from '../../domain/money.ts';
import { addDays, localDate } from '../../domain/dates.ts';
import {
  monthlyCashflow,
  roleOf,
  type AccountFlow,
  type AccountValue,
  type CashflowTransaction,
  type Month,
} from '../../domain/insights/cashflow.ts';
import { FIAT_CURRENCIES } from '../../domain/portfolio.ts';
import type { Debt } from '../../domain/insights/recommendations.ts';
import { callJsonLines } from '../../infra/streams.ts';
import { HISTORY_READ_MS } from '../../infra/db.ts';

/** How far back the insights read (a year of score history needs 18 months of cashflow). */
const HISTORY_DAYS = 750;
/** Inputs are kept this long at most, even without an event (prices move investments). */
const KEEP_MS = 60_000;

export interface UserInputs {
  userId: string;
  currency: string;
  today: string;
  view: PortfolioView;
  accounts: AccountValue[];
  /** what is owed, account by account, with its known terms (the minimum in the base currency) */
  debts: Debt[];
  /** vehicles with a depreciation rate: their value now (base currency) and yearly rate in percent */
  vehicles: { value: Decimal; depreciationPercent: Decimal }[];
  transactions: CashflowTransaction[];
  flows: AccountFlow[];
  months: Month[];
  toBase(amount: Decimal, currency: string): Decimal;
  money(amount: Decimal): string;
}

export class InsightInputs {
  private readonly kept = new Map<string, { at: number; inputs: Promise<UserInputs> }>();

  constructor(private readonly broker: ServiceBroker) {}

  /** A user's inputs, loaded once until they change. */
  of(userId: string): Promise<UserInputs> {
    const hit = this.kept.get(userId);
    if (hit && Date.now() - hit.at < KEEP_MS) return hit.inputs;
    const inputs = this.load(userId);
    this.kept.set(userId, { at: Date.now(), inputs });
    inputs.catch(() => this.kept.delete(userId));
    return inputs;
  }

  /** Something the insights read changed: the next request loads again. */
  forget(userId: string): void {
    this.kept.delete(userId);
  }

  private async load(userId: string): Promise<UserInputs> {
    const prefs = await preferencesOf(userId);
    const timeZone = prefs?.timeZone ?? 'UTC';
    const today = localDate(Date.now(), timeZone);
    const [view, accountRecords, rows, vehicleWallets] = await Promise.all([
      callAction(this.broker, 'portfolio.view', { userId }),
      Account.find({ userId }).lean<AccountRecord[]>(),
      callJsonLines(
        this.broker,
        'transactions.cashflowOf',
        { userId, from: addDays(today, -HISTORY_DAYS) },
        HISTORY_READ_MS,
      ),
      Wallet.find({ userId, manualType: 'vehicle', owned: { $ne: null } }).lean<WalletRecord[]>(),
    ]);
    // the view is in the user's base currency (USD when no rate could be had)
    const currency = view.currency;
    const toBase = await this.converter(
      currency,
      rows.map((r) => r.currency),
    );
    const accounts: AccountValue[] = accountRecords.map((a) => ({
      accountId: a.publicId,
      role: roleOf(a.type, a.subtype),
      value: Decimal.parse(view.byAccount[a.publicId] ?? '0'),
    }));
    const transactions: CashflowTransaction[] = rows.map((r) => ({
      date: r.date,
      amount: r.amount,
      currency: r.currency,
      category: r.category,
      merchant: r.merchant,
      pending: r.pending,
    }));
    const flows = rows
      .filter((r) => !r.pending)
      .map((r) => ({
        accountId: r.accountId,
        date: r.date,
        amount: toBase(Decimal.parse(r.amount), r.currency),
      }));
    const digits = currencyDigits(currency);
    const format = new Intl.NumberFormat('en', {
      style: 'currency',
      currency,
      maximumFractionDigits: digits,
    });
    return {
      userId,
      currency,
      today,
      view,
      accounts,
      debts: accountRecords.flatMap((a, i): Debt[] => {
        const { role, value } = accounts[i] as AccountValue;
        if (role !== 'debt' || !value.isNegative()) return [];
        return [
          {
            accountId: a.publicId,
            name: a.name,
            kind: a.type === 'loan' ? 'loan' : 'credit',
            owed: value.neg(),
            aprPercent: a.debtTerms?.aprPercent ? Number(a.debtTerms.aprPercent) : null,
            // in the base currency, as every amount the insights compare
            minimum: a.debtTerms?.minimumPayment
              ? toBase(Decimal.parse(a.debtTerms.minimumPayment), a.currency)
              : null,
            nextDue: a.nextPaymentDueDate ?? null,
            overdue: a.overdue ?? false,
          },
        ];
      }),
      vehicles: vehicleWallets.flatMap((w) => {
        const account = accountRecords.find((a) => a.walletId === w.publicId);
        const value = account ? view.byAccount[account.publicId] : undefined;
        return value && w.owned?.depreciationPercent
          ? [{ value: Decimal.parse(value), depreciationPercent: Decimal.parse(w.owned.depreciationPercent) }]
          : [];
      }),
      transactions,
      flows,
      months: monthlyCashflow(transactions, toBase),
      toBase,
      // a sentence's amount: rounded for reading, from the exact decimal
      money: (amount) => format.format(amount.round(digits).toNumber()),
    };
  }

  /** Converts amounts to the base currency at today's FX rates (USD per unit from the FX provider). */
  private async converter(
    base: string,
    currencies: string[],
  ): Promise<(amount: Decimal, currency: string) => Decimal> {
    const others = [...new Set(currencies)].filter((c) => c !== base && FIAT_CURRENCIES.has(c));
    if (!others.length) return (amount) => amount;
    const wanted = [...new Set([...others, base])].filter((c) => c !== 'USD');
    const { rates } = await providersOf(this.broker).fx().latest('USD', wanted);
    const perUsd = (c: string) => (c === 'USD' ? Decimal.parse('1') : Decimal.parse(rates[c] ?? '1'));
    return (amount, currency) =>
      currency === base ? amount : amount.div(perUsd(currency)).mul(perUsd(base));
  }
}
