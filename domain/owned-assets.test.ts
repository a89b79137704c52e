import { describe, expect, it } from 'vitest';
import { Decimal } from './money.ts';
import { depreciatedValue, depreciationSteps, monthsAfter, ownedStatus } from './owned-assets.ts';

/** V·(1200 − r)^k / 1200^k in exact rationals (r in hundredths of a percent), to the cent half-even. */
function closedForm(valueCents: bigint, rateHundredths: bigint, k: number): string {
  const num = valueCents * (120_000n - rateHundredths) ** BigInt(k);
  const den = 120_000n ** BigInt(k);
  let q = num / den;
  const r = num % den;
  if (r * 2n > den || (r * 2n === den && q % 2n === 1n)) q += 1n;
  const text = q.toString().padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

describe('a vehicle loses value by its schedule', () => {
  it('is V·(1 − rate/1200)^k to the cent, the closed form in exact rationals', () => {
    for (const [value, rate] of [
      ['32000.00', '15'],
      ['18999.99', '12.5'],
      ['950.10', '40'],
      ['125000', '7.25'],
    ] as const)
      for (const k of [0, 1, 2, 11, 12, 37, 120]) {
        const cents = BigInt(Decimal.parse(value).mul(Decimal.parse('100')).toFixed(0));
        const hundredths = BigInt(Decimal.parse(rate).mul(Decimal.parse('100')).toFixed(0));
        expect(
          depreciatedValue(Decimal.parse(value), Decimal.parse(rate), k).toFixed(2),
          `${value} ${rate} ${k}`,
        ).toBe(closedForm(cents, hundredths, k));
      }
  });

  it('steps monthly on the purchase day (the month’s last day when it has none), up to the day asked', () => {
    const terms = { purchasePrice: '30000', purchaseDate: '2024-01-31', depreciationPercent: '12' };
    const steps = depreciationSteps(
      terms,
      { date: terms.purchaseDate, value: terms.purchasePrice },
      '2024-05-30',
    );
    expect(steps.map((s) => s.date)).toEqual(['2024-02-29', '2024-03-31', '2024-04-30']);
    // 1 % a month: 29,700.00, 29,403.00, 29,108.97
    expect(steps.map((s) => s.value)).toEqual(['29700.00', '29403.00', '29108.97']);
    expect(monthsAfter('2023-12-15', 1)).toBe('2024-01-15');
  });

  it('restarts from a recorded valuation, and has no steps without a rate', () => {
    const terms = { purchasePrice: '30000', purchaseDate: '2024-01-10', depreciationPercent: '12' };
    const steps = depreciationSteps(terms, { date: '2024-06-02', value: '20000' }, '2024-08-01');
    expect(steps).toEqual([{ date: '2024-07-02', value: '19800.00' }]);
    expect(
      depreciationSteps(
        { ...terms, depreciationPercent: '0' },
        { date: '2024-01-10', value: '1' },
        '2030-01-01',
      ),
    ).toEqual([]);
  });
});

describe('where an owned thing stands', () => {
  it('shows a home’s equity against its mortgage and its gain since the purchase', () => {
    const view = ownedStatus({
      type: 'property',
      terms: { purchasePrice: '400000', purchaseDate: '2020-05-01', mortgageWalletId: 'm' },
      latest: { date: '2026-01-15', value: '455000' },
      recorded: { date: '2026-01-15', value: '455000' },
      mortgage: { walletId: 'm', name: 'Mortgage', owed: Decimal.parse('301234.56') },
      today: '2026-03-01',
    });
    expect(view).toMatchObject({
      value: '455000.00',
      valuedOn: '2026-01-15',
      gain: '55000.00',
      mortgage: { owed: '301234.56', equity: '153765.44' },
      next: null,
    });
  });

  it('tells a vehicle’s next step', () => {
    const terms = { purchasePrice: '24000', purchaseDate: '2025-03-20', depreciationPercent: '18' };
    const view = ownedStatus({
      type: 'vehicle',
      terms,
      latest: { date: '2025-05-20', value: '23285.40' },
      recorded: { date: '2025-03-20', value: '24000' },
      mortgage: null,
      today: '2025-06-01',
    });
    // 1.5 % a month: 24000 × 0.985² = 23285.40 now, 24000 × 0.985³ = 22936.119 next
    expect(view.next).toEqual({ date: '2025-06-20', value: '22936.12' });
    expect(view.gain).toBe('-714.60');
  });
});
