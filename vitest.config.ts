import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'domain/**/*.test.ts',
            'config/**/*.test.ts',
            'mixins/**/*.test.ts',
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
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // Starts FerretDB (or uses MONGO_URL) and checks NATS and Redis once for the whole run.
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 90_000,
          // bcrypt at cost 12 is CPU-bound and this machine has 2 cores.
          maxWorkers: 2,
        },
      },
    ],
  },
});
