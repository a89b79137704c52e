// Webhooks cannot reach inside the cluster (production rules: OUTBOUND_ALLOW_LOOPBACK=false):
// every form of a non-public target is refused when the webhook is made, and again when it is
// delivered, on the address the delivery actually connects to — a name that answered a public
// address when the webhook was made and 127.0.0.1 afterwards (DNS rebinding) gets nowhere.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startNode, type TestNode } from '../helpers/node.ts';
import { register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { setOutboundResolver, type ResolvedAddress } from '../../infra/outbound.ts';
import { credentialsBox } from '../../infra/credentials.ts';
import { Webhook } from '../../infra/models/notification.model.ts';
import type { SessionResponse, WebhookCreated, WebhookDeliveries } from '@finexia/contracts/api.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';

let node: TestNode;
let user: SessionResponse;
/** a local listener: what reaches it would be a request into the cluster */
let listener: Server;
let port: number;
let connections = 0;
/** what the stub resolver answers for each name, in turn (the last answer repeats) */
const answers = new Map<string, string[]>();

beforeAll(async () => {
  listener = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
  setOutboundResolver(async (hostname): Promise<ResolvedAddress[]> => {
    const queue = answers.get(hostname);
    if (!queue?.length) throw new Error(`ENOTFOUND ${hostname}`);
    const address = queue.length > 1 ? (queue.shift() as string) : (queue[0] as string);
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  });
  node = await startNode({ OUTBOUND_ALLOW_LOOPBACK: 'false' });
  user = await register(node.baseUrl);
}, 60_000);

afterAll(async () => {
  setOutboundResolver();
  await node?.stop();
  await new Promise((resolve) => listener?.close(resolve));
});

const as = () => ({ token: user.accessToken });

async function createWebhook(url: string) {
  return request<WebhookCreated & ErrorBody>(node.baseUrl, 'POST', '/api/v1/notifications/webhooks', {
    ...as(),
    body: { url },
  });
}

/** A test delivery to a webhook, and its entry in the log once it is done. */
async function testDelivery(webhookId: string) {
  const sent = await request<{ deliveryId: string }>(
    node.baseUrl,
    'POST',
    `/api/v1/notifications/webhooks/${webhookId}/test`,
    as(),
  );
  expect(sent.status).toBe(202);
  return waitFor(
    async () => {
      const log = await request<WebhookDeliveries>(
        node.baseUrl,
        'GET',
        `/api/v1/notifications/webhooks/${webhookId}/deliveries`,
        as(),
      );
      const entry = log.body.deliveries.find((d) => d.id === sent.body.deliveryId);
      return entry && entry.status !== 'pending' ? entry : undefined;
    },
    30_000,
    'the delivery to end',
  );
}

describe('webhooks that cannot reach inside', () => {
  it('refuses every non-public form when the webhook is made, naming the field', async () => {
    answers.set('metadata.google.internal', ['169.254.169.254']);
    answers.set('rebind-127.example.com', ['127.0.0.1']);
    answers.set('mixed.example.com', ['93.184.216.34', '10.0.0.7']);
    for (const url of [
      'https://[::ffff:7f00:1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::]/',
      'https://[fe80::1]/',
      'https://100.64.0.1/',
      'https://metadata.google.internal/',
      // a public-looking name that resolves to loopback (public wildcard-DNS names for 127.0.0.1 exist)
      'https://rebind-127.example.com/hook',
      'https://nowhere.example.com/hook',
      `http://127.0.0.1:${port}/hook`,
    ]) {
      const res = await createWebhook(url);
      expect(res.status, url).toBe(422);
      expect(res.body.error.fields?.[0]?.field, url).toBe('url');
    }
    // one private address among a name's answers is enough
    answers.set('mixed.example.com', ['10.0.0.7']);
    expect((await createWebhook('https://mixed.example.com/hook')).status).toBe(422);
    expect(connections).toBe(0);
  });

  it('refuses again at delivery: a name that now answers 127.0.0.1 never reaches the local listener', async () => {
    // public when the webhook is made, loopback when it is delivered to
    answers.set('rebind.example.com', ['93.184.216.34', '127.0.0.1']);
    const made = await createWebhook(`https://rebind.example.com:${port}/hook`);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const delivery = await testDelivery(made.body.id);
    expect(delivery.status).toBe('failed');
    expect(delivery.lastError).toMatch(/^refused: .*127\.0\.0\.1.*loopback/);
    expect(delivery.lastStatusCode).toBeNull();
    expect(connections).toBe(0);
  });

  it('refuses at delivery a webhook stored before the rules (an IPv4-mapped loopback literal)', async () => {
    const publicId = randomUUID();
    await Webhook.create({
      publicId,
      userId: user.user.id,
      url: `https://[::ffff:7f00:1]:${port}/hook`,
      secret: credentialsBox(node.config.credentialsKeys).seal('whsec_old', publicId),
      secretHint: '_old',
      minSeverity: 'low',
    });
    const delivery = await testDelivery(publicId);
    expect(delivery.status).toBe('failed');
    expect(delivery.lastError).toMatch(/^refused: /);
    expect(connections).toBe(0);
  });
});
