// Sync benchmark (prints figures; not a test).
//   (1) time to sync a bank wallet with 24 months of history (~5,000 transactions)
//   (2) 100 fault-injected syncs (429 bursts, 5xx, timeouts, mutation during pagination,
//       duplicate jobs): duplicated and missing transactions against the simulator's truth
// Real FerretDB, NATS JetStream and Redis; the Plaid simulator in-process.
// Run: scripts/finexia bench:sync
import { randomUUID } from 'node:crypto';
import { ensureInfra } from '../scripts/infra.ts';
import { benchEnv } from './env.ts';
import { compareWithTruth, sumComparisons } from './sync-truth.ts';
import { bindConfig, loadConfig } from '../config/index.ts';
import { createBroker } from '../services/index.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { Wallet } from '../infra/models/wallet.model.ts';
import mongoose from 'mongoose';
import type { WalletView } from '@finexia/contracts/api.ts';

const WALLETS = Number(process.env.BENCH_WALLETS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: () => undefined });
const sims = await startSimulators({ seed: 2026, bankVolume: 2, ticksPerSecond: 0, today: '2026-11-25' });
const { env } = benchEnv(infra, sims, 'bench');
const cfg = loadConfig({
  ...process.env,
  ...env,
  SERVICES: 'wallets,transactions',
  SYNC_ACK_WAIT: '5s',
  SYNC_MAX_RETRIES: '20',
});
cfg.providerRetry = { baseDelayMs: 20, maxDelayMs: 500, timeoutMs: 2_000, maxAttempts: 6 };
const broker = await createBroker(cfg, { logger: false });
await broker.start();

// one user per wallet: each user's syncs run in that user's actor, one at a time
const metaFor = (userId: string) => ({ user: { id: userId, role: 'user', sid: 'bench' } });
const owners = new Map<string, string>();

async function waitSynced(
  walletId: string,
  after: number,
  timeoutMs = 120_000,
): Promise<{ ms: number; state: string }> {
  const start = Date.now();
  for (;;) {
    const w = await Wallet.findOne({ publicId: walletId }).lean();
    const syncedAt = w?.sync?.lastSyncedAt?.getTime() ?? 0;
    if (w?.sync?.state === 'ok' && syncedAt > after) return { ms: Date.now() - start, state: 'ok' };
    if (Date.now() - start > timeoutMs) return { ms: Date.now() - start, state: w?.sync?.state ?? 'missing' };
    await new Promise((r) => setTimeout(r, 25));
  }
}

const compare = (walletId: string) => compareWithTruth(sims, walletId);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

// ---- (1) a clean 24-month sync ------------------------------------------------------
console.log('Finexia sync benchmark (FerretDB on %s, JetStream, Plaid simulator)', infra.mongoProvider);
const cleanTimes: number[] = [];
let cleanCount = 0;
for (let i = 0; i < 3; i += 1) {
  const linkedAt = Date.now();
  const wallet = await broker.call<WalletView, { institutionId: string }>(
    'wallets.linkBank',
    { institutionId: 'ins_109508' },
    { meta: metaFor(randomUUID()) },
  );
  const { ms, state } = await waitSynced(wallet.id, linkedAt - 1);
  const check = await compare(wallet.id);
  cleanTimes.push(Date.now() - linkedAt);
  cleanCount = check.total;
  console.log(
    `  clean sync ${i + 1}: ${check.total} transactions in ${Date.now() - linkedAt} ms (wait ${ms} ms, ${state}); duplicates ${check.duplicates}, missing ${check.missing}`,
  );
}
console.log(
  `(1) 24 months (~${cleanCount} transactions): median ${median(cleanTimes)} ms from link to synced (${Math.round((cleanCount / median(cleanTimes)) * 1000)} tx/s)`,
);

// ---- (2) 100 fault-injected syncs ---------------------------------------------------------
// Faults are on from the first (24-month) sync of each wallet, and pages are small (100),
// so that syncs paginate and meet the mutation-during-pagination fault.
// the running broker's config, its page size changed between the phases (read at each sync)
bindConfig(broker, { ...cfg, sync: { ...cfg.sync, pageSize: 100 } });
sims.plaid.faults.update({
  serverErrorRate: 0.1,
  timeoutRate: 0.01,
  paginationMutationRate: 0.02,
  retryAfterSeconds: 0,
  latencyMs: 2,
  rateLimitBurst: 5,
});
const faultStart = Date.now();
let syncs = 0;
let failedSyncs = 0;
const wallets: string[] = [];
// the first (24-month) sync of every wallet, all at once
const linkedAt = Date.now();
for (let i = 0; i < WALLETS; i += 1) {
  const userId = randomUUID();
  const w = await broker.call<WalletView, { institutionId: string }>(
    'wallets.linkBank',
    { institutionId: 'ins_109508' },
    { meta: metaFor(userId) },
  );
  wallets.push(w.id);
  owners.set(w.id, userId);
}
for (const id of wallets) {
  const { state } = await waitSynced(id, linkedAt - 1, 600_000);
  syncs += 1;
  if (state !== 'ok') failedSyncs += 1;
}
console.log(`    ${WALLETS} first syncs under faults (pages of 100) done in ${Date.now() - linkedAt} ms`);
let worst = { duplicates: 0, missing: 0, extra: 0 };
for (let round = 1; round < ROUNDS; round += 1) {
  await sims.plaid.advance(1 + (round % 3));
  sims.plaid.faults.update({ rateLimitBurst: 5 });
  const started = Date.now();
  for (const id of wallets) {
    const userId = owners.get(id) as string;
    await broker.call('wallets.syncNow', { id }, { meta: metaFor(userId) });
    // a duplicate job every other round, as a redelivery or a duplicate webhook would cause
    if (round % 2 === 0)
      await broker.sendToChannel('wallets.sync', { walletId: id, userId, reason: 'webhook' });
  }
  for (const id of wallets) {
    const { state } = await waitSynced(id, started);
    syncs += 1;
    if (state !== 'ok') failedSyncs += 1;
  }
  // let duplicate jobs drain before checking
  await new Promise((r) => setTimeout(r, 300));
  for (const id of wallets) {
    const c = await compare(id);
    worst = {
      duplicates: worst.duplicates + c.duplicates,
      missing: worst.missing + c.missing,
      extra: worst.extra + c.extra,
    };
  }
}
sims.plaid.faults.update({
  serverErrorRate: 0,
  timeoutRate: 0,
  paginationMutationRate: 0,
  rateLimitBurst: 0,
  latencyMs: 0,
});
const final = await Promise.all(wallets.map(compare));
const totals = sumComparisons(final);
console.log(
  `(2) ${syncs} fault-injected syncs over ${wallets.length} wallets in ${Date.now() - faultStart} ms (${failedSyncs} did not reach ok in time); faults served: ${JSON.stringify(sims.plaid.faults.counts)}`,
);
console.log(
  `    after every round, summed: duplicates ${worst.duplicates}, missing ${worst.missing}, extra ${worst.extra}`,
);
console.log(
  `    final: ${totals.total} transactions expected; duplicates ${totals.duplicates}, missing ${totals.missing}, extra ${totals.extra}`,
);

await mongoose.connection.db?.dropDatabase();
await broker.stop();
await sims.stop();
await infra.stop();
process.exit(totals.duplicates + totals.missing + totals.extra === 0 ? 0 : 1);
