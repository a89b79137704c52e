// QIF (Quicken Interchange Format) bank, cash and card files, read line by line. Written here
// rather than taken from npm: the QIF packages there read "T-1,234.56" with parseFloat (as -1)
// and carry no line numbers. A record is a run of lines, each a code letter and a value, ended
// by "^"; "!Type:" says what the records are. QIF has no ids and no stated balance, except the
// "Opening Balance" record Quicken writes first, which is a balance, not a transaction.
import { parseAmount } from '../csv-import.ts';
import { isRealDate } from '../dates.ts';
import type { RowError } from '@finexia/contracts/errors.ts';
import { fileError, type BankStatement, type ReadStatement, type StatementEntry } from './statement.ts';

export const looksLikeQif = (head: string) => /^\s*!(Type|Account|Option)/i.test(head);

const CASH_TYPES = /^!Type:(Bank|Cash|CCard|Oth A|Oth L)\s*$/i;

interface QifRecord {
  line: number;
  fields: Map<string, string>;
}

export function readQif(file: string): ReadStatement {
  const lines = file.replace(/^\uFEFF/, '').split(/\r?\n/);
  const records: QifRecord[] = [];
  let type: string | undefined;
  let inAccountBlock = false;
  let current: QifRecord | undefined;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('!')) {
      inAccountBlock = /^!Account/i.test(line);
      if (/^!Type:/i.test(line)) {
        type = line;
        if (/^!Type:(Invst|Cat|Class|Memorized)/i.test(line) || !CASH_TYPES.test(line))
          return fileError(
            `"${line}" records are not bank transactions (Bank, Cash, CCard, Oth A, Oth L are)`,
            i + 1,
          );
      }
      continue;
    }
    if (inAccountBlock) continue;
    if (line === '^') {
      if (current) records.push(current);
      current = undefined;
      continue;
    }
    current ??= { line: i + 1, fields: new Map() };
    const code = line[0] as string;
    // splits (S, E, $) detail one transaction's categories; its total is T
    if (!current.fields.has(code)) current.fields.set(code, line.slice(1).trim());
  }
  if (current) records.push(current);
  if (!type) return fileError('a QIF file starts with a "!Type:" line', 1);
  if (!records.length) return fileError('the file has no transactions', 2);

  const order = dateOrder(records.map((r) => r.fields.get('D') ?? ''));
  const comma = records.some((r) => /\d,\d{1,2}$/.test(r.fields.get('T') ?? r.fields.get('U') ?? ''));
  const errors: RowError[] = [];
  const statement: BankStatement = {
    format: 'qif',
    account: { id: null, name: null, currency: null },
    entries: [],
    balances: [],
    skipped: [],
  };
  let opening: { date: string; amount: string } | undefined;
  for (const [n, r] of records.entries()) {
    const f = (code: string) => r.fields.get(code) ?? '';
    const bad = (field: string, message: string) =>
      errors.push({ line: r.line, field, message: `entry ${n + 1}: ${message}` });
    const date = qifDate(f('D'), order);
    const amount = parseAmount(f('T') || f('U'), comma ? ',' : '.')?.toString();
    const description = [f('P'), f('M') && f('M') !== f('P') ? f('M') : ''].filter(Boolean).join(' ');
    if (!date) bad('D', `"${f('D')}" is not a date`);
    if (!amount) bad('T', `"${f('T') || f('U')}" is not an amount`);
    if (!description) bad('P', 'has neither a payee (P) nor a memo (M)');
    if (description.length > 300) bad('P', 'payee and memo are longer than 300 characters');
    if (!date || !amount || !description || description.length > 300) continue;
    // Quicken's first record: the account's balance before everything after it
    if (n === 0 && /^opening balance$/i.test(f('P'))) {
      opening = { date, amount };
      statement.account.name = /^\[(.+)\]$/.exec(f('L'))?.[1] ?? null;
      continue;
    }
    statement.entries.push({
      line: r.line,
      fileId: null,
      date,
      amount,
      description,
    } satisfies StatementEntry);
  }
  if (errors.length) return { ok: false, errors };
  if (opening)
    statement.skipped.push({
      line: records[0]?.line ?? 1,
      reason: `opening balance ${opening.amount} on ${opening.date}`,
    });
  return { ok: true, statement };
}

type DateOrder = 'MDY' | 'DMY' | 'YMD';

/** The file's one date order: a day above 12 says which; US Quicken's month first otherwise. */
function dateOrder(dates: string[]): DateOrder {
  const parts = dates.map(splitDate).filter((p): p is [number, number, number] => p !== undefined);
  if (parts.some(([a]) => a > 31)) return 'YMD';
  if (parts.some(([a]) => a > 12)) return 'DMY';
  return 'MDY';
}

/** "12/31/2025", "12/31'25", " 1/ 5'26", "31.12.2025", "2025-12-31" → numbers in file order */
function splitDate(text: string): [number, number, number] | undefined {
  const m = /^\s*(\d{1,4})\s*[/.-]\s*(\d{1,2})\s*(?:[/.-]|'|’)\s*(\d{1,4})\s*$/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function qifDate(text: string, order: DateOrder): string | undefined {
  const p = splitDate(text);
  if (!p) return undefined;
  const [year, m, d] = order === 'YMD' ? p : order === 'DMY' ? [p[2], p[1], p[0]] : [p[2], p[0], p[1]];
  // two-digit years (and Quicken's '25 for 2025): this century
  const y = year < 100 ? year + 2000 : year;
  const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isRealDate(iso) ? iso : undefined;
}
