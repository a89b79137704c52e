// Notifications on the service tier: made from account events, listed newest first, marked read;
// bad ids refused. The wallets and notifications services on one in-process broker (no NATS).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, startServices, type TestNode } from '../helpers/node.ts';
import type { NotificationList, UnreadCount, WalletView } from '@finexia/contracts/api.ts';
import { waitFor } from '../helpers/wait.ts';

let node: TestNode;
const user = { id: randomUUID() };
const other = { id: randomUUID() };

beforeAll(async () => {
  node = await startServices(['wallets', 'notifications']);
});

afterAll(async () => {
  await node?.stop();
});

const list = (who: { id: string }, params: object = {}) =>
  callAs<NotificationList>(node, who, 'notifications.list', params);

/** What the gateway answers an action's refusal with: its code and, for a bad field, the field. */
async function refusal(call: Promise<unknown>): Promise<{ code: unknown; field?: unknown }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as { code?: unknown; type?: unknown; data?: unknown },
  );
  if (!err) throw new Error('the call was not refused');
  const data = err.data as { field?: unknown }[] | { fields?: { field?: unknown }[] } | undefined;
  const field = Array.isArray(data) ? data[0]?.field : data?.fields?.[0]?.field;
  return { code: err.type ?? err.code, field };
}

describe('notifications', () => {
  it('tells the user an account was added, newest first, and counts what is unread', async () => {
    for (const name of ['Wallet one', 'Wallet two'])
      await callAs<WalletView>(node, user, 'wallets.createManual', {
        name,
        manualType: 'cash',
        currency: 'USD',
        balance: '10',
      });
    const listing = await waitFor(
      async () => {
        const res = await list(user);
        return res.items.length === 2 ? res : undefined;
      },
      10_000,
      'two notifications',
    );
    expect(listing.items.map((n) => n.title)).toEqual(['Wallet two added', 'Wallet one added']);
    expect(listing.items.every((n) => n.kind === 'wallet.linked' && !n.read)).toBe(true);
    expect(listing.unread).toBe(2);
    // someone else sees none of them
    expect(await list(other)).toMatchObject({ items: [], unread: 0 });
  });

  it('marks one read, then all; bad and unknown ids are refused and change nothing', async () => {
    const [newest] = (await list(user)).items;
    expect(await refusal(callAs(node, user, 'notifications.markRead', { id: 'not-an-id' }))).toEqual({
      code: 'VALIDATION_ERROR',
      field: 'id',
    });
    // another user's notification is not found for them
    expect((await refusal(callAs(node, other, 'notifications.markRead', { id: newest?.id }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await list(user)).unread).toBe(2);

    const one = await callAs<UnreadCount>(node, user, 'notifications.markRead', { id: newest?.id });
    expect(one.unread).toBe(1);
    expect((await list(user, { unreadOnly: true })).items.map((n) => n.title)).toEqual(['Wallet one added']);
    const all = await callAs<UnreadCount>(node, user, 'notifications.markAllRead');
    expect(all.unread).toBe(0);
    // paging back from the newest gives the older one
    const older = await list(user, { limit: 1, before: newest?.id });
    expect(older.items.map((n) => n.title)).toEqual(['Wallet one added']);
    expect(older.hasMore).toBe(false);
  });
});
