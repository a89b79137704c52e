// Two (and three) brokers over the real NATS server: the gateway nodes host only
// api + ws, the other hosts auth + users. HTTP calls cross NATS, and a user event
// emitted on the back node reaches WebSocket clients on every gateway node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import type { Readiness, SessionResponse, UserView } from '@finexia/contracts/api.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { notificationCreated } from '../helpers/events.ts';
import { waitFor } from '../helpers/wait.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

const cluster = {
  TRANSPORTER: 'nats',
  CACHER: 'redis',
  // a namespace of its own, so parallel test files never see each other's nodes
  NAMESPACE: testNamespace('c'),
};
let gateway: TestNode;
let gateway2: TestNode;
let backend: TestNode;

beforeAll(async () => {
  backend = await startNode({ ...cluster, SERVICES: 'auth,users' });
  gateway = await startNode({ ...cluster, SERVICES: 'api,ws' });
  gateway2 = await startNode({ ...cluster, SERVICES: 'api,ws' });
  for (const node of [gateway, gateway2]) {
    await node.broker.waitForServices(['auth', 'users'], 15_000);
    await waitForRoutes(node);
  }
});

afterAll(async () => {
  await Promise.all([gateway2?.stop(), gateway?.stop()]);
  await backend?.stop();
});

describe('a cluster over NATS', () => {
  it('learns over NATS where each service runs: auth and users only on the back node', async () => {
    // what the gateways' registries learnt from the other nodes' INFO packets over NATS
    const nodesOf = (from: TestNode, action: string) =>
      from.broker.registry.getActionEndpoints(action)?.endpoints.map((e) => e.node.id) ?? [];
    for (const node of [gateway, gateway2]) {
      expect(nodesOf(node, 'auth.register')).toEqual([backend.broker.nodeID]);
      expect(nodesOf(node, 'users.me')).toEqual([backend.broker.nodeID]);
    }
    // and the back node learns both gateways (the last one started a moment ago)
    const apiNodes = () =>
      backend.broker.registry
        .getServiceList({ onlyLocal: false, skipInternal: true })
        .filter((s) => s.name === 'api')
        .map((s) => s.nodeID)
        .sort();
    const both = [gateway.broker.nodeID, gateway2.broker.nodeID].sort();
    await waitFor(
      async () => (apiNodes().join() === both.join() ? true : undefined),
      20_000,
      'both gateways',
    );
    expect(apiNodes()).toEqual(both);
  });

  it('serves register → login → refresh → me → logout through the gateway', async () => {
    const session = await register(gateway.baseUrl);
    const login = await request<SessionResponse>(gateway.baseUrl, 'POST', '/api/v1/auth/login', {
      body: { email: session.user.email, password: 'correct horse battery staple' },
    });
    expect(login.status).toBe(200);
    const refreshed = await request<SessionResponse>(gateway2.baseUrl, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const me = await request<UserView>(gateway.baseUrl, 'GET', '/api/v1/users/me', {
      token: refreshed.body.accessToken,
    });
    expect(me.body.id).toBe(session.user.id);
    expect(
      (await request(gateway.baseUrl, 'POST', '/api/v1/auth/logout', { token: refreshed.body.accessToken }))
        .status,
    ).toBe(204);
  });

  it('returns remote validation errors in the same error body', async () => {
    const res = await request<ErrorBody>(gateway.baseUrl, 'POST', '/api/v1/auth/register', {
      body: { email: 'x@example.com', password: 'short', name: 'X' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields?.map((f) => f.field)).toContain('password');
  });

  it('reports NATS in /readyz', async () => {
    const res = await request<Readiness>(gateway.baseUrl, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks.nats?.ok).toBe(true);
  });

  it('delivers an event emitted on the back node to ws clients on every gateway node', async () => {
    const session = await register(gateway.baseUrl);
    const other = await register(gateway.baseUrl);
    const onFirst = TestSocket.connect(gateway.wsUrl, { token: session.accessToken });
    const onSecond = TestSocket.connect(gateway2.wsUrl, { token: session.accessToken });
    const otherUser = TestSocket.connect(gateway.wsUrl, { token: other.accessToken });
    await Promise.all([onFirst, onSecond, otherUser].map((s) => s.next((f) => f.type === 'welcome')));

    await backend.broker.emit(
      'notification.created',
      notificationCreated(session.user.id, 'Hello from the back node'),
    );

    // a second event behind the first on the same connection: once it is in, a duplicate
    // of the first would be too
    await backend.broker.emit('notification.created', notificationCreated(session.user.id, 'Marker'));
    for (const socket of [onFirst, onSecond]) {
      await socket.next((f) => f.type === 'event' && JSON.stringify(f.data).includes('"title":"Marker"'));
      const events = socket.frames.filter((f) => f.type === 'event');
      expect(events[0]).toMatchObject({
        event: 'notification.created',
        data: { userId: session.user.id, notification: { title: 'Hello from the back node' } },
      });
      // exactly once per socket, even with two gateway nodes subscribed
      expect(events).toHaveLength(2);
    }
    expect(otherUser.frames.some((f) => f.type === 'event')).toBe(false);
    await Promise.all([onFirst, onSecond, otherUser].map((s) => s.close()));
  });
});
