import { describe, expect, it } from 'vitest';
import { fellPastThreshold, lowBalanceFindings, marketMoveFindings, netWorthDropFinding } from './live.ts';
import { Decimal } from '../money.ts';
import { valueToDecimal } from '../portfolio.ts';

describe('low balance', () => {
  it('flags an account below the floor once per dip, and again after it recovered', () => {
    const state = { lowSince: {} };
    const account = {
      accountId: 'a1',
      walletId: 'w1',
      name: 'Checking',
      type: 'depository',
      currency: 'USD',
      current: '80.50',
    };
    const [low] = lowBalanceFindings(state, [account], '100', '2026-12-01');
    expect(low).toMatchObject({ type: 'low_balance', severity: 'high' });
    expect(low?.reason).toBe('Checking is at $80.50, below your $100.00 low-balance alert.');
    expect(lowBalanceFindings(state, [account], '100', '2026-12-02')).toEqual([]);
    expect(lowBalanceFindings(state, [{ ...account, current: '250' }], '100', '2026-12-03')).toEqual([]);
    expect(lowBalanceFindings(state, [{ ...account, current: '-5' }], '100', '2026-12-04')[0]?.severity).toBe(
      'critical',
    );
    // money owed on a card is not a low balance
    expect(
      lowBalanceFindings(
        state,
        [{ ...account, accountId: 'c', type: 'credit', current: '0' }],
        '100',
        '2026-12-04',
      ),
    ).toEqual([]);
  });
});

describe('net worth drop', () => {
  it('flags a day down more than the threshold', () => {
    const drop = netWorthDropFinding(
      { date: '2026-12-02', netWorth: '9300', dayOpen: '10000', currency: 'EUR' },
      5,
    );
    expect(drop).toMatchObject({
      type: 'net_worth_drop',
      severity: 'high',
      key: 'net_worth_drop:2026-12-02',
    });
    expect(
      netWorthDropFinding({ date: '2026-12-02', netWorth: '9600', dayOpen: '10000', currency: 'EUR' }, 5),
    ).toBeUndefined();
    expect(
      netWorthDropFinding({ date: '2026-12-02', netWorth: '1', dayOpen: '0', currency: 'EUR' }, 5),
    ).toBeUndefined();
  });
});

describe('market moves', () => {
  it('one finding per position past the threshold within the hour', () => {
    const found = marketMoveFindings(
      [
        { asset: 'BTC', from: '100000', to: '85000', value: '4250', currency: 'USD' },
        { asset: 'ETH', from: '3000', to: '2900', value: '290', currency: 'USD' },
      ],
      10,
      '2026-12-02',
      493_000,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      type: 'market_move',
      key: 'market_move:BTC:493000',
      severity: 'medium',
    });
    expect(found[0]?.reason).toContain('BTC fell 15.00% within the hour');
  });
});

describe('a fall past the threshold, from live values', () => {
  const UNIT = 10n ** 36n; // value units per USD
  /** the change in percent from the exact USD decimals, rounded to 2 places: what the estimate must agree with */
  const exactly = (openUnits: bigint, netWorthUnits: bigint, thresholdPercent: number) => {
    const open = valueToDecimal(openUnits);
    const percent = valueToDecimal(netWorthUnits).sub(open).mul(Decimal.parse('100')).div(open).round(2);
    return Number(percent.toString()) <= -thresholdPercent;
  };

  it('falls at the threshold as rounded to 2 places, not before', () => {
    const open = 100_000n * UNIT;
    expect(fellPastThreshold(open, 95_000n * UNIT, 5)).toBe(true);
    // -4.996 % rounds to -5.00 %
    expect(fellPastThreshold(open, 95_004n * UNIT, 5)).toBe(true);
    // -4.99 %
    expect(fellPastThreshold(open, 95_010n * UNIT, 5)).toBe(false);
    expect(fellPastThreshold(open, 90_000n * UNIT, 5)).toBe(true);
    expect(fellPastThreshold(open, 120_000n * UNIT, 5)).toBe(false);
    // nothing to fall from
    expect(fellPastThreshold(0n, -5n * UNIT, 5)).toBe(false);
    expect(fellPastThreshold(-10n * UNIT, -20n * UNIT, 5)).toBe(false);
  });

  it('agrees with the exact decimals everywhere near the threshold', () => {
    // opens from a cent to a billion dollars, with digits below the cent
    const opens = [1n, 37n, 1_000n, 123_457n, 99_999_999n, 100_000_000_000n].map(
      (cents) => cents * 10n ** 34n + 123_456_789n * 10n ** 20n,
    );
    let checked = 0;
    for (const thresholdPercent of [0.1, 2.5, 5, 7.5, 33.33, 100])
      for (const open of opens)
        // from 0.02 % below the threshold to 0.02 % above it, in steps of 10^-5 % (and a little off them)
        for (let step = -2_000; step <= 2_000; step += 1) {
          const percentE9 =
            BigInt(Math.round(-thresholdPercent * 1e9)) + BigInt(step) * 10_000n + BigInt(step % 7);
          const netWorth = open + (open * percentE9) / 100_000_000_000n;
          const label = `${open} → ${netWorth} at ${thresholdPercent} %`;
          expect(fellPastThreshold(open, netWorth, thresholdPercent), label).toBe(
            exactly(open, netWorth, thresholdPercent),
          );
          checked += 1;
        }
    expect(checked).toBe(6 * 6 * 4_001);
  });
});
