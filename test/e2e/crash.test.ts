/**
 * Nothing lost across crashes: kill -9 at random moments, then reruns, end byte-identical to an
 * undisturbed run; an interrupted day resumes from its spooled windows. The real CLI as a child process
 * against the simulator on 127.0.0.1. (Apart from robustness.test.ts so the two long files run side by side.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startCli, tempDir } from '../helpers/cli.js';
import { fetchDayTruth, readCsvArtifact, withSim } from '../helpers/udl.js';
import { artifactFile, killStorm } from '../helpers/storms.js';

const AUTH = `Basic ${Buffer.from('secretuser-XYZ:secretpass-ABC').toString('base64')}`;
const env = cleanEnv({ BASICAUTH: AUTH });
const artifact = artifactFile;

describe('crash safety: kill -9 at random moments, then rerun', () => {
  it('ends byte-identical to an uninterrupted run, with a sound ledger and no temp file, over 6 kills', async () => {
    // The 25-kill, 5-day version of this storm runs in `npm run soak`.
    await killStorm({ env, sim: { sensors: 1, subSecondShare: 0.01, seed: 11, auth: AUTH, latencyMs: 5 }, firstDay: '2026-06-01', days: 2, kills: 6, seed: 20261129, maxResults: 1000 });
  });

  it('resumes an interrupted day from its spooled windows: killed at 80%, the rerun fetches at most 25%', async () => {
    // One sensor in pages of 500: about 70 windows, enough that the few in flight at the kill stay well inside 25%.
    await withSim({ sensors: 1, seed: 5, auth: AUTH, latencyMs: 10 }, async (s) => {
      const out = await tempDir();
      const args = ['download', '--start-date', '2026-07-01', '--end-date', '2026-07-01', '--output-dir', out, '--udl-url', s.url, '--max-results', '500', '-vv', '--no-progress'];
      const run = startCli(args, env);
      const line = await run.waitForLine(/windows (\d+)\/(\d+)/);
      const total = Number(/\/(\d+)/.exec(line)![1]);
      await run.waitForLine(new RegExp(`windows ${Math.ceil(total * 0.8)}/${total}`));
      run.child.kill('SIGKILL');
      await run.done;
      const firstRun = s.stats().requests.data;
      s.resetStats();
      const rerun = await runCli(args, env);
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toMatch(/resumed from spool/);
      const refetched = s.stats().requests.data;
      expect(refetched).toBeLessThanOrEqual(Math.ceil(0.25 * total));
      expect(firstRun + refetched).toBeLessThan(total * 1.3);
      const truth = await fetchDayTruth(s.url, '2026-07-01', { auth: AUTH });
      expect((await readCsvArtifact(join(out, artifact('2026-07-01')))).map((r) => r.id)).toEqual(truth.map((r) => r.id));
    });
  });
});
