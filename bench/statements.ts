// The second, independent test set for the anomaly detector: bank statements as a UK current
// account prints them (Date, Description, Amount in GBP; no categories, no merchant column, no
// times), written from deliberately different assumptions than the first generator
// (providers/simulators/bank-ledger.ts, on whose seeds the detector's thresholds were set):
// descriptions with card numbers, store numbers, towns and changing references, names printed
// both ways round, refunds and chargebacks, transfers to one's own savings (a second file), pay
// that moves before weekends and bank holidays, monthly, fortnightly or four-weekly pay, a
// partner's second salary, a job change, yearly bills, cash machines, a week abroad in euros.
// Nothing here is shared with the detector: only the benchmark reads the labels.
import { SeededRandom } from '../providers/simulators/random.ts';

export type InjectedKind =
  | 'duplicate_charge'
  | 'unusual_amount'
  | 'new_merchant_large'
  | 'subscription_price_rise'
  | 'recurring_twice'
  | 'spending_burst'
  | 'income_missing';

export interface StatementRow {
  /** the row's identity in this set (not in the file) */
  id: string;
  date: string;
  description: string;
  /** pence, negative = money out */
  pence: number;
}

export interface Injected {
  kind: InjectedKind;
  /** the rows it is about (none for pay that did not come) */
  rowIds: string[];
  date: string;
}

export interface Person {
  current: StatementRow[];
  savings: StatementRow[];
  injected: Injected[];
}

const DAY_MS = 86_400_000;
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
/** England's bank holidays in the span the sets cover (gov.uk) */
const BANK_HOLIDAYS = new Set([
  '2024-12-25',
  '2024-12-26',
  '2025-01-01',
  '2025-04-18',
  '2025-04-21',
  '2025-05-05',
  '2025-05-26',
  '2025-08-25',
  '2025-12-25',
  '2025-12-26',
  '2026-01-01',
  '2026-04-03',
  '2026-04-06',
  '2026-05-04',
  '2026-05-25',
  '2026-08-31',
  '2026-12-25',
  '2026-12-28',
]);
const workingDay = (date: string) => weekday(date) !== 0 && weekday(date) !== 6 && !BANK_HOLIDAYS.has(date);
/** Pay due on a weekend or bank holiday arrives the working day before. */
function payDay(date: string): string {
  let d = date;
  while (!workingDay(d)) d = addDays(d, -1);
  return d;
}
const pounds = (pence: number) => (pence / 100).toFixed(2);

interface Shop {
  name: string;
  /** how the bank prints a card payment there: the card's last digits and the day are added */
  print: (rng: SeededRandom) => string;
  /** pence range of a visit */
  range: [number, number];
  /** visits a week (on average) */
  weekly: number;
}

const TOWNS = ['LONDON', 'LEEDS', 'CROYDON', 'BRISTOL', 'READING'];
const shop = (name: string, range: [number, number], weekly: number, printed?: string): Shop => ({
  name,
  range,
  weekly,
  print: (rng) => `${printed ?? name} ${rng.int(1000, 9999)} ${TOWNS[rng.int(0, TOWNS.length - 1)]}`,
});

/** Everyday places; each person uses some of them. */
const SHOPS: Shop[] = [
  shop('TESCO STORES', [800, 6500], 2),
  shop('SAINSBURYS', [900, 7000], 1.2, "SAINSBURY'S S/MKT"),
  shop('ALDI', [1200, 5500], 0.8, 'ALDI STORES'),
  shop('PRET A MANGER', [350, 1200], 2.5),
  shop('COSTA COFFEE', [280, 900], 1.5),
  shop('BOOTS', [300, 2800], 0.5, 'BOOTS THE CHEMIST'),
  shop('GREGGS', [250, 800], 1),
  shop('SHELL', [2500, 7500], 0.6, 'SHELL FORECOURT'),
  {
    name: 'TFL',
    range: [280, 1500],
    weekly: 3,
    print: () => 'TFL TRAVEL CH TFL.GOV.UK/CP',
  },
  {
    name: 'AMAZON',
    range: [600, 5500],
    weekly: 0.7,
    print: (rng) => `AMAZON* ${rng.hex(6).toUpperCase()} AMAZON.CO.UK`,
  },
  shop('DELIVEROO', [1400, 3800], 0.5, 'DELIVEROO.CO.UK'),
  shop('WAITROSE', [1200, 8000], 0.5),
];

/** Monthly direct debits: the reference changes every month, as banks print them. */
const BILLS = [
  { name: 'BRITISH GAS', pence: [6000, 14000], day: 3 },
  { name: 'THAMES WATER', pence: [2800, 4800], day: 12 },
  { name: 'EE LIMITED', pence: [1800, 4500], day: 20 },
  { name: 'PUREGYM', pence: [1999, 2999], day: 1 },
];
const SUBSCRIPTIONS = [
  { name: 'NETFLIX.COM', pence: 1099, prefix: 'CARD' },
  { name: 'SPOTIFY', pence: 1199, prefix: 'CARD' },
  { name: 'DISNEY PLUS', pence: 799, prefix: 'CARD' },
];
const YEARLY = [
  { name: 'ADMIRAL INSURANCE', pence: [42000, 78000] },
  { name: 'TV LICENCE MBP', pence: [16950, 16950] },
  { name: 'AMAZON PRIME', pence: [9500, 9500] },
];
const ABROAD = [
  'HOTEL NEGRESCO NICE',
  'LE PETIT BISTRO NICE',
  'CARREFOUR NICE',
  'MONOPRIX NICE',
  'SNCF PARIS',
];
/** Places never seen before, for a large first payment and for sprees. */
const NEW_PLACES = [
  'CURRYS PC WORLD',
  'JOHN LEWIS',
  'APPLE STORE',
  'DFS FURNITURE',
  'SELFRIDGES',
  'HALFORDS',
  'IKEA',
  'ARGOS',
  'WATCHES OF SWITZERLAND',
  'NIKE TOWN',
];

interface PayPlan {
  payer: string;
  pence: number;
  cadence: 'monthly' | 'fortnightly' | 'four-weekly';
  firstDate: string;
}

function payDates(plan: PayPlan, from: string, to: string): string[] {
  const out: string[] = [];
  if (plan.cadence === 'monthly') {
    // the 25th of each month (or the working day before)
    for (let d = `${from.slice(0, 7)}-25`; d <= to;) {
      const paid = payDay(d);
      if (paid >= from && paid <= to) out.push(paid);
      const next = new Date(`${d}T00:00:00Z`);
      next.setUTCMonth(next.getUTCMonth() + 1);
      d = next.toISOString().slice(0, 10);
    }
  } else {
    const step = plan.cadence === 'fortnightly' ? 14 : 28;
    for (let d = plan.firstDate; d <= to; d = addDays(d, step)) {
      const paid = payDay(d);
      if (paid >= from) out.push(paid);
    }
  }
  return out;
}

export interface PersonOptions {
  seed: number;
  start: string;
  end: string;
  /** inject anomalies (false: a history with nothing wrong, for the alert budget) */
  inject: boolean;
}

/** One person's two statements and what was injected into them. */
export function person({ seed, start, end, inject }: PersonOptions): Person {
  const rng = new SeededRandom(seed);
  const card = String(rng.int(1000, 9999));
  const current: StatementRow[] = [];
  const savings: StatementRow[] = [];
  const injected: Injected[] = [];
  let n = 0;
  const row = (into: StatementRow[], date: string, description: string, pence: number) => {
    const r = { id: `s${seed}r${(n += 1)}`, date, description, pence };
    into.push(r);
    return r;
  };
  const cardPayment = (date: string, printed: string, pence: number) =>
    row(current, date, `CARD ${card} ${printed}`, -pence);
  /** a person's scale: small spenders pay under £60 almost always */
  const scale = rng.chance(0.4) ? 0.6 : 1 + rng.next();
  const shops = SHOPS.filter(() => rng.chance(0.7));
  if (!shops.length) shops.push(SHOPS[0]!);

  // pay: a salary, perhaps a partner's, and a job change part way
  const cadences = ['monthly', 'monthly', 'fortnightly', 'four-weekly'] as const;
  const plans: PayPlan[] = [
    {
      payer: rng.chance(0.5) ? 'ACME LOGISTICS LTD' : 'NORTHWIND TRADING',
      pence: rng.int(160_000, 340_000),
      cadence: cadences[rng.int(0, 3)]!,
      firstDate: addDays(start, rng.int(0, 13)),
    },
  ];
  if (rng.chance(0.4))
    plans.push({
      payer: 'HMRC PARTNER SALARY CONTOSO PLC',
      pence: rng.int(120_000, 260_000),
      cadence: cadences[rng.int(0, 3)]!,
      firstDate: addDays(start, rng.int(0, 13)),
    });
  const jobChange = rng.chance(0.3) ? addDays(start, rng.int(240, 500)) : undefined;
  const missedPay = inject && rng.chance(0.5) ? rng.int(0, 1_000) : undefined;
  let payIndex = 0;
  for (const [i, plan] of plans.entries()) {
    for (const date of payDates(plan, start, end)) {
      let payer = plan.payer;
      let pence = plan.pence + rng.int(-2_000, 2_000);
      if (i === 0 && jobChange && date >= jobChange) {
        payer = 'FABRIKAM SERVICES LTD';
        pence = Math.round(plan.pence * 1.12);
      }
      payIndex += 1;
      // a pay that did not come, well inside the data (the file goes on after it)
      if (
        missedPay !== undefined &&
        i === 0 &&
        date > addDays(start, 120) &&
        date < addDays(end, -60) &&
        !injected.some((a) => a.kind === 'income_missing') &&
        payIndex % 7 === missedPay % 7
      ) {
        injected.push({ kind: 'income_missing', rowIds: [], date });
        continue;
      }
      row(current, date, `FPI ${payer} SALARY REF ${rng.hex(8).toUpperCase()}`, pence);
    }
  }

  // the month's fixed outgoings
  const rent = Math.round(rng.int(70_000, 160_000) * Math.min(scale, 1.4));
  const landlord = rng.chance(0.5) ? ['J SMITH', 'SMITH J'] : ['PATEL R', 'R PATEL'];
  const bills = BILLS.filter(() => rng.chance(0.8));
  const subs = SUBSCRIPTIONS.filter(() => rng.chance(0.6));
  const yearly = YEARLY.filter(() => rng.chance(0.6)).map((y) => ({ ...y, day: rng.int(30, 360) }));
  const riseSub = inject && subs.length && rng.chance(0.6) ? subs[rng.int(0, subs.length - 1)] : undefined;
  const riseMonth = rng.int(6, 18);
  const twiceBill =
    inject && bills.length && rng.chance(0.6) ? bills[rng.int(0, bills.length - 1)] : undefined;
  const twiceMonth = rng.int(5, 20);
  const abroadFrom = rng.int(60, 600);
  const saving = rng.int(10_000, 60_000);

  let month = 0;
  for (let date = start; date <= end; date = addDays(date, 1)) {
    const dom = Number(date.slice(8, 10));
    const dayIndex = Math.round((Date.parse(date) - Date.parse(start)) / DAY_MS);
    if (dom === 1) month += 1;
    const rngDay = rng.fork(date);

    // rent by standing order, the payee printed either way round
    if (dom === 1) row(current, date, `SO ${landlord[rngDay.int(0, 1)]} RENT`, -rent);
    // savings: out of the current account, into the savings account (the second file)
    if (dom === 27) {
      row(current, date, `TFR TO SAVINGS 20-45-77 ${rngDay.int(10_000_000, 99_999_999)}`, -saving);
      row(savings, date, 'TFR FROM CURRENT A/C', saving);
    }
    for (const bill of bills)
      if (dom === bill.day) {
        const pence = rngDay.int(bill.pence[0]!, bill.pence[1]!);
        row(current, date, `DD ${bill.name} REF ${rngDay.hex(10).toUpperCase()}`, -pence);
        if (bill === twiceBill && month === twiceMonth) {
          const again = addDays(date, rngDay.int(3, 12));
          const r = row(current, again, `DD ${bill.name} REF ${rngDay.hex(10).toUpperCase()}`, -pence);
          injected.push({ kind: 'recurring_twice', rowIds: [r.id], date: again });
        }
      }
    for (const sub of subs)
      if (dom === 8) {
        const raised = sub === riseSub && month >= riseMonth;
        const pence = raised ? Math.round(sub.pence * (1.1 + (seed % 3) * 0.1)) : sub.pence;
        const r = cardPayment(date, `${sub.name} ${rngDay.hex(8).toUpperCase()}`, pence);
        if (raised && month === riseMonth)
          injected.push({ kind: 'subscription_price_rise', rowIds: [r.id], date });
      }
    for (const y of yearly)
      if (dayIndex % 365 === y.day)
        row(
          current,
          date,
          `DD ${y.name} ${rngDay.hex(6).toUpperCase()}`,
          -rngDay.int(y.pence[0]!, y.pence[1]!),
        );

    // a week abroad once a year, in euros (the statement shows the sterling amount)
    if (dayIndex >= abroadFrom && (dayIndex - abroadFrom) % 365 < 7) {
      for (let k = 0; k < rngDay.int(1, 4); k += 1) {
        const place = ABROAD[rngDay.int(0, ABROAD.length - 1)]!;
        const euros = place.startsWith('HOTEL') ? rngDay.int(9_000, 30_000) : rngDay.int(800, 6_000);
        const pence = Math.round(euros / 1.16);
        cardPayment(date, `${place} EUR ${pounds(euros)} @ 1.1600`, pence);
        row(current, date, 'NON-STERLING TRANSACTION FEE', -Math.max(1, Math.round(pence * 0.0275)));
      }
    }

    // everyday spending
    for (const s of shops)
      if (rngDay.chance((s.weekly / 7) * (dayIndex % 7 === 5 ? 1.5 : 1))) {
        const pence = Math.round(rngDay.int(s.range[0], s.range[1]) * scale);
        const r = cardPayment(date, s.print(rngDay), pence);
        // now and then a refund a few days later
        if (rngDay.chance(0.015)) row(current, addDays(date, rngDay.int(2, 9)), `REFUND ${s.name}`, pence);
        // a charge the bank took twice
        if (inject && rngDay.chance(0.0015) && pence >= 500) {
          const twin = row(current, date, r.description, -pence);
          injected.push({ kind: 'duplicate_charge', rowIds: [twin.id], date });
        }
      }
    if (rngDay.chance(0.12))
      row(
        current,
        date,
        `CASH NOTEMACHINE ${date.slice(8, 10)}${['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][Number(date.slice(5, 7)) - 1]} ${TOWNS[rngDay.int(0, TOWNS.length - 1)]}`,
        -rngDay.int(2, 12) * 1_000,
      );

    if (!inject || dayIndex < 90) continue;
    // an amount far above what a known place costs
    if (rngDay.chance(0.003)) {
      const s = shops[rngDay.int(0, shops.length - 1)]!;
      const pence = Math.round(s.range[1] * scale * rngDay.int(4, 8));
      const r = cardPayment(date, s.print(rngDay), pence);
      injected.push({ kind: 'unusual_amount', rowIds: [r.id], date });
    }
    // a large first payment somewhere never seen: £600–999 for a small spender, more for others
    if (rngDay.chance(0.002)) {
      const place = `${NEW_PLACES[rngDay.int(0, NEW_PLACES.length - 1)]} ${rngDay.int(100, 999)}`;
      const r = cardPayment(
        date,
        `${place} ${TOWNS[rngDay.int(0, 4)]}`,
        Math.round(rngDay.int(60_000, 99_900) * Math.max(scale, 1)),
      );
      injected.push({ kind: 'new_merchant_large', rowIds: [r.id], date });
    }
    // a spree: three to five large payments at different places in one day
    if (rngDay.chance(0.0025)) {
      const count = rngDay.int(3, 5);
      const ids: string[] = [];
      for (let k = 0; k < count; k += 1) {
        const place = `${NEW_PLACES[(k + rngDay.int(0, 9)) % NEW_PLACES.length]} ${rngDay.int(100, 999)}`;
        ids.push(
          cardPayment(date, `${place} LONDON`, Math.round(rngDay.int(20_000, 50_000) * Math.max(scale, 1)))
            .id,
        );
      }
      injected.push({ kind: 'spending_burst', rowIds: ids, date });
    }
  }
  return { current, savings, injected };
}

/** A statement file as the bank exports it: Date, Description, Amount (negative = money out). */
export function statementCsv(rows: StatementRow[]): string {
  const sorted = [...rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return [
    'Date,Description,Amount',
    ...sorted.map((r) => `${r.date},"${r.description}",${pounds(r.pence)}`),
  ].join('\n');
}
