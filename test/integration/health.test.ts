// HEALTH_PORT: every node answers /healthz and /readyz, also one that hosts no api (the image's
// HEALTHCHECK and the Kubernetes probes of every role use it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type TestNode } from '../helpers/node.ts';
import { freePort } from '../../scripts/infra.ts';
import type { Health, Readiness } from '@finexia/contracts/api.ts';

let node: TestNode;
let base: string;
let stopped = false;

beforeAll(async () => {
  const port = await freePort();
  node = await startNode({ SERVICES: 'users', HEALTH_PORT: String(port) });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (!stopped) await node?.stop();
});

describe('the health port', () => {
  it('answers liveness and readiness on a node without the api', async () => {
    expect(node.baseUrl).toBe('');
    const live = await fetch(`${base}/healthz`);
    expect(live.status).toBe(200);
    expect(((await live.json()) as Health).node).toBe(node.broker.nodeID);
    const ready = await fetch(`${base}/readyz`);
    const body = (await ready.json()) as Readiness;
    expect(ready.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.mongo?.ok).toBe(true);
    expect(body.checks.redis?.ok).toBe(true);
  });

  it('serves nothing else', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('stops listening when the node stops', async () => {
    stopped = true;
    await node.stop();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
