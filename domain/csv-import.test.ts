import { describe, expect, it } from 'vitest';
import {
  knownCategory,
  importRowIds,
  parseAmount,
  parseCsv,
  parseDate,
  suggestMapping,
  validateRows,
  type ColumnMapping,
} from './csv-import.ts';

const csv = `Date,Description,Amount,Category
2026-01-02,Coffee,-3.50,Food
2026-01-02,Coffee,-3.50,Food
2026-01-03,Salary,"2,500.00",Income
`;

describe('CSV import', () => {
  it('parses, suggests a mapping, validates and ids rows', () => {
    const parsed = parseCsv(csv);
    if (!parsed.ok) throw new Error('parse failed');
    const mapping = suggestMapping(parsed.headers, parsed.rows) as ColumnMapping;
    expect(mapping).toMatchObject({
      date: 'Date',
      amount: 'Amount',
      description: 'Description',
      category: 'Category',
      dateFormat: 'YYYY-MM-DD',
    });
    const { rows, errors } = validateRows(parsed.headers, parsed.rows, mapping, 2);
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.amount)).toEqual(['-3.5', '-3.5', '2500']);
    const ids = importRowIds('w', 'a', rows);
    expect(new Set(ids).size).toBe(3); // two identical coffees are two purchases
    expect(importRowIds('w', 'a', rows)).toEqual(ids); // and the same on re-import
  });

  it('reports every bad row by line number and imports nothing', () => {
    const parsed = parseCsv(
      'Date,Description,Amount\n2026-13-01,Rent,-900\n2026-01-05,,12\n2026-01-06,Shop,twelve\n2026-01-07,Ok,1.999\n',
    );
    if (!parsed.ok) throw new Error('parse failed');
    const mapping: ColumnMapping = {
      date: 'Date',
      description: 'Description',
      amount: 'Amount',
      dateFormat: 'YYYY-MM-DD',
      decimalSeparator: '.',
      invertSign: false,
    };
    const { rows, errors } = validateRows(parsed.headers, parsed.rows, mapping, 2);
    expect(rows).toEqual([]);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'date'],
      [3, 'description'],
      [4, 'amount'],
      [5, 'amount'],
    ]);
  });

  it('handles debit/credit columns, European numbers and inverted signs', () => {
    const parsed = parseCsv(
      'Buchungstag;Text;Soll;Haben\n02.01.2026;Miete;1.200,00;\n03.01.2026;Gehalt;;3.000,50\n'.replace(
        /;/g,
        ',',
      ),
    );
    expect(parsed.ok).toBe(false); // commas inside numbers break a comma-separated file: a clear error, not a guess
    expect(parseAmount('1.200,00', ',')?.toString()).toBe('1200');
    expect(parseAmount('(12.50)', '.')?.toString()).toBe('-12.5');
    expect(parseAmount('$ 1,234.56', '.')?.toString()).toBe('1234.56');
    expect(parseAmount('1,2,3', '.')).toBeUndefined();
    const p2 = parseCsv('Date,Text,Debit,Credit\n01/02/2026,Rent,1200.00,\n01/03/2026,Pay,,3000.50\n');
    if (!p2.ok) throw new Error('parse failed');
    const m2 = suggestMapping(p2.headers, p2.rows) as ColumnMapping;
    expect(m2).toMatchObject({ debit: 'Debit', credit: 'Credit', dateFormat: 'MM/DD/YYYY' });
    const { rows } = validateRows(p2.headers, p2.rows, m2, 2);
    expect(rows.map((r) => [r.date, r.amount])).toEqual([
      ['2026-01-02', '-1200'],
      ['2026-01-03', '3000.5'],
    ]);
  });

  it('rejects impossible dates and malformed files', () => {
    expect(parseDate('2026-02-30', 'YYYY-MM-DD')).toBeUndefined();
    expect(parseDate('31.12.2025', 'DD.MM.YYYY')).toBe('2025-12-31');
    expect(parseCsv('')).toMatchObject({ ok: false });
    expect(parseCsv('a,b\n1,2,3\n')).toMatchObject({ ok: false });
    expect(parseCsv('a,a\n1,2\n')).toMatchObject({ ok: false });
    expect(parseCsv('Date,Amount\n')).toMatchObject({ ok: false });
  });

  it('takes an imported category that names one of ours, and leaves any other as a note', () => {
    expect(knownCategory('Income')).toEqual({ primary: 'INCOME', detailed: 'INCOME_OTHER' });
    expect(knownCategory(' food and drink ')).toEqual({
      primary: 'FOOD_AND_DRINK',
      detailed: 'FOOD_AND_DRINK_OTHER',
    });
    expect(knownCategory('TRANSFER_OUT')?.primary).toBe('TRANSFER_OUT');
    expect(knownCategory('Groceries')).toBeNull();
    expect(knownCategory(null)).toBeNull();
  });
});
