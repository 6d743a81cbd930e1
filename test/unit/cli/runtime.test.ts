import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLI_NODE_FLAGS } from '../../../src/cli/runtime.js';

describe('the CLI shebang', () => {
  it('runs node with CLI_NODE_FLAGS, which the demo and the bench pass too', async () => {
    const first = (await readFile(new URL('../../../src/cli/main.ts', import.meta.url), 'utf8')).split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(' ')}`);
  });
});
