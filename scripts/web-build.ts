// Builds the dashboard (web/ → web/build) when its sources changed since the last build,
// so `npm start` and the browser tests always serve what is in the tree.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'web');
const STAMP = join(WEB, 'build', '.source-hash');
const SOURCES = [
  'web/src',
  'web/static',
  'web/vite.config.ts',
  'web/package.json',
  'contracts',
  'package-lock.json',
];

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function webSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap(files)) hash.update(relative(ROOT, file)).update(readFileSync(file));
  return hash.digest('hex');
}

/** Builds web/ unless web/build matches the sources; returns whether it built. */
export function ensureWebBuild(log: (line: string) => void = (l) => console.error(l)): boolean {
  const hash = webSourceHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return false;
  log('web: building the dashboard (web/ → web/build)…');
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: WEB,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`the dashboard did not build (vite exited with ${result.status})`);
  writeFileSync(STAMP, hash);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureWebBuild();
