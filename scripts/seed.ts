// Demo data for the embedded default. Users are created once; the demo user's wallets
// are made afresh at every start, because the in-process simulators keep no state
// across restarts (a bank linked to yesterday's simulator would ask to be reconnected).
import bcrypt from 'bcrypt';
import type { ServiceBroker } from 'moleculer';
import type { Config } from '../config/index.ts';
import { acquireMongo, releaseMongo } from '../infra/connections.ts';
import { User } from '../infra/models/user.model.ts';
import { Notification } from '../infra/models/notification.model.ts';
import type { Simulators } from '../providers/simulators/index.ts';

export const DEMO_USERS = [
  { email: 'demo@finexia.app', password: 'demo-finexia-2026', name: 'Dana Demo', role: 'user' },
  { email: 'admin@finexia.app', password: 'admin-finexia-2026', name: 'Avery Admin', role: 'admin' },
] as const;

export async function seedDemoUsers(cfg: Config): Promise<void> {
  await acquireMongo();
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

export async function seedDemoWallets(broker: ServiceBroker, sims: Simulators): Promise<void> {
  await acquireMongo();
  try {
    await createDemoWallets(broker, sims);
  } finally {
    await releaseMongo();
  }
}

async function createDemoWallets(broker: ServiceBroker, sims: Simulators): Promise<void> {
  const demo = await User.findOne({ email: DEMO_USERS[0].email }).lean();
  if (!demo) return;
  const meta = { user: { id: demo.publicId, role: 'user', sid: 'demo-seed' } };
  const existing = await broker.call<{ wallets: { id: string }[] }, { includeArchived: boolean }>(
    'wallets.list',
    { includeArchived: true },
    { meta },
  );
  for (const wallet of existing.wallets) await broker.call('wallets.remove', { id: wallet.id }, { meta });
  // the demo starts over each time: yesterday's "account added" notices would only pile up
  await Notification.deleteMany({ userId: demo.publicId });
  await broker.call(
    'wallets.linkBank',
    { institutionId: 'ins_109508', name: 'First Platypus Bank' },
    { meta },
  );
  await broker.call(
    'wallets.connectExchange',
    { provider: 'binance', ...sims.binance.createAccount() },
    { meta },
  );
  await broker.call(
    'wallets.connectExchange',
    { provider: 'coinbase', ...sims.coinbase.createKey('ES256') },
    { meta },
  );
  const today = new Date().toISOString().slice(0, 10);
  await broker.call(
    'wallets.createManual',
    { name: 'Cash', manualType: 'cash', currency: 'USD', balance: '420.50', date: today },
    { meta },
  );
  await broker.call(
    'wallets.createManual',
    { name: 'Emergency fund', manualType: 'savings', currency: 'USD', balance: '12000.00', date: today },
    { meta },
  );
  await broker.call(
    'wallets.createManual',
    { name: 'Studio LLC', manualType: 'business', currency: 'EUR', balance: '38250.75', date: today },
    { meta },
  );
}
