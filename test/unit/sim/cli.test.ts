import { CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { simCommand } from '../../../src/cli/sim-command.js';
import { startSim } from '../../../src/sim/index.js';

/** Runs `reach-udl sim <args>` in-process, with commander's exits turned into exceptions. */
function run(args: string[]): { done: Promise<void>; stderr: () => string } {
  let stderr = '';
  const cmd = simCommand()
    .exitOverride()
    .configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => undefined });
  return { done: cmd.parseAsync(args, { from: 'user' }).then(() => undefined), stderr: () => stderr };
}

async function usageError(args: string[]): Promise<{ exitCode: number; message: string }> {
  const r = run(args);
  const err = await r.done.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CommanderError);
  const lines = r.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  return { exitCode: (err as CommanderError).exitCode, message: lines[0] as string };
}

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.SIM_AUTH;
});

describe('reach-udl sim', () => {
  it.each([
    [['--gap-share', '2'], /--gap-share.*'2' is invalid/],
    [['--port', '70000'], /--port/],
    [['--sensors', '1.5'], /--sensors/],
    [['--rate', '0'], /--rate/],
    [['--empty-days', '2026-02-30'], /--empty-days/],
    [['--descriptors', 'quicklook'], /--descriptors/],
    [['--fail-5xx', 'x'], /--fail-5xx/],
    [['--bogus'], /unknown option/],
    [['--reset', '0.7', '--truncate', '0.7'], /fault shares add up to 1.4/],
    [['--burst', '2'], /burst needs rate/],
    [['--sensors', '40'], /at most 32/],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const { exitCode, message: line } = await usageError(args);
    expect(exitCode).toBe(2);
    expect(line).toMatch(/^error: /);
    expect(line).toMatch(message);
  });

  it('exits 1 when the port is taken', async () => {
    const taken = await startSim({ sensors: 1 });
    try {
      const { exitCode, message } = await usageError(['--port', String(taken.port)]);
      expect(exitCode).toBe(1);
      expect(message).toMatch(/cannot listen on 127\.0\.0\.1/);
    } finally {
      await taken.close();
    }
  });

  it('prints its URL on stdout once listening, applies flags and SIM_AUTH, and stops on SIGTERM', async () => {
    process.env.SIM_AUTH = 'Basic c2ltOnNpbQ==';
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => stderr.push(String(s)) > 0);
    const listening = new Promise<string>((resolve) => {
      vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
        const m = /^reach-udl sim listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(String(s));
        if (m?.[1] !== undefined) resolve(m[1]);
        return true;
      });
    });
    const r = run(['--port', '0', '--sensors', '2', '--max-results', '5', '--seed', '3']);
    const url = await listening;
    const q = 'obTime=2026-01-01T00:00:00.000Z..2026-01-01T23:59:59.999Z&descriptor=QUICKLOOK';
    expect((await fetch(`${url}/udl/spaceenvobservation/count?${q}`)).status).toBe(401);
    const auth = { headers: { Authorization: 'Basic c2ltOnNpbQ==' } };
    expect(await (await fetch(`${url}/udl/spaceenvobservation/count?${q}`, auth)).text()).toBe('69120');
    const page = (await (await fetch(`${url}/udl/spaceenvobservation?${q}&maxResults=50`, auth)).json()) as unknown[];
    expect(page).toHaveLength(5);
    expect(stderr.join('')).not.toContain('c2ltOnNpbQ');

    process.emit('SIGTERM', 'SIGTERM');
    await r.done;
    expect(process.listenerCount('SIGTERM')).toBe(0);
    expect(stderr.join('')).toMatch(/stopped \(SIGTERM\): 3 requests/);
    await expect(fetch(`${url}/_sim/stats`)).rejects.toThrow();
  });
});
