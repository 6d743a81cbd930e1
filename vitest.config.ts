import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build.ts'],
    setupFiles: ['test/helpers/cleanup.ts'],
    // End-to-end suites spawn the CLI and a sim; two cores, so keep the fan-out modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
