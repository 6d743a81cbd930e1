/**
 * A live archive: days that are not over yet, data that arrives late, and servers that echo or lie. The
 * real CLI against the simulator on 127.0.0.1, both agreeing on "now": the sim through its injected clock,
 * the CLI through REACH_UDL_FAKE_NOW.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSim, type SimOptions } from '../../src/sim/index.js';
import { readLedgerFile } from '../../src/ledger/read.js';
import { Credential } from '../../src/udl/auth.js';
import { cleanEnv, runCli, tempDir } from '../helpers/cli.js';
import { artifactFile } from '../helpers/storms.js';

const AUTH = `Basic ${Buffer.from('reach:live-password-42').toString('base64')}`;
const env = (now?: string, extra: Record<string, string> = {}) => cleanEnv({ BASICAUTH: AUTH, ...(now ? { REACH_UDL_FAKE_NOW: now } : {}), ...extra });
const file = (day: string) => artifactFile(day, 'REACH-101');

/** A sim whose clock the test sets, and the CLI arguments that talk to it. */
async function liveSim(opts: SimOptions) {
  let now = 0;
  const sim = await startSim({ sensors: 1, seed: 17, auth: AUTH, realtime: true, ...opts, now: () => now });
  return {
    sim,
    at(iso: string) {
      now = Date.parse(iso);
      return iso;
    },
    args: (out: string, start: string, end: string, ...extra: string[]) =>
      ['download', '--start-date', start, '--end-date', end, '--output-dir', out, '--udl-url', sim.url, '--sensor-id', 'REACH-101', ...extra],
  };
}

async function sameFiles(a: string, b: string): Promise<void> {
  const names = (await readdir(a)).filter((f) => f.startsWith('REACH-')).sort();
  expect((await readdir(b)).filter((f) => f.startsWith('REACH-')).sort()).toEqual(names);
  for (const f of names) expect((await readFile(join(a, f))).equals(await readFile(join(b, f))), f).toBe(true);
}

describe('days that are not over yet', () => {
  it('a daily cron across a day boundary loses nothing: every day ends complete and byte-identical to a run made after the fact', async () => {
    const live = await liveSim({});
    try {
      const out = await tempDir();
      // 10:00 on Feb 2: yesterday is settled, today is not.
      const t0 = live.at('2026-02-02T10:00:00.000Z');
      const r0 = await runCli(live.args(out, '2026-02-01', '2026-02-02'), env(t0));
      expect(r0.code).toBe(0);
      expect(r0.stdout).toMatch(/planned=1 downloaded=1 .* unsettled=1/);
      expect(r0.stderr).toMatch(/2026-02-02: not settled yet \(--settle\); deferred until 2026-02-03 02:00 UTC/);
      expect((await readLedgerFile(join(out, 'download_telemetry.csv'))).rows.map((r) => r.chunk_date_utc)).not.toContain('2026-02-02');
      // 01:00 the next day: Feb 2 ended an hour ago, still inside --settle.
      const t1 = live.at('2026-02-03T01:00:00.000Z');
      expect((await runCli(live.args(out, '2026-02-01', '2026-02-03'), env(t1))).stdout).toMatch(/planned=0 .* unsettled=2/);
      // 03:00: Feb 2 is settled and is fetched whole.
      const t2 = live.at('2026-02-03T03:00:00.000Z');
      const r2 = await runCli(live.args(out, '2026-02-01', '2026-02-03'), env(t2));
      expect(r2.stdout).toMatch(/planned=1 downloaded=1 .* unsettled=1/);

      const after = await tempDir();
      const t3 = live.at('2026-02-10T00:00:00.000Z');
      expect((await runCli(live.args(after, '2026-02-01', '2026-02-02'), env(t3))).code).toBe(0);
      await sameFiles(after, out);
      const rows = (await readLedgerFile(join(out, 'download_telemetry.csv'))).rows.filter((r) => r.status === 'DOWNLOADED');
      expect(rows.map((r) => [r.chunk_date_utc, r.records_downloaded])).toEqual([
        ['2026-02-01', '34560'],
        ['2026-02-02', '34560'],
      ]);
    } finally {
      await live.sim.close();
    }
  });

  it('an empty day young enough is asked again, and stays empty only once it is old', async () => {
    const live = await liveSim({ emptyDays: ['2026-02-05'] });
    try {
      const out = await tempDir();
      const t0 = live.at('2026-02-06T06:00:00.000Z');
      expect((await runCli(live.args(out, '2026-02-05', '2026-02-05'), env(t0))).stdout).toMatch(/skipped_no_data=1/);
      live.sim.resetStats();
      const t1 = live.at('2026-02-09T06:00:00.000Z');
      expect((await runCli(live.args(out, '2026-02-05', '2026-02-05'), env(t1))).stdout).toMatch(/planned=1 .* skipped_no_data=1/);
      expect(live.sim.stats().requests.count).toBe(1);
      live.sim.resetStats();
      const t2 = live.at('2026-02-14T06:00:00.000Z');
      expect((await runCli(live.args(out, '2026-02-05', '2026-02-05'), env(t2))).stdout).toMatch(/planned=0 .* skipped_no_data=1/);
      expect(live.sim.stats().requests.total).toBe(0);
    } finally {
      await live.sim.close();
    }
  });
});

describe('late data', () => {
  it('--refresh brings a day that grew up to date and leaves unchanged days untouched: one /count each, no data request for them', async () => {
    // A third of the sensor-hours arrive 30 h after their hour ends, long after --settle (2 h). At t0 every
    // late hour of Feb 10 has arrived (the last one at Feb 12 06:00) and none of Feb 11 (the first at 07:00).
    const live = await liveSim({ lateShare: 0.3, lateMs: 30 * 3_600_000 });
    try {
      const out = await tempDir();
      const t0 = live.at('2026-02-12T06:30:00.000Z');
      expect((await runCli(live.args(out, '2026-02-10', '2026-02-11'), env(t0))).code).toBe(0);
      const first = (await readLedgerFile(join(out, 'download_telemetry.csv'))).rows.filter((r) => r.status === 'DOWNLOADED');
      const partial = first.find((r) => r.chunk_date_utc === '2026-02-11')!;
      expect(Number(partial.records_downloaded)).toBeLessThan(34_560);

      live.sim.resetStats();
      const t1 = live.at('2026-02-13T12:00:00.000Z');
      const check = await runCli(['status', '--output-dir', out, '--check-server', '--udl-url', live.sim.url], env(t1));
      expect(check.stdout).toMatch(new RegExp(`Server  1 day changed on the server since download \\(2026-02-11: server has 34,560 records, artifact ${Number(partial.records_downloaded).toLocaleString('en-US')}\\)`));
      expect(live.sim.stats().requests).toMatchObject({ count: 2, data: 0 });

      live.sim.resetStats();
      const refreshed = await runCli([...live.args(out, '2026-02-10', '2026-02-11', '--refresh')], env(t1));
      expect(refreshed.code).toBe(0);
      expect(refreshed.stdout).toMatch(/planned=1 downloaded=1/);
      const stats = live.sim.stats().requests;
      // Two /counts for --refresh, one to plan the day fetched again; data only for that day.
      expect(stats.count).toBe(3);
      expect(stats.data).toBeGreaterThan(0);
      const pending = (await readLedgerFile(join(out, 'download_telemetry.csv'))).rows.filter((r) => r.status === 'DOWNLOAD_PENDING').at(-1)!;
      expect(pending.error_message).toBe(`server has 34,560 records, artifact ${Number(partial.records_downloaded).toLocaleString('en-US')}`);

      const after = await tempDir();
      expect((await runCli(live.args(after, '2026-02-10', '2026-02-11'), env(t1))).code).toBe(0);
      await sameFiles(after, out);
    } finally {
      await live.sim.close();
    }
  });
});

describe('servers that echo or lie', () => {
  it.each([
    ['BASICAUTH', 'text'],
    ['BASICAUTH', 'json'],
    ['UDL_AUTH_USERNAME', 'text'],
    ['UDL_AUTH_USERNAME', 'json'],
  ])('an echoing 500 leaks nothing at -vv (credential from %s, %s logs), and paths stay readable', async (source, format) => {
    const sim = await startSim({ sensors: 1, seed: 23, auth: AUTH, echo500: 0.3 });
    try {
      const out = await tempDir('reach-udl-echo-');
      const credential: Record<string, string> =
        source === 'BASICAUTH' ? { BASICAUTH: AUTH } : { UDL_AUTH_USERNAME: 'reach', UDL_AUTH_PASSWORD: 'live-password-42' };
      const r = await runCli(
        ['download', '--start-date', '2026-01-10', '--end-date', '2026-01-10', '--output-dir', out, '--udl-url', sim.url, '--sensor-id', 'REACH-101', '--max-results', '5000', '--max-retries', '10', '-vv', '--log-format', format],
        cleanEnv(credential),
      );
      expect(r.code).toBe(0);
      expect(sim.stats().faults.echo500).toBeGreaterThan(0);
      expect(r.stderr).toContain('[redacted]');
      const everything = [r.stdout, r.stderr, await readFile(join(out, 'download_telemetry.csv'), 'utf8')].join('\n');
      for (const form of new Credential(AUTH, 'BASICAUTH').secretForms()) expect(everything.includes(form), `leaked a ${form.length}-char form`).toBe(false);
      // Nor a piece of the token: a quote cut short must not cut through it.
      expect(everything).not.toContain(AUTH.slice(6, 18));
      // The user name is not a secret: the output dir's name (reach-udl-echo-…) is printed as it is.
      expect(everything).toContain(join(out, file('2026-01-10')));
    } finally {
      await sim.close();
    }
  });

  it.each(['100000000000000000000000', '1e23'])('a /count of %s fails the day after at most 2 requests', async (lie) => {
    const sim = await startSim({ sensors: 1, seed: 2, auth: AUTH, countLie: lie });
    try {
      const out = await tempDir();
      const r = await runCli(['download', '--start-date', '2026-01-11', '--end-date', '2026-01-11', '--output-dir', out, '--udl-url', sim.url, '--sensor-id', 'REACH-101'], env());
      expect(r.code).toBe(1);
      expect(sim.stats().requests.total).toBeLessThanOrEqual(2);
      const row = (await readLedgerFile(join(out, 'download_telemetry.csv'))).rows.at(-1)!;
      expect(row.status).toBe('FAILED');
      expect(row.error_message).toMatch(lie.includes('e') ? /count was not a number/ : /100,000,000,000,000,000,000,000/);
    } finally {
      await sim.close();
    }
  });

  it('exact duplicates are written once and noted; conflicting ids and bad obTimes fail the day; verify accepts every DOWNLOADED file', async () => {
    const out = await tempDir();
    const day = (d: string) => ['download', '--start-date', d, '--end-date', d, '--output-dir', out, '--sensor-id', 'REACH-101', '--max-results', '5000'];
    const cases: Array<[string, SimOptions, string]> = [
      ['2026-01-12', { duplicateShare: 0.02 }, 'DOWNLOADED'],
      ['2026-01-13', { conflictShare: 0.01 }, 'FAILED'],
      ['2026-01-14', { badObTimeShare: 0.002 }, 'FAILED'],
    ];
    for (const [d, faults, status] of cases) {
      const sim = await startSim({ sensors: 1, seed: 5, auth: AUTH, ...faults });
      try {
        await runCli([...day(d), '--udl-url', sim.url, '--max-retries', '1'], env());
      } finally {
        await sim.close();
      }
      const row = (await readLedgerFile(join(out, 'download_telemetry.csv'))).rows.at(-1)!;
      expect([row.chunk_date_utc, row.status]).toEqual([d, status]);
      if (d === '2026-01-12') expect(row.error_message).toMatch(/^\d+ exact duplicate record\(s\) from the server written once$/);
      if (d === '2026-01-13') expect(row.error_type).toBe('DuplicateIdError');
      if (d === '2026-01-14') expect(row.error_message).toMatch(/which is not a time/);
    }
    const verify = await runCli(['verify', '--output-dir', out, '--no-server'], env());
    expect(verify.stdout).toMatch(/2026-01-12 {2}ok/);
    expect(verify.stdout).toMatch(/verified=1 failed=0/);
    expect(verify.code).toBe(0);
  });
});
