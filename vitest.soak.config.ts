import { defineConfig } from 'vitest/config';

/** `npm run soak`: the long storms (many kills, many days), with the same assertions as the quick ones. */
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts'],
    globalSetup: ['test/helpers/build.ts'],
    setupFiles: ['test/helpers/cleanup.ts'],
    reporters: ['default', './test/helpers/slowest-reporter.ts'],
    maxWorkers: 1,
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
