// Everything of a user, as a zip they take away: one JSON file per kind and the transactions as
// CSV (contracts/export.ts). Each service hands out what it owns (its `exportUser` action); the
// transactions and the history come as streams and go into the zip as they arrive, so a user with
// 100,000 transactions is never held in memory. Progress goes to the user's sockets
// (`export.progress`). No secret is in any file: the services' views leave them out.
import { callAction } from '../../infra/actions.ts';
import { callByteStream } from '../../infra/streams.ts';
import { HISTORY_READ_MS } from '../../infra/db.ts';
import { PassThrough, Transform, type Readable } from 'node:stream';
import type { ServiceBroker } from 'moleculer';
import yazl from 'yazl';
import {
  EXPORT_FILES,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportFiles,
  type ExportKind,
  type ExportManifest,
} from '@finexia/contracts/export.ts';
import type { AuditEventView, UserView } from '@finexia/contracts/api.ts';
import { emitEvent } from '../../infra/events.ts';

/** Transactions rows between two progress events. */
const PROGRESS_EVERY = 2_000;

export interface ExportSource {
  broker: ServiceBroker;
  user: UserView;
  /** the audit events about the user, as their view */
  audit: AuditEventView[];
}

/** The user's export: the zip's stream (its files are read while it is read). */
export async function exportArchive({ broker, user, audit }: ExportSource): Promise<Readable> {
  const userId = user.id;
  const long = { timeout: HISTORY_READ_MS };
  const progress = (stage: ExportKind, done: number, total: number) =>
    emitEvent(broker, 'export.progress', { userId, stage, done, total });

  const [wallets, summary, anomalies, notified, insights] = await Promise.all([
    callAction(broker, 'wallets.exportUser', { userId }, long),
    callAction(broker, 'transactions.exportSummary', { userId }, long),
    callAction(broker, 'anomalies.exportUser', { userId }, long),
    callAction(broker, 'notifications.exportUser', { userId }, long),
    callAction(broker, 'insights.exportUser', { userId, currency: user.preferences.baseCurrency }, long),
  ]);
  const parts: Partial<ExportFiles> = {
    profile: user,
    wallets: wallets.wallets,
    balances: wallets.balances,
    investmentTransactions: wallets.investmentTransactions,
    chainTransactions: wallets.chainTransactions,
    categoryRules: summary.rules,
    anomalies,
    notifications: notified.notifications,
    webhooks: notified.webhooks,
    goals: insights.goals,
    questionnaire: insights.questionnaire,
    dismissals: insights.dismissals,
    audit,
  };
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    userId,
    counts: {
      wallets: wallets.wallets.length,
      balances: wallets.balances.reduce((n, b) => n + b.balances.length, 0),
      investmentTransactions: wallets.investmentTransactions.length,
      chainTransactions: wallets.chainTransactions.length,
      transactions: summary.transactions,
      categoryRules: summary.rules.length,
      anomalies: anomalies.length,
      notifications: notified.notifications.length,
      webhooks: notified.webhooks.length,
      goals: insights.goals.length,
      dismissals: insights.dismissals.length,
      audit: audit.length,
    },
    notIncluded: [
      'provider credentials (bank access tokens, exchange API keys)',
      'webhook secrets',
      'your password (only its hash is kept; it is not exported either)',
      'session and refresh tokens',
    ],
  };

  const zip = new yazl.ZipFile();
  const json = (kind: ExportKind, value: unknown) =>
    zip.addBuffer(Buffer.from(`${JSON.stringify(value, null, 2)}\n`), EXPORT_FILES[kind]);
  json('manifest', manifest);
  for (const [kind, value] of Object.entries(parts)) json(kind as ExportKind, value);
  progress('transactions', 0, summary.transactions);
  zip.addReadStream(
    countRows(await callByteStream(broker, 'transactions.exportCsv', { userId }, HISTORY_READ_MS), (done) =>
      progress('transactions', done, summary.transactions),
    ),
    EXPORT_FILES.transactions,
  );
  zip.addReadStream(
    await callByteStream(broker, 'portfolio.exportHistory', { userId }, HISTORY_READ_MS),
    EXPORT_FILES.history,
  );
  zip.end();
  // the zip's stream ends when every entry is written: say so then
  const out = new PassThrough();
  zip.outputStream.on('error', (err: Error) => out.destroy(err));
  zip.outputStream.on('end', () => progress('manifest', 1, 1));
  return zip.outputStream.pipe(out);
}

/** The CSV's text passing through, its rows counted (less the header), a progress call every PROGRESS_EVERY. */
function countRows(csv: Readable, onProgress: (rows: number) => void): Readable {
  let lines = 0;
  let reported = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (const byte of chunk) if (byte === 10) lines += 1;
      if (lines - 1 - reported >= PROGRESS_EVERY) {
        reported = lines - 1;
        onProgress(reported);
      }
      done(null, chunk);
    },
    flush(done) {
      onProgress(Math.max(0, lines - 1));
      done();
    },
  });
  csv.on('error', (err: Error) => counter.destroy(err));
  return csv.pipe(counter);
}
