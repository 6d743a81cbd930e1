/**
 * One owner per output dir, and a clean stop: many runs starting at once on a stale lock, and SIGINT
 * in the middle of a day. The real CLI as child processes against the simulator on 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { readLedger } from '../../src/ledger/read.js';
import { cleanEnv, listFiles, runCli, startCli, tempDir } from '../helpers/cli.js';

const AUTH = `Basic ${Buffer.from('owner-user:owner-password-1').toString('base64')}`;
const env = cleanEnv({ BASICAUTH: AUTH });

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid;
}

async function sameArtifacts(a: string, b: string): Promise<void> {
  const names = (await readdir(a)).filter((f) => f.startsWith('REACH-')).sort();
  expect((await readdir(b)).filter((f) => f.startsWith('REACH-')).sort()).toEqual(names);
  for (const f of names) expect((await readFile(join(a, f))).equals(await readFile(join(b, f))), f).toBe(true);
}

describe('one owner per output dir', () => {
  let sim: RunningSim;
  beforeAll(async () => {
    // Slow answers keep the winner busy for seconds, so every contender meets its live lock even when
    // eight Node start-ups queue on two busy cores.
    sim = await startSim({ sensors: 1, seed: 4, auth: AUTH, latencyMs: 400 });
  });
  afterAll(() => sim.close());

  it('8 runs started at once on a stale lock: exactly one downloads, 7 exit 2 naming it', async () => {
    const args = ['--start-date', '2026-03-01', '--end-date', '2026-03-02', '--udl-url', sim.url, '--sensor-id', 'REACH-101', '--max-results', '2500'];
    const clean = await tempDir();
    const out = await tempDir();
    await mkdir(join(out, '.reach-udl'), { recursive: true });
    await writeFile(join(out, '.reach-udl', 'lock'), JSON.stringify({ runId: 'crashed', pid: deadPid(), host: hostname(), since: new Date().toISOString() }));
    const undisturbed = runCli(['download', ...args, '--output-dir', clean], env);
    const runs = Array.from({ length: 8 }, () => startCli(['download', ...args, '--output-dir', out], env));
    const results = await Promise.all(runs.map((r) => r.done));
    expect((await undisturbed).code).toBe(0);

    const winners = results.filter((r) => r.code === 0);
    expect(winners).toHaveLength(1);
    const winnerPid = runs[results.indexOf(winners[0]!)]!.child.pid;
    const losers = results.filter((r) => r.code !== 0);
    for (const l of losers) {
      expect(l.code).toBe(2);
      expect(l.stderr.trim().split('\n')).toHaveLength(1);
      expect(l.stderr).toMatch(new RegExp(`another reach-udl run \\(pid ${winnerPid},`));
    }
    const rows = await readLedger(join(out, 'download_telemetry.csv'));
    expect(rows.filter((r) => r.status === 'DOWNLOADED').map((r) => r.chunk_date_utc).sort()).toEqual(['2026-03-01', '2026-03-02']);
    expect(new Set(rows.map((r) => r.run_id)).size).toBe(1);
    await sameArtifacts(clean, out);
    expect(existsSync(join(out, '.reach-udl', 'lock'))).toBe(false);
  });
});

describe('SIGINT', () => {
  it('stops mid-day within 2 s with exit 130, keeps the day resumable, and the rerun refetches only what was not committed', async () => {
    const s = await startSim({ sensors: 2, seed: 9, auth: AUTH, latencyMs: 40 });
    try {
      const args = ['--start-date', '2026-04-01', '--end-date', '2026-04-01', '--udl-url', s.url, '--max-results', '2000', '-vv', '--no-progress'];
      const clean = await tempDir();
      expect((await runCli(['download', ...args, '--output-dir', clean], env)).code).toBe(0);

      const out = await tempDir();
      const run = startCli(['download', ...args, '--output-dir', out], env);
      await run.waitForLine(/2026-04-01: windows 8\//);
      const sentAt = performance.now();
      run.child.kill('SIGINT');
      const stopped = await run.done;
      const tookMs = performance.now() - sentAt;
      expect(stopped.code).toBe(130);
      expect(tookMs).toBeLessThan(2_000);
      const m = /stopped by SIGINT: 0 days done, 2026-04-01 resumes from chunk (\d+)\/(\d+); rerun the same command to continue/.exec(stopped.stderr);
      expect(m, stopped.stderr).not.toBeNull();
      const [committed, total] = [Number(m![1]), Number(m![2])];
      expect(existsSync(join(out, '.reach-udl', 'lock'))).toBe(false);
      expect((await readLedger(join(out, 'download_telemetry.csv'))).map((r) => r.status)).toEqual(['DOWNLOAD_PENDING']);
      expect((await listFiles(out)).filter((f) => f.startsWith('REACH-'))).toEqual([]);

      s.resetStats();
      const rerun = await runCli(['download', ...args, '--output-dir', out], env);
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toMatch(new RegExp(`\\(${committed} resumed from spool\\)`));
      // Only the windows not committed at the stop, and no /count: the plan is in the spool.
      expect(s.stats().requests.data).toBe(total - committed);
      expect(s.stats().requests.count).toBe(0);
      await sameArtifacts(clean, out);
    } finally {
      await s.close();
    }
  });

  it('exits at once on a second signal', async () => {
    const s = await startSim({ sensors: 1, seed: 2, auth: AUTH, slow: 1, slowMs: 20_000 });
    try {
      const out = await tempDir();
      const run = startCli(['download', '--start-date', '2026-05-01', '--end-date', '2026-05-01', '--udl-url', s.url, '--output-dir', out, '--sensor-id', 'REACH-101', '-vv', '--no-progress'], env);
      await run.waitForLine(/2026-05-01: downloading/);
      run.child.kill('SIGTERM');
      run.child.kill('SIGTERM');
      const r = await run.done;
      expect(r.code).toBe(143);
    } finally {
      await s.close();
    }
  });
});
