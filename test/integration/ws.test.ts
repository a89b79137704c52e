// The WebSocket gateway on a real broker: token checks on connect, close codes, bad
// messages, per-user delivery of broker events and slow consumers. Heartbeats are in
// ws-heartbeat.test.ts, on a node of their own: at their 300 ms interval, a socket this file
// pauses on purpose would be dropped as dead whenever the machine is slow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { startNode, TEST_JWT_SECRET, type TestNode } from '../helpers/node.ts';
import { register } from '../helpers/http.ts';
import type { SessionResponse } from '@finexia/contracts/api.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { WS_CLOSE } from '@finexia/contracts/ws.ts';
import type { EventMap } from '@finexia/contracts/events.ts';
import { notificationCreated } from '../helpers/events.ts';
import type { WsStats } from '../../services/ws/ws.service.ts';

let node: TestNode;
let alice: SessionResponse;
let bob: SessionResponse;

beforeAll(async () => {
  node = await startNode();
  [alice, bob] = await Promise.all([register(node.baseUrl), register(node.baseUrl)]);
});

afterAll(async () => {
  await node?.stop();
});

function tokenFor(user: SessionResponse, expiresInSeconds: number, overrides: jwt.SignOptions = {}) {
  return jwt.sign({ role: 'user', sid: 'test-session' }, TEST_JWT_SECRET, {
    algorithm: 'HS256',
    issuer: 'finexia',
    audience: 'finexia-app',
    subject: user.user.id,
    expiresIn: expiresInSeconds,
    ...overrides,
  });
}

const stats = () => node.broker.call<WsStats>('ws.stats');

describe('connecting', () => {
  it('accepts a valid token in the subprotocol and never echoes it back', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    await ws.opened;
    expect(ws.socket.protocol).toBe('finexia.v1');
    const welcome = await ws.next((f) => f.type === 'welcome');
    expect(welcome.userId).toBe(alice.user.id);
    await ws.close();
  });

  it('accepts a valid token in the query string', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: alice.accessToken, via: 'query' });
    expect((await ws.next((f) => f.type === 'welcome')).userId).toBe(alice.user.id);
    await ws.close();
  });

  it.each([
    ['no token', undefined, WS_CLOSE.TOKEN_MISSING],
    ['a garbage token', 'a.b.c', WS_CLOSE.TOKEN_INVALID],
    ['an expired token', 'expired', WS_CLOSE.TOKEN_EXPIRED],
    ['a token for another audience', 'audience', WS_CLOSE.TOKEN_INVALID],
  ])('refuses %s with its close code and no data', async (_what, kind, code) => {
    const token =
      kind === 'expired'
        ? tokenFor(alice, -10)
        : kind === 'audience'
          ? tokenFor(alice, 60, { audience: 'x' })
          : kind;
    const ws = TestSocket.connect(node.wsUrl, token ? { token } : {});
    expect(await ws.closed).toBe(code);
    expect(ws.frames).toEqual([]);
  });

  it('refuses upgrades on other paths', async () => {
    const ws = TestSocket.connect(node.wsUrl.replace('/ws', '/elsewhere'), { token: alice.accessToken });
    await expect(ws.opened).rejects.toThrow(/404/);
  });
});

describe('messages', () => {
  it('answers ping with pong and bad messages with an error, staying connected', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    await ws.next((f) => f.type === 'welcome');
    ws.send({ type: 'ping', id: 'p1' });
    expect(await ws.next((f) => f.type === 'pong')).toEqual({ type: 'pong', id: 'p1' });
    ws.send('{not json');
    expect((await ws.next((f) => f.type === 'error')).code).toBe('MALFORMED_JSON');
    ws.send({ type: 'subscribe-to-everything' });
    expect(await ws.next((f) => f.type === 'error' && f.code === 'UNKNOWN_TYPE')).toMatchObject({
      type: 'error',
    });
    ws.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await ws.next((f) => f.type === 'error' && f.code === 'BINARY_NOT_SUPPORTED')).toMatchObject({
      message: 'Send text frames.',
    });
    ws.send({ type: 'ping', id: 'p2' });
    await ws.next((f) => f.type === 'pong' && f.id === 'p2');
    expect(ws.closeCode).toBeUndefined();
    await ws.close();
  });

  it('renews the session with a fresh token; an invalid renewal changes nothing', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: tokenFor(alice, 2) });
    await ws.next((f) => f.type === 'welcome');
    ws.send({ type: 'auth', token: 'bad.token.here' });
    expect((await ws.next((f) => f.type === 'error')).code).toBe('TOKEN_INVALID');
    ws.send({ type: 'auth', token: tokenFor(alice, 60) });
    await ws.next((f) => f.type === 'auth.ok');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(ws.closeCode).toBeUndefined();
    await ws.close();
  });

  it('closes with TOKEN_EXPIRED when the access token runs out', async () => {
    // a JWT's expiry is in whole seconds: "in 1 s" can be 1 ms after signing, and a clean-clone run
    // got the expired-at-handshake close before any welcome; "in 3 s" leaves at least 2 s to connect
    const ws = TestSocket.connect(node.wsUrl, { token: tokenFor(alice, 3) });
    await ws.next((f) => f.type === 'welcome');
    expect(await ws.closed).toBe(WS_CLOSE.TOKEN_EXPIRED);
  });

  it('closes the socket when a renewal token belongs to someone else', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    await ws.next((f) => f.type === 'welcome');
    ws.send({ type: 'auth', token: bob.accessToken });
    expect(await ws.closed).toBe(WS_CLOSE.ACCOUNT_MISMATCH);
  });
});

describe('user events', () => {
  it('reach every socket of that user and no one else', async () => {
    const aliceTab1 = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    const aliceTab2 = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    const bobTab = TestSocket.connect(node.wsUrl, { token: bob.accessToken });
    await Promise.all([aliceTab1, aliceTab2, bobTab].map((s) => s.next((f) => f.type === 'welcome')));

    await node.broker.emit('notification.created', notificationCreated(alice.user.id, 'Large transaction'));
    for (const tab of [aliceTab1, aliceTab2]) {
      const frame = await tab.next((f) => f.type === 'event');
      expect(frame).toMatchObject({
        event: 'notification.created',
        data: { userId: alice.user.id, notification: { title: 'Large transaction' }, unread: 1 },
      });
    }
    bobTab.send({ type: 'ping', id: 'sync' });
    await bobTab.next((f) => f.type === 'pong');
    expect(bobTab.frames.some((f) => f.type === 'event')).toBe(false);
    await Promise.all([aliceTab1, aliceTab2, bobTab].map((s) => s.close()));
  });

  it('include events named with more than one dot (a wallet sync’s progress)', async () => {
    const tab = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    await tab.next((f) => f.type === 'welcome');
    const progress: EventMap['wallet.sync.status'] = {
      userId: alice.user.id,
      walletId: 'w1',
      state: 'running',
      progress: { pages: 2, added: 40, modified: 0, removed: 0 },
    };
    await node.broker.emit('wallet.sync.status', progress);
    expect(await tab.next((f) => f.type === 'event' && f.event === 'wallet.sync.status')).toMatchObject({
      data: progress,
    });
    await tab.close();
  });

  it('carry only the fields their contract makes public, and internal events not at all', async () => {
    const tab = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    await tab.next((f) => f.type === 'welcome');
    await node.broker.emit('wallet.holdings.changed', {
      userId: alice.user.id,
      walletId: 'w1',
      holdings: [{ accountId: 'a1', asset: 'BTC', quantity: '1' }],
    });
    await node.broker.emit('wallet.sync.status', {
      userId: alice.user.id,
      walletId: 'w1',
      state: 'failed',
      reason: 'The bank needs you to sign in again.',
      fix: 'reconnect',
      errorCode: 'ITEM_LOGIN_REQUIRED',
      lastAttemptAt: new Date().toISOString(),
      // a field nobody declared: never forwarded
      accessToken: 'access-sandbox-secret',
    } as EventMap['wallet.sync.status']);
    const frame = await tab.next((f) => f.type === 'event' && f.event === 'wallet.sync.status');
    expect(frame.data).toEqual({
      userId: alice.user.id,
      walletId: 'w1',
      state: 'failed',
      reason: 'The bank needs you to sign in again.',
      fix: 'reconnect',
    });
    // emitted first: had it been forwarded, it would have arrived first
    expect(tab.frames.filter((f) => f.type === 'event').map((f) => f.event)).not.toContain(
      'wallet.holdings.changed',
    );
    await tab.close();
  });
});

describe('a client that stops reading', () => {
  it('loses frames past a bounded buffer without slowing anyone else, then gets a resync and a snapshot', async () => {
    const slow = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    const other = TestSocket.connect(node.wsUrl, { token: bob.accessToken });
    await Promise.all([slow, other].map((s) => s.next((f) => f.type === 'welcome')));
    const before = await stats();
    // stop reading: the kernel buffers fill, then the gateway's own buffer for this socket
    slow.socket.pause();
    const blob = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200; i += 1)
      await node.broker.emit(
        'notification.created',
        notificationCreated(alice.user.id, 'big', { body: blob, unread: i }),
      );
    // someone else's events arrive while this client is still not reading: a gateway that waited
    // on the slow socket would hold them until it reads again (the bound is generous: a busy
    // machine is slow, not blocked)
    await node.broker.emit('notification.created', notificationCreated(bob.user.id, 'for bob'));
    await other.next(
      (f) =>
        f.type === 'event' && (f.data as EventMap['notification.created']).notification.title === 'for bob',
      15_000,
    );
    const after = await stats();
    expect(after.dropped).toBeGreaterThan(before.dropped);
    // reading again: once drained, the client is told to start over from a fresh snapshot
    const framesBefore = slow.frames.length;
    slow.socket.resume();
    await slow.next((f) => f.type === 'resync', 15_000);
    await slow.next((f) => f.type === 'snapshot' && slow.frames.indexOf(f) > framesBefore, 15_000);
    // what arrived is whole frames in order; the dropped ones simply are not there
    // (the notifications only: a portfolio.updated frame may come with the snapshot it asked for)
    const seen = slow.frames
      .filter((f) => f.type === 'event' && f.event === 'notification.created')
      .map((f) => (f.data as EventMap['notification.created']).unread);
    expect(seen.length).toBeLessThan(200);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    await Promise.all([slow.close(), other.close()]);
  }, 60_000);
});
