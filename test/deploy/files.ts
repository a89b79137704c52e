// Reading the deployment files the way their tools would, for the checks in test/deploy/:
// no container engine or Kubernetes runs on the development machines, so what can be checked
// without one is checked here (references, environments against config/, imports against
// what the image carries).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig } from '../../config/index.ts';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Every document of a YAML file, anchors and merge keys (`<<`) resolved. */
export function readYaml(path: string): unknown[] {
  return parseAllDocuments(readText(path), { merge: true })
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as unknown;
    })
    .filter((doc) => doc !== null);
}

/** The problems loadConfig finds in an environment ([] when it would start). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.variable}: ${p.message}`);
    throw err;
  }
}

const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/**
 * What a TypeScript entry point loads when it runs: every file reached through relative
 * imports (static and dynamic), and every package imported by name.
 */
export function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2]!;
      if (spec.startsWith('.')) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
        if (!existsSync(join(ROOT, target))) throw new Error(`${file} imports ${spec}: no such file`);
        visit(target);
      } else if (!spec.startsWith('node:')) {
        const [scope, name] = spec.split('/');
        packages.add(spec.startsWith('@') ? `${scope}/${name}` : scope!);
      }
    }
  };
  visit(entry);
  return { files, packages };
}

/** Files under a folder, relative to the repository. */
export function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [path];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

/** `${NAME:-default}` → default, `${NAME}` → undefined: what compose gives with an empty environment. */
export function composeValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  if (/\$\{[A-Z_]+:\?/.test(text)) return undefined;
  return text.replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_m, _name, fallback: string) => fallback);
}
