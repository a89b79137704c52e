// Notifications: made from account events, listed newest first, marked read; bad ids refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import type { NotificationList, SessionResponse, UnreadCount } from '@finexia/contracts/api.ts';
import { waitFor } from '../helpers/wait.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

let node: TestNode;
let user: SessionResponse;
let other: SessionResponse;

beforeAll(async () => {
  node = await startNode();
  [user, other] = await Promise.all([register(node.baseUrl), register(node.baseUrl)]);
});

afterAll(async () => {
  await node?.stop();
});

const list = (token: string, query = '') =>
  request<NotificationList>(node.baseUrl, 'GET', `/api/v1/notifications${query}`, { token });

describe('notifications', () => {
  it('tells the user an account was added, newest first, and counts what is unread', async () => {
    for (const name of ['Wallet one', 'Wallet two']) {
      const res = await request(node.baseUrl, 'POST', '/api/v1/wallets/manual', {
        token: user.accessToken,
        body: { name, manualType: 'cash', currency: 'USD', balance: '10' },
      });
      expect(res.status).toBe(201);
    }
    const listing = await waitFor(
      async () => {
        const res = await list(user.accessToken);
        return res.body.items.length === 2 ? res.body : undefined;
      },
      10_000,
      'two notifications',
    );
    expect(listing.items.map((n) => n.title)).toEqual(['Wallet two added', 'Wallet one added']);
    expect(listing.items.every((n) => n.kind === 'wallet.linked' && !n.read)).toBe(true);
    expect(listing.unread).toBe(2);
    // someone else sees none of them
    expect((await list(other.accessToken)).body).toMatchObject({ items: [], unread: 0 });
  });

  it('marks one read, then all; bad and unknown ids are refused and change nothing', async () => {
    const [newest] = (await list(user.accessToken)).body.items;
    const bad = await request<ErrorBody>(node.baseUrl, 'POST', '/api/v1/notifications/not-an-id/read', {
      token: user.accessToken,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields?.[0]?.field).toBe('id');
    // another user's notification is not found for them
    const foreign = await request(node.baseUrl, 'POST', `/api/v1/notifications/${newest?.id}/read`, {
      token: other.accessToken,
    });
    expect(foreign.status).toBe(404);
    expect((await list(user.accessToken)).body.unread).toBe(2);

    const one = await request<UnreadCount>(node.baseUrl, 'POST', `/api/v1/notifications/${newest?.id}/read`, {
      token: user.accessToken,
    });
    expect(one.body.unread).toBe(1);
    expect((await list(user.accessToken, '?unreadOnly=true')).body.items.map((n) => n.title)).toEqual([
      'Wallet one added',
    ]);
    const all = await request<UnreadCount>(node.baseUrl, 'POST', '/api/v1/notifications/read-all', {
      token: user.accessToken,
    });
    expect(all.body.unread).toBe(0);
    // paging back from the newest gives the older one
    const older = await list(user.accessToken, `?limit=1&before=${newest?.id}`);
    expect(older.body.items.map((n) => n.title)).toEqual(['Wallet one added']);
    expect(older.body.hasMore).toBe(false);
  });
});
