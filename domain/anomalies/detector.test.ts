import { describe, expect, it } from 'vitest';
import {
  analyzeTransaction,
  applyFeedback,
  checkMissingIncome,
  closeDay,
  createDetectorState,
  type DetectorState,
  type DetectorTransaction,
  type Finding,
} from './detector.ts';

const settings = { largeE4: 1000 * 10_000 };
let n = 0;
const day = (start: string, plus: number) =>
  new Date(Date.parse(`${start}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10);

/** A charge (money out) or, with a positive amount, money in. */
function tx(
  date: string,
  amount: number,
  merchant: string,
  extra: Partial<DetectorTransaction> = {},
): DetectorTransaction {
  n += 1;
  return {
    id: `t${n}`,
    date,
    amountE4: Math.round(amount * 10_000),
    currency: 'EUR',
    merchant,
    merchantKey: merchant.toLowerCase(),
    category: 'GENERAL_MERCHANDISE',
    accountId: 'card',
    walletId: 'w1',
    ...extra,
  };
}

/** A detector past its first weeks (it has history to compare with). */
function primed(): DetectorState {
  const s = createDetectorState();
  analyzeTransaction(s, tx('2025-11-01', -12, 'Corner Shop'), settings);
  return s;
}

/** A batch, as the engine reads one: each transaction, then the last day closed (it is in the past). */
function feed(state: DetectorState, txs: DetectorTransaction[]): Finding[] {
  return [...txs.flatMap((t) => analyzeTransaction(state, t, settings)), ...closeDay(state)];
}

describe('unusual amount', () => {
  it('flags a charge far above what the merchant usually costs, with the evidence in words', () => {
    const s = createDetectorState();
    const usual = [34, 52, 41, 58, 30, 47, 60, 38, 44, 55, 36, 49, 42, 57];
    expect(
      feed(
        s,
        usual.map((a, i) => tx(day('2026-01-01', i * 3), -a, 'Acme Store')),
      ),
    ).toEqual([]);
    const [found] = feed(s, [tx('2026-03-01', -412, 'Acme Store')]);
    expect(found).toMatchObject({ type: 'unusual_amount', severity: 'high' });
    expect(found?.reason).toMatch(
      /^€412\.00 at Acme Store; usually €3\d\.00–€5\d\.00 over your last 14 visits\.$/,
    );
  });

  it("takes a fee charged on a payment as that payment's, and judges a fee alone", () => {
    // foreign-payment fees of 2.75%, printed as their own line: small card payments abroad
    const s = createDetectorState();
    const fee = (date: string, amount: number) =>
      tx(date, -amount, 'Non-Sterling Transaction Fee', { category: 'BANK_FEES' });
    const trips = Array.from({ length: 20 }, (_, i) => 12 + ((i * 13) % 40));
    feed(
      s,
      trips.flatMap((a, i) => [
        tx(day('2026-01-01', i * 4), -a, 'Cafe Abroad'),
        fee(day('2026-01-01', i * 4), Math.round(a * 2.75) / 100),
      ]),
    );
    // a hotel, and its fee (€7.08, far above the usual fees but 2.75% of the hotel)
    const hotelDay = feed(s, [tx('2026-04-01', -257.33, 'Grand Hotel'), fee('2026-04-01', 7.08)]);
    expect(hotelDay.filter((f) => f.merchantKey === 'non-sterling transaction fee')).toEqual([]);
    // the same fee on a day with no payment it could be a share of: a fee to look at
    const alone = feed(s, [tx('2026-04-05', -3.1, 'Bakery'), fee('2026-04-05', 7.08)]);
    expect(alone.map((f) => [f.type, f.merchantKey])).toEqual([
      ['unusual_amount', 'non-sterling transaction fee'],
    ]);
  });

  it('leaves ordinary variation alone', () => {
    const s = createDetectorState();
    const amounts = Array.from({ length: 40 }, (_, i) => 20 + ((i * 37) % 80));
    expect(
      feed(
        s,
        amounts.map((a, i) => tx(day('2026-01-01', i), -a, 'Grocer')),
      ),
    ).toEqual([]);
  });

  it('knows winter bills: a high bill in the month it was high last year is not a surprise', () => {
    const s = createDetectorState();
    const bills: DetectorTransaction[] = [];
    for (let m = 0; m < 12; m += 1)
      bills.push(tx(day('2025-01-08', m * 30), m < 2 || m === 11 ? -150 : -60, 'Power Co'));
    feed(s, bills);
    // January again: 160 is far above the usual 60, but last January it was 150
    expect(feed(s, [tx(day('2025-01-08', 365), -160, 'Power Co')])).toEqual([]);
  });

  it('an amount marked expected raises what counts as usual for that merchant', () => {
    const s = createDetectorState();
    feed(
      s,
      [30, 40, 35, 45, 38, 42, 33, 41].map((a, i) => tx(day('2026-01-01', i * 5), -a, 'Bike Shop')),
    );
    const [first] = feed(s, [tx('2026-03-01', -400, 'Bike Shop')]);
    expect(first?.type).toBe('unusual_amount');
    applyFeedback(
      s,
      { type: 'unusual_amount', merchantKey: 'bike shop', amountE4: 400 * 10_000 },
      'expected',
    );
    expect(feed(s, [tx('2026-03-10', -380, 'Bike Shop')])).toEqual([]);
  });
});

describe('duplicate charge', () => {
  it('flags the same amount at the same merchant on the same account on one day', () => {
    const s = createDetectorState();
    const a = tx('2026-02-01', -89.99, 'Shoe Shop');
    const b = tx('2026-02-01', -89.99, 'Shoe Shop');
    const [found] = feed(s, [a, b]);
    expect(found).toMatchObject({ type: 'duplicate_charge', transactionIds: [a.id, b.id] });
  });

  it('does not take a refund, another account, another day or a small coffee for a duplicate', () => {
    const s = createDetectorState();
    expect(
      feed(s, [
        tx('2026-02-01', -89.99, 'Shoe Shop'),
        tx('2026-02-01', 89.99, 'Shoe Shop'), // the refund
        tx('2026-02-01', -89.99, 'Shoe Shop', { accountId: 'checking' }),
        tx('2026-02-02', -89.99, 'Shoe Shop'),
        tx('2026-02-06', -4.5, 'Cafe'),
        tx('2026-02-06', -4.5, 'Cafe'),
      ]),
    ).toEqual([]);
  });

  it('does not take a coincidence at a place you pay every day for one', () => {
    const s = createDetectorState();
    // lunch most days, €12–15: two lunches of the same price on one day happen by chance
    feed(
      s,
      Array.from({ length: 20 }, (_, i) => tx(day('2026-01-01', i), -(12 + (i % 7) * 0.47), 'Lunch Bar')),
    );
    expect(feed(s, [tx('2026-01-21', -13.41, 'Lunch Bar'), tx('2026-01-21', -13.41, 'Lunch Bar')])).toEqual(
      [],
    );
    // while at a shop visited now and then, with prices from €10 to €180, it is no coincidence
    feed(
      s,
      Array.from({ length: 8 }, (_, i) => tx(day('2026-01-01', i * 3), -(10 + i * 24.3), 'Shoe Shop')),
    );
    const twins = feed(s, [tx('2026-01-26', -61.2, 'Shoe Shop'), tx('2026-01-26', -61.2, 'Shoe Shop')]);
    expect(twins.map((f) => f.type)).toEqual(['duplicate_charge']);
  });

  it('learns from a merchant whether it ever charges twice in a day', () => {
    // a fare capped daily: charged every day, €2.80–€12.10, never twice in one day. After months
    // of that, a second identical charge on one day is the fare taken twice, not a second trip
    const fares = (s: DetectorState, from: string, days: number, twiceEvery = 0) =>
      feed(
        s,
        Array.from({ length: days }, (_, i) => {
          const fare = -(2.8 + ((i * 37) % 931) / 100);
          const first = tx(day(from, i), fare, 'Metro Fares');
          return twiceEvery && i % twiceEvery === 0
            ? [first, tx(day(from, i), -(2.8 + ((i * 53) % 931) / 100), 'Metro Fares')]
            : [first];
        }).flat(),
      );
    const daily = createDetectorState();
    expect(fares(daily, '2026-01-01', 200).filter((f) => f.type === 'duplicate_charge')).toEqual([]);
    const taken = feed(daily, [
      tx('2026-07-20', -7.77, 'Metro Fares'),
      tx('2026-07-20', -7.77, 'Metro Fares'),
    ]);
    expect(taken.map((f) => f.type)).toEqual(['duplicate_charge']);
    // the same place, where a second trip in a day is common: two equal fares are two trips
    const commuter = createDetectorState();
    fares(commuter, '2026-01-01', 200, 4);
    expect(
      feed(commuter, [tx('2026-07-20', -7.77, 'Metro Fares'), tx('2026-07-20', -7.77, 'Metro Fares')]),
    ).toEqual([]);
  });
});

describe('first-time merchant with a large amount', () => {
  it('flags a large first charge, and not once the merchant is marked expected', () => {
    const s = primed();
    const [found] = feed(s, [tx('2026-04-02', -2499, 'Luxe Watches')]);
    expect(found).toMatchObject({ type: 'new_merchant_large', severity: 'high' });
    expect(found?.reason).toContain('a merchant you have not paid before');
    applyFeedback(s, { type: 'new_merchant_large', merchantKey: 'luxe watches', amountE4: null }, 'expected');
    expect(feed(s, [tx('2026-05-02', -2100, 'Luxe Watches')]).map((f) => f.type)).not.toContain(
      'new_merchant_large',
    );
  });

  it('leaves a small first charge alone', () => {
    expect(feed(primed(), [tx('2026-04-02', -25, 'New Bakery')])).toEqual([]);
  });

  it('learns before it judges: the first weeks of a history flag nothing new', () => {
    const s = createDetectorState();
    expect(
      feed(s, [tx('2026-04-01', -45, 'Cafe'), tx('2026-04-02', -1850, 'Oak Street Apartments')]),
    ).toEqual([]);
    // the second month's rent is not a "first charge" either
    expect(feed(s, [tx('2026-05-01', -1850, 'Oak Street Apartments')])).toEqual([]);
  });
});

describe('recurring charges', () => {
  function subscribe(s: DetectorState, months: number, amount = 15.49) {
    feed(
      s,
      Array.from({ length: months }, (_, m) =>
        tx(day('2025-01-05', m * 30), -amount, 'StreamFlix', { category: 'ENTERTAINMENT' }),
      ),
    );
  }

  it('flags a price rise once; the new price is the baseline from then on', () => {
    const s = createDetectorState();
    subscribe(s, 6);
    const [rise] = feed(s, [tx(day('2025-01-05', 180), -17.99, 'StreamFlix', { category: 'ENTERTAINMENT' })]);
    expect(rise).toMatchObject({ type: 'subscription_price_rise', severity: 'low' });
    expect(rise?.reason).toContain('€15.49 every month (16.1% more)');
    applyFeedback(
      s,
      { type: 'subscription_price_rise', merchantKey: 'streamflix', amountE4: 17.99 * 10_000 },
      'dismissed',
    );
    expect(
      feed(s, [tx(day('2025-01-05', 210), -17.99, 'StreamFlix', { category: 'ENTERTAINMENT' })]),
    ).toEqual([]);
  });

  it('flags a monthly charge that comes twice in one month, and still knows the series after', () => {
    const s = createDetectorState();
    const charge = (date: string, amount = 15.49) =>
      tx(date, -amount, 'StreamFlix', { category: 'ENTERTAINMENT' });
    feed(
      s,
      ['01', '02', '03', '04', '05', '06'].map((m) => charge(`2025-${m}-05`)),
    );
    const [twice] = feed(s, [charge('2025-06-10')]);
    expect(twice?.type).toBe('recurring_twice');
    // next month's charge is the usual one (the extra one is not the series' last date); a rise
    // the month after is still a rise
    expect(feed(s, [charge('2025-07-05')])).toEqual([]);
    const [rise] = feed(s, [charge('2025-08-05', 17.99)]);
    expect(rise?.type).toBe('subscription_price_rise');
  });

  it('does not make a series of three similar bills', () => {
    const s = createDetectorState();
    feed(
      s,
      [74.34, 74.3, 74.5].map((a, m) =>
        tx(day('2025-01-08', m * 30), -a, 'Power Co', { category: 'RENT_AND_UTILITIES' }),
      ),
    );
    expect(
      feed(s, [tx(day('2025-01-08', 90), -94.93, 'Power Co', { category: 'RENT_AND_UTILITIES' })]),
    ).toEqual([]);
  });
});

describe('burst of spending', () => {
  it('flags many charges at one merchant in a day, once, with every charge of the burst', () => {
    const s = createDetectorState();
    feed(
      s,
      Array.from({ length: 10 }, (_, i) =>
        tx(day('2026-01-01', i * 4), -3, 'App Store', { category: 'ENTERTAINMENT' }),
      ),
    );
    const burst = Array.from({ length: 12 }, () =>
      tx('2026-03-03', -2.99, 'App Store', { category: 'ENTERTAINMENT' }),
    );
    const found = feed(s, burst).filter((f) => f.type === 'spending_burst');
    // one anomaly (one key), growing to all twelve charges
    expect(new Set(found.map((f) => f.key)).size).toBe(1);
    expect(found.at(-1)?.transactionIds).toEqual(burst.map((t) => t.id));
  });

  it('a past burst does not make the next one look usual', () => {
    const s = createDetectorState();
    const day1 = Array.from({ length: 12 }, () =>
      tx('2026-03-03', -2.99, 'App Store', { category: 'ENTERTAINMENT' }),
    );
    const day2 = Array.from({ length: 12 }, () =>
      tx('2026-06-03', -1.99, 'App Store', { category: 'ENTERTAINMENT' }),
    );
    const found = feed(s, [...day1, ...day2]).filter((f) => f.type === 'spending_burst');
    expect(new Set(found.map((f) => f.key))).toEqual(
      new Set(['spending_burst:app store:2026-03-03', 'spending_burst:app store:2026-06-03']),
    );
  });

  it('leaves a busy but ordinary day alone', () => {
    const s = createDetectorState();
    const busy = ['Cafe', 'Grocer', 'Bus', 'Cafe', 'Bakery', 'Cinema', 'Bus'].map((m) =>
      tx('2026-03-03', -9, m),
    );
    expect(feed(s, busy).filter((f) => f.type === 'spending_burst')).toEqual([]);
  });
});

describe('expected income that did not arrive', () => {
  const salary = (date: string) => tx(date, 3200, 'Acme Corp', { category: 'INCOME', accountId: 'checking' });

  it('learns the salary and flags the month it is missing, once, after the usual day plus a tolerance', () => {
    const s = createDetectorState();
    feed(s, ['2026-01-25', '2026-02-25', '2026-03-25', '2026-04-25'].map(salary));
    // the account's data goes on into June (its card payments come into the same wallet)
    feed(s, [tx('2026-06-05', -20, 'Corner Shop', { accountId: 'checking' })]);
    expect(checkMissingIncome(s, '2026-05-28')).toEqual([]); // due ~25 May, still within the tolerance
    const [missing] = checkMissingIncome(s, '2026-06-02');
    expect(missing).toMatchObject({ type: 'income_missing', severity: 'high' });
    expect(missing?.reason).toContain('No income from Acme Corp since 2026-04-25');
    // the wallet the salary came into: an alert, a notification and the page all point at it
    expect(missing?.walletIds).toEqual([salary('2026-04-25').walletId]);
    expect(checkMissingIncome(s, '2026-06-03')).toEqual([]);
  });

  it('finds nothing missing past the end of the data: a file ends at its last date', () => {
    const s = createDetectorState();
    // a statement that ends on 2026-10-31, read on 2026-12-07
    feed(s, ['2026-06-25', '2026-07-25', '2026-08-25', '2026-09-25', '2026-10-25'].map(salary));
    feed(s, [tx('2026-10-31', -20, 'Corner Shop')]);
    expect(checkMissingIncome(s, '2026-12-07')).toEqual([]);
  });

  it('a linked account is known up to its last successful sync', () => {
    const s = createDetectorState();
    feed(s, ['2026-06-25', '2026-07-25', '2026-08-25', '2026-09-25', '2026-10-25'].map(salary));
    const walletId = salary('2026-10-25').walletId;
    // synced until 2026-11-28: the salary due ~25 November is within the grace still
    expect(checkMissingIncome(s, '2026-12-07', 6, { syncedUntil: { [walletId]: '2026-11-28' } })).toEqual([]);
    const [missing] = checkMissingIncome(s, '2026-12-07', 6, { syncedUntil: { [walletId]: '2026-12-06' } });
    expect(missing).toMatchObject({ type: 'income_missing', date: '2026-11-25' });
  });

  it('says nothing about irregular income', () => {
    const s = createDetectorState();
    feed(s, ['2026-01-03', '2026-01-19', '2026-03-30'].map(salary));
    expect(checkMissingIncome(s, '2026-06-30')).toEqual([]);
  });
});

describe('state', () => {
  it('is bounded: a long history keeps small windows', () => {
    const s = createDetectorState();
    for (let i = 0; i < 3000; i += 1)
      analyzeTransaction(s, tx(day('2024-01-01', i % 700), -(10 + (i % 50)), `M${i % 40}`), settings);
    expect(s.transactions).toBe(3000);
    expect(JSON.stringify(s).length).toBeLessThan(64_000);
  });
});

/** A person who pays small amounts: 70 days of one to three charges under €60 at a dozen places. */
function smallSpender(): DetectorState {
  const s = createDetectorState();
  const shops = ['Bakery', 'Grocer', 'Cafe', 'Pharmacy', 'Kiosk', 'Market', 'Bistro', 'Books', 'Deli', 'Bar'];
  const txs: DetectorTransaction[] = [];
  for (let d = 0; d < 70; d += 1)
    for (let k = 0; k < 1 + (d % 3); k += 1)
      txs.push(tx(day('2026-01-01', d), -(8 + ((d * 7 + k * 13) % 50)), shops[(d + k * 3) % shops.length]!));
  feed(s, txs);
  return s;
}

describe('a spending spree (dates only)', () => {
  it('is one alert for the day, with its payments, total and a usual day; not one per payment', () => {
    const s = smallSpender();
    const spree = [
      tx('2026-03-14', -420, 'Electro World'),
      tx('2026-03-14', -380, 'Fashion House'),
      tx('2026-03-14', -650, 'Watch Gallery'),
      tx('2026-03-14', -295, 'Shoe Palace'),
    ];
    const found = feed(s, spree);
    expect(found.map((f) => f.type)).toEqual(['spending_burst']);
    const [burst] = found;
    expect(burst?.key).toBe('spending_burst:day:2026-03-14');
    expect(new Set(burst?.transactionIds)).toEqual(new Set(spree.map((t) => t.id)));
    expect(burst?.evidence).toMatchObject({ payments: 4, total: '€1,745.00' });
    expect(burst?.reason).toMatch(
      /4 large payments on 2026-03-14 .* €1,745\.00 in all, where a usual day costs you €/,
    );
  });

  it('is judged when the day is over: held until then, whatever order the rows come in', () => {
    const s = smallSpender();
    const sameDay = [
      tx('2026-03-14', -420, 'Electro World'),
      tx('2026-03-14', -380, 'Fashion House'),
      tx('2026-03-14', -650, 'Watch Gallery'),
    ];
    // nothing while the day may still grow…
    expect(sameDay.flatMap((t) => analyzeTransaction(s, t, settings))).toEqual([]);
    // …and the next day's first row closes it
    const next = analyzeTransaction(s, tx('2026-03-15', -12, 'Bakery'), settings);
    expect(next.map((f) => f.type)).toEqual(['spending_burst']);
  });

  it('leaves a day of bills the person pays every month alone', () => {
    const s = createDetectorState();
    const txs: DetectorTransaction[] = [];
    for (let m = 0; m < 6; m += 1) {
      const first = day('2026-01-01', Math.round(m * 30.5));
      txs.push(tx(first, -1200, 'Landlord', { category: 'RENT_AND_UTILITIES' }));
      txs.push(tx(first, -180, 'City Power', { category: 'RENT_AND_UTILITIES' }));
      txs.push(tx(first, -95, 'Insurer', { category: 'GENERAL_SERVICES' }));
      for (let d = 1; d < 30; d += 1) txs.push(tx(day(first, d), -(10 + (d % 40)), `Shop ${d % 9}`));
    }
    expect(feed(s, txs).filter((f) => f.type === 'spending_burst')).toEqual([]);
  });

  it('with times: payments within hours are a spree, the same spread over a day are not', () => {
    const at = (hour: number) => Date.parse('2026-03-14T00:00:00Z') + hour * 3_600_000;
    const within = smallSpender();
    expect(
      feed(within, [
        tx('2026-03-14', -420, 'Electro World', { at: at(14) }),
        tx('2026-03-14', -380, 'Fashion House', { at: at(15) }),
        tx('2026-03-14', -650, 'Watch Gallery', { at: at(16.5) }),
      ]).map((f) => f.type),
    ).toEqual(['spending_burst']);
    const spread = smallSpender();
    const apart = feed(spread, [
      tx('2026-03-14', -420, 'Electro World', { at: at(7) }),
      tx('2026-03-14', -380, 'Fashion House', { at: at(14) }),
      tx('2026-03-14', -650, 'Watch Gallery', { at: at(22) }),
    ]);
    expect(apart.some((f) => f.type === 'spending_burst')).toBe(false);
    // each is then told on its own
    expect(apart).toHaveLength(3);
    expect(apart.every((f) => f.type === 'unusual_amount' || f.type === 'new_merchant_large')).toBe(true);
  });
});

describe('large for this person', () => {
  it('flags a first payment of €600–999 for someone who pays under €60 at a time', () => {
    for (const amount of [600, 999]) {
      const s = smallSpender();
      const [found] = feed(s, [tx('2026-03-14', -amount, 'Sofa Studio')]);
      expect(found).toMatchObject({ type: 'new_merchant_large' });
      expect(found?.reason).toMatch(/you usually pay €[\d.]+ at a time/);
    }
  });

  it('leaves a first payment that is only somewhat above the usual alone', () => {
    const s = smallSpender();
    expect(feed(s, [tx('2026-03-14', -140, 'Sofa Studio')])).toEqual([]);
  });
});

const createDetectorStateFrom = (s: DetectorState): DetectorState => structuredClone(s);

describe('pay as it comes (fortnightly, a new job)', () => {
  const pay = (date: string, payer = 'Acme Corp', amount = 1400) =>
    tx(date, amount, payer, { category: 'INCOME', accountId: 'checking' });
  const fortnights = (from: string, count: number) =>
    Array.from({ length: count }, (_, i) => day(from, i * 14));

  it('knows fortnightly pay, and when one does not come', () => {
    const s = createDetectorState();
    feed(
      s,
      fortnights('2026-01-02', 6).map((d) => pay(d)),
    );
    // the data goes on (spending in the same account) past the next pay day
    feed(s, [tx('2026-04-03', -20, 'Corner Shop', { accountId: 'checking' })]);
    // due 27 March; five days' grace for a fortnightly pay
    expect(checkMissingIncome(createDetectorStateFrom(s), '2026-04-01')).toEqual([]);
    const [missing] = checkMissingIncome(s, '2026-04-03');
    expect(missing).toMatchObject({ type: 'income_missing', date: '2026-03-27' });
  });

  it('a new employer that pays from about when the old one stopped is a new job, not missing pay', () => {
    const s = createDetectorState();
    feed(
      s,
      ['2026-01-25', '2026-02-25', '2026-03-25', '2026-04-24'].map((d) => pay(d, 'Acme Corp', 3200)),
    );
    feed(
      s,
      ['2026-05-29', '2026-06-26', '2026-07-31'].map((d) => pay(d, 'Fabrikam Ltd', 3500)),
    );
    feed(s, [tx('2026-08-05', -20, 'Corner Shop', { accountId: 'checking' })]);
    expect(checkMissingIncome(s, '2026-08-05').filter((f) => f.evidence.payer === 'Acme Corp')).toEqual([]);
  });
});

describe('bills and travel', () => {
  it('are large only above the user’s own threshold, never “large for you”', () => {
    const s = smallSpender();
    expect(
      feed(s, [
        tx('2026-03-14', -640, 'Admiral Insurance', { category: 'GENERAL_SERVICES' }),
        tx('2026-03-20', -590, 'Hotel Negresco Nice', { category: 'TRAVEL' }),
      ]),
    ).toEqual([]);
  });
});

describe('a bill that varies', () => {
  it('taken twice in a month is flagged; the next month’s bill is not', () => {
    const s = createDetectorState();
    const gas = [84, 120, 97, 61, 73, 110];
    feed(
      s,
      gas.map((a, i) => tx(day('2026-01-03', Math.round(i * 30.4)), -a, 'British Gas', { category: null })),
    );
    const [twice] = feed(s, [
      tx(day('2026-01-03', Math.round(5 * 30.4) + 9), -110, 'British Gas', { category: null }),
    ]);
    expect(twice).toMatchObject({ type: 'recurring_twice' });
    expect(
      feed(s, [tx(day('2026-01-03', Math.round(6 * 30.4)), -95, 'British Gas', { category: null })]),
    ).toEqual([]);
  });
});

describe('a chain printed with its town', () => {
  it('a store seldom visited is judged by what the chain’s stores usually cost', () => {
    const s = createDetectorState();
    const towns = ['London', 'Croydon', 'Reading'];
    const usual = [18, 25, 31, 22, 40, 27, 35, 19, 24, 29, 33, 21];
    feed(
      s,
      usual.map((a, i) =>
        tx(day('2026-01-01', i * 4), -a, `Tesco Stores ${towns[i % 3]}`, { category: null }),
      ),
    );
    feed(s, [tx('2026-02-25', -26, 'Tesco Stores Leeds', { category: null })]);
    const [found] = feed(s, [tx('2026-03-02', -310, 'Tesco Stores Leeds', { category: null })]);
    expect(found).toMatchObject({ type: 'unusual_amount' });
    expect(found?.reason).toMatch(/at its stores over your last 13 visits/);
  });
});
