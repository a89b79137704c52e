// ISO 20022 CAMT.053 bank-to-customer statements (any version: tags are read without their
// namespace), parsed with fast-xml-parser. Booked entries are imported; pending ones are shown
// as skipped. The opening (OPBD, else PRCD) and closing (CLBD) booked balances check the entries.
import { XMLParser } from 'fast-xml-parser';
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
import { Decimal } from '../money.ts';

export const looksLikeCamt053 = (head: string) => /camt\.053|BkToCstmrStmt/.test(head);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // amounts and references stay text: "0012" and "1.10" are not numbers to round
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  isArray: (name) => ['Stmt', 'Bal', 'Ntry', 'TxDtls', 'Ustrd'].includes(name),
});

export function readCamt053(file: string): ReadStatement {
  let root: Node;
  try {
    root = parser.parse(file, true) as Node;
  } catch (err) {
    return fileError(`not a readable XML file (${(err as Error).message.split('\n')[0]})`);
  }
  const statements = many(at(root, 'Document', 'BkToCstmrStmt', 'Stmt'));
  if (!statements.length)
    return fileError('the file holds no CAMT.053 statement (Document/BkToCstmrStmt/Stmt)');
  const accountOf = (stmt: Node) =>
    text(at(stmt, 'Acct', 'Id', 'IBAN')) ?? text(at(stmt, 'Acct', 'Id', 'Othr', 'Id')) ?? '';
  const accounts = [...new Set(statements.map(accountOf))];
  if (accounts.length > 1)
    return fileError(
      `the file holds statements of ${accounts.length} accounts; import each account's statements into its own wallet`,
    );
  const errors: RowError[] = [];
  const nextEntry = entryCursor(file, /<(\w+:)?Ntry>/, errors);
  const statement: BankStatement = {
    format: 'camt053',
    account: {
      id: accounts[0] || null,
      name: text(at(statements[0], 'Acct', 'Nm')) ?? null,
      currency: text(at(statements[0], 'Acct', 'Ccy')) ?? null,
    },
    entries: [],
    balances: [],
    skipped: [],
  };
  for (const stmt of statements) {
    const booked: StatementEntry[] = [];
    for (const ntry of many(at(stmt, 'Ntry'))) {
      const { line, bad } = nextEntry();
      // Sts is a code up to version 7 and an element holding Cd from version 8
      const status = text(at(ntry, 'Sts', 'Cd')) ?? text(at(ntry, 'Sts'));
      const date = statementDate(text(at(ntry, 'BookgDt', 'Dt')) ?? text(at(ntry, 'BookgDt', 'DtTm')));
      const amount = signed(ntry);
      const description = describe(ntry);
      if (status !== 'BOOK') {
        statement.skipped.push({
          line,
          reason: `${status === 'PDNG' ? 'pending' : `status ${status ?? 'missing'}`}: not booked yet`,
        });
        continue;
      }
      if (!date) bad('BookgDt', 'has no booking date');
      if (!amount)
        bad(
          'Amt',
          `"${text(at(ntry, 'Amt')) ?? ''}" with "${text(at(ntry, 'CdtDbtInd')) ?? ''}" is not an amount`,
        );
      if (!description) bad('RmtInf', 'names no party and carries no remittance or entry information');
      if (!date || !amount || !description) continue;
      booked.push({ line, fileId: entryId(ntry), date, amount, description: description.slice(0, 300) });
    }
    statement.entries.push(...booked);
    const balance = (code: string) =>
      many(at(stmt, 'Bal')).find((b) => text(at(b, 'Tp', 'CdOrPrtry', 'Cd')) === code);
    const opening = balance('OPBD') ?? balance('PRCD');
    const closing = balance('CLBD');
    const closingAmount = closing && signed(closing);
    if (closing && closingAmount)
      statement.balances.push({
        from:
          statementDate(text(at(stmt, 'FrToDt', 'FrDtTm'))) ??
          (opening ? dateOf(opening) : undefined) ??
          null,
        to: dateOf(closing) ?? statementDate(text(at(stmt, 'FrToDt', 'ToDtTm'))) ?? '',
        opening: (opening ? signed(opening) : undefined) ?? null,
        closing: closingAmount,
        entries: booked,
      });
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, statement };
}

/** An entry's or a balance's amount with its sign: Amt is unsigned, CdtDbtInd says which way. */
function signed(node: Node): string | undefined {
  const amount = statementAmount(text(at(node, 'Amt')));
  const way = text(at(node, 'CdtDbtInd'));
  if (!amount || (way !== 'CRDT' && way !== 'DBIT')) return undefined;
  return way === 'DBIT' ? Decimal.parse(amount).neg().toString() : amount;
}

const dateOf = (bal: Node) => statementDate(text(at(bal, 'Dt', 'Dt')) ?? text(at(bal, 'Dt', 'DtTm')));

/** The bank's own reference for the entry: unique across its statements (NtryRef is only within one). */
function entryId(ntry: Node): string | null {
  const candidates = [
    text(at(ntry, 'AcctSvcrRef')),
    text(at(ntry, 'NtryDtls', 'TxDtls', 'Refs', 'AcctSvcrRef')),
  ];
  return candidates.find((c) => c && c !== 'NOTPROVIDED') ?? null;
}

/** The other party (the creditor of money out, the debtor of money in) and what the payment says. */
function describe(ntry: Node): string {
  const tx = at(ntry, 'NtryDtls', 'TxDtls');
  const out = text(at(ntry, 'CdtDbtInd')) === 'DBIT';
  const side = out ? 'Cdtr' : 'Dbtr';
  // up to version 7 the party is RltdPties/Cdtr/Nm; from version 8, RltdPties/Cdtr/Pty/Nm
  const party = text(at(tx, 'RltdPties', side, 'Nm')) ?? text(at(tx, 'RltdPties', side, 'Pty', 'Nm'));
  const remittance = many(at(tx, 'RmtInf', 'Ustrd'))
    .map(text)
    .filter(Boolean)
    .join(' ');
  const info = text(at(tx, 'AddtlTxInf')) ?? text(at(ntry, 'AddtlNtryInf'));
  return [party, remittance || info].filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
}
