// A user's positions (what each account holds) packed into one text, so a portfolio can be
// activated from one small document instead of the user's account and holding rows.
// FerretDB v1 decodes every document a query returns at ~80 µs each, whatever its size
// (docs/ferretdb.md): 10,000 users' 250,000 holdings take ~20 s to read, their 10,000 packs ~1 s.
// The pack is a copy: `stamp` says which write of the rows it was built after (see
// infra/position-stamps.ts), and a pack whose stamp is not the current one is not used.
import { Decimal } from './money.ts';
import type { PositionInput } from './valuation.ts';
import { ASSET_CLASSES, type AssetClass } from '@finexia/contracts/portfolio.ts';

/** Positions by account id, as positionsFrom builds them. */
export type PositionsByAccount = ReadonlyMap<string, readonly PositionInput[]>;

const FORMAT = 1;

/**
 * `{"f":1,"a":{"<accountId>":["BTC","1.5","USD","-20.00"]}}`: assets and quantities alternate;
 * `"c":{"<accountId>":"property"}` names the accounts with a class of their own (left out when none).
 */
export function packPositions(byAccount: PositionsByAccount): string {
  const accounts: Record<string, string[]> = {};
  const classes: Record<string, AssetClass> = {};
  for (const [accountId, positions] of byAccount) {
    const flat: string[] = [];
    for (const p of positions) {
      flat.push(p.asset, p.quantity);
      if (p.assetClass) classes[accountId] = p.assetClass;
    }
    accounts[accountId] = flat;
  }
  return JSON.stringify(
    Object.keys(classes).length ? { f: FORMAT, a: accounts, c: classes } : { f: FORMAT, a: accounts },
  );
}

const isAssetClass = (value: unknown): value is AssetClass =>
  typeof value === 'string' && (ASSET_CLASSES as readonly string[]).includes(value);

/**
 * The positions of a pack, or undefined when the text is not a pack this code wrote (another
 * format, damaged): the caller then reads the rows, as if there were no pack.
 */
export function unpackPositions(text: string): Map<string, PositionInput[]> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.f !== FORMAT || !isRecord(parsed.a)) return undefined;
  const classes = parsed.c ?? {};
  if (!isRecord(classes) || !Object.values(classes).every(isAssetClass)) return undefined;
  const byAccount = new Map<string, PositionInput[]>();
  for (const [accountId, flat] of Object.entries(parsed.a)) {
    if (!Array.isArray(flat) || flat.length % 2 !== 0) return undefined;
    const positions: PositionInput[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const asset: unknown = flat[i];
      const quantity: unknown = flat[i + 1];
      if (typeof asset !== 'string' || !asset || typeof quantity !== 'string' || !Decimal.tryParse(quantity))
        return undefined;
      const assetClass = classes[accountId] as AssetClass | undefined;
      positions.push({ accountId, asset, quantity, ...(assetClass ? { assetClass } : {}) });
    }
    byAccount.set(accountId, positions);
  }
  return byAccount;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
