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
    // Four workers on two cores: the end-to-end files wait on simulated latency, rate limits and child
    // processes as much as they compute, so two workers left a core idle about a quarter of the time
    // (npm test 157 s with 2 workers, 136 s with 3, 102 s with 4 here; with a CPU-bound process beside
    // it, 4 workers still keep the slowest test at 42% of its timeout).
    maxWorkers: 4,
    sequence: { sequencer: EndToEndFirst },
    // Every test is sized to finish in well under half of this on two busy cores (the reporter checks).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
