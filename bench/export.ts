// An export's cost as a user's transactions grow (prints figures; not a test): one node in this
// process, a user per size with that many transactions in a manual wallet, then GET
// /api/v1/users/me/export read to its end (the bytes counted, not kept), twice. Side by side per
// size: the time to the last byte, the zip's size, and how far the live heap (after a full GC,
// every 250 ms, in the second run) and the RSS rose above where they stood before. A streamed
// export's peak stays flat as transactions grow; one built in memory grows with the CSV.
// Run: scripts/finexia bench:export [-- --sizes 1000,20000,100000]
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { ensureInfra } from '../scripts/infra.ts';
import { startInProcessNode } from './env.ts';
import { startSimulators } from '../providers/simulators/index.ts';
import { register, request } from '../test/helpers/http.ts';
import type { WalletView } from '@finexia/contracts/api.ts';
import type { ImportedRow } from '@finexia/contracts/export.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { sizes: { type: 'string', default: '1000,20000,100000' } },
});
const SIZES = String(args.sizes).split(',').map(Number);
const MERCHANTS = ['Corner Bakery', 'City Transit', 'Green Grocer', 'Book Nook', 'Fuel Stop', 'Pharmacy'];
const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (scripts/finexia bench:export does)');

const infra = await ensureInfra({ storage: 'ephemeral', requireNats: true, log: () => undefined });
const sims = await startSimulators({ seed: 9, ticksPerSecond: 0 });
const node = await startInProcessNode(infra, sims, 'bexport');
const rows: string[][] = [];
try {
  for (const size of SIZES) {
    const user = await register(node.base);
    const wallet = await request<WalletView>(node.base, 'POST', '/api/v1/wallets/manual', {
      token: user.accessToken,
      body: { name: 'Spending', manualType: 'cash', currency: 'USD', balance: '1000' },
    });
    if (wallet.status !== 201) throw new Error(`wallet: ${wallet.status} ${JSON.stringify(wallet.body)}`);
    const account = wallet.body.accounts[0]!;
    const loadStart = Date.now();
    for (let start = 0; start < size; start += 5_000) {
      const batch: ImportedRow[] = [];
      for (let i = start; i < Math.min(size, start + 5_000); i += 1)
        batch.push({
          id: randomUUID(),
          walletId: wallet.body.id,
          date: new Date(Date.UTC(2020, 0, 1) + (i % 2_500) * 86_400_000).toISOString().slice(0, 10),
          amount: `-${(1 + (i % 9_000) / 100).toFixed(2)}`,
          currency: 'USD',
          name: `${MERCHANTS[i % MERCHANTS.length]} #${i}`,
          merchant: MERCHANTS[i % MERCHANTS.length]!,
          category: null,
          categorySource: 'none',
          notes: i % 10 === 0 ? 'with a note, and a comma' : null,
          pending: false,
          source: 'manual',
        });
      await node.broker.call(
        'transactions.importRows',
        {
          userId: user.user.id,
          walletId: wallet.body.id,
          accountId: account.id,
          currency: 'USD',
          rows: batch,
        },
        { timeout: 300_000 },
      );
    }
    console.log(`export: ${size} transactions stored in ${((Date.now() - loadStart) / 1000).toFixed(1)} s`);

    // the detector's run the insert set off is serialized per user: one more run waits for it,
    // so the export is measured alone, from a collected heap
    const analyzeStart = Date.now();
    await node.broker.call('anomalies.analyzeNow', { userId: user.user.id }, { timeout: 600_000 });
    console.log(`export: anomaly analysis settled in ${((Date.now() - analyzeStart) / 1000).toFixed(1)} s`);
    // timed alone; then once more for memory, a full GC every 250 ms (it slows that run down)
    const timed = await exportOnce(user.accessToken, 0);
    const measured = await exportOnce(user.accessToken, 250);
    const { ms, bytes } = timed;
    rows.push([
      size.toLocaleString('en-US'),
      (ms / 1000).toFixed(2),
      ((size / ms) * 1000).toFixed(0),
      (bytes / MiB).toFixed(2),
      (measured.liveRise / MiB).toFixed(1),
      (Math.max(timed.rssRise, measured.rssRise) / MiB).toFixed(1),
    ]);
  }
} finally {
  await node.stop();
  await sims.stop();
  await infra.stop();
}

/**
 * One export read to its end: its time and bytes, and how far the RSS (every 5 ms) and, with
 * `gcEveryMs`, the live heap (after a full GC; the heap before one also counts garbage, which V8
 * leaves while it has room) rose above where they stood before it.
 */
async function exportOnce(token: string, gcEveryMs: number) {
  gc!();
  const base = process.memoryUsage();
  let peakLive = base.heapUsed;
  let peakRss = base.rss;
  const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);
  const gcSampler =
    gcEveryMs > 0
      ? setInterval(() => {
          gc!();
          peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
        }, gcEveryMs)
      : undefined;
  const began = performance.now();
  try {
    const res = await fetch(`${node.base}/api/v1/users/me/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    let bytes = 0;
    for await (const chunk of res.body!) bytes += (chunk as Uint8Array).length;
    return {
      ms: performance.now() - began,
      bytes,
      liveRise: peakLive - base.heapUsed,
      rssRise: peakRss - base.rss,
    };
  } finally {
    clearInterval(rssSampler);
    clearInterval(gcSampler);
  }
}

const header = ['transactions', 'seconds', 'rows/s', 'zip MiB', 'live heap rise MiB', 'RSS rise MiB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
console.log('\nexport: GET /api/v1/users/me/export read to its end, one node in this process');
for (const line of [header, ...rows]) console.log(line.map((c, i) => c.padStart(widths[i]!)).join('  '));
