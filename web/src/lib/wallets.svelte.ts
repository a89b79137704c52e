// The signed-in user's wallets as the pages show them, fetched again whenever a wallet
// changes (a sync finished, one was added or removed, or the feed asked for a resync).
import { ApiError, type Api } from '#lib/api.ts';
import type { LiveFeed } from '#lib/live.svelte.ts';
import type { WalletView } from '@finexia/contracts/api.ts';

const WALLET_EVENTS = new Set(['wallet.synced', 'wallet.created', 'wallet.deleted', 'resync']);

export class WalletList {
  wallets = $state<WalletView[] | null>(null);
  error = $state<string | null>(null);

  constructor(private readonly api: Api) {}

  async load(): Promise<void> {
    try {
      this.wallets = (await this.api.get<{ wallets: WalletView[] }>('/wallets')).wallets;
      this.error = null;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : 'Your accounts could not be loaded.';
    }
  }

  /** Loads now and after every wallet change; returns the stop (an effect's cleanup). */
  follow(live: LiveFeed): () => void {
    void this.load();
    return live.on((event) => {
      if (WALLET_EVENTS.has(event)) void this.load();
    });
  }
}
