// docker/k8s, checked without a cluster or kubectl (neither is here): each overlay is built the
// way kustomize would for what these files use (resources, namespace, labels, images), then
// every reference is followed: config maps and secrets, Services to pods and ports, the Ingress
// to a Service, autoscalers and disruption budgets to Deployments, probes to the health port,
// and every role's environment through config/ in production.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ALL_SERVICES, CONFIG_VARIABLES } from '../../config/index.ts';
import { ROOT, configProblems, readText, readYaml } from './files.ts';

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string> }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images']);

/** kustomize build, for the fields these files use (anything else fails the check). */
function build(dir: string): Resource[] {
  const kustomization = readYaml(join(dir, 'kustomization.yaml'))[0] as Kustomization;
  const unknown = Object.keys(kustomization).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length) throw new Error(`${dir}: fields this check does not model: ${unknown.join(', ')}`);
  const resources = (kustomization.resources ?? []).flatMap((entry) => {
    const path = join(dir, entry);
    if (existsSync(join(ROOT, path, 'kustomization.yaml'))) return build(path);
    return readYaml(path) as Resource[];
  });
  for (const r of resources) {
    if (kustomization.namespace) r.metadata.namespace = kustomization.namespace;
    for (const { pairs } of kustomization.labels ?? [])
      r.metadata.labels = { ...r.metadata.labels, ...pairs };
    for (const container of containersOf(r)) {
      const image = kustomization.images?.find((i) => i.name === container.image);
      if (image) container.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
    }
  }
  return resources;
}

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: unknown };
}

interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
}

function templateOf(r: Resource): PodTemplate | undefined {
  return r.kind === 'Deployment' || r.kind === 'StatefulSet' ? (r.spec?.template as PodTemplate) : undefined;
}
function containersOf(r: Resource): Container[] {
  return templateOf(r)?.spec.containers ?? [];
}
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** KEY=value lines of an example env file. */
function envFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readText(path)
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const SECRETS: Record<string, Record<string, string>> = {
  'finexia-secrets': envFile('docker/k8s/secrets.example.env'),
  'finexia-mongo': envFile('docker/k8s/overlays/self-hosted/mongo-secrets.example.env'),
};

describe.each(['self-hosted', 'managed'])('docker/k8s/overlays/%s', (overlay) => {
  const resources = build(`docker/k8s/overlays/${overlay}`);
  const find = (kind: string, name: string) =>
    resources.find((r) => r.kind === kind && r.metadata.name === name);
  const finexia = resources.filter((r) => r.kind === 'Deployment' && r.metadata.name.startsWith('finexia-'));
  const workloads = resources.filter((r) => templateOf(r));

  it('has the roles as Deployments of one image, each with a unique name', () => {
    expect(finexia.map((d) => d.metadata.name).sort()).toEqual(
      ['finexia-gateway', 'finexia-market', 'finexia-portfolio', 'finexia-workers'].sort(),
    );
    const keys = resources.map((r) => `${r.kind}/${r.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    const images = new Set(finexia.flatMap((d) => containersOf(d).map((c) => c.image)));
    expect([...images]).toEqual(['ghcr.io/finexia/finexia:latest']);
    for (const r of resources) expect(r.metadata.namespace, r.metadata.name).toBe('finexia');
  });

  it("starts every role: its environment (config maps + the Secret's documented keys) passes config/", () => {
    const hosted: string[] = [];
    for (const d of finexia) {
      const [container] = containersOf(d);
      const env: Record<string, string> = {};
      for (const from of container!.envFrom ?? []) {
        if (from.configMapRef) {
          const map = find('ConfigMap', from.configMapRef.name);
          expect(map, `${d.metadata.name} → ConfigMap ${from.configMapRef.name}`).toBeDefined();
          Object.assign(env, map!.data);
        }
        if (from.secretRef) {
          expect(SECRETS[from.secretRef.name], `Secret ${from.secretRef.name} documented`).toBeDefined();
          Object.assign(env, SECRETS[from.secretRef.name]);
        }
      }
      for (const e of container!.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
      env.NODE_ID ??= `${d.metadata.name}-abc12-xyz34`; // from the pod's name
      const unknown = Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k));
      expect(unknown, d.metadata.name).toEqual([]);
      expect(configProblems(env), d.metadata.name).toEqual([]);
      expect(env.NODE_ENV).toBe('production');
      hosted.push(...env.SERVICES!.split(','));

      // probes on the port HEALTH_PORT opens; graceful termination
      const health = container!.ports?.find((p) => p.name === 'health');
      expect(health?.containerPort, d.metadata.name).toBe(Number(env.HEALTH_PORT));
      expect(container!.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
      expect(container!.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
      expect(container!.lifecycle?.preStop).toBeDefined();
      expect(templateOf(d)!.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
      const http = container!.ports?.find((p) => p.name === 'http');
      expect(http?.containerPort).toBe(Number(env.PORT));
    }
    expect([...new Set(hosted)].sort()).toEqual([...ALL_SERVICES].sort());
  });

  it('runs the market feed once: one replica, recreated, never autoscaled', () => {
    const market = find('Deployment', 'finexia-market')!;
    expect(market.spec?.replicas).toBe(1);
    expect(market.spec?.strategy).toEqual({ type: 'Recreate' });
    const scaled = resources
      .filter((r) => r.kind === 'HorizontalPodAutoscaler')
      .map((r) => (r.spec!.scaleTargetRef as { name: string }).name);
    expect(scaled).not.toContain('finexia-market');
  });

  it('points every Service at pods and ports that exist, and the Ingress at a Service', () => {
    for (const svc of resources.filter((r) => r.kind === 'Service')) {
      const selector = svc.spec!.selector as Record<string, string>;
      const pods = workloads.filter((w) => matches(selector, templateOf(w)!.metadata.labels));
      expect(pods.length, svc.metadata.name).toBeGreaterThan(0);
      for (const port of svc.spec!.ports as { targetPort: string | number }[]) {
        const open = pods.flatMap(containersOf).flatMap((c) => c.ports ?? []);
        expect(
          open.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort),
          `${svc.metadata.name} → ${port.targetPort}`,
        ).toBe(true);
      }
    }
    const ingresses = resources.filter((r) => r.kind === 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ingress of ingresses) {
      for (const rule of ingress.spec!.rules as {
        http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] };
      }[])
        for (const path of rule.http.paths) {
          const svc = find('Service', path.backend.service.name);
          expect(svc, path.backend.service.name).toBeDefined();
          expect((svc!.spec!.ports as { name: string }[]).map((p) => p.name)).toContain(
            path.backend.service.port.name,
          );
        }
    }
    const auth = ingresses.find((i) => JSON.stringify(i.spec).includes('/api/v1/auth'));
    expect(JSON.stringify(auth?.metadata)).toContain('limit-rpm');
  });

  it('autoscales and protects the stateless roles: every HPA and PDB names a Deployment', () => {
    const hpas = resources.filter((r) => r.kind === 'HorizontalPodAutoscaler');
    const pdbs = resources.filter((r) => r.kind === 'PodDisruptionBudget');
    expect(hpas.map((h) => h.metadata.name).sort()).toEqual([
      'finexia-gateway',
      'finexia-portfolio',
      'finexia-workers',
    ]);
    for (const hpa of hpas) {
      const target = hpa.spec!.scaleTargetRef as { kind: string; name: string };
      expect(find(target.kind, target.name), target.name).toBeDefined();
      expect(hpa.spec!.minReplicas as number).toBeGreaterThanOrEqual(2);
    }
    for (const pdb of pdbs) {
      const selector = (pdb.spec!.selector as { matchLabels: Record<string, string> }).matchLabels;
      expect(finexia.filter((d) => matches(selector, templateOf(d)!.metadata.labels))).toHaveLength(1);
    }
    expect(pdbs).toHaveLength(3);
  });

  it('reaches the data services it names: in the cluster, or external addresses', () => {
    const endpoints = find('ConfigMap', 'finexia-endpoints')!.data!;
    const hosts = ['NATS_URL', 'REDIS_URL'].map((k) => new URL(endpoints[k]!).hostname);
    if (overlay === 'self-hosted') {
      for (const host of [...hosts, new URL(SECRETS['finexia-secrets']!.MONGO_URL!).hostname])
        expect(find('Service', host), host).toBeDefined();
      for (const name of ['mongo', 'nats', 'redis']) {
        const set = find('StatefulSet', name)!;
        expect(set.spec!.volumeClaimTemplates).toBeDefined();
        for (const e of containersOf(set).flatMap((c) => c.env ?? [])) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) expect(Object.keys(SECRETS[ref.name] ?? {}), `${name} ${ref.key}`).toContain(ref.key);
        }
      }
      expect(containersOf(find('StatefulSet', 'mongo')!)[0]!.image).toBe('mongo:7');
      expect(readText('docker/k8s/overlays/self-hosted/nats.yaml')).toContain('jetstream');
    } else {
      expect(workloads.filter((w) => w.kind === 'StatefulSet')).toEqual([]);
      for (const host of hosts) expect(host).toContain('.');
      expect(endpoints.REDIS_URL).toMatch(/^rediss:/);
      expect(endpoints.NATS_URL).toMatch(/^tls:/);
    }
  });
});

it('documents the secrets it needs in docs/deployment.md', () => {
  const doc = readText('docs/deployment.md');
  for (const key of Object.keys(SECRETS['finexia-secrets']!)) expect(doc, key).toContain(key);
  expect(existsSync(join(ROOT, dirname('docker/k8s/secrets.example.env')))).toBe(true);
});
