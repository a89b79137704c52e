// Position packs on real FerretDB: a portfolio activates from the user's pack while it is
// current, and from the account and holding rows as soon as any write of those rows followed it
// (each writer stamps, services/portfolio/positions.ts explains the order that makes it safe).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { waitFor } from '../helpers/wait.ts';
import { startSimulators, type Simulators } from '../../providers/simulators/index.ts';
import { register, request } from '../helpers/http.ts';
import type { SessionResponse, WalletView } from '@finexia/contracts/api.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import { ONE_BY_ONE_UP_TO } from '../../infra/db.ts';
import { positionsInBulk, positionsOf, type Positions } from '../../services/portfolio/positions.ts';
import { PositionPack } from '../../infra/models/position-pack.model.ts';
import { Account, Holding } from '../../infra/models/wallet.model.ts';
import { User } from '../../infra/models/user.model.ts';

let sims: Simulators;
let node: TestNode;
let user: SessionResponse;
let userId: string;
let wallet: WalletView;

const api = <T>(method: string, path: string, body?: Record<string, unknown>) =>
  request<T>(node.baseUrl, method, `/api/v1${path}`, { token: user.accessToken, body });
const quantities = (positions: Positions | undefined) =>
  Object.fromEntries([...(positions?.values() ?? [])].flat().map((p) => [p.asset, p.quantity]));
const logger = () => node.broker.logger;

beforeAll(async () => {
  sims = await startSimulators({ seed: 31, bankVolume: 0.04, ticksPerSecond: 0 });
  node = await startNode({ ...sims.env, SERVICES: 'api,auth,users,wallets,portfolio,transactions' });
  user = await register(node.baseUrl);
  userId = user.user.id;
  const created = await api<{ id: string }>('POST', '/wallets/manual', {
    name: 'Savings',
    manualType: 'savings',
    currency: 'USD',
    balance: '100',
  });
  expect(created.status).toBe(201);
  const put = await api<WalletView>('PUT', `/wallets/${created.body.id}/holdings/BTC`, { quantity: '0.5' });
  expect(put.status).toBe(200);
  wallet = put.body;
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await sims?.stop();
});

describe('position packs', () => {
  it('are built from the rows at the first activation, and used from then on', async () => {
    expect(quantities(await positionsOf(userId, logger()))).toEqual({ USD: '100', BTC: '0.5' });
    const pack = await PositionPack.findById(userId).lean();
    expect(pack?.positions).toContain('"BTC","0.5"');
    // a row changed behind every writer's back (no stamp): the pack still answers, which shows it is read
    await Holding.updateOne({ userId, asset: 'BTC' }, { $set: { quantity: '7' } });
    expect(quantities(await positionsOf(userId, logger()))).toEqual({ USD: '100', BTC: '0.5' });
    // a reload (a wallet event said the rows changed) reads the rows and repacks
    expect(quantities(await positionsOf(userId, logger(), true))).toEqual({ USD: '100', BTC: '7' });
    expect(quantities(await positionsOf(userId, logger()))).toEqual({ USD: '100', BTC: '7' });
  });

  it('are not used after a holding changes through the API', async () => {
    await positionsOf(userId, logger());
    expect((await api('PUT', `/wallets/${wallet.id}/holdings/ETH`, { quantity: '3' })).status).toBe(200);
    expect(quantities(await positionsOf(userId, logger()))).toEqual({ USD: '100', BTC: '7', ETH: '3' });
    expect((await api('DELETE', `/wallets/${wallet.id}/holdings/BTC`)).status).toBe(200);
    expect(quantities(await positionsOf(userId, logger()))).toEqual({ USD: '100', ETH: '3' });
  });

  it('are not used after a balance changes through the API', async () => {
    await positionsOf(userId, logger());
    // the latest entry is the balance: today's (the wallet was opened with one today)
    const today = new Date().toISOString().slice(0, 10);
    const res = await api('PUT', `/wallets/${wallet.id}/balances/${today}`, { balance: '250.5' });
    expect(res.status).toBe(200);
    expect(quantities(await positionsOf(userId, logger()))).toEqual({ USD: '250.5', ETH: '3' });
  });

  it('are not used after a wallet is deleted', async () => {
    await positionsOf(userId, logger());
    const other = await api<{ id: string }>('POST', '/wallets/manual', {
      name: 'Cash',
      manualType: 'cash',
      currency: 'EUR',
      balance: '40',
    });
    expect(other.status).toBe(201);
    expect(quantities(await positionsOf(userId, logger()))).toEqual({ USD: '250.5', ETH: '3', EUR: '40' });
    expect((await api('DELETE', `/wallets/${other.body.id}`)).status).toBe(200);
    expect(quantities(await positionsOf(userId, logger()))).toEqual({ USD: '250.5', ETH: '3' });
  });

  it('load in bulk from packs where current and from the rows where not, then pack those', async () => {
    // more users than are asked for one by one: every collection is read once
    const strangers = Array.from({ length: ONE_BY_ONE_UP_TO }, () => randomUUID());
    await positionsOf(userId, logger());
    expect((await api('PUT', `/wallets/${wallet.id}/holdings/SOL`, { quantity: '11' })).status).toBe(200);
    const bulk = await positionsInBulk([userId, ...strangers], logger());
    expect(quantities(bulk.get(userId))).toEqual({ USD: '250.5', ETH: '3', SOL: '11' });
    expect(bulk.get(strangers[0] as string)).toEqual(new Map());
    expect(await PositionPack.countDocuments({ _id: { $in: strangers } })).toBe(strangers.length);
    // the stale pack was replaced: a second bulk load takes it as it is, rows untouched
    await Holding.updateOne({ userId, asset: 'SOL' }, { $set: { quantity: '12' } });
    const again = await positionsInBulk([userId, ...strangers], logger());
    expect(quantities(again.get(userId))).toEqual({ USD: '250.5', ETH: '3', SOL: '11' });
    // a few users are asked for one by one, with the same rule
    expect((await api('PUT', `/wallets/${wallet.id}/holdings/SOL`, { quantity: '12' })).status).toBe(200);
    const few = await positionsInBulk([userId, ...strangers.slice(0, 3)], logger());
    expect(quantities(few.get(userId))).toEqual({ USD: '250.5', ETH: '3', SOL: '12' });
    expect(few.size).toBe(4);
  });

  it('are not used after a bank link brings accounts in', async () => {
    const before = await positionsOf(userId, logger());
    const bank = await api<WalletView>('POST', '/wallets/bank', { institutionId: 'ins_109508' });
    expect(bank.status).toBe(201);
    await waitFor(
      async () =>
        (await api<WalletView>('GET', `/wallets/${bank.body.id}`)).body.sync.state === 'ok'
          ? true
          : undefined,
      60_000,
      'the bank wallet synced',
    );
    const bankAccounts = await Account.find({ walletId: bank.body.id }).lean();
    expect(bankAccounts.length).toBeGreaterThan(0);
    const after = await positionsOf(userId, logger());
    expect([...after.keys()].sort()).toEqual(
      [...before.keys(), ...bankAccounts.map((a) => a.publicId)].sort(),
    );
    expect((await api('DELETE', `/wallets/${bank.body.id}`)).status).toBe(200);
    expect([...(await positionsOf(userId, logger())).keys()]).toEqual([...before.keys()]);
  });

  it('activate every user from them at once (portfolio.activateAll: each node reads the ids itself)', async () => {
    // a user nobody activated yet, whose preferences are read with the ids (in one pass)
    const euro = await register(node.baseUrl);
    await User.updateOne({ publicId: euro.user.id }, { $set: { 'preferences.baseCurrency': 'EUR' } });
    const users = await User.countDocuments();
    const { activated } = await node.broker.call<{ activated: number }>('portfolio.activateAll');
    expect(activated).toBe(users);
    const stats = await node.broker.call<{ actors: number }>('portfolio.actorStats');
    expect(stats.actors).toBeGreaterThanOrEqual(users);
    const view = await request<PortfolioView>(node.baseUrl, 'GET', '/api/v1/portfolio', {
      token: euro.accessToken,
    });
    expect(view.status).toBe(200);
    expect(view.body.currency).toBe('EUR');
  });

  it('that are damaged are read from the rows instead', async () => {
    await PositionPack.updateOne({ _id: userId }, { $set: { positions: '{"f":1,"a":{"x":["BTC"]}}' } });
    const account = await Account.findOne({ userId }).lean();
    const positions = await positionsOf(userId, logger());
    expect(quantities(positions)).toEqual({ USD: '250.5', ETH: '3', SOL: '12' });
    expect([...positions.keys()]).toEqual([account?.publicId]);
  });
});
