// Demo data for the embedded default. Users are created once; the demo user's wallets
// are made afresh at every start, because the in-process simulators keep no state
// across restarts (a bank linked to yesterday's simulator would ask to be reconnected).
import bcrypt from 'bcrypt';
import type { ServiceBroker } from 'moleculer';
import { configOf, type Config } from '../config/index.ts';
import { acquireMongo, releaseMongo } from '../infra/connections.ts';
import { User } from '../infra/models/user.model.ts';
import { Notification } from '../infra/models/notification.model.ts';
import { NetWorthPoint } from '../infra/models/history.model.ts';
import { Wallet } from '../infra/models/wallet.model.ts';
import { Anomaly, DetectorStateModel } from '../infra/models/anomaly.model.ts';
import type { Simulators } from '../providers/simulators/index.ts';

export const DEMO_USERS = [
  { email: 'demo@finexia.app', password: 'demo-finexia-2026', name: 'Dana Demo', role: 'user' },
  { email: 'admin@finexia.app', password: 'admin-finexia-2026', name: 'Avery Admin', role: 'admin' },
] as const;

export async function seedDemoUsers(cfg: Config): Promise<void> {
  await acquireMongo(cfg.mongoUrl);
  try {
    for (const demo of DEMO_USERS) {
      if (await User.exists({ email: demo.email })) continue;
      await User.create({
        email: demo.email,
        name: demo.name,
        role: demo.role,
        passwordHash: await bcrypt.hash(demo.password, cfg.auth.bcryptCost),
      });
    }
  } finally {
    await releaseMongo();
  }
}

/** What the demo was given, and where each wallet is at its provider (the demo's test checks the figures against them). */
export interface DemoWallets {
  userId: string;
  bank: { walletId: string; itemId: string };
  /** a brokerage: stocks, ETFs, funds, a Treasury note, a euro account */
  brokerage: { walletId: string; itemId: string };
  binance: { walletId: string; apiKey: string };
  coinbase: { walletId: string; keyName: string };
  manual: {
    walletId: string;
    name: string;
    manualType: 'cash' | 'savings' | 'business';
    currency: string;
    balances: { date: string; balance: string }[];
  }[];
  /** an Ethereum address it watches, where the local chain runs */
  ethereum: { walletId: string; address: string } | null;
  /** the family car: bought two years ago, losing 15 % a year */
  owned: {
    walletId: string;
    name: string;
    manualType: 'vehicle';
    currency: string;
    purchasePrice: string;
    purchaseDate: string;
    depreciationPercent: string;
    valuations: { date: string; balance: string }[];
  }[];
}

export async function seedDemoWallets(
  broker: ServiceBroker,
  sims: Simulators,
): Promise<DemoWallets | undefined> {
  await acquireMongo(configOf(broker).mongoUrl);
  try {
    return await createDemoWallets(broker, sims);
  } finally {
    await releaseMongo();
  }
}

async function createDemoWallets(broker: ServiceBroker, sims: Simulators): Promise<DemoWallets | undefined> {
  const demo = await User.findOne({ email: DEMO_USERS[0].email }).lean();
  if (!demo) return undefined;
  const meta = { user: { id: demo.publicId, role: 'user', sid: 'demo-seed' } };
  const existing = await broker.call<{ wallets: { id: string }[] }, { includeArchived: boolean }>(
    'wallets.list',
    { includeArchived: true },
    { meta },
  );
  for (const wallet of existing.wallets) await broker.call('wallets.remove', { id: wallet.id }, { meta });
  // the demo starts over each time: yesterday's "account added" notices would only pile up, and
  // the last run's live history points valued wallets that are gone now
  await Notification.deleteMany({ userId: demo.publicId });
  await NetWorthPoint.deleteMany({ userId: demo.publicId });
  // (its wallets' anomalies went with them; these are what runs before that rule left behind)
  await Anomaly.deleteMany({ userId: demo.publicId });
  await DetectorStateModel.deleteOne({ _id: demo.publicId });
  const bank = await broker.call<{ id: string }, { institutionId: string; name: string }>(
    'wallets.linkBank',
    { institutionId: 'ins_109508', name: 'First Platypus Bank' },
    { meta },
  );
  const itemId = await addRecentSurprises(sims, bank.id);
  const brokerage = await broker.call<{ id: string }, { institutionId: string; name: string }>(
    'wallets.linkBrokerage',
    { institutionId: 'ins_109509', name: 'Gingham Investments' },
    { meta },
  );
  const brokerageItem = (await Wallet.findOne({ publicId: brokerage.id }).lean())?.providerItemId;
  if (!brokerageItem) throw new Error('the demo brokerage was linked without a provider item');
  const binanceKeys = sims.binance.createAccount();
  const binance = await broker.call<{ id: string }, Record<string, string>>(
    'wallets.connectExchange',
    { provider: 'binance', ...binanceKeys },
    { meta },
  );
  const coinbaseKeys = sims.coinbase.createKey('ES256');
  const coinbase = await broker.call<{ id: string }, Record<string, string>>(
    'wallets.connectExchange',
    { provider: 'coinbase', ...coinbaseKeys },
    { meta },
  );
  const made: DemoWallets = {
    userId: demo.publicId,
    bank: { walletId: bank.id, itemId },
    brokerage: { walletId: brokerage.id, itemId: brokerageItem },
    binance: { walletId: binance.id, apiKey: binanceKeys.apiKey },
    coinbase: { walletId: coinbase.id, keyName: coinbaseKeys.apiKey },
    manual: [],
    owned: [],
    ethereum: null,
  };
  const today = new Date().toISOString().slice(0, 10);
  // manual accounts with a year of balances, one a month: the history has them all year, so its
  // last rebuilt day and today's live value differ only by what really moved
  for (const wallet of DEMO_MANUAL_WALLETS) {
    const months = wallet.balances.length;
    const dated = wallet.balances.map((balance, i) => ({
      balance,
      date: monthsBefore(today, months - 1 - i),
    }));
    const [first, ...later] = dated as [(typeof dated)[number], ...typeof dated];
    const created = await broker.call<{ id: string }, Record<string, string>>(
      'wallets.createManual',
      { name: wallet.name, manualType: wallet.manualType, currency: wallet.currency, ...first },
      { meta },
    );
    for (const entry of later)
      await broker.call('wallets.setBalance', { id: created.id, ...entry }, { meta });
    made.manual.push({ walletId: created.id, ...wallet, balances: dated });
  }
  // the family car, bought two years ago: its value falls month by month on its own
  const car = {
    name: 'Family car',
    manualType: 'vehicle' as const,
    currency: 'USD',
    purchasePrice: '28500',
    // (three days off today's date: its monthly step never falls on the day the demo starts, so the
    // day opens where yesterday's history ended)
    purchaseDate: new Date(Date.parse(`${monthsBefore(today, 24)}T00:00:00Z`) - 3 * 86_400_000)
      .toISOString()
      .slice(0, 10),
    depreciationPercent: '15',
    valuations: [],
  };
  const carWallet = await broker.call<{ id: string }, object>(
    'wallets.createManual',
    {
      name: car.name,
      manualType: car.manualType,
      currency: car.currency,
      owned: {
        purchasePrice: car.purchasePrice,
        purchaseDate: car.purchaseDate,
        depreciationPercent: car.depreciationPercent,
      },
    },
    { meta },
  );
  made.owned.push({ walletId: carWallet.id, ...car });
  // an Ethereum address, where the local chain runs: some ether and USDC, watched (never a key)
  if (sims.evm) {
    const address = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';
    await sims.evm.pay(address, 75n * 10n ** 16n); // 0.75 ETH
    await sims.evm.mint('USDC', address, 420_000_000n); // 420 USDC
    const wallet = await broker.call<{ id: string }, object>(
      'wallets.connectChain',
      { chain: 'ethereum', watch: address, name: 'Ethereum wallet' },
      { meta },
    );
    made.ethereum = { walletId: wallet.id, address };
  }
  // one goal, so the projection has something to aim at (kept across starts, made once)
  try {
    const { goals } = await broker.call<{ goals: unknown[] }, Record<string, never>>(
      'insights.goals',
      {},
      { meta },
    );
    if (!goals.length)
      await broker.call(
        'insights.createGoal',
        { name: 'Home deposit', target: '60000', date: monthsBefore(today, -36) },
        { meta },
      );
  } catch (err) {
    broker.logger.warn('the demo goal was not created', (err as Error).message);
  }
  return made;
}

/**
 * The demo bank's last weeks hold what the product is there to catch: a card charged twice for
 * one purchase, and a first, large payment to a merchant never paid before (above the $1,000
 * alert threshold: notified). Posted at the bank like any transaction; its first sync brings them.
 */
async function addRecentSurprises(sims: Simulators, walletId: string): Promise<string> {
  const wallet = await Wallet.findOne({ publicId: walletId }).lean();
  if (!wallet?.providerItemId) throw new Error('the demo bank was linked without a provider item');
  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  const charge = {
    name: 'TARGET T-1842',
    merchant: 'Target',
    amountCents: 8437,
    category: 'GENERAL_MERCHANDISE',
  };
  sims.plaid.addTransaction(wallet.providerItemId, { ...charge, date: daysAgo(6) }, 'duplicate_charge');
  sims.plaid.addTransaction(wallet.providerItemId, { ...charge, date: daysAgo(6) }, 'duplicate_charge');
  sims.plaid.addTransaction(
    wallet.providerItemId,
    {
      name: 'NORTHWIND OUTFITTERS',
      merchant: 'Northwind Outfitters',
      amountCents: 124_900,
      category: 'GENERAL_MERCHANDISE',
      date: daysAgo(12),
    },
    'new_merchant_large',
  );
  return wallet.providerItemId;
}

/** The demo's manual accounts: a balance for each of the last twelve months, the last one today's. */
const DEMO_MANUAL_WALLETS = [
  {
    name: 'Cash',
    manualType: 'cash',
    currency: 'USD',
    balances: [
      '380',
      '455.2',
      '310',
      '402.75',
      '515',
      '290.4',
      '365',
      '448',
      '520.6',
      '333.1',
      '395',
      '420.5',
    ],
  },
  {
    // an emergency fund the household tops up each month
    name: 'Emergency fund',
    manualType: 'savings',
    currency: 'USD',
    balances: [
      '6500',
      '7000',
      '7500',
      '8000',
      '8500',
      '9000',
      '9500',
      '10000',
      '10500',
      '11000',
      '11500',
      '12000',
    ],
  },
  {
    name: 'Studio LLC',
    manualType: 'business',
    currency: 'EUR',
    balances: [
      '31200',
      '32950.4',
      '30875',
      '33410.2',
      '34980',
      '33720.55',
      '35640',
      '36115.3',
      '34890',
      '36980.1',
      '37720',
      '38250.75',
    ],
  },
] as const;

/** The same day `months` months before `day` (negative: after), clamped to the month's last day. */
function monthsBefore(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) - months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
