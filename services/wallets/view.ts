// The only shape in which a wallet leaves the service (no credentials, no provider ids).
import type { AccountView, ChainActivity, HoldingView, WalletView } from '@finexia/contracts/api.ts';
import {
  Account,
  Holding,
  InvestmentTransaction,
  ChainTransaction,
  type AccountRecord,
  type HoldingRecord,
  type WalletRecord,
} from '../../infra/models/wallet.model.ts';
import { isLiability, signedBalance } from '../../domain/valuation.ts';
import { loanStatus } from '../../domain/loans.ts';
import { isOwnedType, ownedStatus, type Valuation } from '../../domain/owned-assets.ts';
import { Decimal } from '../../domain/money.ts';
import { addDays, todayUtc } from '../../domain/dates.ts';
import { investmentFlowOf } from '../../domain/securities.ts';
import { recordedBalance } from './schedules.ts';
import { latestBalance } from './manual.ts';
import { mortgagesOf } from './owned.ts';

type Recorded = { date: string; balance: string } | undefined;

/** What a loan's or an owned thing's view reads beyond its rows: its balances, its mortgage. */
export interface WalletExtras {
  /** the balance the person last recorded */
  recorded?: Recorded;
  /** the latest balance entry of any source */
  latest?: Recorded;
  mortgage?: { walletId: string; name: string; owed: Decimal } | null;
  /** a brokerage's accounts: dividends, interest and fees over the last twelve months */
  flows?: { since: string; byAccount: Map<string, InvestmentFlows> };
  /** a wallet on chain's accounts: their latest transactions, newest first */
  activity?: Map<string, ChainActivity[]>;
}

/** How many of a chain account's transactions its view lists. */
const ACTIVITY_SHOWN = 10;

type InvestmentFlows = Record<'dividend' | 'interest' | 'fee', Decimal>;

const valuation = (b: Recorded): Valuation | undefined =>
  b ? { date: b.date, value: b.balance } : undefined;

export function walletView(
  wallet: WalletRecord,
  accounts: AccountRecord[],
  holdings: HoldingRecord[] = [],
  extras: WalletExtras = {},
): WalletView {
  const { recorded } = extras;
  return {
    id: wallet.publicId,
    kind: wallet.kind,
    provider: wallet.provider ?? null,
    manualType: wallet.manualType ?? null,
    name: wallet.name,
    currency: wallet.currency ?? null,
    institution: wallet.institution ?? null,
    archived: Boolean(wallet.archivedAt),
    createdAt: wallet.createdAt?.toISOString() ?? null,
    sync: {
      state: wallet.sync?.state ?? 'never',
      progress: wallet.sync?.progress ?? null,
      reason: wallet.sync?.reason ?? null,
      fix: wallet.sync?.fix ?? null,
      lastSyncedAt: wallet.sync?.lastSyncedAt?.toISOString() ?? null,
    },
    accounts: accounts
      .filter((a) => a.walletId === wallet.publicId)
      // in the provider's order (the database keeps none: a row updated can come back elsewhere)
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
      .map((a): AccountView => ({
        id: a.publicId,
        name: a.name,
        officialName: a.officialName ?? null,
        mask: a.mask ?? null,
        type: a.type,
        subtype: a.subtype ?? null,
        currency: a.currency,
        current: a.current ?? null,
        available: a.available ?? null,
        value: signedBalance(a)?.toString() ?? null,
        liability: isLiability(a.type),
        ...(a.debtTerms
          ? {
              debt: {
                aprPercent: a.debtTerms.aprPercent ?? null,
                minimumPayment: a.debtTerms.minimumPayment ?? null,
                nextPaymentDueDate: a.nextPaymentDueDate ?? null,
              },
            }
          : {}),
        holdings: holdings.filter((h) => h.accountId === a.publicId).map(holdingView),
        ...(wallet.kind === 'brokerage' ? { investment: investmentOf(a, holdings, extras.flows) } : {}),
        ...(extras.activity ? { activity: extras.activity.get(a.publicId) ?? [] } : {}),
      })),
    ...(wallet.kind === 'chain' ? { chain: wallet.chain ?? 'bitcoin' } : {}),
    ...(wallet.loan ? { loan: loanStatus(wallet.loan, recorded, todayUtc()) } : {}),
    ...(wallet.owned && isOwnedType(wallet.manualType)
      ? {
          owned: ownedStatus({
            type: wallet.manualType,
            terms: wallet.owned,
            latest: valuation(extras.latest),
            recorded: valuation(recorded),
            mortgage: extras.mortgage ?? null,
            today: todayUtc(),
          }),
        }
      : {}),
  };
}

/** For loans and owned things: the balances their schedules and values start from, and a property's mortgage. */
async function extrasOf(wallets: WalletRecord[]): Promise<Map<string, WalletExtras>> {
  const [mortgages, flows] = await Promise.all([
    mortgagesOf(wallets),
    flowsOf(wallets.filter((w) => w.kind === 'brokerage')),
  ]);
  const withExtras = wallets.filter((w) => w.loan || w.owned || w.kind === 'brokerage' || w.kind === 'chain');
  return new Map<string, WalletExtras>(
    await Promise.all(
      withExtras.map(async (w): Promise<[string, WalletExtras]> => {
        if (w.kind === 'brokerage') return [w.publicId, flows ? { flows } : {}];
        if (w.kind === 'chain') return [w.publicId, { activity: await activityOf(w.publicId) }];
        const [recorded, latest] = await Promise.all([
          recordedBalance(w.publicId),
          w.owned ? latestBalance(w.publicId) : undefined,
        ]);
        const link = w.owned?.mortgageWalletId;
        return [w.publicId, { recorded, latest, mortgage: link ? (mortgages.get(link) ?? null) : null }];
      }),
    ),
  );
}

/** A wallet on chain's latest transactions, by account, newest first (one query by the wallet: FerretDB pushes it down). */
async function activityOf(walletId: string): Promise<Map<string, ChainActivity[]>> {
  const rows = await ChainTransaction.find({ walletId }).sort({ height: -1, txid: 1 }).lean();
  const byAccount = new Map<string, ChainActivity[]>();
  for (const t of rows) {
    const list = byAccount.get(t.accountId) ?? [];
    if (list.length < ACTIVITY_SHOWN)
      list.push({
        txid: t.txid,
        blockTime: t.blockTime.toISOString(),
        date: t.date,
        asset: t.asset,
        quantity: t.quantity,
      });
    byAccount.set(t.accountId, list);
  }
  return byAccount;
}

/** Dividends, interest and fees of brokerage accounts over the last twelve months (Plaid's signs: income is negative). */
async function flowsOf(brokerages: WalletRecord[]): Promise<WalletExtras['flows']> {
  if (!brokerages.length) return undefined;
  const since = addDays(todayUtc(), -365);
  const rows = await InvestmentTransaction.find({
    walletId: { $in: brokerages.map((w) => w.publicId) },
    date: { $gt: since },
  })
    .select({ accountId: 1, type: 1, subtype: 1, amount: 1 })
    .lean();
  const byAccount = new Map<string, InvestmentFlows>();
  for (const r of rows) {
    const flow = investmentFlowOf(r.type, r.subtype);
    if (!flow) continue;
    const sums = byAccount.get(r.accountId) ?? {
      dividend: Decimal.ZERO,
      interest: Decimal.ZERO,
      fee: Decimal.ZERO,
    };
    const amount = Decimal.parse(r.amount);
    sums[flow] = sums[flow].add(flow === 'fee' ? amount : amount.neg());
    byAccount.set(r.accountId, sums);
  }
  return { since, byAccount };
}

/** A brokerage account's gain over cost (holdings in its currency whose cost is known) and its year's income and fees. */
function investmentOf(
  a: AccountRecord,
  holdings: HoldingRecord[],
  flows: WalletExtras['flows'],
): NonNullable<AccountView['investment']> {
  // each holding's gain as its view states it (those in the account's currency whose cost is known)
  const gains = holdings
    .filter((h) => h.accountId === a.publicId && h.priceCurrency === a.currency)
    .flatMap((h) => {
      const { gain } = holdingView(h);
      return gain ? [Decimal.parse(gain)] : [];
    });
  const f = flows?.byAccount.get(a.publicId);
  return {
    gain: gains.length ? gains.reduce((sum, g) => sum.add(g), Decimal.ZERO).toString() : null,
    since: flows?.since ?? addDays(todayUtc(), -365),
    dividends: (f?.dividend ?? Decimal.ZERO).toString(),
    interest: (f?.interest ?? Decimal.ZERO).toString(),
    fees: (f?.fee ?? Decimal.ZERO).toString(),
  };
}

/** A holding as the API shows it; a brokerage's with its price, value, cost basis and gain. */
function holdingView(h: HoldingRecord): HoldingView {
  const base = { asset: h.asset, quantity: h.quantity, locked: h.locked ?? '0' };
  if (!h.price || !h.priceCurrency) return base;
  const value = Decimal.parse(h.quantity).mul(Decimal.parse(h.price)).round(2);
  return {
    ...base,
    ...(h.name ? { name: h.name } : {}),
    price: h.price,
    priceCurrency: h.priceCurrency,
    priceAsOf: h.priceAsOf ?? null,
    value: value.toString(),
    costBasis: h.costBasis ?? null,
    gain: h.costBasis ? value.sub(Decimal.parse(h.costBasis)).toString() : null,
  };
}

/** One wallet as the API shows it, with its accounts and holdings read now. */
export async function loadWalletView(wallet: WalletRecord): Promise<WalletView> {
  const [accounts, holdings] = await Promise.all([
    Account.find({ walletId: wallet.publicId }).lean<AccountRecord[]>(),
    Holding.find({ walletId: wallet.publicId }).lean<HoldingRecord[]>(),
  ]);
  return walletView(wallet, accounts, holdings, (await extrasOf([wallet])).get(wallet.publicId));
}

/** A user's wallets as the API lists them (accounts and holdings in two queries). */
export async function loadWalletViews(userId: string, wallets: WalletRecord[]): Promise<WalletView[]> {
  const ids = wallets.map((w) => w.publicId);
  const [accounts, holdings] = await Promise.all([
    Account.find({ userId, walletId: { $in: ids } }).lean<AccountRecord[]>(),
    Holding.find({ userId, walletId: { $in: ids } }).lean<HoldingRecord[]>(),
  ]);
  const extras = await extrasOf(wallets);
  return wallets.map((w) => walletView(w, accounts, holdings, extras.get(w.publicId)));
}
