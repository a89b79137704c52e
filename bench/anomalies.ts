// Anomaly detection benchmark (prints figures; not a test): precision, recall and F1 per type
// and overall, on labelled data the detector has never seen, through the product's real path.
//   (1) bank: simulated Plaid items (fixed seeds, then fresh random ones) linked through the API,
//       synced, detected in each user's actor; the flags read back from GET /api/v1/anomalies
//   (2) CSV: ledgers of the same seeds written as bank-statement files (checking and card) and
//       imported through the API (preview → commit), flags read back the same way
//   (3) cost: the detector alone replaying the same ledgers — µs per transaction, state bytes
//       per user — beside what the product stored for its users
// Labels come from the simulated ledgers (providers/simulators/bank-ledger.ts), which share no
// threshold with the detector; only this benchmark reads them (the simulator's truth), never
// the product. The first 35 days of a history only teach the detector and the last days are
// still pending at the bank, so labels and flags are judged between the two.
// Run: scripts/finexia bench:anomalies [-- --seeds 2026,4242,31337 --fresh 2 --users 2]
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ensureInfra } from '../scripts/infra.ts';
import { startInProcessNode } from './env.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import {
  addDays,
  BankLedger,
  type Anomaly,
  type LedgerTransaction,
} from '../providers/simulators/bank-ledger.ts';
import { Wallet } from '../infra/models/wallet.model.ts';
import { Transaction } from '../infra/models/transaction.model.ts';
import { DetectorStateModel } from '../infra/models/anomaly.model.ts';
import {
  analyzeTransaction,
  checkMissingIncome,
  closeDay,
  createDetectorState,
  type Finding,
} from '../domain/anomalies/detector.ts';
import { amountE4 } from '../domain/transactions.ts';
import { register, request } from '../test/helpers/http.ts';
import { flagsOf, importStatement } from './anomaly-product.ts';
import {
  add,
  fromLedger,
  labelsOf,
  LABELLED_TYPES,
  metrics,
  score,
  table,
  total,
  type Counts,
  type Flagged,
} from './anomaly-labels.ts';
import type { AnomalyType, SessionResponse, WalletView } from '@finexia/contracts/api.ts';

const { values: args } = parseArgs({
  // npm passes the `--` that separates its own options along
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    seeds: { type: 'string', default: '2026,4242,31337' },
    fresh: { type: 'string', default: '2' },
    users: { type: 'string', default: '2' },
  },
});
const FIXED = String(args.seeds).split(',').map(Number);
const FRESH = Array.from({ length: Number(args.fresh) }, () => randomInt(1, 2 ** 31));
/** bank users (items) per simulator seed */
const USERS = Number(args.users);
const TODAY = new Date().toISOString().slice(0, 10);
const MONTHS = 24;
const START = addDays(TODAY, -Math.round(MONTHS * 30.44));
/**
 * the first days teach (a history is judged once a month of it, with each monthly payee, has
 * been seen); the last ones are pending at the bank (and a salary has a few days' grace)
 */
const JUDGED_FROM = addDays(START, 35);
const JUDGED_TO = addDays(TODAY, -4);
const INCOME_JUDGED_TO = addDays(TODAY, -8);
const judged = (type: AnomalyType, date: string) =>
  date >= JUDGED_FROM && date <= (type === 'income_missing' ? INCOME_JUDGED_TO : JUDGED_TO);
const judgedLabels = (anomalies: Anomaly[], ourIds: (providerId: string) => string[]) =>
  labelsOf(anomalies, ourIds).filter((l) => judged(l.type, l.date));
const judgedFlags = (flags: Flagged[]) =>
  flags.filter((f) => LABELLED_TYPES.includes(f.type) && judged(f.type, f.date));

const log = (...parts: unknown[]) => console.log(...parts);
const seedName = (seed: number) => (FIXED.includes(seed) ? `fixed ${seed}` : `fresh ${seed}`);
const summary = (counts: Map<AnomalyType, Counts>) => {
  const m = metrics(total(counts));
  return `precision ${m.precision.toFixed(3)}, recall ${m.recall.toFixed(3)}`;
};
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: () => undefined });

/** One node with every service on the path (no market: no prices are needed) on its own namespace and database. */
const startProduct = (sims: Awaited<ReturnType<typeof startSimulators>>) =>
  startInProcessNode(infra, sims, 'banom', {
    SERVICES: 'api,ws,auth,users,wallets,transactions,portfolio,notifications,anomalies',
    SYNC_ACK_WAIT: '10s',
  });

const as = (user: SessionResponse) => ({ token: user.accessToken });

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 300_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function storedStateBytes(userId: string): Promise<number> {
  const doc = await DetectorStateModel.findById(userId).lean();
  return doc ? Buffer.byteLength(JSON.stringify(doc)) : 0;
}

interface PhaseResult {
  counts: Map<AnomalyType, Counts>;
  transactions: number;
  stateBytes: number[];
  ms: number;
}

// ---- (1) bank: link, sync, detect ----------------------------------------------------------

async function bankPhase(seed: number): Promise<PhaseResult> {
  const started = Date.now();
  const sims = await startSimulators({ seed, bankVolume: 2, ticksPerSecond: 0, today: TODAY });
  const product = await startProduct(sims);
  const counts = new Map<AnomalyType, Counts>();
  const stateBytes: number[] = [];
  let transactions = 0;
  try {
    const users = await Promise.all(Array.from({ length: USERS }, () => register(product.base)));
    const wallets = await Promise.all(
      users.map(async (user) => {
        const res = await request<WalletView>(product.base, 'POST', '/api/v1/wallets/bank', {
          ...as(user),
          body: { institutionId: 'ins_109508' },
        });
        if (res.status !== 201) throw new Error(`link: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      }),
    );
    for (const [i, user] of users.entries()) {
      const wallet = wallets[i] as WalletView;
      await until(`the first sync of ${wallet.id}`, async () => {
        const w = await request<WalletView>(product.base, 'GET', `/api/v1/wallets/${wallet.id}`, as(user));
        if (w.body.sync.state === 'failed') throw new Error(`sync failed: ${JSON.stringify(w.body.sync)}`);
        return w.body.sync.state === 'ok' ? true : undefined;
      });
      const flags = await flagsOf(product, user);
      const itemId = (await Wallet.findOne({ publicId: wallet.id }).lean())?.providerItemId as string;
      const stored = await Transaction.find({ walletId: wallet.id })
        .select({ providerTransactionId: 1, publicId: 1 })
        .lean();
      transactions += stored.length;
      const ours = new Map(stored.map((t) => [t.providerTransactionId, t.publicId]));
      const truth = sims.plaid.truth(itemId)?.anomalies ?? [];
      add(
        counts,
        score(
          judgedLabels(truth, (pid) => (ours.has(pid) ? [ours.get(pid) as string] : [])),
          judgedFlags(flags),
        ),
      );
      stateBytes.push(await storedStateBytes(user.user.id));
    }
  } finally {
    await product.stop();
    await sims.stop();
  }
  return { counts, transactions, stateBytes, ms: Date.now() - started };
}

// ---- (2) CSV: statements imported through the API ---------------------------------------------

/** What a USD statement shows for a charge in another currency (a fixed rate: only the amount matters here). */
const TO_USD: Record<string, number> = { USD: 1, EUR: 1.08, GBP: 1.27 };

/** A bank statement of one account: Date, Description, Amount (negative = money out), Category. */
function statement(transactions: LedgerTransaction[]): { csv: string; keyOf: Map<string, string> } {
  const keyOf = new Map<string, string>();
  const lines = ['Date,Description,Amount,Category'];
  for (const t of transactions) {
    const amount = (-(t.amountCents * (TO_USD[t.currency] ?? 1)) / 100).toFixed(2);
    lines.push(`${t.date},"${t.name.replaceAll('"', '""')}",${amount},${t.category.primary}`);
    keyOf.set(t.transaction_id, `${t.date}|${t.name}|${amountE4(amount)}`);
  }
  return { csv: lines.join('\n'), keyOf };
}

const CSV_MAPPING = {
  date: 'Date',
  description: 'Description',
  amount: 'Amount',
  category: 'Category',
  dateFormat: 'YYYY-MM-DD',
  decimalSeparator: '.',
};

async function csvPhase(seeds: number[]): Promise<Map<number, PhaseResult>> {
  const sims = await startSimulators({ seed: 1, bankVolume: 2, ticksPerSecond: 0, today: TODAY });
  const product = await startProduct(sims);
  const results = new Map<number, PhaseResult>();
  try {
    for (const seed of seeds) {
      const started = Date.now();
      const ledger = new BankLedger({ seed, startDate: START });
      const all = ledgerTransactions(ledger, TODAY);
      const user = await register(product.base);
      const files = (['checking', 'credit'] as const).map((kind) => {
        const account = ledger.accounts.find((a) => a.kind === kind)?.account_id;
        return { kind, ...statement(all.filter((t) => t.account_id === account)) };
      });
      const walletIds: string[] = [];
      for (const file of files)
        walletIds.push(
          (
            await importStatement(
              product,
              user,
              `${file.kind === 'credit' ? 'Card' : 'Checking'} (CSV)`,
              file.csv,
              'USD',
              CSV_MAPPING,
            )
          ).id,
        );
      const flags = await flagsOf(product, user);
      const stored = await Transaction.find({ walletId: { $in: walletIds } })
        .select({ publicId: 1, date: 1, name: 1, amountE4: 1 })
        .lean();
      const idsByKey = new Map<string, string[]>();
      for (const t of stored) {
        const key = `${t.date}|${t.name}|${t.amountE4}`;
        idsByKey.set(key, [...(idsByKey.get(key) ?? []), t.publicId]);
      }
      const keyOf = new Map(files.flatMap((f) => [...f.keyOf]));
      const counts = score(
        judgedLabels(injectedAnomalies(ledger), (lid) => idsByKey.get(keyOf.get(lid) ?? '') ?? []),
        judgedFlags(flags),
      );
      results.set(seed, {
        counts,
        transactions: stored.length,
        stateBytes: [await storedStateBytes(user.user.id)],
        ms: Date.now() - started,
      });
    }
  } finally {
    await product.stop();
    await sims.stop();
  }
  return results;
}

// ---- (3) the detector alone -----------------------------------------------------------------

/** A ledger's transactions in the order the detector reads them (date, then as they came). */
function ledgerTransactions(ledger: BankLedger, until = JUDGED_TO): LedgerTransaction[] {
  const out: LedgerTransaction[] = [];
  for (let date = START; date <= until; date = addDays(date, 1)) out.push(...ledger.day(date).transactions);
  return out;
}

function injectedAnomalies(ledger: BankLedger): Anomaly[] {
  const out: Anomaly[] = [];
  for (let date = START; date <= TODAY; date = addDays(date, 1)) out.push(...ledger.day(date).anomalies);
  return out;
}

function replay(seed: number): PhaseResult & { ns: number } {
  const ledger = new BankLedger({ seed, startDate: START });
  const transactions = ledgerTransactions(ledger).map((t) => fromLedger(t, 'w'));
  const state = createDetectorState();
  const settings = { largeE4: amountE4('1000') };
  const findings: Finding[] = [];
  const started = process.hrtime.bigint();
  for (const t of transactions) findings.push(...analyzeTransaction(state, t, settings));
  // the last day closed as the engine closes a past day; the bank synced up to today
  findings.push(
    ...closeDay(state),
    ...checkMissingIncome(state, TODAY, undefined, { syncedUntil: { w: TODAY } }),
  );
  const ns = Number(process.hrtime.bigint() - started);
  // one anomaly per key, as the product stores them
  const flags = [...new Map(findings.map((f) => [f.key, f])).values()].map((f) => ({
    type: f.type,
    ids: f.transactionIds,
    date: f.date,
  }));
  return {
    counts: score(
      judgedLabels(injectedAnomalies(ledger), (id) => [id]),
      judgedFlags(flags),
    ),
    transactions: transactions.length,
    stateBytes: [Buffer.byteLength(JSON.stringify(state))],
    ms: ns / 1e6,
    ns,
  };
}

// ---- the run ----------------------------------------------------------------------------------

log(
  'Finexia anomaly benchmark: %d months of history per user, judged %s … %s (FerretDB on %s, JetStream)',
  MONTHS,
  JUDGED_FROM,
  JUDGED_TO,
  infra.mongoProvider,
);
log('seeds: fixed %s; fresh %s; %d bank users per seed', FIXED.join(', '), FRESH.join(', '), USERS);

const byGroup = { fixed: new Map<AnomalyType, Counts>(), fresh: new Map<AnomalyType, Counts>() };
const all = new Map<AnomalyType, Counts>();
const productState: number[] = [];
const groupOf = (seed: number) => (FIXED.includes(seed) ? byGroup.fixed : byGroup.fresh);

log('\n(1) bank: link → sync → detect, per simulator seed');
const bankAll = new Map<AnomalyType, Counts>();
for (const seed of [...FIXED, ...FRESH]) {
  const r = await bankPhase(seed);
  add(bankAll, r.counts);
  add(groupOf(seed), r.counts);
  productState.push(...r.stateBytes);
  log(
    `  ${seedName(seed).padEnd(18)} ${USERS} users, ${r.transactions} transactions in ${(r.ms / 1000).toFixed(1)} s; ${summary(r.counts)}`,
  );
}
log(table(bankAll));
add(all, bankAll);

log('\n(2) CSV: two statements per seed (checking, card) through preview → commit');
const csvAll = new Map<AnomalyType, Counts>();
for (const [seed, r] of await csvPhase([...FIXED, ...FRESH])) {
  add(csvAll, r.counts);
  add(groupOf(seed), r.counts);
  productState.push(...r.stateBytes);
  log(
    `  ${seedName(seed).padEnd(18)} ${r.transactions} rows in ${(r.ms / 1000).toFixed(1)} s; ${summary(r.counts)}`,
  );
}
log(table(csvAll));
add(all, csvAll);

log('\nfixed seeds (bank + CSV)');
log(table(byGroup.fixed));
log('\nfresh seeds (bank + CSV)');
log(table(byGroup.fresh));
log('\noverall (bank + CSV, fixed + fresh)');
log(table(all));

log('\n(3) cost: the detector alone replaying each seed’s ledger in process');
let ns = 0;
let count = 0;
const replayAll = new Map<AnomalyType, Counts>();
const replayState: number[] = [];
replay(FIXED[0] as number); // warm the JIT once, not measured
for (const seed of [...FIXED, ...FRESH]) {
  const r = replay(seed);
  ns += r.ns;
  count += r.transactions;
  replayState.push(...r.stateBytes);
  add(replayAll, r.counts);
  log(
    `  ${seedName(seed).padEnd(18)} ${r.transactions} transactions: ${(r.ns / 1000 / r.transactions).toFixed(1)} µs/transaction, state ${kib(r.stateBytes[0] as number)}; ${summary(r.counts)}`,
  );
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
log(`  detector: ${(ns / 1000 / count).toFixed(1)} µs per transaction over ${count} transactions`);
log(
  `  state per user: ${kib(mean(replayState))} in the detector (max ${kib(Math.max(...replayState))}); ${kib(mean(productState))} stored per user by the product (max ${kib(Math.max(...productState))}, detector and balances)`,
);

const overall = metrics(total(all));
const weakest = [...all].map(([type, c]) => ({ type, ...metrics(c) }));
const met =
  overall.precision >= 0.9 &&
  overall.recall >= 0.9 &&
  weakest.every((t) => !(t.precision < 0.8) && !(t.recall < 0.8));
log(`\ntarget (precision and recall ≥ 0.9 overall, ≥ 0.8 per type): ${met ? 'met' : 'NOT met'}`);

await infra.stop();
process.exit(met ? 0 : 1);
