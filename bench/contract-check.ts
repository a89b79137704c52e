// What checking responses against their contracts costs (CONTRACT_CHECK, on in the tests): µs
// per check of typical bodies beside what serializing them costs anyway, in one run.
// Run: scripts/finexia bench:contracts
import { loadConfig } from '../config/index.ts';
import { ensureContractSchemas } from '../scripts/contract-schemas.ts';
import { contractChecker } from '../infra/contract-check.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';
import type { WalletList } from '@finexia/contracts/api.ts';

ensureContractSchemas((line) => console.log(line));
const check = (await contractChecker(loadConfig({ ...process.env, CONTRACT_CHECK: 'true' }).contractCheck))!;

const assets = Array.from({ length: 25 }, (_, i) => `A${i}`);
const view: PortfolioView = {
  userId: 'u',
  epoch: 'e',
  seq: 12,
  currency: 'USD',
  netWorth: '183290.44',
  netWorthUsd: '183290.441234',
  dayChange: '6.44',
  dayOpen: '183284',
  byAccount: Object.fromEntries(assets.slice(0, 8).map((a) => [`acc-${a}`, '1234.56'])),
  byAsset: Object.fromEntries(assets.map((a) => [a, '1234.56'])),
  byClass: { crypto: '1', cash: '2', stablecoin: '3' },
  prices: Object.fromEntries(assets.map((a) => [a, '97000.12345678'])),
  unpriced: [],
  pegged: [],
  asOf: new Date().toISOString(),
};
const delta = JSON.stringify({
  type: 'event',
  event: 'portfolio.updated',
  data: {
    userId: 'u',
    epoch: 'e',
    seq: 13,
    prevSeq: 12,
    currency: 'USD',
    netWorth: '183291',
    netWorthUsd: '183291',
    dayChange: '7',
    dayOpen: '183284',
    asOf: new Date().toISOString(),
    changed: { prices: { A1: '97001' }, byAsset: { A1: '1235' }, byAccount: { 'acc-A1': '1235' } },
    removed: {},
  },
});
const wallets: WalletList = { wallets: [] };

function time(label: string, n: number, run: () => unknown, beside: () => unknown): void {
  for (let i = 0; i < 1000; i += 1) run();
  let started = performance.now();
  for (let i = 0; i < n; i += 1) run();
  const checkUs = ((performance.now() - started) * 1000) / n;
  started = performance.now();
  for (let i = 0; i < n; i += 1) beside();
  const besideUs = ((performance.now() - started) * 1000) / n;
  console.log(`| ${label} | ${checkUs.toFixed(1)} µs | ${besideUs.toFixed(1)} µs |`);
}

console.log('| Checked | Check | Serializing it (JSON.stringify / parse) |');
console.log('| ------- | ----- | --------------------------------------- |');
time(
  'GET /portfolio (25 holdings)',
  20_000,
  () => check.response('GET /portfolio', view),
  () => JSON.stringify(view),
);
time(
  'a portfolio.updated frame',
  20_000,
  () => check.frame(delta),
  () => JSON.parse(delta),
);
time(
  'GET /wallets (empty)',
  20_000,
  () => check.response('GET /wallets', wallets),
  () => JSON.stringify(wallets),
);
