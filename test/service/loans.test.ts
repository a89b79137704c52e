// Loans and mortgages on the service tier (the wallets service, the real database): entered
// with their terms, the balance follows the amortization schedule month by month, negative in
// the account's value; a balance the person records re-bases the schedule; bad terms refused.
// Figures from closed forms and by hand, never from the schedule code itself.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, startServices, type TestNode } from '../helpers/node.ts';
import type { BalanceHistory, LoanSchedule, WalletView } from '@finexia/contracts/api.ts';
import { Wallet, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { refreshScheduledBalances } from '../../services/wallets/schedules.ts';

let node: TestNode;
const user = { id: randomUUID() };
const today = new Date().toISOString().slice(0, 10);
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const terms = {
  principal: '300000',
  annualRatePercent: '6',
  termMonths: 360,
  startDate: '2024-01-15',
  paymentDay: 1,
};
/** payments due by `date`: the 1st of every month from February 2024 */
const paymentsBy = (date: string) => (Number(date.slice(0, 4)) - 2024) * 12 + Number(date.slice(5, 7)) - 1;
/** the balance after k payments of 1,798.65 at 0.5% a month, in closed form */
const closed = (k: number) => 300_000 * 1.005 ** k - (1798.65 * (1.005 ** k - 1)) / 0.005;

beforeAll(async () => {
  node = await startServices(['wallets']);
});

afterAll(async () => {
  await node?.stop();
});

const create = (params: object) => callAs<WalletView>(node, user, 'wallets.createManual', params);
const get = (id: string) => callAs<WalletView>(node, user, 'wallets.get', { id });

async function refusal(call: Promise<unknown>) {
  const err = await call.then(
    () => undefined,
    (e: unknown) =>
      e as { type?: string; data?: { field: string; message: string }[] | { fields?: { field: string }[] } },
  );
  if (!err) throw new Error('not refused');
  const data = err.data;
  return { code: err.type, fields: (Array.isArray(data) ? data : (data?.fields ?? [])).map((f) => f.field) };
}

describe('a mortgage', () => {
  let mortgage: WalletView;

  it('is owed by its schedule: the balance after every payment due so far, negative in value', async () => {
    mortgage = await create({ name: 'Home loan', manualType: 'mortgage', currency: 'USD', loan: terms });
    const k = paymentsBy(today);
    const [account] = mortgage.accounts;
    expect(account).toMatchObject({ type: 'loan', subtype: 'mortgage', liability: true });
    // rounding each month's interest to the cent moves the balance by well under a cent a month
    expect(Math.abs(Number(account!.current) - closed(k))).toBeLessThan(0.01 * k);
    expect(account!.value).toBe(`-${account!.current}`);
    // the next payment: its interest is half a percent of what is owed now, by hand
    const owed = Number(account!.current);
    expect(mortgage.loan).toMatchObject({ monthlyPayment: '1798.65', endsOn: '2054-01-01' });
    expect(mortgage.loan?.next?.interest).toBe((Math.round(owed * 0.5) / 100).toFixed(2));
    expect(Number(mortgage.loan?.next?.principal)).toBeCloseTo(
      1798.65 - Number(mortgage.loan?.next?.interest),
      2,
    );
    // the history: the loan's start and each payment since
    const history = await callAs<BalanceHistory>(node, user, 'wallets.balances', { id: mortgage.id });
    expect(history.balances).toHaveLength(k + 1);
    expect(history.balances[0]).toEqual({ date: '2024-01-15', balance: '300000' });
  });

  it('continues from a balance the person records, and moves again when a payment falls due', async () => {
    const recorded = await callAs<WalletView>(node, user, 'wallets.setBalance', {
      id: mortgage.id,
      date: today,
      balance: '250000',
    });
    expect(recorded.accounts[0]?.current).toBe('250000');
    // by hand: interest 0.5% of 250,000 = 1,250.00; principal 1,798.65 − 1,250.00 = 548.65
    expect(recorded.loan?.next).toMatchObject({
      interest: '1250.00',
      principal: '548.65',
      balance: '249451.35',
    });
    const schedule = await callAs<LoanSchedule>(node, user, 'wallets.schedule', { id: mortgage.id });
    expect(schedule.from).toEqual({ date: today, balance: '250000' });
    const repaid = schedule.payments.reduce((s, p) => s + Math.round(Number(p.principal) * 100), 0);
    expect(repaid).toBe(25_000_000);
    // a month on: the payment due is taken off
    const wallet = await Wallet.findOne({ publicId: mortgage.id }).lean<WalletRecord>();
    await refreshScheduledBalances(node.broker, wallet!, addDays(today, 35));
    expect((await get(mortgage.id)).accounts[0]?.current).toBe('249451.35');
  });

  it('keeps its scheduled entries its own: only a recorded one can be deleted, and then the schedule resumes', async () => {
    const history = await callAs<BalanceHistory>(node, user, 'wallets.balances', { id: mortgage.id });
    const scheduled = history.balances.find((b) => b.date === '2024-02-01');
    expect(scheduled).toBeDefined();
    expect(
      await refusal(callAs(node, user, 'wallets.deleteBalance', { id: mortgage.id, date: '2024-02-01' })),
    ).toMatchObject({ code: 'NOT_FOUND' });
    const back = await callAs<WalletView>(node, user, 'wallets.deleteBalance', {
      id: mortgage.id,
      date: today,
    });
    expect(Math.abs(Number(back.accounts[0]?.current) - closed(paymentsBy(today)))).toBeLessThan(
      0.01 * paymentsBy(today),
    );
  });
});

describe('terms', () => {
  it('are required for a debt and refused for anything else, each bad one named', async () => {
    const before = (await callAs<{ wallets: WalletView[] }>(node, user, 'wallets.list')).wallets.length;
    expect(await refusal(create({ name: 'Car', manualType: 'loan', currency: 'USD' }))).toEqual({
      code: 'VALIDATION_FAILED',
      fields: ['loan'],
    });
    expect(await refusal(create({ name: 'Cash', manualType: 'cash', currency: 'USD', loan: terms }))).toEqual(
      {
        code: 'VALIDATION_FAILED',
        fields: ['loan'],
      },
    );
    const bad = await refusal(
      create({
        name: 'Car',
        manualType: 'loan',
        currency: 'USD',
        loan: { ...terms, principal: '0', paymentDay: 31, termMonths: 0 },
      }),
    );
    // (refused by the action's parameter rules: the gateway answers it as VALIDATION_FAILED too)
    expect(bad.code).toBe('VALIDATION_ERROR');
    expect(bad.fields.sort()).toEqual(['loan.paymentDay', 'loan.principal', 'loan.termMonths']);
    expect((await callAs<{ wallets: WalletView[] }>(node, user, 'wallets.list')).wallets.length).toBe(before);
  });

  it('a car loan with no interest: equal payments, paid off on its last', async () => {
    const car = await create({
      name: 'Car',
      manualType: 'loan',
      currency: 'EUR',
      loan: {
        principal: '12000',
        annualRatePercent: '0',
        termMonths: 48,
        startDate: '2024-06-20',
        paymentDay: 5,
      },
    });
    // by hand: 250.00 a month from 5 July 2024; owed = 12,000 − 250 × payments made
    const made =
      (Number(today.slice(0, 4)) - 2024) * 12 +
      Number(today.slice(5, 7)) -
      7 +
      (Number(today.slice(8)) >= 5 ? 1 : 0);
    expect(car.loan?.monthlyPayment).toBe('250.00');
    expect(car.accounts[0]?.current).toBe(String(12_000 - 250 * made));
    expect(car.loan?.endsOn).toBe('2028-06-05');
  });
});
