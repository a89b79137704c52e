// A user's net worth on past days, rebuilt from what was synced or imported, so that a new user's
// history does not start today. Each account's position at the end of a day is today's less what
// its transactions moved after that day (a balance walked back; a card's debt likewise, as a
// negative position); a manual wallet's recorded balances are used where they exist; a
// brokerage's holdings are walked back through its trades and cash movements likewise (units of
// a security bought after a day were not held that day), and a Bitcoin wallet's through its
// transactions on chain; other holdings (an exchange's, an EVM wallet's) are today's quantities
// at that day's price (an estimate: their trades are not known).
// Each day's positions are valued by the one valuation (valuation.ts), as the live path values
// today's: so the last rebuilt day and the first live point differ only by what really moved.
import { Decimal } from './money.ts';
import { addDays } from './dates.ts';
import { signedBalance, valuePositions, type AccountBalance, type PositionInput } from './valuation.ts';
import { valueToDecimal } from './portfolio.ts';

/** An account as stored, and (a manual wallet's) the balances its user recorded, by date. */
export interface RebuildAccount extends AccountBalance {
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

export type RebuildHolding = PositionInput;

/** Units of an asset an account gained (negative: gave up) on a day: a brokerage's trade, or its cash moving. */
export interface RebuildMovement {
  accountId: string;
  asset: string;
  date: string;
  quantity: Decimal;
}

export interface RebuildInputs {
  accounts: readonly RebuildAccount[];
  flows: readonly RebuildFlow[];
  holdings: readonly RebuildHolding[];
  /** the movements of accounts whose holdings are known day by day (a brokerage's activity) */
  movements?: readonly RebuildMovement[];
  /** the days to value (the value at each one's end), oldest first */
  days: readonly string[];
  /** USD for one unit of a currency or an asset at a day's end; undefined: not known */
  usdPer(symbol: string, day: string): Decimal | undefined;
  /** the currencies valued by FX (what the valuation calls cash) */
  fiat: ReadonlySet<string>;
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

/** The first day anything is known about: the earliest transaction (a bank's or a brokerage's) or recorded balance. */
export function firstKnownDay(
  accounts: readonly RebuildAccount[],
  flows: readonly { date: string }[],
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
  const currencyOf = new Map(accounts.map((a) => [a.publicId, a.currency]));
  for (const f of inputs.flows) {
    if (currencyOf.get(f.accountId) !== f.currency) continue;
    let days = byAccountDay.get(f.accountId);
    if (!days) byAccountDay.set(f.accountId, (days = new Map()));
    days.set(f.date, (days.get(f.date) ?? Decimal.ZERO).add(f.amount));
  }
  // today's signed positions (the valuation's), walked back day by day
  const position = new Map<string, Decimal>();
  for (const a of accounts) {
    const balance = signedBalance(a);
    if (balance) position.set(a.publicId, balance);
  }
  // flows dated after the last day asked for are taken back first
  const last = days[days.length - 1] as string;
  for (const [accountId, flows] of byAccountDay)
    for (const [date, amount] of flows)
      if (date > last && position.has(accountId))
        position.set(accountId, (position.get(accountId) as Decimal).sub(amount));

  // holdings of accounts with movements, walked back the same way (keyed account and asset)
  const key = (accountId: string, asset: string) => `${accountId}\u0000${asset}`;
  const moved = new Map<string, Map<string, Decimal>>();
  for (const m of inputs.movements ?? []) {
    const k = key(m.accountId, m.asset);
    let byDay = moved.get(k);
    if (!byDay) moved.set(k, (byDay = new Map()));
    byDay.set(m.date, (byDay.get(m.date) ?? Decimal.ZERO).add(m.quantity));
  }
  const walkedAccounts = new Set((inputs.movements ?? []).map((m) => m.accountId));
  const held = new Map<string, { accountId: string; asset: string; quantity: Decimal }>();
  for (const h of inputs.holdings)
    if (walkedAccounts.has(h.accountId))
      held.set(key(h.accountId, h.asset), { ...h, quantity: Decimal.parse(h.quantity) });
  for (const m of inputs.movements ?? [])
    if (!held.has(key(m.accountId, m.asset)))
      held.set(key(m.accountId, m.asset), { accountId: m.accountId, asset: m.asset, quantity: Decimal.ZERO });
  const takeBack = (k: string, quantity: Decimal) => {
    const h = held.get(k) as { quantity: Decimal };
    h.quantity = h.quantity.sub(quantity);
  };
  for (const [k, byDay] of moved) for (const [date, q] of byDay) if (date > last) takeBack(k, q);
  const assumed = inputs.holdings.filter((h) => !walkedAccounts.has(h.accountId));

  const ONE = Decimal.parse('1');
  const out: RebuiltDay[] = [];
  for (let i = days.length - 1; i >= 0; i -= 1) {
    const day = days[i] as string;
    const positions = new Map<string, PositionInput[]>();
    for (const a of accounts) {
      const recorded = a.recorded?.length ? latestRecorded(a.recorded, day) : undefined;
      // before its first recorded balance, a manual wallet did not exist here
      if (a.recorded?.length && recorded === undefined) continue;
      const amount = recorded
        ? signedBalance({ ...a, current: recorded.toString() })
        : position.get(a.publicId);
      if (amount && !amount.isZero())
        positions.set(a.publicId, [
          { accountId: a.publicId, asset: a.currency, quantity: amount.toString() },
        ]);
    }
    for (const h of assumed) positions.set(h.accountId, [...(positions.get(h.accountId) ?? []), h]);
    let short = false;
    for (const h of held.values()) {
      if (h.quantity.isZero()) continue;
      // less than nothing: the brokerage's activity does not reach back this far
      if (h.quantity.cmp(Decimal.ZERO) < 0) short = true;
      positions.set(h.accountId, [
        ...(positions.get(h.accountId) ?? []),
        { accountId: h.accountId, asset: h.asset, quantity: h.quantity.toString() },
      ]);
    }
    const valued = valuePositions(
      positions,
      (symbol) => (symbol === 'USD' ? ONE : inputs.usdPer(symbol, day))?.units,
      inputs.fiat,
    );
    const missing = [...new Set(valued.unpriced.map((u) => u.asset))];
    out.push({
      day,
      usd: valueToDecimal(valued.netWorth),
      // today's quantities, assumed held all along; activity that does not reach back; or
      // something could not be valued
      estimated: assumed.length > 0 || short || missing.length > 0,
      missing,
    });
    // the day before ends where this one began: take this day's flows and movements back
    for (const [k, byDay] of moved) {
      const q = byDay.get(day);
      if (q) takeBack(k, q);
    }
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
