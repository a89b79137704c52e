// The one decimal type for money and quantities. Amounts are never JS numbers: they are
// decimal strings on the wire and in the database and `Decimal` in code — a bigint
// scaled by 10^18, so sums are exact, and products of inputs with up to 9 decimal places
// each are exact too (quantities and prices from providers have at most 8).
const SCALE_DIGITS = 18;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;

export class Decimal {
  private constructor(readonly units: bigint) {}

  static readonly ZERO = new Decimal(0n);

  /** Parses "12", "-0.5", "1234.56789"; throws on anything else (no exponents, no commas). */
  static parse(text: string): Decimal {
    const parsed = Decimal.tryParse(text);
    if (!parsed) throw new RangeError(`not a decimal: ${JSON.stringify(text)}`);
    return parsed;
  }

  static tryParse(text: string): Decimal | undefined {
    const m = PATTERN.exec(text.trim());
    if (!m) return undefined;
    const frac = m[3] ?? '';
    if (frac.length > SCALE_DIGITS) return undefined;
    const units = BigInt(m[2] + frac.padEnd(SCALE_DIGITS, '0'));
    return new Decimal(m[1] === '-' ? -units : units);
  }

  /**
   * From a JS number that came from JSON (a provider's amount): its shortest decimal
   * representation is what the provider sent, so it is parsed from that text.
   */
  static fromJsonNumber(value: number): Decimal {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    const text = String(value);
    if (!/e/i.test(text)) return Decimal.parse(text);
    // 1e-7 style: expand the exponent exactly
    const [mantissa = '0', exp = '0'] = text.toLowerCase().split('e');
    const negative = mantissa.startsWith('-');
    const [int = '0', frac = ''] = mantissa.replace('-', '').split('.');
    const digits = int + frac;
    const point = int.length + Number(exp);
    const expanded =
      point <= 0
        ? `0.${'0'.repeat(-point)}${digits}`
        : point >= digits.length
          ? digits + '0'.repeat(point - digits.length)
          : `${digits.slice(0, point)}.${digits.slice(point)}`;
    return Decimal.parse((negative ? '-' : '') + expanded);
  }

  static max(a: Decimal, b: Decimal): Decimal {
    return a.units >= b.units ? a : b;
  }

  static fromUnits(units: bigint): Decimal {
    return new Decimal(units);
  }

  /** From an integer count of minor units (e.g. cents with digits = 2). */
  static fromMinor(minor: bigint | number, digits: number): Decimal {
    return new Decimal(BigInt(minor) * 10n ** BigInt(SCALE_DIGITS - digits));
  }

  add(other: Decimal): Decimal {
    return new Decimal(this.units + other.units);
  }

  sub(other: Decimal): Decimal {
    return new Decimal(this.units - other.units);
  }

  neg(): Decimal {
    return new Decimal(-this.units);
  }

  /** Exact when the two factors together have at most 18 decimal places; otherwise rounds half-even. */
  mul(other: Decimal): Decimal {
    return new Decimal(divRoundHalfEven(this.units * other.units, SCALE));
  }

  /** Division rounds half-even at 18 places. */
  div(other: Decimal): Decimal {
    if (other.units === 0n) throw new RangeError('division by zero');
    return new Decimal(divRoundHalfEven(this.units * SCALE, other.units));
  }

  cmp(other: Decimal): -1 | 0 | 1 {
    return this.units < other.units ? -1 : this.units > other.units ? 1 : 0;
  }

  eq(other: Decimal): boolean {
    return this.units === other.units;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  abs(): Decimal {
    return this.units < 0n ? this.neg() : this;
  }

  /** Integer minor units, rounding half-even (e.g. cents for digits = 2). */
  toMinor(digits: number): bigint {
    return divRoundHalfEven(this.units, 10n ** BigInt(SCALE_DIGITS - digits));
  }

  /** Rounded to `digits` places (half-even). */
  round(digits: number): Decimal {
    return Decimal.fromMinor(this.toMinor(digits), digits);
  }

  /** Canonical text: no trailing zeros, no exponent ("1234.5", "-0.00000001", "0"). */
  toString(): string {
    const negative = this.units < 0n;
    const abs = negative ? -this.units : this.units;
    const whole = abs / SCALE;
    const frac = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
    return `${negative && abs !== 0n ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
  }

  /** Fixed number of places ("12.50"). */
  toFixed(digits: number): string {
    const minor = this.toMinor(digits);
    const negative = minor < 0n;
    const abs = negative ? -minor : minor;
    const scale = 10n ** BigInt(digits);
    const frac = digits ? `.${(abs % scale).toString().padStart(digits, '0')}` : '';
    return `${negative ? '-' : ''}${abs / scale}${frac}`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** As a float, for ratios and estimates (a share, a number of months, a projection's start): never for money kept. */
  toNumber(): number {
    return Number(this.toString());
  }
}

/** numerator / denominator, rounded half-even (what every rounding in this module does). */
export function divRoundHalfEven(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = n / d;
  // the remainder by one multiplication (cheaper than a second division), compared once
  const twice = (n - q * d) * 2n;
  const up = twice > d || (twice === d && (q & 1n) === 1n);
  const rounded = up ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/**
 * The canonical text of an integer count of minor units: `Decimal.fromMinor(minor, digits)
 * .toString()` without making a Decimal (the push path prints thousands a second): the
 * integer's digits once, split at the decimal point, trailing zeros dropped.
 */
export function minorText(minor: bigint, digits: number): string {
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString();
  const sign = negative ? '-' : '';
  if (digits === 0) return sign + text;
  const padded = text.length > digits ? text : '0'.repeat(digits - text.length + 1) + text;
  const point = padded.length - digits;
  let end = padded.length;
  while (end > point && padded.charCodeAt(end - 1) === 48 /* 0 */) end -= 1;
  return end === point
    ? sign + padded.slice(0, point)
    : `${sign}${padded.slice(0, point)}.${padded.slice(point, end)}`;
}

const digitsByCurrency = new Map<string, number>();

/** Minor-unit digits of an ISO 4217 currency (2 for USD, 0 for JPY, 3 for KWD). */
export function currencyDigits(currency: string): number {
  // an Intl.NumberFormat costs ~0.1 ms to build; pushes ask for this thousands of times a second
  const known = digitsByCurrency.get(currency);
  if (known !== undefined) return known;
  let digits: number;
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
  } catch {
    digits = 2;
  }
  if (digitsByCurrency.size < 1000) digitsByCurrency.set(currency, digits);
  return digits;
}

export interface DecimalLimits {
  /** digits before the point (default 24) */
  digits?: number;
  /** digits after the point (default 18) */
  scale?: number;
  nonNegative?: boolean;
  /** more than zero (an amount borrowed, a payment) */
  positive?: boolean;
  /** at most this (a rate in percent: "100"); not `max`, which the validator's string rule reads as a length */
  atMost?: string;
}

/**
 * What is wrong with a decimal string a user or a file sent (optional sign, digits, optional
 * fraction, within the limits), in words after the field name; undefined when nothing is.
 */
export function decimalProblem(value: string, limits: DecimalLimits = {}): string | undefined {
  const { digits = 24, scale = 18, nonNegative = false, positive = false } = limits;
  const m = PATTERN.exec(value);
  if (!m) return 'must be a decimal number such as "12.50"';
  if ((nonNegative || positive) && value.startsWith('-')) return 'must not be negative';
  if (positive && /^[+]?0*(\.0*)?$/.test(value)) return 'must be more than zero';
  if ((m[2] ?? '').replace(/^0+(?=\d)/, '').length > digits)
    return `has more than ${digits} digits before the point`;
  if ((m[3] ?? '').length > scale)
    return scale === 0 ? 'must be a whole number' : `has more than ${scale} decimal places`;
  if (limits.atMost !== undefined && Decimal.parse(value).cmp(Decimal.parse(limits.atMost)) > 0)
    return `must be at most ${limits.atMost}`;
  return undefined;
}
