import { describe, expect, it } from 'vitest';
import { feedSymbolOf, securityAsset, securityClassOf } from './securities.ts';
import { valuePositions } from './valuation.ts';
import { FIAT_CURRENCIES } from './portfolio.ts';
import { Decimal } from './money.ts';

const facts = (over: Partial<Parameters<typeof securityAsset>[0]>) => ({
  ticker: null,
  cusip: null,
  type: 'equity',
  isCashEquivalent: false,
  mic: null,
  ...over,
});

describe('securities as assets', () => {
  it('names each kind of security by what it is, and classes it from the name alone', () => {
    const cases: [Parameters<typeof securityAsset>[0], string | undefined, string | undefined][] = [
      [facts({ ticker: 'AAPL', mic: 'XNAS' }), 'AAPL.STOCK', 'equity'],
      [facts({ ticker: 'SAP', mic: 'XETR' }), 'SAP-XETR.STOCK', 'equity'],
      [facts({ ticker: 'VTI', type: 'etf', mic: 'ARCX' }), 'VTI.ETF', 'fund'],
      [facts({ ticker: 'VTSAX', type: 'mutual fund' }), 'VTSAX.FUND', 'fund'],
      [facts({ ticker: 'VMFXX', type: 'mutual fund', isCashEquivalent: true }), 'VMFXX.MMF', 'cash'],
      [facts({ cusip: '91282CLW9', type: 'fixed income' }), '91282CLW9.BOND', 'bond'],
      [facts({ ticker: 'BRK.B', mic: 'XNYS' }), 'BRKB.STOCK', 'equity'],
    ];
    for (const [input, asset, assetClass] of cases) {
      expect(securityAsset(input)).toBe(asset);
      expect(securityClassOf(asset as string)).toBe(assetClass);
    }
  });

  it('keeps cash as cash, and cannot name a derivative or a security without an id', () => {
    expect(securityAsset(facts({ ticker: 'CUR:USD', type: 'cash' }))).toBe('cash');
    expect(securityAsset(facts({ ticker: 'AAPL 261218C00250000', type: 'derivative' }))).toBeUndefined();
    expect(securityAsset(facts({}))).toBeUndefined();
    expect(securityClassOf('BTC')).toBeUndefined();
  });

  it('asks the US feed only for US-listed stocks and ETFs', () => {
    expect(feedSymbolOf('AAPL.STOCK')).toBe('AAPL');
    expect(feedSymbolOf('VTI.ETF')).toBe('VTI');
    expect(feedSymbolOf('SAP-XETR.STOCK')).toBeUndefined();
    expect(feedSymbolOf('VTSAX.FUND')).toBeUndefined();
  });

  it('values a brokerage account by class: its stock as equity, its ETF as a fund, its cash as cash', () => {
    const positions = new Map([
      [
        'brokerage',
        [
          { accountId: 'brokerage', asset: 'AAPL.STOCK', quantity: '3' },
          { accountId: 'brokerage', asset: 'VTI.ETF', quantity: '2.5' },
          { accountId: 'brokerage', asset: 'USD', quantity: '100.25' },
        ],
      ],
    ]);
    const prices: Record<string, string> = { 'AAPL.STOCK': '228.13', 'VTI.ETF': '290.4', USD: '1' };
    const priced = valuePositions(
      positions,
      (a) => (prices[a] ? Decimal.parse(prices[a]).units : undefined),
      FIAT_CURRENCIES,
    );
    const usd = (units: bigint) => Decimal.fromUnits(units / 10n ** 18n).toString();
    // 3 × 228.13 = 684.39; 2.5 × 290.4 = 726
    expect(usd(priced.byClass.equity)).toBe('684.39');
    expect(usd(priced.byClass.fund)).toBe('726');
    expect(usd(priced.byClass.cash)).toBe('100.25');
  });
});
