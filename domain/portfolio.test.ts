import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from './money.ts';
import { PortfolioState, PriceBook, positionsFrom } from './portfolio.ts';

const d = (s: string) => Decimal.parse(s);

describe('PortfolioState', () => {
  it('values positions and moves net worth by qty × (p_new − p_old) on a tick', () => {
    const p = new PortfolioState();
    p.applyPrice('BTC', d('50000'));
    p.setAccountPositions('binance', [{ accountId: 'binance', asset: 'BTC', quantity: '0.5' }]);
    p.setAccountPositions('coinbase', [{ accountId: 'coinbase', asset: 'BTC', quantity: '0.25' }]);
    p.setAccountPositions('cash', [{ accountId: 'cash', asset: 'USD', quantity: '1000.50' }]);
    expect(p.netWorth().toString()).toBe('38500.5');
    const delta = p.applyPrice('BTC', d('50100.01'));
    expect(delta.toString()).toBe('75.0075');
    expect(p.netWorth().toString()).toBe('38575.5075');
    expect(p.breakdown().byAccount).toEqual({ binance: '25050.005', cash: '1000.5', coinbase: '12525.0025' });
    expect(p.breakdown().byClass).toEqual({ crypto: '37575.0075', cash: '1000.5', stablecoin: '0' });
  });

  it('ignores ticks for assets it does not hold', () => {
    const p = new PortfolioState();
    p.setAccountPositions('a', [{ accountId: 'a', asset: 'ETH', quantity: '1' }]);
    expect(p.applyPrice('DOGE', d('0.1')).isZero()).toBe(true);
    expect(p.ticks).toBe(0);
  });

  it('values fiat with FX rates and replaces positions when holdings change', () => {
    const p = new PortfolioState();
    p.applyPrice('EUR', d('1.08'));
    p.setAccountPositions('biz', [{ accountId: 'biz', asset: 'EUR', quantity: '1000' }]);
    expect(p.netWorth().toString()).toBe('1080');
    p.setAccountPositions('biz', [{ accountId: 'biz', asset: 'EUR', quantity: '500' }]);
    expect(p.netWorth().toString()).toBe('540');
    p.removeAccount('biz');
    expect(p.netWorth().isZero()).toBe(true);
  });

  it('equals a full recompute after any sequence of ticks and holding changes (property)', () => {
    const assets = ['BTC', 'ETH', 'SOL', 'EUR', 'USD'];
    const price = fc.bigInt({ min: 1n, max: 10n ** 13n }).map((n) => Decimal.fromUnits(n * 10n ** 10n)); // ≤ 8 dp
    const qty = fc
      .bigInt({ min: 0n, max: 10n ** 12n })
      .map((n) => Decimal.fromUnits(n * 10n ** 10n).toString());
    const op = fc.oneof(
      fc.record({ kind: fc.constant('tick' as const), asset: fc.constantFrom(...assets), price }),
      fc.record({
        kind: fc.constant('hold' as const),
        account: fc.constantFrom('a1', 'a2', 'a3'),
        positions: fc.array(fc.record({ asset: fc.constantFrom(...assets), quantity: qty }), {
          maxLength: 4,
        }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const p = new PortfolioState();
        for (const o of ops) {
          if (o.kind === 'tick') p.applyPrice(o.asset, o.price);
          else
            p.setAccountPositions(
              o.account,
              o.positions.map((x) => ({ accountId: o.account, ...x })),
            );
        }
        return (
          p.netWorth().eq(p.recomputeNetWorth()) &&
          JSON.stringify(p.breakdown()) === JSON.stringify(p.recompute())
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('PriceBook', () => {
  it('moves every holder by qty × move and stays equal to a full recompute', () => {
    const book = new PriceBook();
    const a = new PortfolioState(undefined, book.prices);
    const b = new PortfolioState(undefined, book.prices);
    book.tick('BTC', d('100').units);
    a.setAccountPositions('x', [{ accountId: 'x', asset: 'BTC', quantity: '1.5' }]);
    b.setAccountPositions('y', [
      { accountId: 'y', asset: 'BTC', quantity: '0.25' },
      { accountId: 'y', asset: 'ETH', quantity: '2' },
    ]);
    book.attach(a);
    book.attach(b);
    expect(book.tick('BTC', d('110.5').units)).toBe(2);
    expect(book.tick('ETH', d('10').units)).toBe(1);
    expect(a.netWorth().toString()).toBe('165.75');
    expect(b.netWorth().toString()).toBe('47.625');
    for (const p of [a, b]) expect(p.netWorth().eq(p.recomputeNetWorth())).toBe(true);
    book.detach(a);
    expect(book.tick('BTC', d('1').units)).toBe(1);
  });
});

describe('positionsFrom', () => {
  it('makes fiat balances positions in their currency, counts what is owed against you, and skips exchange accounts', () => {
    const byAccount = positionsFrom(
      [
        { publicId: 'chk', type: 'depository', currency: 'USD', current: '1200.50' },
        { publicId: 'card', type: 'credit', currency: 'USD', current: '300' },
        { publicId: 'mortgage', type: 'loan', currency: 'EUR', current: '1000' },
        { publicId: 'spot', type: 'investment', currency: 'USD', current: '999' },
        { publicId: 'empty', type: 'depository', currency: 'USD', current: null },
      ],
      [{ accountId: 'spot', asset: 'BTC', quantity: '0.5' }],
    );
    expect(Object.fromEntries(byAccount)).toEqual({
      chk: [{ accountId: 'chk', asset: 'USD', quantity: '1200.5' }],
      card: [{ accountId: 'card', asset: 'USD', quantity: '-300' }],
      mortgage: [{ accountId: 'mortgage', asset: 'EUR', quantity: '-1000' }],
      spot: [{ accountId: 'spot', asset: 'BTC', quantity: '0.5' }],
    });
  });
});
