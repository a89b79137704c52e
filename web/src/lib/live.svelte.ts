// The one live connection of a signed-in page: a WebSocket to the gateway, opened while
// any component reads live data (createSubscriber), reconnecting with backoff and resuming
// from the last sequence number. It holds the live portfolio (snapshot + deltas), the
// wallets' sync status and the unread notification count.
import { createSubscriber } from 'svelte/reactivity';
import { applyDelta, type PortfolioView } from '@finexia/contracts/portfolio.ts';
import { rememberPortfolio } from './last-known.ts';
import type { SyncStatus } from '@finexia/contracts/api.ts';
import type { PublicEventName } from '@finexia/contracts/events.ts';
import {
  BEARER_PROTOCOL_PREFIX,
  WS_CLOSE,
  WS_PATH,
  WS_SUBPROTOCOL,
  WS_TOKEN_CLOSES,
  type EventFrame,
  type ServerFrame,
} from '@finexia/contracts/ws.ts';

/** What pages can listen for: the public events and the gateway's request to start over. */
export type LiveEventName = PublicEventName | 'resync';

export type LiveStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'signed-out';

/** What a sync status event carries (only the fields that changed are certain). */
export type SyncPatch = Partial<SyncStatus> & { walletId: string };

export interface LiveOptions {
  /** a valid access token, or null when the session is gone */
  token: () => Promise<string | null>;
  /** ws://host/ws (defaults to the page's own origin) */
  url?: string;
  WebSocket?: typeof WebSocket;
  /** reconnect delays: base and cap (ms) */
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
}

export class LiveFeed {
  #portfolio = $state<PortfolioView | null>(null);
  #status = $state<LiveStatus>('idle');
  #sync = $state<Record<string, SyncPatch>>({});
  #unread = $state<number | null>(null);
  #socket: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wanted = false;
  // listeners are not state (nothing renders from them): a plain Set
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #listeners = new Set<(event: LiveEventName, data: unknown) => void>();
  readonly #subscribe: () => void;

  constructor(private readonly options: LiveOptions) {
    this.#subscribe = createSubscriber(() => {
      this.#wanted = true;
      void this.#open();
      return () => {
        this.#wanted = false;
        this.#close();
      };
    });
  }

  /** The live portfolio (null until the first snapshot). */
  get portfolio(): PortfolioView | null {
    this.#subscribe();
    return this.#portfolio;
  }

  get status(): LiveStatus {
    this.#subscribe();
    return this.#status;
  }

  /** Live sync status per wallet id (only wallets that reported since the page opened). */
  get sync(): Record<string, SyncPatch> {
    this.#subscribe();
    return this.#sync;
  }

  get unread(): number | null {
    this.#subscribe();
    return this.#unread;
  }

  set unread(value: number | null) {
    this.#unread = value;
  }

  /** Any public event (or `resync`) for pages that refetch on change. */
  on(listener: (event: LiveEventName, data: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #open(): Promise<void> {
    if (!this.#wanted || this.#socket) return;
    this.#status = this.#attempt === 0 ? 'connecting' : 'reconnecting';
    const token = await this.options.token();
    if (!token) {
      this.#status = 'signed-out';
      return;
    }
    if (!this.#wanted || this.#socket) return;
    const base =
      this.options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
    const view = this.#portfolio;
    // a client that has a view resumes from it; the gateway sends what it missed, or a snapshot
    const url = view ? `${base}?since=${view.epoch}.${view.seq}` : base;
    const Socket = this.options.WebSocket ?? WebSocket;
    const socket = new Socket(url, [WS_SUBPROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`]);
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      this.#status = 'live';
    };
    socket.onmessage = (message: MessageEvent) => this.#receive(String(message.data));
    socket.onclose = (event: CloseEvent) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (!this.#wanted) return;
      if (event.code === WS_CLOSE.ACCOUNT_MISMATCH) {
        this.#status = 'signed-out';
        return;
      }
      // an expired or refused token: the next attempt asks the session for a fresh one
      const immediate = WS_TOKEN_CLOSES.includes(event.code);
      this.#scheduleReconnect(immediate);
    };
  }

  #scheduleReconnect(immediate: boolean): void {
    clearTimeout(this.#timer);
    this.#status = 'reconnecting';
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 500, maxMs: 30_000 };
    // full jitter: many tabs reconnecting after an outage do not arrive together
    const ceiling = Math.min(maxMs, baseMs * 2 ** this.#attempt);
    const delay = immediate ? 0 : Math.round((this.options.random ?? Math.random)() * ceiling);
    this.#attempt += 1;
    this.#timer = setTimeout(() => void this.#open(), delay);
  }

  #close(): void {
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'page closed');
    this.#status = 'idle';
  }

  /** Handles one frame from the gateway. */
  #receive(raw: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(raw) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'snapshot':
        this.#portfolio = frame.data;
        rememberPortfolio(frame.data);
        return;
      case 'resync':
        this.#emit('resync', frame);
        return;
      case 'event':
        this.#event(frame);
        return;
      default:
        return;
    }
  }

  #event(frame: EventFrame): void {
    if (frame.event === 'portfolio.updated') {
      const delta = frame.data;
      const view = this.#portfolio;
      if (!view) return;
      const applied = applyDelta(view, delta);
      if (applied.ok) {
        this.#portfolio = applied.view;
        rememberPortfolio(applied.view);
      } else if (delta.epoch !== view.epoch || delta.prevSeq > view.seq) {
        // a gap or a new epoch: ask for what is missing (or a fresh snapshot)
        this.#socket?.send(JSON.stringify({ type: 'resume', epoch: view.epoch, seq: view.seq }));
      }
      // (a delta already contained in the snapshot is simply skipped)
    } else if (frame.event === 'wallet.sync.status') {
      const { userId: _userId, ...patch } = frame.data;
      this.#sync = { ...this.#sync, [patch.walletId]: { ...this.#sync[patch.walletId], ...patch } };
    } else if (frame.event === 'notification.created' || frame.event === 'notification.read') {
      this.#unread = frame.data.unread;
    }
    this.#emit(frame.event, frame.data);
  }

  #emit(name: LiveEventName, data: unknown): void {
    for (const listener of this.#listeners) listener(name, data);
  }
}
