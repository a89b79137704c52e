// Pages that show wallets load them on the server (`depends(DEPENDS.wallets)`); this keeps
// them current: a wallet added, removed or synced elsewhere, or a resync, loads them again.
import { invalidate } from '$app/navigation';
import type { LiveEventName, LiveFeed } from './live.svelte.ts';
import { DEPENDS } from './depends.ts';

const WALLET_EVENTS: ReadonlySet<LiveEventName> = new Set<LiveEventName>([
  'wallet.synced',
  'wallet.created',
  'wallet.deleted',
  'resync',
]);

/** Refreshes the page's wallets on every wallet change; returns the stop (an effect's cleanup). */
export function followWallets(live: LiveFeed): () => void {
  return live.on((event) => {
    if (WALLET_EVENTS.has(event)) void invalidate(DEPENDS.wallets);
  });
}
