import { CommanderError } from 'commander';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { simCommand } from '../../../src/cli/sim-command.js';

/** Runs `reach-udl sim <args>` in-process, with commander's exits turned into exceptions. */
function run(args: string[]): { done: Promise<void>; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const cmd = simCommand()
    .exitOverride()
    .configureOutput({ writeErr: (s) => (err += s), writeOut: (s) => (out += s) });
  return { done: cmd.parseAsync(args, { from: 'user' }).then(() => undefined), out: () => out, err: () => err };
}

afterEach(() => vi.restoreAllMocks());

describe('reach-udl sim: the new modes', () => {
  it('documents every new flag and the clock endpoint in --help', async () => {
    const r = run(['--help']);
    await expect(r.done).rejects.toBeInstanceOf(CommanderError);
    for (const flag of ['--realtime', '--late-share', '--late-ms', '--now', '--echo-500', '--count-lie', '--duplicate-share', '--conflict-share', '--bad-obtime-share', '--gzip-level']) {
      expect(r.out()).toContain(flag);
    }
    expect(r.out()).toContain('POST /_sim/clock');
  });

  it.each([
    [['--gzip-level', '10'], /--gzip-level/],
    [['--late-share', '2'], /--late-share/],
    [['--now', 'yesterday'], /--now/],
    [['--echo-500', '-1'], /--echo-500/],
    [['--duplicate-share', '0.6', '--conflict-share', '0.6'], /add up to 1\.2/],
    [['--fail-5xx', '0.6', '--echo-500', '0.6'], /fault shares add up to 1\.2/],
  ])('exits 2 for %j', async (args, message) => {
    const r = run(args);
    const error = await r.done.then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2 });
    expect(r.err()).toMatch(message);
  });

  it('starts with the clock stopped at --now, applies the modes, and says so on stderr', async () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => stderr.push(String(s)) > 0);
    const listening = new Promise<string>((resolve) => {
      vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(String(s));
        if (m?.[1] !== undefined) resolve(m[1]);
        return true;
      });
    });
    const r = run(['--sensors', '1', '--realtime', '--now', '2026-01-01T00:10:00.000Z', '--gzip-level', '1', '--duplicate-share', '1', '--count-lie', '1e23']);
    const url = await listening;
    expect(await (await fetch(`${url}/_sim/clock`)).json()).toMatchObject({ now: '2026-01-01T00:10:00.000Z', frozen: true });
    const q = 'obTime=2026-01-01T00:00:00.000Z..2026-01-01T23:59:59.999Z&descriptor=QUICKLOOK';
    expect(await (await fetch(`${url}/udl/spaceenvobservation/count?${q}`)).text()).toBe('1e23');
    // fetch undoes gzip itself: every record of the 121 ticks up to now, each twice.
    expect(((await (await fetch(`${url}/udl/spaceenvobservation?${q}`)).json()) as unknown[]).length).toBe(2 * 2 * 121);
    const raw = await new Promise<Buffer>((resolve, reject) => {
      http
        .get(`${url}/udl/spaceenvobservation/count?${q}`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        })
        .on('error', reject);
    });
    expect(gunzipSync(raw).toString()).toBe('1e23');
    expect(stderr.join('')).toMatch(/realtime=on now=2026-01-01T00:10:00\.000Z\(stopped\) records=duplicate=1 countLie=on gzip=1/);
    process.emit('SIGTERM', 'SIGTERM');
    await r.done;
    expect(stderr.join('')).toMatch(/stopped \(SIGTERM\): .* MB on the wire\)/);
  });
});
