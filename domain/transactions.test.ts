import { describe, expect, it } from 'vitest';
import {
  amountE4,
  decodeListCursor,
  encodeListCursor,
  merchantKey,
  mergeProviderTransaction,
  type IncomingTransaction,
} from './transactions.ts';

const incoming: IncomingTransaction = {
  providerTransactionId: 't1',
  amount: '-12.50',
  currency: 'USD',
  date: '2026-01-02',
  authorizedDate: null,
  authorizedAt: null,
  name: 'STARBUCKS #123',
  merchantName: 'Starbucks',
  pending: false,
  pendingTransactionId: null,
  category: { primary: 'FOOD_AND_DRINK', detailed: 'FOOD_AND_DRINK_COFFEE' },
};
const mine = { primary: 'ENTERTAINMENT', detailed: 'ENTERTAINMENT_OTHER' };

describe('mergeProviderTransaction', () => {
  it('takes the provider’s category when nothing else is known', () => {
    const m = mergeProviderTransaction(incoming, undefined, undefined, undefined);
    expect(m).toMatchObject({
      amount: '-12.5',
      amountE4: -125000,
      categorySource: 'provider',
      category: incoming.category,
    });
  });
  it('prefers a remembered merchant rule over the provider', () => {
    expect(mergeProviderTransaction(incoming, undefined, undefined, mine)).toMatchObject({
      category: mine,
      categorySource: 'rule',
    });
  });
  it('never overwrites a user’s own choice, also when the pending transaction posts', () => {
    const held = { category: mine, categorySource: 'user' as const };
    expect(mergeProviderTransaction(incoming, held, undefined, undefined)).toMatchObject({
      category: mine,
      categorySource: 'user',
    });
    expect(mergeProviderTransaction(incoming, undefined, held, undefined)).toMatchObject({
      category: mine,
      categorySource: 'user',
    });
    // the provider's own category is still kept for reference
    expect(mergeProviderTransaction(incoming, held, undefined, undefined).providerCategory).toEqual(
      incoming.category,
    );
  });
});

describe('helpers', () => {
  it('scales amounts exactly', () => {
    expect(amountE4('1234.5678')).toBe(12345678);
    expect(amountE4('-0.01')).toBe(-100);
  });
  it('recognises merchants', () => {
    expect(merchantKey('STARBUCKS #1234 ')).toBe('starbucks');
    expect(merchantKey('Uber   *Trip')).toBe('uber trip');
  });
  it('round-trips list cursors and rejects forged ones', () => {
    const c = encodeListCursor({ v: '2026-01-02', id: 'a'.repeat(24) });
    expect(decodeListCursor(c, 'date')).toEqual({ v: '2026-01-02', id: 'a'.repeat(24) });
    expect(decodeListCursor(c, 'amount')).toBeUndefined();
    expect(decodeListCursor('garbage', 'date')).toBeUndefined();
    expect(decodeListCursor(encodeListCursor({ v: '2026-01-02', id: '{"$gt":""}' }), 'date')).toBeUndefined();
  });
});
