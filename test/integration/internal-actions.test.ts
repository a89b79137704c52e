// Internal actions (`internal: true`) serve other services and operators only: no REST route,
// refused when the api gateway calls them whatever alias leads there, and out of reach of a
// WebSocket client, while other services still call them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceSchema } from 'moleculer';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import type { SessionResponse } from '@finexia/contracts/api.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';
import type { PortfolioInspection } from '@finexia/contracts/portfolio.ts';

let node: TestNode;
let alice: SessionResponse;

interface Gateway {
  addRoute(route: { path: string; aliases: Record<string, string>; authentication?: boolean }): void;
}

beforeAll(async () => {
  node = await startNode();
  alice = await register(node.baseUrl);
  // a route an operator might add by mistake, pointing at internal actions
  (node.broker.getLocalService('api') as unknown as Gateway).addRoute({
    path: '/mistake',
    authentication: true,
    aliases: { 'GET inspect': 'portfolio.inspect', 'GET revoke': 'auth.revokeAllForUser' },
  });
});

afterAll(async () => {
  await node?.stop();
});

describe('internal actions', () => {
  it('have no route of their own', async () => {
    const res = await request<ErrorBody>(
      node.baseUrl,
      'GET',
      `/api/v1/portfolio/inspect?userId=${alice.user.id}`,
      {
        token: alice.accessToken,
      },
    );
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('refuse the gateway even through an alias, and change nothing', async () => {
    for (const path of [
      `/mistake/inspect?userId=${alice.user.id}`,
      `/mistake/revoke?userId=${alice.user.id}&reason=x`,
    ]) {
      const res = await request<ErrorBody>(node.baseUrl, 'GET', path, { token: alice.accessToken });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    // whatever the route: a call the gateway makes is refused by the action itself
    await expect(
      node.broker.call('auth.revokeAllForUser', { userId: alice.user.id, reason: 'x' }, { caller: 'api' }),
    ).rejects.toMatchObject({ name: 'AppError', type: 'NOT_FOUND' });
    // the session the refused revokes named is still alive
    expect((await request(node.baseUrl, 'GET', '/api/v1/auth/me', { token: alice.accessToken })).status).toBe(
      200,
    );
  });

  it('answer other services and operators', async () => {
    const inspection = await node.broker.call<PortfolioInspection, { userId: string }>('portfolio.inspect', {
      userId: alice.user.id,
    });
    expect(inspection.userId).toBe(alice.user.id);
    expect(inspection.owner).toBe(node.broker.nodeID);
  });

  it('cannot be reached from a WebSocket: the protocol has no way to name an action', async () => {
    const ws = TestSocket.connect(node.wsUrl, { token: alice.accessToken });
    await ws.next((f) => f.type === 'welcome');
    ws.send({ type: 'call', action: 'portfolio.inspect', params: { userId: alice.user.id } });
    expect(await ws.next((f) => f.type === 'error')).toMatchObject({ code: 'UNKNOWN_TYPE' });
    expect(
      ws.frames.some((f) => f.type === 'event' || (f.type === 'snapshot' && f.data.userId !== alice.user.id)),
    ).toBe(false);
    await ws.close();
  });

  it('may not be given a REST route: such a service is refused at creation', () => {
    const schema: ServiceSchema = {
      name: 'misconfigured',
      actions: { secret: { internal: true, rest: 'GET /secret', handler: () => 'secret' } },
    };
    expect(() => node.broker.createService(schema)).toThrow(/internal and must not have a REST route/);
  });
});
