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
    // Three workers on two cores: the end-to-end files wait on simulated latency, rate limits and child
    // processes as much as they compute, so two workers left a core idle about a quarter of the time.
    // Measured here on fresh clones: 2 workers 157 s; 4 workers 118-156 s (this VM's speed varies by a
    // quarter from hour to hour) with the slowest test at up to 61% of its timeout; 3 workers about the
    // same time with the slowest test at 41%.
    maxWorkers: 3,
    sequence: { sequencer: EndToEndFirst },
    // Every test is sized to finish in well under half of this on two busy cores (the reporter checks).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
