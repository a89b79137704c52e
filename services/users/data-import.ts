// An export brought into an account: what the person entered by hand comes back — preferences,
// manual wallets with their balance histories, their transactions with categories and notes,
// merchant rules, goals. What a provider or Finexia made (linked banks and exchanges, anomalies,
// notifications, history) is not imported: linking again and the data itself make it again; webhooks
// need their secrets anew. Every call goes to the owning service as the user (their validation
// applies). An export goes into an account once: the same file again is refused (409).
import { callAction } from '../../infra/actions.ts';
import type { ServiceBroker } from 'moleculer';
import yauzl from 'yauzl';
import { parse } from 'csv-parse/sync';
import {
  EXPORT_FILES,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportFiles,
  type ImportedRow,
  type ImportReport,
} from '@finexia/contracts/export.ts';
import type { PreferencesPatch } from '@finexia/contracts/api.ts';
import type { RequestMeta } from '../../infra/context.ts';
import { conflict, invalidField } from '../../domain/errors.ts';
import { claimOnce, isClaimed } from '../../infra/db.ts';
import { importedRow } from '../../domain/export.ts';

/** The most an archive's files may unpack to (a zip bomb stops there). */
const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
/** Transactions per call to the transactions service. */
const ROWS_PER_CALL = 2_000;

const refused = (why: string) => invalidField('archive', why, 'archive');

/** The files of a zip, by name (each read whole: the archive is at most 8 MiB). */
async function unzip(archive: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(archive, { lazyEntries: true }, (err, file) => (err ? reject(err) : resolve(file))),
  ).catch(() => {
    throw refused('is not a zip archive');
  });
  const files = new Map<string, Buffer>();
  let unpacked = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(refused(`holds a file that cannot be read (${entry.fileName})`));
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => {
          unpacked += chunk.length;
          if (unpacked > MAX_UNPACKED_BYTES) {
            stream.destroy();
            reject(refused('unpacks to more than 256 MiB'));
            return;
          }
          chunks.push(chunk);
        });
        stream.on('error', () => reject(refused(`holds a damaged file (${entry.fileName})`)));
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', () => reject(refused('is a damaged zip archive')));
    zip.readEntry();
  });
  return files;
}

function jsonFile<K extends keyof ExportFiles>(
  files: Map<string, Buffer>,
  kind: K,
): ExportFiles[K] | undefined {
  const file = files.get(EXPORT_FILES[kind]);
  if (!file) return undefined;
  try {
    return JSON.parse(file.toString('utf8')) as ExportFiles[K];
  } catch {
    throw refused(`has a ${EXPORT_FILES[kind]} that is not JSON`);
  }
}

export async function importArchive(
  broker: ServiceBroker,
  meta: RequestMeta & { user: { id: string } },
  archive: Buffer,
): Promise<ImportReport> {
  const files = await unzip(archive);
  const manifest = jsonFile(files, 'manifest');
  if (manifest?.format !== EXPORT_FORMAT || manifest.version !== EXPORT_VERSION)
    throw refused(`is not a Finexia export (version ${EXPORT_VERSION})`);
  const userId = meta.user.id;
  const once = `${userId}:${manifest.userId}:${manifest.exportedAt}`;
  if (await isClaimed('export-imported', once))
    throw conflict('CONFLICT', 'This export was imported into this account already.');
  const as = { meta };
  const report: ImportReport = {
    imported: { preferences: false, wallets: 0, balances: 0, transactions: 0, categoryRules: 0, goals: 0 },
    skipped: [],
  };
  const skip = (what: string, count: number, why: string) => {
    if (count) report.skipped.push({ what, count, why });
  };

  const profile = jsonFile(files, 'profile');
  if (profile?.preferences) {
    const { baseCurrency, locale, timeZone, theme, alertThresholds, alerts } = profile.preferences;
    const patch: PreferencesPatch = { baseCurrency, locale, timeZone, theme, alertThresholds, alerts };
    await callAction(broker, 'users.updatePreferences', patch, as);
    report.imported.preferences = true;
  }

  // manual wallets, each with its balance history; the old ids map to the new
  const wallets = jsonFile(files, 'wallets') ?? [];
  const balances = new Map((jsonFile(files, 'balances') ?? []).map((b) => [b.walletId, b.balances]));
  const made = new Map<string, { walletId: string; accountId: string; currency: string }>();
  const mortgageLinks: { property: string; mortgage: string }[] = [];
  for (const w of wallets) {
    if (w.kind !== 'manual' || !w.manualType || !w.currency) continue;
    // a loan's scheduled entries come again from its terms; the person's own are imported
    const history = [...(balances.get(w.id) ?? [])]
      .filter((b) => !b.source)
      .sort((a, b) => (a.date < b.date ? -1 : 1))
      .map(({ date, balance }) => ({ date, balance }));
    // a loan starts from its terms and a thing owned from its purchase: every entry is then recorded as it was
    const fromTerms = Boolean(w.loan || w.owned);
    const first = fromTerms ? undefined : history[0];
    const later = fromTerms ? history : history.slice(1);
    // a property's mortgage is linked once every wallet exists (its id is new)
    const mortgageWalletId = w.owned?.terms.mortgageWalletId;
    if (mortgageWalletId) mortgageLinks.push({ property: w.id, mortgage: mortgageWalletId });
    const created = await callAction(
      broker,
      'wallets.createManual',
      {
        name: w.name,
        manualType: w.manualType,
        currency: w.currency,
        ...(w.loan ? { loan: w.loan.terms } : {}),
        ...(w.owned ? { owned: { ...w.owned.terms, mortgageWalletId: null } } : {}),
        ...(first ?? {}),
      },
      as,
    );
    for (const entry of later)
      await callAction(broker, 'wallets.setBalance', { id: created.id, ...entry }, as);
    if (w.archived) await callAction(broker, 'wallets.archive', { id: created.id }, as);
    made.set(w.id, { walletId: created.id, accountId: created.accounts[0]!.id, currency: w.currency });
    report.imported.wallets += 1;
    report.imported.balances += history.length;
  }
  for (const link of mortgageLinks) {
    const property = made.get(link.property);
    const mortgage = made.get(link.mortgage);
    if (property && mortgage)
      await callAction(
        broker,
        'wallets.updateOwned',
        { id: property.walletId, mortgageWalletId: mortgage.walletId },
        as,
      );
  }
  skip(
    'linked banks and exchanges',
    wallets.filter((w) => w.kind !== 'manual').length,
    'their data comes from the provider: link them again',
  );

  // their transactions, with categories and notes
  const csv = files.get(EXPORT_FILES.transactions);
  if (csv) {
    const records = parse(csv, { columns: true, skip_empty_lines: true, bom: true }) as Record<
      string,
      string
    >[];
    const byWallet = new Map<string, ImportedRow[]>();
    let provider = 0;
    for (const [i, record] of records.entries()) {
      const row = importedRow(record);
      if ('problem' in row) throw refused(`has a transaction on line ${i + 2} where ${row.problem}`);
      if (!made.has(row.walletId)) {
        provider += 1;
        continue;
      }
      byWallet.set(row.walletId, [...(byWallet.get(row.walletId) ?? []), row]);
    }
    for (const [oldWallet, rows] of byWallet) {
      const target = made.get(oldWallet)!;
      for (let start = 0; start < rows.length; start += ROWS_PER_CALL) {
        const res = await callAction(
          broker,
          'transactions.importRows',
          { userId, ...target, rows: rows.slice(start, start + ROWS_PER_CALL) },
          { timeout: 120_000 },
        );
        report.imported.transactions += res.imported;
      }
    }
    skip(
      'transactions of linked banks and exchanges',
      provider,
      'they come back when the account is linked again',
    );
  }

  const rules = jsonFile(files, 'categoryRules') ?? [];
  if (rules.length) {
    const res = await callAction(broker, 'transactions.importRules', {
      userId,
      rules,
    });
    report.imported.categoryRules = res.imported;
  }

  const today = new Date().toISOString().slice(0, 10);
  const goals = jsonFile(files, 'goals') ?? [];
  for (const g of goals.filter((goal) => goal.date > today)) {
    await callAction(broker, 'insights.createGoal', { name: g.name, target: g.target, date: g.date }, as);
    report.imported.goals += 1;
  }
  skip('goals whose date has passed', goals.filter((g) => g.date <= today).length, 'a goal must be ahead');
  skip(
    'webhooks',
    (jsonFile(files, 'webhooks') ?? []).length,
    'their secrets are never exported: create them again in Settings',
  );
  const remade = 'Finexia finds them again in the imported data';
  skip('anomalies', (jsonFile(files, 'anomalies') ?? []).length, remade);
  skip('notifications', (jsonFile(files, 'notifications') ?? []).length, remade);
  await claimOnce('export-imported', once);
  return report;
}
