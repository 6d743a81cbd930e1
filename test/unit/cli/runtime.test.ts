import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLI_NODE_ENV, CLI_NODE_FLAGS } from '../../../src/cli/runtime.js';

describe('the CLI shebang', () => {
  const shebang = async (): Promise<string> => (await readFile(new URL('../../../src/cli/main.ts', import.meta.url), 'utf8')).split('\n')[0]!;
  const assignments = Object.entries(CLI_NODE_ENV).map(([k, v]) => `${k}=${v}`);

  it('runs node with CLI_NODE_ENV and CLI_NODE_FLAGS, which the demo and the bench pass too', async () => {
    expect(await shebang()).toBe(`#!/usr/bin/env -S ${[...assignments, 'node', ...CLI_NODE_FLAGS].join(' ')}`);
  });

  it('hands node the environment and the flags when env runs it', async () => {
    const line = (await shebang()).replace(/^#!\/usr\/bin\/env -S /, '');
    // What the kernel runs for `reach-udl ...`: env with the shebang's text as one argument, then the script's.
    const probe = `JSON.stringify([process.env.MALLOC_ARENA_MAX, process.execArgv.slice(0, ${CLI_NODE_FLAGS.length})])`;
    const r = spawnSync('/usr/bin/env', ['-S', line, '-p', probe], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([CLI_NODE_ENV.MALLOC_ARENA_MAX, [...CLI_NODE_FLAGS]]);
  });
});
