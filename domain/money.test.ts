import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal, currencyDigits, decimalProblem, divRoundHalfEven, minorText } from './money.ts';

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

describe("the push path's integer helpers", () => {
  const big = fc.bigInt({ min: -(10n ** 45n), max: 10n ** 45n });

  it('prints minor units exactly as Decimal.fromMinor(…).toString() (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(big, fc.bigInt({ min: -1000n, max: 1000n })),
        fc.integer({ min: 0, max: 4 }),
        (m, d) => {
          expect(minorText(m, d)).toBe(Decimal.fromMinor(m, d).toString());
        },
      ),
      { numRuns: 2000 },
    );
    expect([minorText(-5n, 2), minorText(100n, 2), minorText(0n, 2), minorText(-120n, 3)]).toEqual([
      '-0.05',
      '1',
      '0',
      '-0.12',
    ]);
  });

  it('divides rounding half to even, either sign (property)', () => {
    // the rational n/d against the candidates q and q + 1, in exact integers
    const reference = (n: bigint, d: bigint) => {
      const negative = n < 0n !== d < 0n;
      const [a, b] = [n < 0n ? -n : n, d < 0n ? -d : d];
      const low = a / b;
      const diff = 2n * a - (2n * low + 1n) * b; // sign of a/b − (low + ½)
      const q = diff > 0n || (diff === 0n && low % 2n === 1n) ? low + 1n : low;
      return negative ? -q : q;
    };
    fc.assert(
      fc.property(
        big,
        big.filter((d) => d !== 0n),
        (n, d) => {
          expect(divRoundHalfEven(n, d)).toBe(reference(n, d));
        },
      ),
      { numRuns: 2000 },
    );
    expect([25n, 35n, -25n, -35n].map((n) => divRoundHalfEven(n, 10n))).toEqual([2n, 4n, -2n, -4n]);
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
