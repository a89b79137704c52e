// What a bank statement's description says, for files that carry nothing else (most exports:
// date, description, amount). Banks print a payment type first (UK: CARD/POS with the card's last
// digits, DD direct debit, SO standing order, FPI/BGC money in, FPO/BP money out, TFR transfer),
// then the other party, then references, store numbers, towns and, abroad, the foreign amount and
// rate. From that: who the other party is (the same name every month, whatever the reference),
// and what kind of money it is (income, a transfer, cash, a fee, a bill, spending abroad), so a
// statement file is told apart as bank data is.
import type { CategoryPrimary } from '@finexia/contracts/api.ts';

export interface StatementLine {
  /** the other party, without codes, references or numbers ("TESCO STORES"), or null when none is left */
  merchant: string | null;
  /** what kind of money it is, when the line says (null: ordinary spending, or unknown) */
  category: CategoryPrimary | null;
}

/**
 * Payment-type codes that open a line, and what they say. Not "BP" (a bill payment at some banks,
 * and a petrol brand) nor "CR": a merchant's own name must not be read as a code.
 */
const CODES: Record<string, 'card' | 'debit' | 'standing' | 'in' | 'out' | 'transfer' | 'cash'> = {
  CARD: 'card',
  CPT: 'card',
  POS: 'card',
  VIS: 'card',
  DEB: 'card',
  DD: 'debit',
  DDR: 'debit',
  SO: 'standing',
  STO: 'standing',
  FPI: 'in',
  BGC: 'in',
  FPO: 'out',
  BACS: 'out',
  TFR: 'transfer',
  TRF: 'transfer',
  TRANSFER: 'transfer',
  ATM: 'cash',
  CASH: 'cash',
};
const CASH = /\b(ATM|CASH ?POINT|CASH MACHINE|NOTEMACHINE|CASH WITHDRAWAL|LINK ATM)\b/;
const TRANSFER = /\b(TFR|TRF|TRANSFER|TO SAVINGS|FROM SAVINGS|OWN ACCOUNT|FROM CURRENT|TO CURRENT)\b/;
const PAY = /\b(SALARY|PAYROLL|WAGES|PENSION)\b/;
const FEE = /\b(NON-STERLING|NON STERLING|TRANSACTION FEE|OVERDRAFT|ACCOUNT FEE|INTEREST CHARGE)\b/;
/** a foreign amount and rate, as printed for a card payment abroad ("EUR 45.20 @ 1.1632") */
const FOREIGN = /\b[A-Z]{3} \d+[.,]\d{2}( @ ?\d+[.,]\d+)?/i;
const REFUND = /^(REFUND|REFUND FROM|RFD)\b/i;

export function readStatementLine(description: string, amount: number): StatementLine {
  // the merchant keeps the file's own letters ("Green Grocer"); codes are read in capitals
  let text = description.replace(/\s+/g, ' ').trim();
  const code = CODES[(text.split(' ')[0] ?? '').toUpperCase()];
  if (code && text.includes(' ')) text = text.slice(text.indexOf(' ') + 1);
  const refund = REFUND.test(text);
  if (refund) text = text.replace(REFUND, '');
  const foreign = FOREIGN.test(text);
  const merchant =
    text
      .replace(FOREIGN, ' ')
      // references and what follows them
      .replace(/\b(REF|REFERENCE|MANDATE)\b.*$/i, ' ')
      // card numbers, store numbers, dates (12NOV), sort codes, references: any token with a digit
      .replace(/\S*\d\S*/g, ' ')
      .replace(/[*#]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim() || null;
  return {
    merchant: merchant && (code === 'standing' || code === 'out') ? initialsLast(merchant) : merchant,
    category: categoryOf(text.toUpperCase(), code, amount, { refund, foreign }),
  };
}

function categoryOf(
  text: string,
  code: (typeof CODES)[string] | undefined,
  amount: number,
  { refund, foreign }: { refund: boolean; foreign: boolean },
): CategoryPrimary | null {
  if (code === 'cash' || CASH.test(text)) return amount < 0 ? 'TRANSFER_OUT' : 'TRANSFER_IN';
  if (code === 'transfer' || TRANSFER.test(text)) return amount < 0 ? 'TRANSFER_OUT' : 'TRANSFER_IN';
  if (FEE.test(text)) return 'BANK_FEES';
  if (amount > 0 && !refund && (PAY.test(text) || code === 'in')) return 'INCOME';
  // a bill paid by direct debit or standing order (a service, insurance, rent)
  if (amount < 0 && (code === 'debit' || code === 'standing')) return 'GENERAL_SERVICES';
  if (amount < 0 && foreign) return 'TRAVEL';
  return null;
}

/** A person paid by name is printed "J SMITH" one month and "SMITH J" the next: initials go last. */
function initialsLast(name: string): string {
  const words = name.split(' ');
  return [...words.filter((w) => w.length > 1), ...words.filter((w) => w.length === 1)].join(' ');
}
