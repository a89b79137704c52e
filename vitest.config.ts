import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  test: {
    // the default report, then each file's wall time and the slowest listed at the end
    reporters: ['default', './test/helpers/file-times-reporter.ts'],
    // Two files at a time in every project. Vitest's default on 2 cores is one (cores − 1), and a
    // project left at one runs its files one by one after all the others: the browser files (the
    // crawl alone ~3 min) ran alone while the integration files' waits could have overlapped them.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'contracts/**/*.test.ts',
            'domain/**/*.test.ts',
            'config/**/*.test.ts',
            'infra/**/*.test.ts',
            'mixins/**/*.test.ts',
            'services/**/*.test.ts',
            'providers/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          // The official provider SDKs against our simulators (loopback HTTP/WS, no database).
          name: 'providers',
          include: ['test/providers/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          // The deployment files (docker/, docker/k8s/, the CI workflow), read as their tools would.
          name: 'deploy',
          include: ['test/deploy/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          // The service under test (and what it calls) on an in-process broker: the real database and Redis, no NATS, no
          // HTTP edge (test/helpers/node.ts startServices). Runs first: seconds per file.
          name: 'service',
          include: ['test/service/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // Starts FerretDB (or uses MONGO_URL) and checks NATS and Redis once for the whole run.
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
      {
        test: {
          // Generated from the route table against a real node (test/security/routes.test.ts).
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Stores and formatting of the dashboard (runes compiled by the Svelte plugin).
        plugins: [svelte({ compilerOptions: { runes: true } })],
        // Svelte's client runtime (effects run; its server build never runs them); the Kit aliases
        resolve: {
          conditions: ['browser'],
          alias: {
            $lib: fileURLToPath(new URL('web/src/lib', import.meta.url)),
            $contracts: fileURLToPath(new URL('contracts', import.meta.url)),
            $domain: fileURLToPath(new URL('domain', import.meta.url)),
          },
        },
        test: {
          name: 'web',
          include: ['web/src/**/*.test.ts'],
          // a DOM environment, so the Svelte plugin compiles for the client (effects run)
          environment: 'happy-dom',
        },
      },
      {
        test: {
          // The dashboard in Debian's Chromium against a real node (playwright-core).
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
