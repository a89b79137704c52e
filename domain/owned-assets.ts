// Things a person owns and values by hand: a home, a car, valuables. Each is a manual wallet
// whose balance entries are valuations: the purchase price on the purchase day, then whatever
// the person records. A vehicle also loses value by a schedule: a yearly rate charged monthly on
// what it is worth (15 % a year takes 1.25 % of its value each month), so its value after k
// months from a valuation V is V · (1 − rate/1200)^k, rounded once to the cent — a closed form,
// not a running sum of rounded steps. A valuation the person records restarts it from there.
import { Decimal } from './money.ts';
import {
  OWNED_MANUAL_TYPES,
  type OwnedAssetTerms,
  type OwnedAssetView,
  type OwnedType,
} from '@finexia/contracts/api.ts';

export type { OwnedAssetTerms };

const OWNED: ReadonlySet<string> = new Set(OWNED_MANUAL_TYPES);

/** A property, a vehicle or valuables: a manual wallet's (and its account's) type. */
export const isOwnedType = (type: string | null | undefined): type is OwnedType => OWNED.has(type ?? '');

const CENTS = 2;
const ONE = Decimal.parse('1');

/** Terms as stored: amounts as canonical decimal text, nothing unset kept (an unlinked mortgage goes). */
export function ownedTerms(terms: OwnedAssetTerms): OwnedAssetTerms {
  return {
    purchasePrice: Decimal.parse(terms.purchasePrice).toString(),
    purchaseDate: terms.purchaseDate,
    ...(terms.depreciationPercent !== undefined
      ? { depreciationPercent: Decimal.parse(terms.depreciationPercent).toString() }
      : {}),
    ...(terms.mortgageWalletId ? { mortgageWalletId: terms.mortgageWalletId } : {}),
  };
}

/** A valuation: what the thing was worth on a day. */
export interface Valuation {
  date: string;
  value: string;
}

/** The day k months after `date`, on the same day of the month (the month's last day when it has none). */
export function monthsAfter(date: string, k: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const month = m - 1 + k;
  const year = y + Math.floor(month / 12);
  const index = ((month % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, index + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, index, Math.min(d, last))).toISOString().slice(0, 10);
}

/** V · (1 − rate/1200)^k to the cent (rate: yearly percent). */
export function depreciatedValue(value: Decimal, yearlyPercent: Decimal, months: number): Decimal {
  const keep = ONE.sub(yearlyPercent.div(Decimal.parse('1200')));
  let factor = ONE;
  for (let i = 0; i < months; i += 1) factor = factor.mul(keep);
  return value.mul(factor).round(CENTS);
}

/** Where a vehicle's schedule starts: the last valuation recorded, or the purchase. */
export function scheduleBase(terms: OwnedAssetTerms, recorded: Valuation | undefined): Valuation {
  return recorded ?? { date: terms.purchaseDate, value: terms.purchasePrice };
}

/**
 * A vehicle's monthly steps after its base, up to `until` (inclusive): each a valuation of the
 * schedule's own. None without a rate; none once the value is down to nothing.
 */
export function depreciationSteps(terms: OwnedAssetTerms, base: Valuation, until: string): Valuation[] {
  const rate = Decimal.parse(terms.depreciationPercent ?? '0');
  if (rate.isZero()) return [];
  const start = Decimal.parse(base.value);
  const steps: Valuation[] = [];
  for (let k = 1; ; k += 1) {
    const date = monthsAfter(base.date, k);
    if (date > until) break;
    const value = depreciatedValue(start, rate, k);
    steps.push({ date, value: value.toFixed(CENTS) });
    if (value.isZero()) break;
  }
  return steps;
}

/** Where an owned thing stands on `today`: its value (the latest valuation), gain, equity and next step. */
export function ownedStatus(input: {
  type: OwnedType;
  terms: OwnedAssetTerms;
  /** the latest valuation of any source (what the account's balance is) */
  latest: Valuation | undefined;
  /** the latest the person recorded (a vehicle's schedule starts there) */
  recorded: Valuation | undefined;
  mortgage: { walletId: string; name: string; owed: Decimal } | null;
  today: string;
}): OwnedAssetView {
  const { terms, today } = input;
  const latest = input.latest ?? { date: terms.purchaseDate, value: terms.purchasePrice };
  const value = Decimal.parse(latest.value);
  let next: OwnedAssetView['next'] = null;
  if (input.type === 'vehicle') {
    const base = scheduleBase(terms, input.recorded);
    const ahead = depreciationSteps(terms, base, monthsAfter(today, 1)).filter((s) => s.date > today);
    next = ahead[0] ?? null;
  }
  return {
    terms,
    value: value.toFixed(CENTS),
    valuedOn: latest.date,
    gain: value.sub(Decimal.parse(terms.purchasePrice)).toFixed(CENTS),
    mortgage: input.mortgage
      ? {
          walletId: input.mortgage.walletId,
          name: input.mortgage.name,
          owed: input.mortgage.owed.toFixed(CENTS),
          equity: value.sub(input.mortgage.owed).toFixed(CENTS),
        }
      : null,
    next,
  };
}
