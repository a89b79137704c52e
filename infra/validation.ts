// The validator's own rules for what every action takes: `isoDate` (a real day; `past: true`
// refuses days after today), `currencyCode` (ISO 4217; fastest-validator's own `currency` is a money format), `decimal` (a decimal string within
// `digits` / `scale`, `nonNegative`), `timeZone` (IANA), `locale` (BCP 47, made canonical),
// and the built-in `uuid`. Actions declare them in
// `params`, so a bad value is refused before any handler runs, with the same words everywhere.
import { Validators } from 'moleculer';
import { isRealDate, todayUtc } from '../domain/dates.ts';
import { decimalProblem, type DecimalLimits } from '../domain/money.ts';
import { canonicalLocale, isCurrencyCode, isTimeZone } from '../domain/preferences.ts';

interface Issue {
  type: string;
  actual?: unknown;
  expected?: unknown;
}

/** A custom check; it runs after the alias's `type: 'string'` rule has passed. */
type Check = (value: unknown, errors: Issue[], schema: object) => unknown;

const isoDate: Check = (value, errors, schema) => {
  const { past } = schema as { past?: boolean };
  if (typeof value !== 'string') return value;
  if (!isRealDate(value)) errors.push({ type: 'isoDate', actual: value });
  else if (past && value > todayUtc()) errors.push({ type: 'dateInFuture', actual: value });
  return value;
};

const currencyCode: Check = (value, errors) => {
  if (typeof value === 'string' && !isCurrencyCode(value))
    errors.push({ type: 'currencyCode', actual: value });
  return value;
};

const timeZone: Check = (value, errors) => {
  if (typeof value === 'string' && !isTimeZone(value)) errors.push({ type: 'timeZone', actual: value });
  return value;
};

/** A BCP 47 tag the runtime formats numbers for, in its canonical spelling (en-us → en-US). */
const locale: Check = (value, errors) => {
  if (typeof value !== 'string') return value;
  const canonical = canonicalLocale(value);
  if (!canonical) errors.push({ type: 'locale', actual: value });
  return canonical ?? value;
};

const decimal: Check = (value, errors, schema) => {
  if (typeof value !== 'string') return value;
  const problem = decimalProblem(value, schema as DecimalLimits);
  // the message is built from the problem: fastest-validator fills {expected}
  if (problem) errors.push({ type: 'decimal', expected: problem, actual: value });
  return value;
};

const options = {
  useNewCustomCheckerFunction: true,
  aliases: {
    isoDate: { type: 'string', max: 10, custom: isoDate },
    currencyCode: { type: 'string', max: 3, custom: currencyCode },
    decimal: { type: 'string', min: 1, max: 60, custom: decimal },
    timeZone: { type: 'string', min: 1, max: 64, custom: timeZone },
    locale: { type: 'string', min: 2, max: 35, custom: locale },
  },
  messages: {
    isoDate: "The '{field}' field must be a real date written YYYY-MM-DD.",
    dateInFuture: "The '{field}' field must not be in the future.",
    currencyCode: "The '{field}' field must be an ISO 4217 currency code such as EUR.",
    decimal: "The '{field}' field {expected}.",
    timeZone: "The '{field}' field must be an IANA time zone such as Europe/Berlin.",
    locale: "The '{field}' field must be a supported locale such as en-US.",
  },
};

/** The broker's validator: fastest-validator with Finexia's rules (one per broker). */
export function createValidator(): InstanceType<typeof Validators.Fastest> {
  return new Validators.Fastest(options);
}
