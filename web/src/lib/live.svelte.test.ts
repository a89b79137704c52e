import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { LiveFeed } from '#lib/live.svelte.ts';
import type { PortfolioView } from '@finexia/contracts/portfolio.ts';

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket {
  static all: FakeSocket[] = [];
  sent: string[] = [];
  closed: { code?: number } | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number) {
    this.closed = { code };
  }
  // test helpers
  open() {
    this.onopen?.();
  }
  frame(value: unknown) {
    this.onmessage?.({ data: JSON.stringify(value) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

const view: PortfolioView = {
  userId: 'u1',
  epoch: '0b5f7a36-6d1c-4d59-9f0e-2f6f4b1f3c11',
  seq: 4,
  currency: 'USD',
  netWorth: '100.00',
  netWorthUsd: '100',
  dayChange: '0.00',
  dayOpen: '100.00',
  byAccount: { a1: '100.00' },
  byAsset: { BTC: '100.00' },
  byClass: { crypto: '100.00', cash: '0.00', stablecoin: '0.00' },
  prices: { BTC: '10' },
  unpriced: [],
  pegged: [],
  asOf: '2026-11-25T00:00:00.000Z',
};

function start(options: Partial<ConstructorParameters<typeof LiveFeed>[0]> = {}) {
  FakeSocket.all = [];
  const tokens: string[] = [];
  const live = new LiveFeed({
    token: async () => {
      tokens.push('t');
      return `token-${tokens.length}`;
    },
    url: 'ws://test/ws',
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    random: () => 0.5,
    backoff: { baseMs: 100, maxMs: 1000 },
    ...options,
  });
  // a component reading the feed: this opens the connection (createSubscriber)
  const seen: (PortfolioView | null)[] = [];
  const stop = $effect.root(() => {
    $effect(() => {
      seen.push(live.portfolio);
    });
  });
  flushSync();
  return { live, seen, stop, tokens };
}

afterEach(() => vi.useRealTimers());

describe('LiveFeed', () => {
  it('connects when read, applies a snapshot then deltas, and asks to resume on a gap', async () => {
    const { live, stop } = start();
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    const socket = FakeSocket.all[0] as FakeSocket;
    expect(socket.protocols).toEqual(['finexia.v1', 'bearer.token-1']);
    socket.open();
    socket.frame({ type: 'snapshot', data: view });
    socket.frame({
      type: 'event',
      event: 'portfolio.updated',
      data: {
        ...view,
        seq: 5,
        prevSeq: 4,
        netWorth: '110.00',
        changed: { prices: { BTC: '11' } },
        removed: {},
      },
    });
    flushSync();
    expect(live.portfolio?.netWorth).toBe('110.00');
    expect(live.portfolio?.prices.BTC).toBe('11');
    expect(live.status).toBe('live');
    // seq 7 after 5: something was missed, so the feed asks for it
    socket.frame({
      type: 'event',
      event: 'portfolio.updated',
      data: { ...view, seq: 7, prevSeq: 6, changed: {}, removed: {} },
    });
    expect(JSON.parse(socket.sent.at(-1) as string)).toEqual({ type: 'resume', epoch: view.epoch, seq: 5 });
    expect(live.portfolio?.seq).toBe(5);
    stop();
    // the last reader went away: the connection closes
    await vi.waitFor(() => expect(socket.closed).toBeDefined());
  });

  it('reconnects with backoff and resumes from the last sequence; an expired token reconnects at once with a new one', async () => {
    vi.useFakeTimers();
    const { live, stop, tokens } = start();
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    const first = FakeSocket.all[0] as FakeSocket;
    first.open();
    first.frame({ type: 'snapshot', data: view });
    first.drop(1006);
    flushSync();
    expect(live.status).toBe('reconnecting');
    // full jitter: 0.5 × min(1000, 100 × 2^0) = 50 ms
    await vi.advanceTimersByTimeAsync(49);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2);
    expect(FakeSocket.all).toHaveLength(2);
    const second = FakeSocket.all[1] as FakeSocket;
    expect(second.url).toBe(`ws://test/ws?since=${view.epoch}.${view.seq}`);
    second.open();
    second.drop(4003); // token expired
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(3);
    expect(tokens).toHaveLength(3);
    expect((FakeSocket.all[2] as FakeSocket).protocols[1]).toBe('bearer.token-3');
    stop();
  });

  it('keeps wallet sync progress and the unread count live', async () => {
    const { live, stop } = start();
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    const socket = FakeSocket.all[0] as FakeSocket;
    socket.open();
    const events: string[] = [];
    live.on((name) => events.push(name));
    socket.frame({
      type: 'event',
      event: 'wallet.sync.status',
      data: { walletId: 'w1', state: 'running', progress: { pages: 1, added: 5, modified: 0, removed: 0 } },
    });
    socket.frame({ type: 'event', event: 'wallet.sync.status', data: { walletId: 'w1', state: 'ok' } });
    socket.frame({ type: 'event', event: 'notification.created', data: { unread: 3, notification: {} } });
    // a frame that is not JSON is ignored, nothing breaks
    socket.onmessage?.({ data: 'not json' });
    flushSync();
    expect(live.sync.w1).toMatchObject({ state: 'ok', progress: { added: 5 } });
    expect(live.unread).toBe(3);
    expect(events).toEqual(['wallet.sync.status', 'wallet.sync.status', 'notification.created']);
    stop();
  });
});
