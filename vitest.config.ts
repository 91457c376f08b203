import { defineConfig } from 'vitest/config';

/** Whole-system suites: real ingress and worker processes, some stop Redis or kill processes. */
const SYSTEM_TESTS = 'apps/stack/test/**/*.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit-integration',
          include: [
            'apps/*/src/**/*.test.ts',
            'apps/*/test/**/*.test.ts',
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
          ],
          exclude: [SYSTEM_TESTS, '**/node_modules/**'],
          globalSetup: ['./packages/test-kit/src/vitest/global-setup.ts'],
          // Long end-to-end files share two cores; keep Redis and CPU contention sane.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: [SYSTEM_TESTS],
          globalSetup: ['./packages/test-kit/src/vitest/global-setup.ts'],
          // Each file runs several processes; one file at a time, after everything else, so neither starves the other.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
