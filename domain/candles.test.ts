import { describe, expect, it } from 'vitest';
import { CandleBook } from './candles.ts';
import { Decimal } from './money.ts';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const u = (s: string) => Decimal.parse(s).units;

describe('CandleBook', () => {
  it('folds ticks into open/high/low/close per bucket and closes a candle on the next bucket', () => {
    const book = new CandleBook();
    book.add('BTC', u('100'), T0 + 1_000);
    book.add('BTC', u('105.5'), T0 + 20_000);
    book.add('BTC', u('99.25'), T0 + 40_000);
    book.add('BTC', u('101'), T0 + 59_999);
    expect(book.drainClosed()).toEqual([]);
    expect(book.current('BTC', '1m')).toMatchObject({
      t: T0,
      open: '100',
      high: '105.5',
      low: '99.25',
      close: '101',
      ticks: 4,
    });
    book.add('BTC', u('102'), T0 + 60_000);
    const closed = book.drainClosed();
    expect(closed).toEqual([
      {
        symbol: 'BTC',
        interval: '1m',
        t: T0,
        open: '100',
        high: '105.5',
        low: '99.25',
        close: '101',
        ticks: 4,
      },
    ]);
    expect(book.drainClosed()).toEqual([]);
    // the hour and day candles stay open and include every tick
    expect(book.current('BTC', '1h')).toMatchObject({
      open: '100',
      high: '105.5',
      low: '99.25',
      close: '102',
      ticks: 5,
    });
  });

  it('gives candles back for a retry when storing them failed', () => {
    const book = new CandleBook();
    book.add('ETH', u('10'), T0);
    book.add('ETH', u('11'), T0 + 3_600_000);
    const closed = book.drainClosed();
    expect(closed.map((c) => c.interval)).toEqual(['1m', '1h']);
    book.restore(closed);
    expect(book.drainClosed()).toEqual(closed);
  });
});
