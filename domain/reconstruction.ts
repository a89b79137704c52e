// A user's net worth on past days, rebuilt from what was synced or imported, so that a new user's
// history does not start today. Each account's position at the end of a day is today's less what
// its transactions moved after that day (a balance walked back; a card's debt likewise, as a
// negative position); a manual wallet's recorded balances are used where they exist; exchange
// holdings are today's quantities at that day's price (an estimate: trades are not known).
// Positions are valued in USD with the day's FX rates and closes.
import { Decimal } from './money.ts';
import { addDays } from './dates.ts';

export interface RebuildAccount {
  accountId: string;
  currency: string;
  /**
   * cash: today's position is `current` (a balance); owed: `current` is what is owed (credit,
   * loan), the position its negative; holdings: valued by the holdings in it
   */
  kind: 'cash' | 'owed' | 'holdings';
  current: Decimal | null;
  /** recorded balances (a manual wallet's), by date: exact where they exist */
  recorded?: { date: string; balance: Decimal }[];
}

export interface RebuildFlow {
  accountId: string;
  date: string;
  /** signed: negative = money out */
  amount: Decimal;
  /** a flow in another currency than its account's does not move that account's balance (as the bank reports it) */
  currency: string;
}

export interface RebuildHolding {
  accountId: string;
  asset: string;
  quantity: Decimal;
}

export interface RebuildInputs {
  accounts: readonly RebuildAccount[];
  flows: readonly RebuildFlow[];
  holdings: readonly RebuildHolding[];
  /** the days to value (the value at each one's end), oldest first */
  days: readonly string[];
  /** USD for one unit of a currency or an asset at a day's end; undefined: not known */
  usdPer(symbol: string, day: string): Decimal | undefined;
}

export interface RebuiltDay {
  day: string;
  usd: Decimal;
  /** quantities were assumed constant (holdings), or a price was not known */
  estimated: boolean;
  /** what could not be valued that day */
  missing: string[];
}

/** The days from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The first day anything is known about: the earliest transaction or recorded balance. */
export function firstKnownDay(
  accounts: readonly RebuildAccount[],
  flows: readonly RebuildFlow[],
): string | null {
  let first: string | null = null;
  for (const f of flows) if (first === null || f.date < first) first = f.date;
  for (const a of accounts)
    for (const r of a.recorded ?? []) if (first === null || r.date < first) first = r.date;
  return first;
}

export function rebuildDaily(inputs: RebuildInputs): RebuiltDay[] {
  const { accounts, days } = inputs;
  if (!days.length) return [];
  // each account's flows after each day: walk the days newest first, taking back each day's flows
  const byAccountDay = new Map<string, Map<string, Decimal>>();
  const currencyOf = new Map(accounts.map((a) => [a.accountId, a.currency]));
  for (const f of inputs.flows) {
    if (currencyOf.get(f.accountId) !== f.currency) continue;
    let days = byAccountDay.get(f.accountId);
    if (!days) byAccountDay.set(f.accountId, (days = new Map()));
    days.set(f.date, (days.get(f.date) ?? Decimal.ZERO).add(f.amount));
  }
  const positionNow = new Map<string, Decimal>(
    accounts
      .filter((a) => a.kind !== 'holdings')
      .map((a) => {
        const current = a.current ?? Decimal.ZERO;
        return [a.accountId, a.kind === 'owed' ? current.neg() : current];
      }),
  );
  // flows dated after the last day asked for are taken back first
  const last = days[days.length - 1] as string;
  const position = new Map(positionNow);
  for (const [accountId, flows] of byAccountDay)
    for (const [date, amount] of flows)
      if (date > last && position.has(accountId))
        position.set(accountId, (position.get(accountId) as Decimal).sub(amount));

  const out: RebuiltDay[] = [];
  for (let i = days.length - 1; i >= 0; i -= 1) {
    const day = days[i] as string;
    let usd = Decimal.ZERO;
    let estimated = false;
    const missing: string[] = [];
    for (const a of accounts) {
      if (a.kind === 'holdings') continue;
      const recorded = a.recorded?.length ? latestRecorded(a.recorded, day) : undefined;
      // before its first recorded balance, a manual wallet did not exist here
      if (a.recorded?.length && recorded === undefined) continue;
      const amount = recorded ?? (position.get(a.accountId) as Decimal);
      if (amount.isZero()) continue;
      const rate = a.currency === 'USD' ? Decimal.parse('1') : inputs.usdPer(a.currency, day);
      if (!rate) {
        missing.push(a.currency);
        estimated = true;
        continue;
      }
      usd = usd.add(amount.mul(rate));
    }
    for (const h of inputs.holdings) {
      const price = inputs.usdPer(h.asset, day);
      estimated = true; // today's quantities, assumed held all along
      if (!price) {
        missing.push(h.asset);
        continue;
      }
      usd = usd.add(h.quantity.mul(price));
    }
    out.push({ day, usd, estimated, missing: [...new Set(missing)] });
    // the day before ends where this one began: take this day's flows back
    for (const [accountId, flows] of byAccountDay) {
      const amount = flows.get(day);
      if (amount && position.has(accountId))
        position.set(accountId, (position.get(accountId) as Decimal).sub(amount));
    }
  }
  return out.reverse();
}

function latestRecorded(recorded: { date: string; balance: Decimal }[], day: string): Decimal | undefined {
  let best: { date: string; balance: Decimal } | undefined;
  for (const r of recorded) if (r.date <= day && (!best || r.date > best.date)) best = r;
  return best?.balance;
}
