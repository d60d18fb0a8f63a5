import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

const ALL = ['lib/test/**/*.test.ts', 'subgraphs/**/test/**/*.test.ts', 'gateway/test/**/*.test.ts', 'test/**/*.test.ts'];
const DATABASE_TESTS = ['**/*.integration.test.ts', '**/*.e2e.test.ts'];

/**
 * Three projects, by what a test needs: `unit` (pure code, no database, seconds: `npm run test:unit`),
 * `integration` (one subgraph or library against PostgreSQL) and `e2e` (the hub through its gateway).
 * `npm test` runs all three; integration and e2e share one PostgreSQL (test/setup/global-setup.ts).
 */
export default defineConfig({
  // One graphql instance: type-graphql and @apollo/subgraph load its CommonJS build, so tests must too.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    setupFiles: ['test/setup/per-file.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ALL, exclude: [...DATABASE_TESTS, '**/node_modules/**'] } },
      { extends: true, test: { name: 'integration', include: ['**/*.integration.test.ts'], exclude: ['**/node_modules/**', 'dist/**'], globalSetup: ['test/setup/global-setup.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.e2e.test.ts'], globalSetup: ['test/setup/global-setup.ts'] } },
    ],
  },
});
