// TRACING=zipkin: Moleculer's tracer sends a span per action call to a Zipkin-compatible
// collector (Zipkin, or an OpenTelemetry collector's zipkin receiver). The request id is the
// trace id, so a request is followed from the gateway into the services; no span carries the
// request's parameters (passwords, tokens).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { startNode, type TestNode } from '../helpers/node.ts';
import { GOOD_PASSWORD, register, request } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../../scripts/infra.ts';

interface ZipkinSpan {
  traceId: string;
  name: string;
  tags?: Record<string, string>;
}

let collector: Server;
const received: ZipkinSpan[] = [];
const bodies: string[] = [];
let node: TestNode;

beforeAll(async () => {
  const port = await freePort();
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/api/v2/spans') {
        bodies.push(body);
        received.push(...(JSON.parse(body) as ZipkinSpan[]));
      }
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(port, '127.0.0.1', resolve));
  node = await startNode({ TRACING: 'zipkin', TRACING_URL: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await node?.stop();
  await new Promise((resolve) => collector?.close(resolve));
});

describe('tracing', () => {
  it("sends the spans of a request under its request id, without the request's parameters", async () => {
    const session = await register(node.baseUrl);
    const requestId = randomUUID();
    const me = await request(node.baseUrl, 'GET', '/api/v1/users/me', {
      token: session.accessToken,
      headers: { 'x-request-id': requestId },
    });
    expect(me.status).toBe(200);
    const traceId = requestId.replace(/-/g, '').slice(0, 16);
    const spans = await waitFor(
      async () => {
        const mine = received.filter((s) => s.traceId === traceId);
        return mine.some((s) => s.name.includes('users.me')) ? mine : undefined;
      },
      30_000,
      "the request's spans at the collector",
    );
    expect(spans.map((s) => s.name).join()).toContain('users.me');
    // the registration's spans arrived too, with nothing of what was sent
    const all = bodies.join('\n');
    expect(all).toContain('auth.register');
    expect(all).not.toContain(GOOD_PASSWORD);
    expect(all).not.toContain(session.accessToken);
    expect(all).not.toContain(session.refreshToken);
  });
});
