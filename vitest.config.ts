import { defineConfig } from 'vitest/config';
import { EndToEndFirst } from './test/helpers/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Long storms run with `npm run soak` (vitest.soak.config.ts), not on every `npm test`.
    exclude: ['test/soak/**', 'node_modules/**'],
    globalSetup: ['test/helpers/build.ts'],
    setupFiles: ['test/helpers/cleanup.ts'],
    reporters: ['default', './test/helpers/slowest-reporter.ts'],
    // End-to-end suites spawn the CLI and a sim; two cores, so keep the fan-out modest.
    maxWorkers: 2,
    sequence: { sequencer: EndToEndFirst },
    // Every test is sized to finish in well under half of this on two busy cores (the reporter checks).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
