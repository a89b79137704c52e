// docker/nginx as the gateway, for real: Debian's nginx runs the committed config (ports,
// upstreams and file paths rewritten to local ones) in front of two gateway nodes (api,ws) and
// a back node (auth,users) over NATS. REST, the dashboard, request ids, headers, gzip, the body
// limit, TLS, a WebSocket session that survives its node being stopped, and the sign-in limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startNode, testNamespace, waitForRoutes, type TestNode } from '../helpers/node.ts';
import { register, request, uniqueEmail } from '../helpers/http.ts';
import { TestSocket } from '../helpers/ws-client.ts';
import { notificationCreated } from '../helpers/events.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../../scripts/infra.ts';
import type { SessionResponse, UserView } from '@finexia/contracts/api.ts';
import type { ErrorBody } from '@finexia/contracts/errors.ts';
import type { WsStats } from '../../services/ws/ws.service.ts';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const CONFIG_DIR = new URL('../../docker/nginx/', import.meta.url);
const cluster = { TRANSPORTER: 'nats', NAMESPACE: testNamespace('n') };

let backend: TestNode;
let gateways: TestNode[] = [];
let nginx: ChildProcess | undefined;
let dir: string;
let base: string;
let tlsPort: number;
let alice: SessionResponse;

/** Replaces text that must be in the committed file: a config that drifted fails here, loudly. */
function rewrite(text: string, from: string | RegExp, to: string): string {
  const next = typeof from === 'string' ? text.replaceAll(from, to) : text.replace(from, to);
  if (next === text) throw new Error(`docker/nginx: expected to find ${String(from)}`);
  return next;
}

function readConfig(name: string): string {
  return readFileSync(new URL(name, CONFIG_DIR), 'utf8');
}

/** The committed config with only what a local run must change: ports, upstreams, files. */
function localConfig(port: number, upstreams: string[]): string {
  let conf = readConfig('nginx.conf');
  conf = rewrite(conf, /^pid .*;$/m, `pid ${dir}/nginx.pid;`);
  conf = rewrite(conf, /^error_log .*;$/m, `error_log ${dir}/error.log warn;`);
  conf = rewrite(
    conf,
    /access_log \/dev\/stdout finexia_json;/,
    `access_log ${dir}/access.log finexia_json;`,
  );
  conf = rewrite(conf, 'listen 80 default_server;', `listen 127.0.0.1:${port} default_server;`);
  conf = rewrite(
    conf,
    /^\s*server gateway:3000 (.*);$/m,
    upstreams.map((u) => `    server ${u} max_fails=2 fail_timeout=10s;`).join('\n'),
  );
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${dir}/temp/${kind};`)
    .join('\n');
  return rewrite(conf, /^http \{$/m, `http {\n${temp}`);
}

function startNginx(): Promise<void> {
  const args = ['-p', `${dir}/`, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`];
  const check = spawnSync(NGINX, [...args, '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the config:\n${check.stderr}`);
  nginx = spawn(NGINX, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return waitFor(
    async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200 || undefined,
    20_000,
    'nginx to answer',
  ).then(() => undefined);
}

/** A raw HTTP(S) GET: fetch would decompress and hide Content-Encoding. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; bytes: number }> {
  const get = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, rejectUnauthorized: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  if (spawnSync(NGINX, ['-v']).status !== 0)
    throw new Error(`nginx not found at ${NGINX}: scripts/finexia test installs Debian's nginx`);
  backend = await startNode({ ...cluster, SERVICES: 'auth,users' });
  gateways = [
    await startNode({ ...cluster, SERVICES: 'api,ws' }),
    await startNode({ ...cluster, SERVICES: 'api,ws' }),
  ];
  for (const node of gateways) {
    await node.broker.waitForServices(['auth', 'users'], 30_000);
    await waitForRoutes(node);
  }

  dir = mkdtempSync(join(tmpdir(), 'finexia-nginx-'));
  // workers run as an unprivileged user when nginx starts as root: they must reach the files
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'temp'));
  mkdirSync(join(dir, 'tls.d'));
  mkdirSync(join(dir, 'tls'));
  const port = await freePort();
  tlsPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  const upstreams = gateways.map((g) => g.baseUrl.replace('http://', ''));
  writeFileSync(join(dir, 'nginx.conf'), localConfig(port, upstreams));
  for (const file of ['finexia-locations.conf', 'security-headers.conf'])
    writeFileSync(join(dir, file), readConfig(file));
  copyFileSync('/etc/nginx/mime.types', join(dir, 'mime.types'));
  // the TLS server as docs/deployment.md enables it, with a self-signed certificate
  const openssl = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
      '-keyout',
      join(dir, 'tls/tls.key'),
      '-out',
      join(dir, 'tls/tls.crt'),
    ]),
    { encoding: 'utf8' },
  );
  if (openssl.status !== 0) throw new Error(`openssl: ${openssl.stderr}`);
  let tls = readConfig('tls.conf.example');
  tls = rewrite(
    tls,
    'listen 443 ssl http2 default_server;',
    `listen 127.0.0.1:${tlsPort} ssl http2 default_server;`,
  );
  tls = rewrite(tls, '/etc/nginx/tls/', `${dir}/tls/`);
  writeFileSync(join(dir, 'tls.d/finexia.conf'), tls);
  await startNginx();

  alice = await register(gateways[0]!.baseUrl);
}, 180_000);

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx!.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await Promise.all(gateways.map((g) => g.stop()));
  await backend?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('nginx in front of two gateway nodes', () => {
  it('serves the API, passes a sane request id through and mints one otherwise', async () => {
    const mine = 'req-' + randomBytes(8).toString('hex');
    const me = await request<UserView>(base, 'GET', '/api/v1/users/me', {
      token: alice.accessToken,
      headers: { 'x-request-id': mine },
    });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(alice.user.id);
    // one copy (nginx's), the same id the API saw and logged
    expect(me.headers.get('x-request-id')).toBe(mine);

    const minted = await request(base, 'GET', '/api/v1/users/me', {
      token: alice.accessToken,
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);

    // the access log is JSON lines with the id and the path, never the query string
    await request(base, 'GET', `/api/v1/users/me?access_token=${alice.accessToken}`, {
      headers: { 'x-request-id': mine + '-q' },
    });
    const lines = await waitFor(
      async () => {
        const text = readFileSync(join(dir, 'access.log'), 'utf8');
        return text.includes(mine + '-q') ? text.trim().split('\n') : undefined;
      },
      10_000,
      'the access log line',
    );
    const entry = JSON.parse(lines.find((l) => l.includes(mine + '-q'))!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      request_id: mine + '-q',
      method: 'GET',
      path: '/api/v1/users/me',
      status: expect.any(Number),
    });
    expect(lines.join('\n')).not.toContain(alice.accessToken);
  });

  it('sets the security headers once each and hides its version', async () => {
    const res = await fetch(`${base}/api/v1/users/me`, {
      headers: { authorization: `Bearer ${alice.accessToken}` },
    });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
    expect(res.headers.get('server')).toBe('nginx');
  });

  it('serves the dashboard, its assets gzipped and cached for a year', async () => {
    const page = await fetch(`${base}/signin`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    const script = /\/_app\/immutable\/[^"']+\.js/.exec(html)?.[0];
    expect(script).toBeDefined();
    const plain = await rawGet(base + script!);
    const gzipped = await rawGet(base + script!, { 'accept-encoding': 'gzip' });
    expect(gzipped.status).toBe(200);
    if (plain.bytes >= 1024) {
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gzipped.bytes).toBeLessThan(plain.bytes);
    }
    expect(gzipped.headers['cache-control']).toBe('max-age=31536000');
  });

  it('refuses a body over the limit with the API error body, before any node reads it', async () => {
    const res = await request<ErrorBody>(base, 'POST', '/api/v1/transactions/import/preview', {
      token: alice.accessToken,
      raw: JSON.stringify({ csv: 'x'.repeat(4 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the same over TLS, with HSTS', async () => {
    const res = await rawGet(`https://127.0.0.1:${tlsPort}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('keeps a WebSocket session when its node stops: the client reconnects through nginx to the other', async () => {
    const wsUrl = base.replace('http', 'ws') + '/ws';
    const first = TestSocket.connect(wsUrl, { token: alice.accessToken });
    expect((await first.next((f) => f.type === 'welcome', 15_000)).userId).toBe(alice.user.id);

    // which node holds it
    const socketsOn = async (node: TestNode) =>
      (
        await backend.broker.call<WsStats, Record<string, never>>(
          'ws.stats',
          {},
          { nodeID: node.broker.nodeID },
        )
      ).sockets;
    const holder = await waitFor(
      async () => {
        for (const node of gateways) if ((await socketsOn(node)) === 1) return node;
        return undefined;
      },
      15_000,
      'the socket to show on a gateway',
    );
    const other = gateways.find((g) => g !== holder)!;

    await holder.stop();
    gateways = gateways.filter((g) => g !== holder);
    await first.closed;

    // the dashboard reconnects like this: a new socket, same token, same address
    const second = TestSocket.connect(wsUrl, { token: alice.accessToken });
    expect((await second.next((f) => f.type === 'welcome', 15_000)).userId).toBe(alice.user.id);
    expect(await socketsOn(other)).toBe(1);
    await other.broker.waitForServices(['users'], 15_000);
    await backend.broker.emit(
      'notification.created',
      notificationCreated(alice.user.id, 'After the failover'),
    );
    await second.next(
      (f) => f.type === 'event' && JSON.stringify(f.data).includes('After the failover'),
      15_000,
    );
    await second.close();

    // REST keeps answering: nginx skips the stopped node (connection refused) for the live one
    for (let i = 0; i < 6; i++) {
      const me = await request(base, 'GET', '/api/v1/users/me', { token: alice.accessToken });
      expect(me.status).toBe(200);
    }
  });

  it('limits sign-in POSTs per address with a 429 in the API error body; pages are not limited', async () => {
    for (let i = 0; i < 15; i++) expect((await fetch(`${base}/signin`)).status).toBe(200);
    const statuses: number[] = [];
    let limited: { body: ErrorBody; retryAfter: string | null } | undefined;
    for (let i = 0; i < 12; i++) {
      const res = await request<ErrorBody>(base, 'POST', '/api/v1/auth/login', {
        // a new address each time: the API's own per-account lock must not be what answers
        body: { email: uniqueEmail('limited'), password: 'wrong password' },
      });
      statuses.push(res.status);
      if (res.status === 429) limited ??= { body: res.body, retryAfter: res.headers.get('retry-after') };
    }
    // 10 a minute with a burst of 5: the first attempts reach the API (401), the rest do not
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect(limited?.body.error.code).toBe('RATE_LIMITED');
    expect(limited?.body.error.message).toContain('from this address'); // nginx's, not a node's
    expect(Number(limited?.retryAfter)).toBeGreaterThan(0);
  });
});
