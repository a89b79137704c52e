// Amounts in the words of an anomaly's reason: exact from amount × 10^4, in the currency's
// own symbol and minor unit (the dashboard formats the evidence again in the user's locale).
import { currencyDigits } from '../money.ts';

const formats = new Map<string, Intl.NumberFormat>();

function formatFor(currency: string, digits: number): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formats.set(currency, format);
  }
  return format;
}

export function formatAmountE4(e4: number, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = e4 < 0;
  const abs = Math.abs(e4);
  const whole = Math.floor(abs / 10_000);
  const fraction = String(abs % 10_000)
    .padStart(4, '0')
    .slice(0, digits);
  const text = digits ? `${whole}.${fraction}` : String(whole);
  // Intl formats the grouping and the symbol; the digits come from the exact text above
  const formatted = formatFor(currency, digits).format(text as Intl.StringNumericLiteral);
  return negative ? `-${formatted}` : formatted;
}
