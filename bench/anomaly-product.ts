// What the anomaly benchmarks do through the product, written once: a statement imported as a
// person does it (a manual wallet, preview, commit), and everything the product flagged for a
// user read back through its API.
import type { ServiceBroker } from 'moleculer';
import { importCsv, register, request } from '../test/helpers/http.ts';
import type { Flagged } from './anomaly-labels.ts';
import type { AnomalyPage, SessionResponse, WalletView } from '@finexia/contracts/api.ts';

export interface Product {
  broker: ServiceBroker;
  base: string;
}

const as = (user: SessionResponse) => ({ token: user.accessToken });

/** A new user of the product. */
export const newUser = (product: Product) => register(product.base);

/** A statement file imported into a new manual wallet through preview → commit; the wallet. */
export async function importStatement(
  product: Product,
  user: SessionResponse,
  name: string,
  csv: string,
  currency: string,
  mapping: Record<string, string>,
): Promise<WalletView> {
  const wallet = await request<WalletView>(product.base, 'POST', '/api/v1/wallets/manual', {
    ...as(user),
    body: { name, manualType: 'other', currency, balance: '0' },
  });
  if (wallet.status !== 201) throw new Error(`wallet: ${wallet.status} ${JSON.stringify(wallet.body)}`);
  await importCsv(product.base, user.accessToken, wallet.body.id, csv, mapping);
  return wallet.body;
}

/** Everything the product flagged for a user, through its API (every page). */
export async function flagsOf(product: Product, user: SessionResponse): Promise<Flagged[]> {
  // an analysis asked now runs after whatever the user's actor has queued: when it answers,
  // every stored transaction has been through the detector
  await product.broker.call('anomalies.analyzeNow', { userId: user.user.id }, { timeout: 600_000 });
  const flags: Flagged[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/api/v1/anomalies?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await request<AnomalyPage>(product.base, 'GET', query, as(user));
    if (res.status !== 200) throw new Error(`anomalies: ${res.status} ${JSON.stringify(res.body)}`);
    flags.push(
      ...res.body.anomalies.map((a) => ({
        type: a.type,
        ids: a.transactionIds,
        date: a.date,
        severity: a.severity,
      })),
    );
    cursor = res.body.nextCursor;
  } while (cursor);
  return flags;
}
