// The alert budget and the detector's figures on the first generator, in process (no product
// path): people replayed through the detector as the engine feeds it (date order, each day closed
// once the next starts, the last day closed at the end), on histories with nothing injected
// (what a person is told when nothing is wrong) and with injections (precision, recall, F1).
// Budget: at most one notified alert per person per quarter and at most four listed per year.
// "Notified": found within the 30 days before the analysis and of the severities alerts go out
// for by default (medium and up); "listed": every finding of the labelled kinds.
// Run: scripts/finexia bench:anomaly-budget [-- --people 100 --seed 7]
import { parseArgs } from 'node:util';
import { addDays, BankLedger, type Anomaly } from '../providers/simulators/bank-ledger.ts';
import {
  analyzeTransaction,
  checkMissingIncome,
  closeDay,
  createDetectorState,
  type Finding,
} from '../domain/anomalies/detector.ts';
import { amountE4 } from '../domain/transactions.ts';
import {
  AlertLoad,
  fromLedger,
  labelsOf,
  LABELLED_TYPES,
  score,
  add,
  table,
  total,
  metrics,
  type Counts,
} from './anomaly-labels.ts';
import type { AnomalyType } from '@finexia/contracts/api.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { people: { type: 'string', default: '100' }, seed: { type: 'string', default: '7' } },
});
const PEOPLE = Number(args.people);
const FIRST_SEED = Number(args.seed);
const MONTHS = 24;
const TODAY = '2026-12-07';
const START = addDays(TODAY, -Math.round(MONTHS * 30.44));
const JUDGED_FROM = addDays(START, 35);
const JUDGED_TO = addDays(TODAY, -4);

/** ns spent in the detector (not in generating the ledgers) */
let detectorNs = 0;

function replay(ledger: BankLedger): {
  findings: Finding[];
  injected: Anomaly[];
  transactions: number;
  stateBytes: number;
} {
  const state = createDetectorState();
  const settings = { largeE4: amountE4('1000') };
  const findings: Finding[] = [];
  const injected: Anomaly[] = [];
  let transactions = 0;
  for (let date = START; date <= JUDGED_TO; date = addDays(date, 1)) {
    const day = ledger.day(date);
    injected.push(...day.anomalies);
    const txs = day.transactions.map((t) => fromLedger(t, t.account_id));
    const began = process.hrtime.bigint();
    for (const t of txs) findings.push(...analyzeTransaction(state, t, settings));
    detectorNs += Number(process.hrtime.bigint() - began);
    transactions += txs.length;
  }
  // a linked bank: every account synced up to the last judged day
  const syncedUntil = Object.fromEntries(ledger.accounts.map((a) => [a.account_id, JUDGED_TO]));
  findings.push(...closeDay(state), ...checkMissingIncome(state, JUDGED_TO, undefined, { syncedUntil }));
  return {
    findings: [...new Map(findings.map((f) => [f.key, f])).values()],
    injected,
    transactions,
    stateBytes: Buffer.byteLength(JSON.stringify(state)),
  };
}

const judged = (date: string) => date >= JUDGED_FROM && date <= JUDGED_TO;
const years = (Date.parse(JUDGED_TO) - Date.parse(JUDGED_FROM)) / (365.25 * 86_400_000);

const max = (xs: number[]) => Math.max(...xs);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// ---- clean histories: the budget ----------------------------------------------------------------
const load = new AlertLoad(years);
let count = 0;
const stateBytes: number[] = [];
for (let i = 0; i < PEOPLE; i += 1) {
  const {
    findings,
    transactions,
    stateBytes: bytes,
  } = replay(new BankLedger({ seed: FIRST_SEED + i, startDate: START, anomalyRate: 0 }));
  count += transactions;
  stateBytes.push(bytes);
  load.add(findings.filter((f) => judged(f.date)));
}
console.log(
  `first generator (providers/simulators/bank-ledger.ts), ${PEOPLE} people from seed ${FIRST_SEED}, ${MONTHS} months, judged ${JUDGED_FROM} … ${JUDGED_TO}`,
);
console.log(
  `\nclean histories (nothing injected): ${count} transactions; detector ${(detectorNs / 1000 / count).toFixed(1)} µs per transaction, state ${(mean(stateBytes) / 1024).toFixed(1)} KiB per person (max ${(max(stateBytes) / 1024).toFixed(1)})`,
);
for (const line of load.lines()) console.log(line);

// ---- injected histories: precision and recall -----------------------------------------------
const counts = new Map<AnomalyType, Counts>();
for (let i = 0; i < PEOPLE; i += 1) {
  const { findings, injected } = replay(new BankLedger({ seed: FIRST_SEED + 10_000 + i, startDate: START }));
  add(
    counts,
    score(
      labelsOf(injected, (id) => [id]).filter((l) => judged(l.date)),
      findings
        .filter((f) => LABELLED_TYPES.includes(f.type) && judged(f.date))
        .map((f) => ({ type: f.type, ids: f.transactionIds, date: f.date })),
    ),
  );
}
console.log(`\ninjected histories (rate 0.02 per day): per type`);
console.log(table(counts));
const m = metrics(total(counts));
console.log(`  overall precision ${m.precision.toFixed(3)}, recall ${m.recall.toFixed(3)}`);
