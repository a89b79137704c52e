// docker/Dockerfile and docker/compose.yaml, checked without a container engine (none runs on
// the development machines): what the image carries against what the start script imports,
// every compose service's environment against config/, and every name, port and file they use.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_SERVICES, CONFIG_VARIABLES } from '../../config/index.ts';
import { ROOT, composeValue, configProblems, importGraph, readText, readYaml } from './files.ts';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions per stage (continuation lines joined, comments dropped). */
function dockerStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const joined = text.replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [op = '', ...rest] = trimmed.split(/\s+/);
    const instruction = { op: op.toUpperCase(), args: rest.join(' ') };
    if (instruction.op === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const stages = dockerStages(readText('docker/Dockerfile'));
const runtime = stages.at(-1)!;
const pkg = JSON.parse(readText('package.json')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** What the runtime stage copies, as paths inside /app. */
const copied = runtime
  .filter((i) => i.op === 'COPY')
  .flatMap((i) => {
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    return parts.slice(0, -1).map((p) => p.replace(/^\/app\//, ''));
  });

describe('docker/Dockerfile', () => {
  it('builds in stages and runs as a non-root user with a healthcheck on every role', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const user = runtime.find((i) => i.op === 'USER')?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const env = runtime
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    const healthPort = /HEALTH_PORT=(\d+)/.exec(env)?.[1];
    expect(Number(healthPort)).toBeGreaterThan(0);
    expect(runtime.find((i) => i.op === 'HEALTHCHECK')?.args).toContain('HEALTH_PORT');
    expect(env).toContain('NODE_ENV=production');
  });

  it('copies every file the start script imports, and only production packages are needed', () => {
    const cmd = runtime.find((i) => i.op === 'CMD')!.args;
    const entry = /"(scripts\/[^"]+\.ts)"/.exec(cmd)?.[1];
    expect(entry).toBe('scripts/start.ts');
    const { files, packages } = importGraph(entry!);
    // the node loads these when it hosts every service (services/index.ts imports each lazily)
    const missing = [...files].filter(
      (file) => !copied.some((path) => file === path || file.startsWith(path.replace(/\/$/, '') + '/')),
    );
    expect(missing).toEqual([]);
    // the runtime stage prunes dev dependencies: a package imported at run time must be a dependency
    const devOnly = [...packages].filter((p) => !pkg.dependencies[p]);
    expect(devOnly).toEqual([]);
    expect(files.size).toBeGreaterThan(100);
  });

  it('serves the dashboard the build stage made, without building at start', () => {
    expect(copied).toContain('web/build');
    expect(stages[0]!.some((i) => i.op === 'RUN' && i.args.includes('scripts/web-build.ts'))).toBe(true);
    expect(runtime.some((i) => i.op === 'ENV' && i.args.includes('FINEXIA_WEB=prebuilt'))).toBe(true);
    // every path the runtime copies from the build stage is in the tree, or made by the build
    for (const path of copied.filter((p) => !['node_modules', 'web/build'].includes(p)))
      expect(existsSync(join(ROOT, path)), path).toBe(true);
    // and .dockerignore keeps none of them out of the build
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const path of copied.filter((p) => p !== 'node_modules' && p !== 'web/build'))
      expect(ignored, path).not.toContain(path);
  });
});

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, unknown>;
  depends_on?: string[] | Record<string, unknown>;
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
}

const compose = readYaml('docker/compose.yaml')[0] as { services: Record<string, ComposeService> };
const services = compose.services;
const nodes = Object.entries(services).filter(([, s]) => s.build);
const envOf = (s: ComposeService) =>
  Object.fromEntries(
    Object.entries(s.environment ?? {})
      .map(([k, v]) => [k, composeValue(v)] as const)
      .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );

describe('docker/compose.yaml', () => {
  it('runs MongoDB 7, NATS with JetStream, Redis and nginx beside the Finexia nodes', () => {
    expect(services.mongo?.image).toBe('mongo:7');
    expect(services.nats?.image).toMatch(/^nats:2/);
    expect(JSON.stringify(services.nats)).toMatch(/--jetstream|-js/);
    expect(services.redis?.image).toMatch(/^redis:7/);
    expect(services.nginx?.image).toMatch(/^nginx:/);
    for (const [name, s] of nodes) {
      expect(existsSync(join(ROOT, 'docker', s.build!.context, s.build!.dockerfile)), name).toBe(true);
    }
  });

  it('starts every node: each environment passes config/ in production, with only variables config/ reads', () => {
    for (const [name, s] of nodes) {
      const env = envOf(s);
      expect(configProblems(env), name).toEqual([]);
      const unknown = Object.keys(s.environment ?? {}).filter((k) => !CONFIG_VARIABLES.includes(k));
      expect(unknown, name).toEqual([]);
      expect(env.NODE_ENV, name).toBe('production');
    }
  });

  it('hosts every service somewhere, and the market feed on exactly one node', () => {
    const hosted = nodes.flatMap(([, s]) => envOf(s).SERVICES!.split(','));
    expect([...new Set(hosted)].sort()).toEqual([...ALL_SERVICES].sort());
    const market = nodes.filter(([, s]) => envOf(s).SERVICES!.split(',').includes('market'));
    expect(market).toHaveLength(1);
    expect(market[0]![1].deploy?.replicas ?? 1).toBe(1);
    // the gateway sits behind nginx: it reads the client address from X-Forwarded-For
    expect(envOf(services.gateway!).TRUST_PROXY).toBe('true');
  });

  it('points every URL at a service of the file, on the port that service listens on', () => {
    const market = envOf(services.market!);
    const simBase = Number(market.SIM_PORT);
    const listening: Record<string, number[]> = {
      mongo: [27017],
      nats: [4222],
      redis: [6379],
      nginx: [80],
      // Plaid, Binance, Coinbase, CoinGecko, FX, Esplora, the securities feed (startSimulators)
      market: [0, 1, 2, 3, 4, 5, 6].map((i) => simBase + i),
    };
    for (const [name, s] of nodes) {
      for (const [key, value] of Object.entries(envOf(s))) {
        if (!/^[a-z+]+:\/\//.test(value)) continue;
        const url = new URL(value);
        if (key === 'WEB_ORIGIN') continue; // the browser's view, not a container's
        expect(Object.keys(services), `${name} ${key}`).toContain(url.hostname);
        const port = Number(url.port || (url.protocol === 'http:' ? 80 : 0));
        expect(listening[url.hostname], `${name} ${key}`).toContain(port);
      }
    }
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dep of deps) expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
    }
  });

  it("mounts nginx's files, and its upstream is the gateway service on the image's port", () => {
    const mounts = services.nginx!.volumes!.map((v) => v.split(':'));
    for (const [from] of mounts) expect(existsSync(join(ROOT, 'docker', from!)), from).toBe(true);
    const inside = mounts.map((m) => m[1]!);
    const conf = readText('docker/nginx/nginx.conf') + readText('docker/nginx/finexia-locations.conf');
    for (const include of conf.matchAll(/^\s*include ([\w.-]+\.conf);/gm))
      expect(inside).toContain(`/etc/nginx/${include[1]}`);
    const upstream = /server (\w+):(\d+)/.exec(readText('docker/nginx/nginx.conf'))!;
    expect(Object.keys(services)).toContain(upstream[1]);
    const imagePort = /(?:^|\s)PORT=(\d+)/.exec(
      runtime
        .filter((i) => i.op === 'ENV')
        .map((i) => i.args)
        .join(' '),
    )![1];
    expect(upstream[2]).toBe(imagePort);
    expect(envOf(services[upstream[1]!]!).SERVICES).toBe('api,ws');
  });
});
