/**
 * The crash and fault storms, parameterised: `npm test` runs them small, `npm run soak` long, with the same
 * assertions. The real CLI as a child process against the simulator on 127.0.0.1.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createPrng, startSim, type RunningSim, type SimOptions } from '../../src/sim/index.js';
import { latestByDay, readLedger } from '../../src/ledger/read.js';
import { listFiles, runCli, startCli, tempDir } from './cli.js';
import { fetchDayTruth, readCsvArtifact } from './udl.js';

export const isTemp = (f: string) => /\.tmp(-|$)/.test(f);

export function artifactFile(day: string, prefix = 'REACH-ALL', ext = 'csv'): string {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return `${prefix}_${day.replace(/-/g, '')}T000000_${next.replace(/-/g, '')}T000000.${ext}`;
}

export function daysFrom(first: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => new Date(Date.parse(`${first}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));
}

/** Every DOWNLOADED day's artifact exists and holds the number of records its row claims; no file without a row. */
export async function checkLedgerInvariant(out: string): Promise<number> {
  const latest = latestByDay(await readLedger(join(out, 'download_telemetry.csv')));
  let downloaded = 0;
  for (const row of latest.values()) {
    if (row.status !== 'DOWNLOADED') continue;
    downloaded++;
    const text = await readFile(join(out, artifactFile(row.chunk_date_utc)), 'utf8');
    // The simulator's values hold no newlines, so lines - header = records.
    expect(text.split('\n').length - 2, `${row.chunk_date_utc} record count`).toBe(Number(row.records_downloaded));
  }
  const visible = (await readdir(out)).filter((f) => f.startsWith('REACH-'));
  for (const f of visible) {
    const day = `${f.slice(10, 14)}-${f.slice(14, 16)}-${f.slice(16, 18)}`;
    expect(latest.get(day)?.status, `${f} on disk must be a DOWNLOADED day`).toBe('DOWNLOADED');
  }
  return downloaded;
}

export interface KillStormOptions {
  env: NodeJS.ProcessEnv;
  sim: SimOptions;
  firstDay: string;
  days: number;
  /** SIGKILLs to land; the storm asserts at least 80% of them landed before the run finished. */
  kills: number;
  seed: number;
  /** --max-results: smaller pages, more windows, more moments to land a kill. @default 2500 */
  maxResults?: number;
}

/**
 * kill -9 at random moments (the k-th progress line, then 0-15 ms), checking after each that every
 * DOWNLOADED row points at a whole file; then a last run must end byte-identical to an undisturbed one,
 * with no temp or spool file left.
 */
export async function killStorm(o: KillStormOptions): Promise<{ kills: number }> {
  const sim = await startSim(o.sim);
  try {
    const days = daysFrom(o.firstDay, o.days);
    const common = ['--start-date', days[0]!, '--end-date', days.at(-1)!, '--udl-url', sim.url, '--max-results', String(o.maxResults ?? 2500), '-vv', '--no-progress'];
    const clean = await tempDir();
    expect((await runCli(['download', ...common, '--output-dir', clean], o.env)).code).toBe(0);

    const out = await tempDir();
    const prng = createPrng(o.seed);
    let kills = 0;
    for (let i = 0; i < o.kills * 2 && kills < o.kills; i++) {
      const run = startCli(['download', ...common, '--output-dir', out], o.env);
      // Kill on an event (the k-th progress line), then a random few ms later, to land anywhere:
      // mid-request, mid-spool commit, mid-assembly, between rename and ledger row.
      const k = 1 + Math.floor(prng() * 12);
      let seen = 0;
      const trigger = run.waitForLine(/windows \d+\/\d+/).then(async function next(): Promise<void> {
        seen++;
        if (seen < k) return run.waitForLine(/windows \d+\/\d+|DOWNLOADED/).then(next);
      });
      const ended = await Promise.race([trigger.then(() => false, () => true), run.done.then(() => true)]);
      if (!ended) {
        await new Promise((r) => setTimeout(r, Math.floor(prng() * 15)));
        run.child.kill('SIGKILL');
      }
      const result = await run.done;
      if (result.signal === 'SIGKILL') kills++;
      await checkLedgerInvariant(out);
    }
    expect(kills).toBeGreaterThanOrEqual(Math.ceil(o.kills * 0.8));

    const last = await runCli(['download', ...common, '--output-dir', out], o.env);
    expect(last.code).toBe(0);
    expect(await checkLedgerInvariant(out)).toBe(o.days);
    for (const f of (await readdir(clean)).filter((x) => x.startsWith('REACH-'))) {
      expect((await readFile(join(out, f))).equals(await readFile(join(clean, f))), f).toBe(true);
    }
    expect((await listFiles(out)).filter(isTemp)).toEqual([]);
    expect((await listFiles(out)).filter((f) => f.startsWith('.reach-udl/'))).toEqual([]);
    return { kills };
  } finally {
    await sim.close();
  }
}

export interface FaultStormOptions {
  env: NodeJS.ProcessEnv;
  auth: string;
  firstDay: string;
  days: number;
  /** Sensors the simulator serves. @default 2 */
  sensors?: number;
}

/** 5% 5xx, 5% resets, 2% cut bodies and a 15 req/s allowance: every day still ends with its exact records. */
export async function faultStorm(o: FaultStormOptions): Promise<void> {
  const data: SimOptions = { sensors: o.sensors ?? 2, subSecondShare: 0.01, seed: 21 };
  const faulty: RunningSim = await startSim({ ...data, fail5xx: 0.05, reset: 0.05, truncate: 0.02, rate: 15, burst: 5, auth: o.auth });
  const truthSim = await startSim(data);
  try {
    const days = daysFrom(o.firstDay, o.days);
    const out = await tempDir();
    const r = await runCli(
      ['download', '--start-date', days[0]!, '--end-date', days.at(-1)!, '--output-dir', out, '--udl-url', faulty.url, '--max-results', '2500', '--max-retries', '8', '-vv'],
      o.env,
    );
    expect(r.code).toBe(0);
    const st = faulty.stats();
    expect(st.faults.fail5xx + st.faults.reset + st.faults.truncate).toBeGreaterThan(3);
    expect(r.stderr).toMatch(/retry \d/);
    for (const day of days) {
      const truth = await fetchDayTruth(truthSim.url, day);
      const got = await readCsvArtifact(join(out, artifactFile(day)));
      expect(got.map((x) => x.id)).toEqual(truth.map((x) => x.id));
    }
  } finally {
    await faulty.close();
    await truthSim.close();
  }
}
