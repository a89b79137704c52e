// OFX and QFX (1.x SGML and 2.x XML) bank and credit-card statements, read with ofx-js (it turns
// 1.x SGML into XML and parses both; we read only the statement's fields, as strings).
import { parseSync } from 'ofx-js';
import {
  entryCursor,
  fileError,
  statementAmount,
  statementDate,
  type BankStatement,
  type ReadStatement,
  type StatementEntry,
} from './statement.ts';
import type { RowError } from '@finexia/contracts/errors.ts';
import { at, many, text, type Node } from './nodes.ts';

export const looksLikeOfx = (head: string) => /OFXHEADER|<OFX>/i.test(head);

export function readOfx(file: string): ReadStatement {
  let root: Node;
  try {
    root = parseSync(dropEmptyLeaves(file)).OFX as Node;
  } catch (err) {
    return fileError(`not a readable OFX file (${(err as Error).message})`);
  }
  // bank accounts and credit cards answer in their own message sets
  const statements = [
    ...many(at(root, 'BANKMSGSRSV1', 'STMTTRNRS')).map((r) => ({
      rs: at(r, 'STMTRS'),
      from: 'BANKACCTFROM',
    })),
    ...many(at(root, 'CREDITCARDMSGSRSV1', 'CCSTMTTRNRS')).map((r) => ({
      rs: at(r, 'CCSTMTRS'),
      from: 'CCACCTFROM',
    })),
  ].filter((s) => s.rs !== undefined);
  if (!statements.length) return fileError('the file holds no bank or credit-card statement');
  const accounts = [...new Set(statements.map((s) => text(at(s.rs, s.from, 'ACCTID')) ?? ''))];
  if (accounts.length > 1)
    return fileError(
      `the file holds statements of ${accounts.length} accounts (${accounts.map(lastFour).join(', ')}); import each account's file into its own wallet`,
    );
  const errors: RowError[] = [];
  const nextEntry = entryCursor(file, /<STMTTRN>/i, errors);
  const statement: BankStatement = {
    format: 'ofx',
    account: {
      id: accounts[0] || null,
      name: null,
      currency: text(at(statements[0]?.rs, 'CURDEF')) ?? null,
    },
    entries: [],
    balances: [],
    skipped: [],
  };
  for (const { rs } of statements) {
    const list = at(rs, 'BANKTRANLIST');
    const entries: StatementEntry[] = [];
    for (const trn of many(at(list, 'STMTTRN'))) {
      const { line, bad } = nextEntry();
      const date = statementDate(text(at(trn, 'DTPOSTED')));
      const amount = statementAmount(text(at(trn, 'TRNAMT')));
      const fileId = text(at(trn, 'FITID')) ?? null;
      const name = text(at(trn, 'NAME')) ?? text(at(trn, 'PAYEE', 'NAME'));
      const memo = text(at(trn, 'MEMO'));
      const description = [name, memo && memo !== name ? memo : undefined].filter(Boolean).join(' ').trim();
      if (!date) bad('DTPOSTED', `"${text(at(trn, 'DTPOSTED')) ?? ''}" is not a date (YYYYMMDD…)`);
      if (!amount) bad('TRNAMT', `"${text(at(trn, 'TRNAMT')) ?? ''}" is not an amount`);
      if (!fileId) bad('FITID', 'has no transaction id (FITID), which OFX requires');
      if (!description) bad('NAME', 'has neither a NAME nor a MEMO');
      if (description.length > 300) bad('NAME', 'NAME and MEMO are longer than 300 characters');
      if (date && amount && fileId && description && description.length <= 300)
        entries.push({ line, fileId, date, amount, description });
    }
    statement.entries.push(...entries);
    const closing = statementAmount(text(at(rs, 'LEDGERBAL', 'BALAMT')));
    const asOf = statementDate(text(at(rs, 'LEDGERBAL', 'DTASOF')));
    if (closing && asOf)
      statement.balances.push({
        from: statementDate(text(at(list, 'DTSTART'))) ?? null,
        to: asOf,
        opening: null,
        closing,
        entries,
      });
  }
  if (errors.length) return { ok: false, errors };
  if (!statement.entries.length && !statement.balances.length)
    return fileError('the statement has no transactions');
  return { ok: true, statement };
}

/**
 * In 1.x SGML a leaf has no closing tag, so an empty one ("<MEMO>" and nothing) looks to ofx-js
 * like an aggregate that never closes, and the whole file fails. Banks do write them: drop every
 * tag that has no value and is never closed (lines stay where they were).
 */
function dropEmptyLeaves(file: string): string {
  if (/<\?xml|<\?OFX/i.test(file.slice(0, 1024))) return file;
  const closed = new Set([...file.matchAll(/<\/([\w.]+)>/g)].map((m) => (m[1] as string).toUpperCase()));
  return file.replace(/<([\w.]+)>[ \t]*(?=\r?\n|<)/g, (tag, name: string) =>
    closed.has(name.toUpperCase()) ? tag : '',
  );
}

const lastFour = (id: string) => (id.length > 4 ? `…${id.slice(-4)}` : id || '(no number)');
