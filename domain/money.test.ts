import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal, currencyDigits, decimalProblem } from './money.ts';

const decimalText = fc
  .tuple(
    fc.boolean(),
    fc.bigInt({ min: 0n, max: 10n ** 15n }),
    fc.integer({ min: 0, max: 8 }),
    fc.bigInt({ min: 0n, max: 10n ** 8n - 1n }),
  )
  .map(([neg, whole, places, frac]) => {
    const f = places ? `.${frac.toString().padStart(8, '0').slice(0, places)}` : '';
    return `${neg ? '-' : ''}${whole}${f}`;
  });

describe('Decimal', () => {
  it('parses and prints canonically', () => {
    expect(Decimal.parse('012.3400').toString()).toBe('12.34');
    expect(Decimal.parse('-0.00').toString()).toBe('0');
    expect(Decimal.parse('+5').toString()).toBe('5');
    for (const bad of ['', '1e5', '1,000', '.5', '5.', 'NaN', '--1', ' 1 2'])
      expect(Decimal.tryParse(bad)).toBeUndefined();
  });

  it('adds 0.1 + 0.2 exactly', () => {
    expect(Decimal.parse('0.1').add(Decimal.parse('0.2')).toString()).toBe('0.3');
  });

  it('reads JSON numbers as the text the provider sent', () => {
    expect(Decimal.fromJsonNumber(12.34).toString()).toBe('12.34');
    expect(Decimal.fromJsonNumber(1e-7).toString()).toBe('0.0000001');
    expect(Decimal.fromJsonNumber(-2.5e21).toString()).toBe('-2500000000000000000000');
  });

  it('multiplies quantities by prices exactly (checked with Python decimal)', () => {
    expect(Decimal.parse('0.12345678').mul(Decimal.parse('97123.45678901')).toString()).toBe(
      '11990.5492376403139878',
    );
  });

  it('rounds half-even to minor units', () => {
    expect(Decimal.parse('2.345').toMinor(2)).toBe(234n);
    expect(Decimal.parse('2.355').toMinor(2)).toBe(236n);
    expect(Decimal.parse('-2.355').toFixed(2)).toBe('-2.36');
    expect(Decimal.fromMinor(-1999n, 2).toString()).toBe('-19.99');
  });

  it('is associative and commutative for sums (property)', () => {
    fc.assert(
      fc.property(fc.array(decimalText, { maxLength: 30 }), (texts) => {
        const values = texts.map((t) => Decimal.parse(t));
        const forward = values.reduce((a, b) => a.add(b), Decimal.ZERO);
        const backward = [...values].reverse().reduce((a, b) => a.add(b), Decimal.ZERO);
        return forward.eq(backward);
      }),
    );
  });

  it('round-trips text (property)', () => {
    fc.assert(
      fc.property(decimalText, (t) => Decimal.parse(Decimal.parse(t).toString()).eq(Decimal.parse(t))),
    );
  });

  it('keeps q × (p2 − p1) + q × p1 = q × p2 exactly (the incremental identity)', () => {
    fc.assert(
      fc.property(decimalText, decimalText, decimalText, (q, p1, p2) => {
        const [Q, P1, P2] = [q, p1, p2].map((t) => Decimal.parse(t)) as [Decimal, Decimal, Decimal];
        return Q.mul(P2.sub(P1)).add(Q.mul(P1)).eq(Q.mul(P2));
      }),
    );
  });
});

describe('currency helpers', () => {
  it('knows minor-unit digits', () => {
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
  });
  it('says what is wrong with a decimal string', () => {
    expect(decimalProblem('-12.50', { scale: 2 })).toBeUndefined();
    expect(decimalProblem('12.505', { scale: 2 })).toBe('has more than 2 decimal places');
    expect(decimalProblem('1e3')).toBe('must be a decimal number such as "12.50"');
    expect(decimalProblem('-1', { nonNegative: true })).toBe('must not be negative');
    expect(decimalProblem('1234567', { digits: 6 })).toBe('has more than 6 digits before the point');
    expect(decimalProblem('0001.5', { digits: 1 })).toBeUndefined();
  });
});
