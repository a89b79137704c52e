// Bank files besides CSV: which format a file is (from its content, not its name), and its
// statement read into the one shape every import takes (domain/bank-files/statement.ts).
import type { BankFileFormat } from '@finexia/contracts/api.ts';
import { looksLikeCamt053, readCamt053 } from './camt.ts';
import { looksLikeOfx, readOfx } from './ofx.ts';
import { looksLikeQif, readQif } from './qif.ts';
import type { ReadStatement } from './statement.ts';

export { checkBalances, type BankStatement, type StatementEntry } from './statement.ts';

/** What a file is: its first kilobytes say (OFX headers, a QIF "!Type:", a CAMT.053 document). */
export function bankFileFormat(file: string): BankFileFormat {
  const head = file.slice(0, 4096).replace(/^\uFEFF/, '');
  if (looksLikeOfx(head)) return 'ofx';
  if (looksLikeQif(head)) return 'qif';
  if (looksLikeCamt053(head)) return 'camt053';
  return 'csv';
}

export function readBankFile(format: Exclude<BankFileFormat, 'csv'>, file: string): ReadStatement {
  switch (format) {
    case 'ofx':
      return readOfx(file);
    case 'qif':
      return readQif(file);
    case 'camt053':
      return readCamt053(file);
  }
}
