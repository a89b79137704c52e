// The anomaly detector on the second, independent test set (bench/statements.ts: UK bank
// statements written from other assumptions than the generator the thresholds were set on),
// through the product's real import path: each person's current-account and savings files
// imported as CSV (preview → commit) into a node, the flags read back from GET /api/v1/anomalies.
// Prints precision, recall and F1 per type on people with injections, and the alert budget on
// people with nothing injected (at most 4 listed per person-year, 1 notified per quarter).
// Run: scripts/finexia bench:statements [-- --people 100 --seed 500]
import { parseArgs } from 'node:util';
import { ensureInfra } from '../scripts/infra.ts';
import { startInProcessNode } from './env.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { Transaction } from '../infra/models/transaction.model.ts';
import { amountE4 } from '../domain/transactions.ts';
import { flagsOf, importStatement, newUser, type Product } from './anomaly-product.ts';
import {
  add,
  AlertLoad,
  LABELLED_TYPES,
  metrics,
  score,
  table,
  total,
  type Counts,
  type Flagged,
} from './anomaly-labels.ts';
import { person, statementCsv, type Person } from './statements.ts';
import type { AnomalyType } from '@finexia/contracts/api.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { people: { type: 'string', default: '100' }, seed: { type: 'string', default: '500' } },
});
const PEOPLE = Number(args.people);
const SEED = Number(args.seed);
const END = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const START = new Date(Date.parse(`${END}T00:00:00Z`) - 548 * 86_400_000).toISOString().slice(0, 10);
const JUDGED_FROM = new Date(Date.parse(`${START}T00:00:00Z`) + 35 * 86_400_000).toISOString().slice(0, 10);
const judged = (date: string) => date >= JUDGED_FROM && date <= END;
const YEARS = (Date.parse(END) - Date.parse(JUDGED_FROM)) / (365.25 * 86_400_000);
const MAPPING = {
  date: 'Date',
  description: 'Description',
  amount: 'Amount',
  dateFormat: 'YYYY-MM-DD',
  decimalSeparator: '.',
};

const infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: () => undefined });
const sims = await startSimulators({ seed: 1, bankVolume: 0.02, ticksPerSecond: 0 });
const product: Product & { stop(): Promise<void> } = await startInProcessNode(infra, sims, 'bstmt', {
  SERVICES: 'api,ws,auth,users,wallets,transactions,notifications,anomalies',
});

/** A person's two files through the product; their flags and the stored ids of each row. */
async function throughProduct(p: Person): Promise<{ flags: Flagged[]; idsOf: (rowId: string) => string[] }> {
  const user = await newUser(product);
  const wallets = [
    await importStatement(product, user, 'Current account', statementCsv(p.current), 'GBP', MAPPING),
    await importStatement(product, user, 'Savings', statementCsv(p.savings), 'GBP', MAPPING),
  ];
  const flags = await flagsOf(product, user);
  // by user: the filter FerretDB answers from its index (a wallet filter scans every row stored)
  const stored = await Transaction.find({ userId: user.user.id, walletId: { $in: wallets.map((w) => w.id) } })
    .select({ publicId: 1, date: 1, name: 1, amountE4: 1 })
    .lean();
  const byKey = new Map<string, string[]>();
  for (const t of stored) {
    const key = `${t.date}|${t.name}|${t.amountE4}`;
    byKey.set(key, [...(byKey.get(key) ?? []), t.publicId]);
  }
  const keyOf = new Map(
    [...p.current, ...p.savings].map((r) => [
      r.id,
      `${r.date}|${r.description}|${amountE4((r.pence / 100).toFixed(2))}`,
    ]),
  );
  return { flags, idsOf: (rowId) => byKey.get(keyOf.get(rowId) ?? '') ?? [] };
}

const started = Date.now();
console.log(
  `second generator (bench/statements.ts), ${PEOPLE} people with injections + ${PEOPLE} with none, seed ${SEED}; ${START} … ${END}, judged from ${JUDGED_FROM}; through CSV import`,
);
const counts = new Map<AnomalyType, Counts>();
let rows = 0;
for (let i = 0; i < PEOPLE; i += 1) {
  const p = person({ seed: SEED + i, start: START, end: END, inject: true });
  rows += p.current.length + p.savings.length;
  const { flags, idsOf } = await throughProduct(p);
  add(
    counts,
    score(
      p.injected
        .filter((a) => judged(a.date))
        .map((a) => ({ type: a.kind, ids: a.rowIds.flatMap(idsOf), date: a.date })),
      flags.filter((f) => LABELLED_TYPES.includes(f.type) && judged(f.date)),
    ),
  );
}
console.log(`\nwith injections: ${rows} rows; per type`);
console.log(table(counts));

const load = new AlertLoad(YEARS);
for (let i = 0; i < PEOPLE; i += 1) {
  const p = person({ seed: SEED + 100_000 + i, start: START, end: END, inject: false });
  load.add((await throughProduct(p)).flags.filter((f) => judged(f.date)));
}
console.log('\nnothing injected:');
for (const line of load.lines()) console.log(line);
const m = metrics(total(counts));
console.log(
  `\noverall precision ${m.precision.toFixed(3)}, recall ${m.recall.toFixed(3)}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
await product.stop();
await sims.stop();
await infra.stop();
