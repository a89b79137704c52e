import { describe, expect, it } from 'vitest';
import { counted, date, money, percent, price, signOf } from '#lib/format.ts';

const us = { locale: 'en-US', currency: 'USD', timeZone: 'UTC' };
const de = { locale: 'de-DE', currency: 'EUR', timeZone: 'Europe/Berlin' };

describe('formatting for the user', () => {
  it('formats exact decimal strings as money in the user locale and currency, without float rounding', () => {
    expect(money('1234567.89', us)).toBe('$1,234,567.89');
    expect(money('1234567.89', de)).toBe('1.234.567,89\u00a0€');
    // beyond a double's precision the digits stay exact
    expect(money('90071992547409.93', us)).toBe('$90,071,992,547,409.93');
    expect(money('-2.5', us, { sign: true })).toBe('-$2.50');
    expect(money('12.3', us, { sign: true })).toBe('+$12.30');
    expect(money(null, us)).toBe('—');
    expect(money('1250000', us, { compact: true })).toBe('$1.3M');
  });

  it('counts things with their noun in the user locale', () => {
    expect(counted(1, 'account', us)).toBe('1 account');
    expect(counted(0, 'account', us)).toBe('0 accounts');
    expect(counted(1204, 'transaction', de)).toBe('1.204 transactions');
    expect(counted(2, 'anomaly', us, 'anomalies')).toBe('2 anomalies');
  });

  it('shows prices with the digits a price needs', () => {
    expect(price('97000.123', us)).toBe('$97,000.12');
    expect(price('1.23456789', us)).toBe('$1.2346');
    expect(price('0.000012345678', us)).toBe('$0.00001235');
  });

  it('gives percentages and signs', () => {
    expect(percent('25', '200', us)).toBe('12.5%');
    expect(percent('-1', '3', us, { sign: true })).toBe('-33.33%');
    expect(percent('1', '0', us)).toBe('—');
    expect(signOf('-0.00')).toBe(0);
    expect(signOf('-0.01')).toBe(-1);
    expect(signOf('3')).toBe(1);
  });

  it('formats instants in the user time zone and plain dates as they are', () => {
    expect(date('2026-11-25T23:30:00Z', de, 'datetime')).toBe('26.11.2026, 00:30');
    expect(date('2026-11-25', de)).toBe('25.11.2026');
  });
});
