import { describe, expect, it } from 'vitest';
import { FIAT_CURRENCIES } from './portfolio.ts';
import { Decimal } from './money.ts';
import { positionsFrom, signedBalance, valuePositions } from './valuation.ts';

const units = (text: string) => Decimal.parse(text).units;
const usd = (valueUnits: bigint) => Decimal.fromUnits(valueUnits / 10n ** 18n).toString();

describe('signedBalance', () => {
  it('is the balance, negated for what is owed; an overpaid card is worth what it holds for you', () => {
    const account = (type: string, current: string | null) => ({
      publicId: 'a',
      type,
      currency: 'USD',
      current,
    });
    expect(signedBalance(account('depository', '1200.50'))?.toString()).toBe('1200.5');
    expect(signedBalance(account('credit', '300'))?.toString()).toBe('-300');
    expect(signedBalance(account('loan', '250000'))?.toString()).toBe('-250000');
    // Plaid: a credit account's negative balance is a credit in the holder's favour
    expect(signedBalance(account('credit', '-40.10'))?.toString()).toBe('40.1');
    expect(signedBalance(account('investment', '999'))).toBeNull();
    expect(signedBalance(account('depository', null))).toBeNull();
  });
});

describe('positionsFrom', () => {
  it('makes fiat balances positions in their currency, counts what is owed against you (as debt, not cash), and skips exchange accounts', () => {
    const byAccount = positionsFrom(
      [
        { publicId: 'chk', type: 'depository', currency: 'USD', current: '1200.50' },
        { publicId: 'card', type: 'credit', currency: 'USD', current: '300' },
        { publicId: 'mortgage', type: 'loan', currency: 'EUR', current: '1000' },
        { publicId: 'spot', type: 'investment', currency: 'USD', current: '999' },
        { publicId: 'empty', type: 'depository', currency: 'USD', current: null },
      ],
      [{ accountId: 'spot', asset: 'BTC', quantity: '0.5' }],
    );
    expect(Object.fromEntries(byAccount)).toEqual({
      chk: [{ accountId: 'chk', asset: 'USD', quantity: '1200.5' }],
      card: [{ accountId: 'card', asset: 'USD', quantity: '-300', assetClass: 'debt' }],
      mortgage: [{ accountId: 'mortgage', asset: 'EUR', quantity: '-1000', assetClass: 'debt' }],
      spot: [{ accountId: 'spot', asset: 'BTC', quantity: '0.5' }],
    });
  });
});

describe('valuePositions', () => {
  it('values every priced position, by account, asset and class, and leaves an unpriced one out of every total', () => {
    const positions = positionsFrom(
      [
        { publicId: 'chk', type: 'depository', currency: 'USD', current: '1000' },
        { publicId: 'card', type: 'credit', currency: 'USD', current: '250' },
        { publicId: 'eur', type: 'savings', currency: 'EUR', current: '100' },
      ],
      [
        { accountId: 'spot', asset: 'BTC', quantity: '0.5' },
        { accountId: 'spot', asset: 'USDT', quantity: '3090' },
        { accountId: 'spot', asset: 'NEWCOIN', quantity: '12' },
      ],
    );
    const prices: Record<string, string> = { USD: '1', EUR: '1.1', BTC: '90000', USDT: '0.9995' };
    const v = valuePositions(positions, (a) => (prices[a] ? units(prices[a]) : undefined), FIAT_CURRENCIES);
    // by hand: 1000 - 250 + 110 + 45000 + 3088.455 = 48948.455
    expect(usd(v.netWorth)).toBe('48948.455');
    expect(usd(v.byAccount.get('card')!)).toBe('-250');
    expect(usd(v.byAccount.get('spot')!)).toBe('48088.455');
    // the card owes in its own class: cash is what the person has
    expect(usd(v.byClass.cash)).toBe('1110');
    expect(usd(v.byClass.debt)).toBe('-250');
    expect(usd(v.byClass.stablecoin)).toBe('3088.455');
    expect(usd(v.byClass.crypto)).toBe('45000');
    expect(v.unpriced).toEqual([{ accountId: 'spot', asset: 'NEWCOIN', quantity: '12' }]);
    expect(v.byAsset.get('NEWCOIN')).toBe(0n);
  });
});
