import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from './money.ts';
import { PortfolioState, PriceBook } from './portfolio.ts';

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
    expect(p.breakdown().byClass).toEqual({
      crypto: '37575.0075',
      cash: '1000.5',
      stablecoin: '0',
      equity: '0',
      fund: '0',
      bond: '0',
      property: '0',
      vehicle: '0',
      valuables: '0',
      debt: '0',
    });
  });

  it('puts an account with a class of its own in that class: a home valued in euros is property, not cash', () => {
    const p = new PortfolioState();
    p.applyPrice('EUR', d('1.10'));
    p.setAccountPositions('home', [
      { accountId: 'home', asset: 'EUR', quantity: '300000', assetClass: 'property' },
    ]);
    p.setAccountPositions('bank', [{ accountId: 'bank', asset: 'EUR', quantity: '2000' }]);
    expect(p.breakdown().byClass).toMatchObject({ property: '330000', cash: '2200' });
    p.applyPrice('EUR', d('1.20'));
    expect(p.breakdown().byClass).toMatchObject({ property: '360000', cash: '2400' });
    expect(JSON.stringify(p.breakdown())).toBe(JSON.stringify(p.recompute()));
    // sold: its positions go, and so does its class
    p.setAccountPositions('home', []);
    expect(p.breakdown().byClass).toMatchObject({ property: '0', cash: '2400' });
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
        assetClass: fc.constantFrom(undefined, 'property' as const, 'vehicle' as const),
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
              o.positions.map((x) => ({
                accountId: o.account,
                ...x,
                ...(o.assetClass ? { assetClass: o.assetClass } : {}),
              })),
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

describe('lazy portfolios (nobody watches them)', () => {
  it('are not walked by ticks, are exact when read, and say whether they moved since their last push', () => {
    const book = new PriceBook();
    book.tick('BTC', d('100').units);
    const p = new PortfolioState(undefined, book.prices);
    p.setAccountPositions('x', [{ accountId: 'x', asset: 'BTC', quantity: '2' }]);
    book.attach(p, true);
    p.changed = false;
    expect(book.tick('BTC', d('150').units)).toBe(0);
    expect(p.ticks).toBe(0);
    expect(p.changed).toBe(true);
    expect(p.netWorth().toString()).toBe('300');
    p.changed = false;
    // watched again: walked from here on, and moved only when a tick moves it
    book.attach(p);
    expect(p.changed).toBe(false);
    expect(book.tick('BTC', d('151').units)).toBe(1);
    expect(p.netWorth().toString()).toBe('302');
  });

  it('equal a full recompute, walked or lazy, through any ticks, switches and holding changes (property)', () => {
    const assets = ['BTC', 'ETH', 'EUR'];
    const price = fc.bigInt({ min: 1n, max: 10n ** 13n }).map((n) => n * 10n ** 10n);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('tick' as const), asset: fc.constantFrom(...assets), price }),
      fc.record({ kind: fc.constant('lazy' as const), who: fc.nat(2), lazy: fc.boolean() }),
      fc.record({ kind: fc.constant('read' as const), who: fc.nat(2) }),
      fc.record({
        kind: fc.constant('hold' as const),
        who: fc.nat(2),
        asset: fc.constantFrom(...assets),
        quantity: fc
          .bigInt({ min: 1n, max: 10n ** 12n })
          .map((n) => Decimal.fromUnits(n * 10n ** 10n).toString()),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const book = new PriceBook();
        for (const a of assets) book.tick(a, d('2').units);
        const states = [0, 1, 2].map((i) => {
          const s = new PortfolioState(undefined, book.prices);
          s.setAccountPositions(`a${i}`, [{ accountId: `a${i}`, asset: assets[i] as string, quantity: '1' }]);
          book.attach(s, i === 2);
          return s;
        });
        const lazy = [false, false, true];
        for (const o of ops) {
          if (o.kind === 'tick') book.tick(o.asset, o.price);
          else if (o.kind === 'lazy') {
            book.attach(states[o.who] as PortfolioState, o.lazy);
            lazy[o.who] = o.lazy;
          } else if (o.kind === 'read') (states[o.who] as PortfolioState).netWorthUnits();
          else {
            const s = states[o.who] as PortfolioState;
            s.setAccountPositions(`a${o.who}`, [
              { accountId: `a${o.who}`, asset: o.asset, quantity: o.quantity },
            ]);
            book.attach(s, lazy[o.who]);
          }
        }
        for (const s of states) {
          expect(s.netWorthUnits()).toBe(s.recomputeNetWorthUnits());
          expect(JSON.stringify(s.breakdown())).toBe(JSON.stringify(s.recompute()));
        }
      }),
      { numRuns: 300 },
    );
  });
});
