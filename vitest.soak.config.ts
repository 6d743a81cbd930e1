import { defineConfig } from 'vitest/config';

/**
 * `npm run soak`: the long storms (many kills, many days) and the full-size multi-machine backfill (4
 * workers, PostgreSQL, S3, 20 days at 20 req/s), with the same assertions as the quick ones, and the property tests that `npm test` runs at a quarter of their runs (test/helpers/runs.ts), in full.
 */
export default defineConfig({
  test: {
    include: [
      'test/soak/**/*.test.ts',
      'test/unit/formats/writers.test.ts',
      'test/unit/formats/readers.test.ts',
      'test/unit/formats/nested.test.ts',
      'test/unit/formats/skeleton-match.test.ts',
      'test/unit/udl/h1-parser.test.ts',
      'test/unit/plan/windows.test.ts',
      'test/unit/l1c/text.test.ts',
      'test/unit/cdf/*.test.ts',
      'test/unit/report/report.test.ts',
    ],
    env: { REACH_UDL_SOAK: '1' },
    globalSetup: ['test/helpers/build.ts'],
    setupFiles: ['test/helpers/cleanup.ts'],
    reporters: ['default', './test/helpers/slowest-reporter.ts'],
    maxWorkers: 1,
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
