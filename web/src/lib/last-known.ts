// The last known figures, kept on this device so the app opens offline with them (static/offline.js
// reads them) (marked "as of"
// when they were true). Only what the offline page shows: the net worth, the day's change and
// the largest holdings. Cleared whenever the sign-in page is shown (signed out, or someone else).
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';

const KEY = 'finexia:last-known';
/** at most one write this often: a live view changes many times a second */
const EVERY_MS = 5_000;

export interface LastKnown {
  /** when these figures were true (the view's own time) */
  asOf: string;
  currency: string;
  netWorth: string;
  dayChange: string;
  /** the largest holdings by value, in the currency */
  holdings: { asset: string; value: string }[];
}

let lastWrite = 0;

export function rememberPortfolio(view: PortfolioView, now = Date.now()): void {
  if (now - lastWrite < EVERY_MS) return;
  lastWrite = now;
  const holdings = Object.entries(view.byAsset)
    .map(([asset, value]) => ({ asset, value }))
    .sort((a, b) => Math.abs(Number(b.value)) - Math.abs(Number(a.value)))
    .slice(0, 10);
  const known: LastKnown = {
    asOf: view.asOf,
    currency: view.currency,
    netWorth: view.netWorth,
    dayChange: view.dayChange,
    holdings,
  };
  try {
    localStorage.setItem(KEY, JSON.stringify(known));
  } catch {
    // storage full or denied: the app still works online
  }
}

export function lastKnown(): LastKnown | null {
  try {
    const text = localStorage.getItem(KEY);
    return text ? (JSON.parse(text) as LastKnown) : null;
  } catch {
    return null;
  }
}

export function forgetLastKnown(): void {
  lastWrite = 0;
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}
