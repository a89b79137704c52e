// CSV import, the parts without I/O: parse, suggest a column mapping, and validate every
// row — reporting each bad row by its line number — before anything is stored.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Decimal } from './money.ts';
import type { RowError } from '@finexia/contracts/errors.ts';
import {
  CATEGORY_PRIMARIES,
  DATE_FORMATS,
  type Category,
  type CategoryPrimary,
  type DateFormat,
  type ImportMapping,
} from '@finexia/contracts/api.ts';

/** A mapping as the import applies it (the sign is inverted or not). */
export type ColumnMapping = Omit<ImportMapping, 'invertSign'> & { invertSign: boolean };

export interface ImportRow {
  line: number;
  date: string;
  amount: string;
  description: string;
  category: string | null;
}

export const MAX_CSV_BYTES = 2 * 1024 * 1024;
export const MAX_CSV_ROWS = 20_000;

export type ParsedCsv = { ok: true; headers: string[]; rows: string[][] } | { ok: false; errors: RowError[] };

export function parseCsv(text: string): ParsedCsv {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_quotes: false,
    }) as string[][];
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    return {
      ok: false,
      errors: [
        {
          line: e.lines ?? 1,
          field: '(file)',
          message: (e.message ?? 'not a valid CSV file').replace(/^Invalid Record Length: /, ''),
        },
      ],
    };
  }
  const [headers, ...rows] = records;
  if (!headers || !headers.length)
    return { ok: false, errors: [{ line: 1, field: '(file)', message: 'the file is empty' }] };
  if (new Set(headers).size !== headers.length)
    return { ok: false, errors: [{ line: 1, field: '(header)', message: 'column names must be unique' }] };
  if (!rows.length)
    return {
      ok: false,
      errors: [{ line: 2, field: '(file)', message: 'the file has a header but no rows' }],
    };
  if (rows.length > MAX_CSV_ROWS)
    return {
      ok: false,
      errors: [
        { line: MAX_CSV_ROWS + 2, field: '(file)', message: `at most ${MAX_CSV_ROWS} rows per import` },
      ],
    };
  return { ok: true, headers, rows };
}

export function suggestMapping(headers: string[], sample: string[][]): Partial<ColumnMapping> {
  const find = (pattern: RegExp) => headers.find((h) => pattern.test(h.toLowerCase()));
  const mapping: Partial<ColumnMapping> = { decimalSeparator: '.', invertSign: false };
  const date = find(/date|posted|booking/);
  if (date) mapping.date = date;
  const amount = find(/^amount|amount$|value|sum|betrag/);
  const debit = find(/debit|withdrawal|out/);
  const credit = find(/credit|deposit|^in$/);
  if (amount) mapping.amount = amount;
  else if (debit && credit) Object.assign(mapping, { debit, credit });
  const description = find(/desc|memo|payee|merchant|name|details|text/);
  if (description) mapping.description = description;
  const category = find(/categ/);
  if (category) mapping.category = category;
  if (date) {
    const index = headers.indexOf(date);
    const values = sample.map((r) => r[index] ?? '');
    mapping.dateFormat =
      DATE_FORMATS.find((f) => values.every((v) => parseDate(v, f) !== undefined)) ?? 'YYYY-MM-DD';
  }
  if (amount) {
    const index = headers.indexOf(amount);
    if (sample.some((r) => /^-?[\d.]*\d,\d{1,2}$/.test((r[index] ?? '').replace(/\s/g, ''))))
      mapping.decimalSeparator = ',';
  }
  return mapping;
}

export function parseDate(text: string, format: DateFormat): string | undefined {
  const patterns: Record<DateFormat, RegExp> = {
    'YYYY-MM-DD': /^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})$/,
    'MM/DD/YYYY': /^(?<m>\d{1,2})\/(?<d>\d{1,2})\/(?<y>\d{4})$/,
    'DD/MM/YYYY': /^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{4})$/,
    'DD.MM.YYYY': /^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4})$/,
  };
  const g = patterns[format].exec(text.trim())?.groups;
  if (!g) return undefined;
  const iso = `${g.y}-${(g.m ?? '').padStart(2, '0')}-${(g.d ?? '').padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === iso ? iso : undefined;
}

/** "1,234.56", "(12.50)", "$ 9.99", "-1.234,56" (with ',' as decimal separator) → Decimal. */
export function parseAmount(text: string, decimalSeparator: '.' | ','): Decimal | undefined {
  let t = text.trim();
  if (!t) return undefined;
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1);
  }
  t = t.replace(/[\s$€£¥]|[A-Z]{3}/g, '');
  if (t.startsWith('-')) {
    negative = !negative;
    t = t.slice(1);
  } else if (t.startsWith('+')) t = t.slice(1);
  const thousands = decimalSeparator === '.' ? ',' : '.';
  if (
    !new RegExp(
      `^\\d{1,3}(\\${thousands}\\d{3})*(\\${decimalSeparator}\\d+)?$|^\\d+(\\${decimalSeparator}\\d+)?$`,
    ).test(t)
  )
    return undefined;
  t = t.split(thousands).join('').replace(decimalSeparator, '.');
  const value = Decimal.tryParse(t);
  return value && (negative ? value.neg() : value);
}

export function validateRows(
  headers: string[],
  rows: string[][],
  mapping: ColumnMapping,
  currencyDigits: number,
): { rows: ImportRow[]; errors: RowError[] } {
  const errors: RowError[] = [];
  const column = (name: string | undefined) => (name === undefined ? -1 : headers.indexOf(name));
  const mappingErrors: RowError[] = [];
  for (const [field, name] of Object.entries({
    date: mapping.date,
    description: mapping.description,
    amount: mapping.amount,
    debit: mapping.debit,
    credit: mapping.credit,
    category: mapping.category,
  })) {
    if (name !== undefined && column(name) < 0)
      mappingErrors.push({ line: 1, field, message: `column "${name}" is not in the file` });
  }
  if (mapping.amount === undefined && (mapping.debit === undefined || mapping.credit === undefined))
    mappingErrors.push({
      line: 1,
      field: 'amount',
      message: 'map either an amount column or both debit and credit columns',
    });
  if (mappingErrors.length) return { rows: [], errors: mappingErrors };

  const out: ImportRow[] = [];
  rows.forEach((cells, i) => {
    const line = i + 2;
    const cell = (name: string | undefined) => (name === undefined ? '' : (cells[column(name)] ?? '').trim());
    const date = parseDate(cell(mapping.date), mapping.dateFormat);
    if (!date)
      errors.push({
        line: line,
        field: 'date',
        message: `"${cell(mapping.date).slice(0, 40)}" is not a ${mapping.dateFormat} date`,
      });
    let amount: Decimal | undefined;
    if (mapping.amount !== undefined) {
      amount = parseAmount(cell(mapping.amount), mapping.decimalSeparator);
      if (!amount)
        errors.push({
          line: line,
          field: 'amount',
          message: `"${cell(mapping.amount).slice(0, 40)}" is not an amount`,
        });
    } else {
      const debitText = cell(mapping.debit);
      const creditText = cell(mapping.credit);
      const debit = debitText ? parseAmount(debitText, mapping.decimalSeparator) : Decimal.ZERO;
      const credit = creditText ? parseAmount(creditText, mapping.decimalSeparator) : Decimal.ZERO;
      if (!debit || !credit || (!debitText && !creditText))
        errors.push({ line: line, field: 'amount', message: 'debit/credit must hold one amount' });
      else amount = credit.abs().sub(debit.abs());
    }
    if (amount && mapping.invertSign) amount = amount.neg();
    if (amount && !amount.round(currencyDigits).eq(amount))
      errors.push({ line: line, field: 'amount', message: `has more than ${currencyDigits} decimal places` });
    const description = cell(mapping.description);
    if (!description) errors.push({ line: line, field: 'description', message: 'is empty' });
    if (description.length > 300)
      errors.push({ line: line, field: 'description', message: 'is longer than 300 characters' });
    const category = mapping.category !== undefined ? cell(mapping.category) || null : null;
    if (date && amount && description && description.length <= 300)
      out.push({ line, date, amount: amount.toString(), description, category });
  });
  return { rows: errors.length ? [] : out, errors };
}

/**
 * A stable id per row so that importing the same file again adds nothing: the row's
 * content plus how many identical rows came before it in the file.
 */
/**
 * An imported category that names one of ours ("Income", "food and drink", "FOOD_AND_DRINK")
 * is that category (so income, transfers and spending are told apart as in bank data);
 * anything else is kept only as a note.
 */
export function knownCategory(text: string | null): Category | null {
  if (!text) return null;
  const name = text
    .trim()
    .toUpperCase()
    .replace(/[\s&-]+/g, '_');
  const primary = CATEGORY_PRIMARIES.find((c) => c === name) as CategoryPrimary | undefined;
  return primary ? { primary, detailed: `${primary}_OTHER` } : null;
}

export function importRowIds(walletId: string, accountId: string, rows: ImportRow[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const content = [walletId, accountId, r.date, r.amount, r.description.toLowerCase()].join('\u0000');
    const n = (seen.get(content) ?? 0) + 1;
    seen.set(content, n);
    return 'csv:' + createHash('sha256').update(`${content}\u0000${n}`).digest('hex').slice(0, 32);
  });
}
