import { rm } from 'node:fs/promises';
import { afterAll } from 'vitest';
import { madeTempDirs } from './cli.js';

// End-to-end suites write hundreds of MB of day files; leave /tmp as it was found.
afterAll(async () => {
  await Promise.all(madeTempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
