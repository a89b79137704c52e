// Securities as positions: a brokerage's stock, fund or bond becomes an asset key that says what
// it is, so a position's class follows from its key alone (as a coin's or a currency's does) and
// every path that values positions (the live actors, packs, history, insights) classes it alike.
//   AAPL.STOCK   a US-listed stock (US tickers are unique across US exchanges)
//   SAP-XETR.STOCK   a listing outside the US carries its market (ISO 10383 MIC)
//   VTI.ETF  VTSAX.FUND  VMFXX.MMF (a money-market fund: cash)  91282CLW9.BOND (by CUSIP)
// A brokerage's cash is not a security: it is a position in its currency.
import type { AssetClass } from '@finexia/contracts/portfolio.ts';
import { SECURITY_TAGS } from '@finexia/contracts/api.ts';

export type SecurityTag = (typeof SECURITY_TAGS)[number];

const TAG_CLASS: Record<SecurityTag, AssetClass> = {
  STOCK: 'equity',
  ETF: 'fund',
  FUND: 'fund',
  MMF: 'cash',
  BOND: 'bond',
};

/** An asset key of a security (ticker or CUSIP, a non-US market, the tag). */
export const SECURITY_ASSET = new RegExp(
  `^([A-Z0-9]{1,12})(?:-([A-Z0-9]{4}))?\\.(${SECURITY_TAGS.join('|')})$`,
);

/** Markets whose listings share the US consolidated tape (a ticker names one security across them). */
const US_MARKETS: ReadonlySet<string> = new Set(['XNAS', 'XNYS', 'ARCX', 'BATS', 'XASE', 'IEXG', 'XNMS']);

/** What a brokerage says of a security (Plaid's security object, in part). */
export interface SecurityFacts {
  ticker: string | null;
  cusip: string | null;
  type: string | null;
  isCashEquivalent: boolean;
  /** ISO 10383 market, when listed */
  mic: string | null;
}

/**
 * The asset key of a security, `cash` for the brokerage's cash (held as its currency), or
 * undefined for one we cannot name (no usable ticker or CUSIP: listed unpriced by the caller).
 */
export function securityAsset(s: SecurityFacts): string | 'cash' | undefined {
  if (s.type === 'cash' || s.ticker?.startsWith('CUR:')) return 'cash';
  const tag: SecurityTag | undefined =
    s.type === 'mutual fund' || s.type === 'money market'
      ? s.isCashEquivalent
        ? 'MMF'
        : 'FUND'
      : s.type === 'etf'
        ? 'ETF'
        : s.type === 'fixed income'
          ? 'BOND'
          : s.type === 'equity'
            ? 'STOCK'
            : undefined;
  if (!tag) return undefined;
  const id = (tag === 'BOND' ? (s.cusip ?? s.ticker) : (s.ticker ?? s.cusip))
    ?.toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  if (!id || id.length > 12) return undefined;
  const market = s.mic && !US_MARKETS.has(s.mic) && (tag === 'STOCK' || tag === 'ETF') ? `-${s.mic}` : '';
  return `${id}${market}.${tag}`;
}

/** Whether an asset key is a security's. */
export const isSecurityAsset = (asset: string): boolean => SECURITY_ASSET.test(asset);

/** A security's class from its key, or undefined for an asset that is not a security. */
export function securityClassOf(asset: string): AssetClass | undefined {
  const tag = SECURITY_ASSET.exec(asset)?.[3] as SecurityTag | undefined;
  return tag ? TAG_CLASS[tag] : undefined;
}

/** The symbol a US market-data feed knows a security by (AAPL for AAPL.STOCK), or undefined when it is not US-listed or not traded on an exchange. */
export function feedSymbolOf(asset: string): string | undefined {
  const m = SECURITY_ASSET.exec(asset);
  if (!m || m[2] || (m[3] !== 'STOCK' && m[3] !== 'ETF')) return undefined;
  return m[1];
}

/** What a brokerage transaction is to a person's income and costs (Plaid's type and subtype). */
export function investmentFlowOf(type: string, subtype: string): 'dividend' | 'interest' | 'fee' | undefined {
  if (type === 'fee') return 'fee';
  if (subtype.includes('dividend')) return 'dividend';
  if (subtype === 'interest') return 'interest';
  return undefined;
}
