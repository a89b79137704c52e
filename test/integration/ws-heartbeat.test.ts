// The WebSocket gateway's heartbeat on a real broker (and each node's own config, with a second
// node in the same process): a peer that stops answering pings is
// dropped, one that answers stays. On a node of its own with a 300 ms interval, so that the
// sockets of ws.test.ts (one of them stops reading on purpose) are not judged by it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register } from '../helpers/http.ts';
import type { SessionResponse } from '@finexia/contracts/api.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { waitFor } from '../helpers/wait.ts';
import type { WsStats } from '../../services/ws/ws.service.ts';

let node: TestNode;
let alice: SessionResponse;

beforeAll(async () => {
  node = await startNode({ WS_HEARTBEAT_INTERVAL: '300ms' });
  alice = await register(node.baseUrl);
});

afterAll(async () => {
  await node?.stop();
});

const sockets = async () => (await node.broker.call<WsStats>('ws.stats')).sockets;

describe('heartbeats', () => {
  it('drop a peer that stops answering pings', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: alice.accessToken, autoPong: false });
    await ws.next((f) => f.type === 'welcome');
    expect(await sockets()).toBe(1);
    await ws.closed; // terminated by the server after a missed pong
    expect(await sockets()).toBe(0);
  });

  it('keep a responsive peer connected', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    let pings = 0;
    ws.socket.on('ping', () => (pings += 1));
    await ws.next((f) => f.type === 'welcome');
    // three pings answered: a peer that did not answer would have been dropped after the second
    await waitFor(
      async () => {
        if (ws.closeCode !== undefined) throw new Error(`dropped (${ws.closeCode}) after ${pings} pings`);
        return pings >= 3 ? true : undefined;
      },
      15_000,
      'three heartbeat pings',
    );
    expect(await sockets()).toBe(1);
    await ws.close();
  });
});

describe('each node its own config', () => {
  it('a second node started in this process (another interval) changes nothing on the first', async () => {
    const other = await startNode({ WS_HEARTBEAT_INTERVAL: '45s', BCRYPT_COST: '13' });
    try {
      // read when a request comes (not at start): each node hashes with its own cost
      const { User } = await import('../../infra/models/user.model.ts');
      const costOf = async (baseUrl: string) => {
        const { user } = await register(baseUrl);
        const stored = await User.findOne({ publicId: user.id }).lean();
        return stored?.passwordHash.slice(0, 7);
      };
      expect(await costOf(node.baseUrl)).toBe('$2b$12$');
      expect(await costOf(other.baseUrl)).toBe('$2b$13$');
      const here = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
      const there = TestSocket.connect(other.wsUrl, { token: alice.accessToken });
      const [welcomeHere, welcomeThere] = await Promise.all([
        here.next((f) => f.type === 'welcome'),
        there.next((f) => f.type === 'welcome'),
      ]);
      expect(welcomeHere.type === 'welcome' && welcomeHere.heartbeatMs).toBe(300);
      expect(welcomeThere.type === 'welcome' && welcomeThere.heartbeatMs).toBe(45_000);
      // and the first node still pings at its own pace, not the one started last
      let pings = 0;
      here.socket.on('ping', () => (pings += 1));
      await waitFor(async () => (pings >= 2 ? true : undefined), 15_000, 'two pings at 300 ms');
      await Promise.all([here.close(), there.close()]);
    } finally {
      await other.stop();
    }
  });
});
