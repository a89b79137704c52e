// Rules for transactions that need no I/O: how a provider's record merges with what we
// hold (a user's category always wins), how merchants are recognised, and list cursors.
import { Decimal } from './money.ts';
import type { BankTransaction } from './providers.ts';
import type { Category, CategorySource } from '@finexia/contracts/api.ts';

/** A provider's transaction as the adapters hand it over (the account is resolved separately). */
export type IncomingTransaction = Omit<BankTransaction, 'providerAccountId'>;

export interface HeldCategory {
  category: Category | null;
  categorySource: CategorySource;
}

export interface MergedFields {
  amount: string;
  amountE4: number;
  currency: string;
  date: string;
  authorizedDate: string | null;
  authorizedAt: string | null;
  name: string;
  merchant: string | null;
  pending: boolean;
  pendingTransactionId: string | null;
  providerCategory: Category | null;
  category: Category | null;
  categorySource: CategorySource;
}

/** amount × 10^4 as an exact integer (for sorting and range filters only). */
export function amountE4(amount: string): number {
  const value = Number(Decimal.parse(amount).toMinor(4));
  if (!Number.isSafeInteger(value)) throw new RangeError(`amount out of range: ${amount}`);
  return value;
}

/** "STARBUCKS #1234 " → "starbucks": the key under which a user's category choice is remembered. */
export function merchantKey(merchantOrName: string): string {
  return merchantOrName
    .toLowerCase()
    .replace(/[#*]\s*\d*/g, ' ')
    .replace(/\b\d{3,}\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The fields to store for a provider transaction. Category precedence: a user's own
 * choice on this transaction (or on the pending one it replaces) > a remembered rule for
 * the merchant > the provider's category.
 */
export function mergeProviderTransaction(
  incoming: IncomingTransaction,
  held: HeldCategory | undefined,
  pendingOrigin: HeldCategory | undefined,
  rule: Category | undefined,
): MergedFields {
  let category: Category | null = incoming.category;
  let categorySource: CategorySource = incoming.category ? 'provider' : 'none';
  if (rule) {
    category = rule;
    categorySource = 'rule';
  }
  const userChoice =
    held?.categorySource === 'user'
      ? held
      : pendingOrigin?.categorySource === 'user'
        ? pendingOrigin
        : undefined;
  if (userChoice) {
    category = userChoice.category;
    categorySource = 'user';
  }
  return {
    amount: Decimal.parse(incoming.amount).toString(),
    amountE4: amountE4(incoming.amount),
    currency: incoming.currency,
    date: incoming.date,
    authorizedDate: incoming.authorizedDate,
    authorizedAt: incoming.authorizedAt,
    name: incoming.name,
    merchant: incoming.merchantName,
    pending: incoming.pending,
    pendingTransactionId: incoming.pendingTransactionId,
    providerCategory: incoming.category,
    category,
    categorySource,
  };
}

export type SortKey = 'date' | 'amount';

export interface ListCursor {
  /** the sort value of the last item (date string or amountE4) */
  v: string | number;
  /** its _id, as a tie-breaker */
  id: string;
}

export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeListCursor(text: string, sort: SortKey): ListCursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      v?: unknown;
      id?: unknown;
    };
    if (typeof value.id !== 'string' || !/^[0-9a-f]{24}$/.test(value.id)) return undefined;
    if (sort === 'date' && (typeof value.v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value.v)))
      return undefined;
    if (sort === 'amount' && (typeof value.v !== 'number' || !Number.isSafeInteger(value.v)))
      return undefined;
    return { v: value.v as string | number, id: value.id };
  } catch {
    return undefined;
  }
}

/** Categories a user may pick (Plaid's personal-finance primaries). */
