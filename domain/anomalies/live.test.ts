import { describe, expect, it } from 'vitest';
import { lowBalanceFindings, marketMoveFindings, netWorthDropFinding } from './live.ts';

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
