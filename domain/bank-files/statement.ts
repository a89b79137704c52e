// What every bank file becomes once read: the account it is about, its entries in file order
// (each with the line it starts on, so a bad entry is named by its position), the file's own
// transaction ids where it has them, and the balances it states.
import { Decimal } from '../money.ts';
import { isRealDate } from '../dates.ts';
import type { RowError } from '@finexia/contracts/errors.ts';
import type { BankFileFormat, StatementBalanceCheck } from '@finexia/contracts/api.ts';

export interface StatementEntry {
  /** the line of the file the entry starts on */
  line: number;
  /** the file's own id for the transaction (OFX FITID, CAMT.053 account servicer reference) */
  fileId: string | null;
  /** YYYY-MM-DD */
  date: string;
  /** signed decimal text, negative = money out */
  amount: string;
  description: string;
}

/** A balance the file states, and the entries it should add up with. */
export interface StatedBalances {
  from: string | null;
  to: string;
  /** the balance before the statement's first entry, when the file says */
  opening: string | null;
  closing: string;
  /** the entries between the two (booked ones) */
  entries: StatementEntry[];
}

export interface BankStatement {
  format: Exclude<BankFileFormat, 'csv'>;
  account: { id: string | null; name: string | null; currency: string | null };
  entries: StatementEntry[];
  balances: StatedBalances[];
  /** entries read but not imported, and why (pending ones, for example) */
  skipped: { line: number; reason: string }[];
}

export type ReadStatement = { ok: true; statement: BankStatement } | { ok: false; errors: RowError[] };

/** A file that cannot be read at all: one error, on the line where that shows. */
export const fileError = (message: string, line = 1): ReadStatement => ({
  ok: false,
  errors: [{ line, field: '(file)', message }],
});

/** Walks a file's entries in order: each one's line, and a way to say what is wrong with it. */
export function entryCursor(file: string, entryTag: RegExp, errors: RowError[]) {
  const lines = linesOf(file, entryTag);
  let index = 0;
  return () => {
    const line = lines[index] ?? 1;
    index += 1;
    const entry = index;
    const bad = (field: string, message: string) =>
      errors.push({ line, field, message: `entry ${entry}: ${message}` });
    return { line, bad };
  };
}

/** The 1-based line each match of `pattern` starts on, in order. */
export function linesOf(text: string, pattern: RegExp): number[] {
  const lines: number[] = [];
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  const re = new RegExp(pattern.source, flags);
  let line = 1;
  let from = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = from; i < m.index; i += 1) if (text.charCodeAt(i) === 10) line += 1;
    from = m.index;
    lines.push(line);
  }
  return lines;
}

/** "-12.50", "12,50", "+1234.5" → exact decimal text; undefined when it is not an amount. */
export function statementAmount(text: string | undefined): string | undefined {
  const t = (text ?? '').trim().replace(/^\+/, '');
  if (!/^-?\d+([.,]\d+)?$/.test(t)) return undefined;
  return Decimal.tryParse(t.replace(',', '.'))?.toString();
}

/** YYYY-MM-DD when the text starts with a real calendar date as YYYYMMDD or YYYY-MM-DD. */
export function statementDate(text: string | undefined): string | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec((text ?? '').trim());
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return isRealDate(iso) ? iso : undefined;
}

/** Does opening + the entries make the closing balance? (a mismatch is shown, never hidden) */
export function checkBalances(stated: StatedBalances): StatementBalanceCheck {
  const sum = stated.entries.reduce((s, e) => s.add(Decimal.parse(e.amount)), Decimal.ZERO);
  const base = { from: stated.from, to: stated.to, closing: stated.closing, entries: sum.toString() };
  if (stated.opening === null)
    return {
      ...base,
      opening: null,
      status: 'unchecked',
      reason: 'the file states no opening balance',
    };
  const expected = Decimal.parse(stated.opening).add(sum);
  const matches = expected.eq(Decimal.parse(stated.closing));
  return {
    ...base,
    opening: stated.opening,
    status: matches ? 'matches' : 'mismatch',
    ...(matches
      ? {}
      : {
          reason: `opening ${stated.opening} plus the entries (${sum.toString()}) is ${expected.toString()}, not the closing ${stated.closing}`,
        }),
  };
}
