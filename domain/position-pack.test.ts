import { describe, expect, it } from 'vitest';
import { packPositions, unpackPositions } from './position-pack.ts';
import { positionsFrom } from './valuation.ts';

describe('position packs', () => {
  it('give back exactly the positions they were made of', () => {
    const byAccount = positionsFrom(
      [
        { publicId: 'checking', type: 'depository', currency: 'USD', current: '1520.35' },
        { publicId: 'card', type: 'credit', currency: 'EUR', current: '310.10' },
        { publicId: 'spot', type: 'investment', currency: 'USD', current: null },
        { publicId: 'home', type: 'property', currency: 'EUR', current: '420000' },
      ],
      [
        { accountId: 'spot', asset: 'BTC', quantity: '0.000000000000000001' },
        { accountId: 'spot', asset: 'ETH', quantity: '12.5' },
      ],
    );
    const back = unpackPositions(packPositions(byAccount));
    expect(back).toEqual(byAccount);
    expect(back?.get('card')).toEqual([
      { accountId: 'card', asset: 'EUR', quantity: '-310.1', assetClass: 'debt' },
    ]);
    // a home keeps its class through the pack (not cash, though it is valued in euros)
    expect(back?.get('home')).toEqual([
      { accountId: 'home', asset: 'EUR', quantity: '420000', assetClass: 'property' },
    ]);
  });

  it('pack a user with nothing as nothing', () => {
    expect(unpackPositions(packPositions(new Map()))).toEqual(new Map());
  });

  it('refuse a text they did not write, so the rows are read instead', () => {
    const good = packPositions(new Map([['a', [{ accountId: 'a', asset: 'BTC', quantity: '1' }]]]));
    for (const text of [
      '',
      'not json',
      '[]',
      good.replace('"f":1', '"f":2'),
      '{"f":1}',
      '{"f":1,"a":{"a":["BTC"]}}',
      '{"f":1,"a":{"a":["BTC",1]}}',
      '{"f":1,"a":{"a":["","1"]}}',
      '{"f":1,"a":{"a":["BTC","one"]}}',
      '{"f":1,"a":{"a":{"BTC":"1"}}}',
    ])
      expect(unpackPositions(text), text).toBeUndefined();
    expect(unpackPositions(good)).toBeDefined();
  });
});
