// Things a person owns, on the service tier (the wallets service, the real database): a home
// linked to its mortgage shows its equity, a car loses value month by month by its rate, a
// valuation restarts the schedule, bad terms are refused and change nothing. Figures by hand and
// from the truth oracle's exact arithmetic, never from the schedule code itself.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, startServices, type TestNode } from '../helpers/node.ts';
import type { BalanceHistory, WalletList, WalletView } from '@finexia/contracts/api.ts';
import { Wallet, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { refreshScheduledBalances } from '../../services/wallets/schedules.ts';
import { depreciated } from '../oracle/exact.ts';

let node: TestNode;
const user = { id: randomUUID() };
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  node = await startServices(['wallets', 'transactions']);
});

afterAll(async () => {
  await node?.stop();
});

const create = (params: object) => callAs<WalletView>(node, user, 'wallets.createManual', params);
const get = (id: string) => callAs<WalletView>(node, user, 'wallets.get', { id });

/** a car's value after k months at a yearly rate, by the truth oracle's own arithmetic (big.js) */
const worth = (value: string, rate: string, k: number) => depreciated(value, rate, k).toFixed(2);

/** Whole months from the 10th of March 2023 to `date` (the steps fall on the 10th). */
const stepsBy = (date: string) =>
  (Number(date.slice(0, 4)) - 2023) * 12 +
  Number(date.slice(5, 7)) -
  3 -
  (Number(date.slice(8)) < 10 ? 1 : 0);

async function refusal(call: Promise<unknown>) {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as { type?: string; data?: { field: string }[] | { fields?: { field: string }[] } },
  );
  if (!err) throw new Error('not refused');
  const data = err.data;
  return { code: err.type, fields: (Array.isArray(data) ? data : (data?.fields ?? [])).map((f) => f.field) };
}

describe('a car', () => {
  let car: WalletView;

  it('is worth its price less 1.5 % of its value a month since it was bought', async () => {
    car = await create({
      name: 'Car',
      manualType: 'vehicle',
      currency: 'USD',
      owned: { purchasePrice: '28500', purchaseDate: '2023-03-10', depreciationPercent: '18' },
    });
    const k = stepsBy(today);
    const want = worth('28500', '18', k);
    const [account] = car.accounts;
    expect(account).toMatchObject({ type: 'vehicle', liability: false });
    expect(Number(account!.current)).toBe(Number(want));
    expect(Number(account!.value)).toBe(Number(want));
    expect(car.owned).toMatchObject({ value: want, gain: (Number(want) - 28_500).toFixed(2) });
    expect(car.owned?.next?.value).toBe(worth('28500', '18', k + 1));
    // its history: bought, then one entry a month
    const history = await callAs<BalanceHistory>(node, user, 'wallets.balances', { id: car.id });
    expect(history.balances).toHaveLength(k + 1);
    expect(history.balances[0]).toEqual({ date: '2023-03-10', balance: '28500' });
    expect(history.balances[1]).toEqual({ date: '2023-04-10', balance: '28072.5' });
  });

  it('follows a new rate, restarts from a valuation, and moves when the next month comes', async () => {
    const slower = await callAs<WalletView>(node, user, 'wallets.updateOwned', {
      id: car.id,
      depreciationPercent: '12',
    });
    const k = stepsBy(today);
    expect(Number(slower.owned?.value)).toBe(Number(worth('28500', '12', k)));
    const valued = await callAs<WalletView>(node, user, 'wallets.setBalance', {
      id: car.id,
      date: today,
      balance: '20000',
    });
    expect(valued.owned).toMatchObject({ value: '20000.00', valuedOn: today });
    // 1 % a month from 20,000: 19,800.00 at the next step
    expect(valued.owned?.next?.value).toBe('19800.00');
    const wallet = await Wallet.findOne({ publicId: car.id }).lean<WalletRecord>();
    const inAMonth = new Date(Date.parse(`${today}T00:00:00Z`) + 32 * 86_400_000).toISOString().slice(0, 10);
    await refreshScheduledBalances(node.broker, wallet!, inAMonth);
    expect((await get(car.id)).accounts[0]?.current).toBe('19800');
  });
});

describe('a home with its mortgage', () => {
  it('shows its equity: its value less what the mortgage owes', async () => {
    const mortgage = await create({
      name: 'Home loan',
      manualType: 'mortgage',
      currency: 'USD',
      loan: {
        principal: '320000',
        annualRatePercent: '0',
        termMonths: 320,
        startDate: '2024-01-20',
        paymentDay: 1,
      },
    });
    // no interest: 1,000.00 a month from 1 February 2024
    const paid = (Number(today.slice(0, 4)) - 2024) * 12 + Number(today.slice(5, 7)) - 1;
    const owed = 320_000 - 1000 * paid;
    const home = await create({
      name: 'Home',
      manualType: 'property',
      currency: 'USD',
      owned: { purchasePrice: '400000', purchaseDate: '2024-01-20', mortgageWalletId: mortgage.id },
      balance: '436000',
      date: '2025-06-30',
    });
    expect(home.accounts[0]).toMatchObject({ type: 'property', current: '436000', value: '436000' });
    expect(home.owned).toMatchObject({
      value: '436000.00',
      valuedOn: '2025-06-30',
      gain: '36000.00',
      mortgage: { walletId: mortgage.id, owed: owed.toFixed(2), equity: (436_000 - owed).toFixed(2) },
      next: null,
    });
    const history = await callAs<BalanceHistory>(node, user, 'wallets.balances', { id: home.id });
    expect(history.balances).toEqual([
      { date: '2024-01-20', balance: '400000' },
      { date: '2025-06-30', balance: '436000' },
    ]);
    // the mortgage deleted: the home is not financed by it any more
    await callAs(node, user, 'wallets.remove', { id: mortgage.id });
    expect((await get(home.id)).owned?.mortgage).toBeNull();
    expect(
      (await Wallet.findOne({ publicId: home.id }).lean<WalletRecord>())?.owned?.mortgageWalletId,
    ).toBeUndefined();
  });
});

describe('terms of a thing owned', () => {
  it('are required, checked, and refused where they do not belong, with nothing saved', async () => {
    const list = async () => (await callAs<WalletList>(node, user, 'wallets.list')).wallets.length;
    const before = await list();
    const other = { id: randomUUID() };
    const theirs = await callAs<WalletView>(node, other, 'wallets.createManual', {
      name: 'Their mortgage',
      manualType: 'mortgage',
      currency: 'USD',
      loan: {
        principal: '1000',
        annualRatePercent: '1',
        termMonths: 10,
        startDate: '2024-01-01',
        paymentDay: 1,
      },
    });
    const euroMortgage = await create({
      name: 'Euro mortgage',
      manualType: 'mortgage',
      currency: 'EUR',
      loan: {
        principal: '1000',
        annualRatePercent: '1',
        termMonths: 10,
        startDate: '2024-01-01',
        paymentDay: 1,
      },
    });
    const owned = { purchasePrice: '1000', purchaseDate: '2024-01-01' };
    expect(await refusal(create({ name: 'House', manualType: 'property', currency: 'USD' }))).toEqual({
      code: 'VALIDATION_FAILED',
      fields: ['owned'],
    });
    expect(await refusal(create({ name: 'Cash', manualType: 'cash', currency: 'USD', owned }))).toEqual({
      code: 'VALIDATION_FAILED',
      fields: ['owned'],
    });
    expect(
      await refusal(
        create({
          name: 'Ring',
          manualType: 'valuables',
          currency: 'USD',
          owned: { ...owned, depreciationPercent: '5' },
        }),
      ),
    ).toEqual({ code: 'VALIDATION_FAILED', fields: ['owned.depreciationPercent'] });
    for (const mortgageWalletId of [theirs.id, euroMortgage.id])
      expect(
        await refusal(
          create({
            name: 'House',
            manualType: 'property',
            currency: 'USD',
            owned: { ...owned, mortgageWalletId },
          }),
        ),
      ).toEqual({ code: 'VALIDATION_FAILED', fields: ['owned.mortgageWalletId'] });
    expect(
      await refusal(
        create({
          name: 'House',
          manualType: 'property',
          currency: 'USD',
          owned,
          balance: '5',
          date: '2023-12-31',
        }),
      ),
    ).toEqual({ code: 'VALIDATION_FAILED', fields: ['date'] });
    const bad = await refusal(
      create({
        name: 'Van',
        manualType: 'vehicle',
        currency: 'USD',
        owned: { purchasePrice: '-1', purchaseDate: '2999-01-01', depreciationPercent: '101' },
      }),
    );
    expect(bad.code).toBe('VALIDATION_ERROR');
    expect(bad.fields.sort()).toEqual([
      'owned.depreciationPercent',
      'owned.purchaseDate',
      'owned.purchasePrice',
    ]);
    // the euro mortgage is the only wallet added
    expect(await list()).toBe(before + 1);
  });
});
