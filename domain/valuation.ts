// The one valuation: how accounts, holdings and prices become signed positions and values.
// Every path that shows or uses a net worth goes through it — the live actors (their
// incremental PortfolioState is this function kept up to date tick by tick, and is checked
// against it), activation and position packs, the history rebuild (each past day valued here),
// the insights' inputs and the wallet view. What is owed is negative everywhere; an asset with
// no price is listed as unpriced and left out of every total, never valued at zero.
import { Decimal } from './money.ts';
import { LIABILITY_ACCOUNT_TYPES } from '@finexia/contracts/api.ts';
import { isOwnedType } from './owned-assets.ts';
import { securityClassOf } from './securities.ts';
import { ASSET_CLASSES, type AssetClass } from '@finexia/contracts/portfolio.ts';

/** One position: `quantity` of `asset` (a currency or a crypto asset) held in an account. */
export interface PositionInput {
  accountId: string;
  /** crypto asset (BTC) or fiat currency (USD) */
  asset: string;
  quantity: string;
  /** the account's class when it is not the asset's (a home valued in dollars is property, not cash) */
  assetClass?: AssetClass;
}

/** An account as stored (infra/models/wallet.model.ts): what the valuation reads of it. */
export interface AccountBalance {
  publicId: string;
  type: string;
  currency: string;
  /** as the provider reports it: for a liability, positive when owed */
  current?: string | null;
}

const LIABILITIES: ReadonlySet<string> = new Set(LIABILITY_ACCOUNT_TYPES);
/** Stablecoins pegged to the US dollar: their own class, priced by the market like any asset. */
export const USD_STABLECOINS: ReadonlySet<string> = new Set([
  'USDT',
  'USDC',
  'DAI',
  'BUSD',
  'TUSD',
  'USDP',
  'FDUSD',
  'PYUSD',
]);

/** Whether an account's balance is what the person owes (a card, a loan). */
export const isLiability = (type: string): boolean => LIABILITIES.has(type);

/** Exchange and brokerage accounts are worth what they hold, not a balance. */
export const valuedByHoldings = (type: string): boolean => type === 'investment';

/**
 * The class an account's type gives its positions, if any: a property, a vehicle, valuables, or
 * a debt (a card's or a loan's balance is what is owed, not cash the person has).
 */
export function accountClassOf(type: string): AssetClass | undefined {
  if (isLiability(type)) return 'debt';
  return isOwnedType(type) ? type : undefined;
}

export function assetClassOf(asset: string, fiat: ReadonlySet<string>): AssetClass {
  if (fiat.has(asset)) return 'cash';
  const security = securityClassOf(asset);
  if (security) return security;
  if (USD_STABLECOINS.has(asset)) return 'stablecoin';
  return 'crypto';
}

/**
 * What an account adds to net worth, in its own currency: its balance, negated for a liability
 * (a card owing 300 is -300; a card paid beyond its balance is worth what it holds for you).
 * null for an account valued by its holdings, or one with no balance reported.
 */
export function signedBalance(account: AccountBalance): Decimal | null {
  if (valuedByHoldings(account.type) || !account.current) return null;
  const current = Decimal.parse(account.current);
  return isLiability(account.type) ? current.neg() : current;
}

/** Each account's positions: a balance becomes a position in its currency (signed), holdings are added as they are. */
export function positionsFrom(
  accounts: readonly AccountBalance[],
  holdings: readonly PositionInput[],
): Map<string, PositionInput[]> {
  const byAccount = new Map<string, PositionInput[]>();
  const add = (position: PositionInput) => {
    const list = byAccount.get(position.accountId) ?? [];
    list.push(position);
    byAccount.set(position.accountId, list);
  };
  for (const a of accounts) {
    const balance = signedBalance(a);
    const assetClass = accountClassOf(a.type);
    if (balance)
      add({
        accountId: a.publicId,
        asset: a.currency,
        quantity: balance.toString(),
        ...(assetClass ? { assetClass } : {}),
      });
  }
  for (const h of holdings) add({ accountId: h.accountId, asset: h.asset, quantity: h.quantity });
  return byAccount;
}

/** Every class at zero. */
export const zeroClasses = (): Record<AssetClass, bigint> =>
  Object.fromEntries(ASSET_CLASSES.map((c) => [c, 0n])) as Record<AssetClass, bigint>;

/** A position the valuation could not price: left out of every total. */
export interface UnpricedPosition {
  accountId: string;
  asset: string;
  quantity: string;
}

/** Values in units of 10^-36 USD (quantity units × price units: exact, no rounding). */
export interface ValueUnits {
  netWorth: bigint;
  byAccount: Map<string, bigint>;
  byAsset: Map<string, bigint>;
  byClass: Record<AssetClass, bigint>;
  unpriced: UnpricedPosition[];
}

/**
 * Positions valued at prices (USD per unit, in units of 10^-18, USD's own included; undefined:
 * no price). Every
 * account and asset with a position appears in byAccount / byAsset (an unpriced one at zero).
 */
export function valuePositions(
  positions: ReadonlyMap<string, readonly PositionInput[]>,
  priceOf: (asset: string) => bigint | undefined,
  fiat: ReadonlySet<string>,
): ValueUnits {
  const byAccount = new Map<string, bigint>();
  const byAsset = new Map<string, bigint>();
  const byClass = zeroClasses();
  const unpriced: UnpricedPosition[] = [];
  let netWorth = 0n;
  for (const [accountId, list] of positions)
    for (const p of list) {
      const quantity = Decimal.parse(p.quantity).units;
      if (quantity === 0n) continue;
      const price = priceOf(p.asset);
      if (price === undefined) {
        unpriced.push({ accountId, asset: p.asset, quantity: p.quantity });
        byAccount.set(accountId, byAccount.get(accountId) ?? 0n);
        byAsset.set(p.asset, byAsset.get(p.asset) ?? 0n);
        continue;
      }
      const value = quantity * price;
      netWorth += value;
      byAccount.set(accountId, (byAccount.get(accountId) ?? 0n) + value);
      byAsset.set(p.asset, (byAsset.get(p.asset) ?? 0n) + value);
      byClass[p.assetClass ?? assetClassOf(p.asset, fiat)] += value;
    }
  return { netWorth, byAccount, byAsset, byClass, unpriced };
}
