// Anomalies of balances and markets, judged from live values rather than transactions: an
// account below the user's floor, net worth falling more than the user's threshold within the
// day, a held position moving more than a threshold within an hour.
import { isLiability, valuedByHoldings } from '../valuation.ts';
import { Decimal } from '../money.ts';
import { valueToDecimal } from '../portfolio.ts';
import { formatAmountE4 } from './format.ts';
import type { Finding } from './detector.ts';
import type { PositionMove } from '@finexia/contracts/events.ts';

export interface BalanceState {
  /** accountId → the day it first went below the floor (cleared when it is above again) */
  lowSince: Record<string, string>;
}

export interface WatchedBalance {
  accountId: string;
  walletId: string;
  name: string;
  /** depository, cash, savings, business, other … (credit and loan accounts are owed, not floors) */
  type: string;
  currency: string;
  current: string;
}

const e4Of = (text: string) => Number(Decimal.parse(text).toMinor(4));

/** An account that went below the floor: once per dip, and again only after it recovered. */
export function lowBalanceFindings(
  state: BalanceState,
  accounts: readonly WatchedBalance[],
  floor: string,
  today: string,
): Finding[] {
  const floorE4 = e4Of(floor);
  const findings: Finding[] = [];
  for (const a of accounts) {
    // a debt or a holdings account has no balance to run low
    if (isLiability(a.type) || valuedByHoldings(a.type)) continue;
    const balanceE4 = e4Of(a.current);
    if (balanceE4 >= floorE4) {
      delete state.lowSince[a.accountId];
      continue;
    }
    if (state.lowSince[a.accountId]) continue;
    state.lowSince[a.accountId] = today;
    findings.push({
      key: `low_balance:${a.accountId}:${today}`,
      type: 'low_balance',
      severity: balanceE4 < 0 ? 'critical' : 'high',
      date: today,
      transactionIds: [],
      walletIds: [a.walletId],
      reason: `${a.name} is at ${formatAmountE4(balanceE4, a.currency)}, below your ${formatAmountE4(floorE4, a.currency)} low-balance alert.`,
      evidence: {
        account: a.name,
        balance: formatAmountE4(balanceE4, a.currency),
        floor: formatAmountE4(floorE4, a.currency),
      },
    });
  }
  return findings;
}

const HUNDRED = Decimal.parse('100');

/**
 * Whether a net worth (value units, 10^-36 USD) is down `thresholdPercent` or more from the
 * day's open, the change in percent rounded to 2 places from the exact USD values. Checked for
 * every live portfolio each minute: a float estimate settles all but those within 0.01 % of the
 * threshold or past it (its error is ~1e-13 %), and only those take the exact decimals, which
 * cost ~10 µs each.
 */
export function fellPastThreshold(
  openUnits: bigint,
  netWorthUnits: bigint,
  thresholdPercent: number,
): boolean {
  // nothing to fall from
  if (openUnits <= 0n) return false;
  const estimate = (Number(netWorthUnits - openUnits) * 100) / Number(openUnits);
  if (estimate > 0.01 - thresholdPercent) return false;
  const open = valueToDecimal(openUnits);
  const change = valueToDecimal(netWorthUnits).sub(open).mul(HUNDRED).div(open).round(2);
  return Number(change.toString()) <= -thresholdPercent;
}

/** Net worth down more than `thresholdPercent` since the user's midnight (once per day). */
export function netWorthDropFinding(
  day: { date: string; netWorth: string; dayOpen: string; currency: string },
  thresholdPercent: number,
): Finding | undefined {
  const open = Decimal.parse(day.dayOpen);
  // nothing to fall from
  if (open.isZero() || open.isNegative()) return undefined;
  const change = Decimal.parse(day.netWorth).sub(open);
  const percent = Number(change.mul(HUNDRED).div(open).round(2).toString());
  if (percent > -thresholdPercent) return undefined;
  return {
    key: `net_worth_drop:${day.date}`,
    type: 'net_worth_drop',
    severity: percent <= -2 * thresholdPercent ? 'critical' : 'high',
    date: day.date,
    transactionIds: [],
    walletIds: [],
    reason: `Your net worth fell ${Math.abs(percent).toFixed(2)}% today, from ${formatAmountE4(e4Of(day.dayOpen), day.currency)} to ${formatAmountE4(e4Of(day.netWorth), day.currency)} (your alert is at ${thresholdPercent}%).`,
    evidence: {
      dayOpen: formatAmountE4(e4Of(day.dayOpen), day.currency),
      netWorth: formatAmountE4(e4Of(day.netWorth), day.currency),
      changePercent: percent,
    },
  };
}

/** Each held position that moved more than `thresholdPercent` within the hour: one finding per asset and hour. */
export function marketMoveFindings(
  moves: readonly PositionMove[],
  thresholdPercent: number,
  date: string,
  hour: number,
): Finding[] {
  const findings: Finding[] = [];
  for (const m of moves) {
    const from = Decimal.parse(m.from);
    if (from.isZero()) continue;
    const percent = Number(
      Decimal.parse(m.to).sub(from).mul(Decimal.parse('100')).div(from).round(2).toString(),
    );
    if (Math.abs(percent) < thresholdPercent) continue;
    findings.push({
      key: `market_move:${m.asset}:${hour}`,
      type: 'market_move',
      severity: Math.abs(percent) >= 2 * thresholdPercent ? 'high' : 'medium',
      date,
      transactionIds: [],
      walletIds: [],
      reason: `${m.asset} ${percent < 0 ? 'fell' : 'rose'} ${Math.abs(percent).toFixed(2)}% within the hour; your position is worth ${formatAmountE4(e4Of(m.value), m.currency)}.`,
      evidence: { asset: m.asset, from: m.from, to: m.to, changePercent: percent, value: m.value },
    });
  }
  return findings;
}
