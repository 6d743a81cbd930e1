/**
 * Never lose a day quietly: damaged ledgers and artifacts, a lost ledger, a ledger shared by mistake,
 * FAILED days in the range, options out of range. Each damage is detected with a one-line message and
 * repaired by the command it names. The real CLI against the simulator on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { appendFile, copyFile, cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { readLedgerFile } from '../../src/ledger/read.js';
import { cleanEnv, runCli, tempDir } from '../helpers/cli.js';
import { artifactFile } from '../helpers/storms.js';

const AUTH = `Basic ${Buffer.from('archive-user:archive-password-7').toString('base64')}`;
const env = cleanEnv({ BASICAUTH: AUTH });
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03'];
const file = (day: string) => artifactFile(day, 'REACH-101');

describe('damage is found and repaired', () => {
  let sim: RunningSim;
  let clean: string;
  const args = (out: string, ...extra: string[]) => [
    'download',
    '--start-date',
    DAYS[0]!,
    '--end-date',
    DAYS[2]!,
    '--output-dir',
    out,
    '--udl-url',
    sim.url,
    '--sensor-id',
    'REACH-101',
    ...extra,
  ];
  /**
   * A fresh output dir holding the three days as a download leaves them: the clean run's files, its
   * ledger pointing here. A copy, because downloading the same days again per test is most of this
   * file's time and proves nothing new.
   */
  const downloaded = async () => {
    const out = await tempDir();
    await cp(clean, out, { recursive: true });
    const ledger = join(out, 'download_telemetry.csv');
    await writeFile(ledger, (await readFile(ledger, 'utf8')).replaceAll(clean, out));
    return out;
  };
  const same = async (out: string) => {
    for (const d of DAYS) expect((await readFile(join(out, file(d)))).equals(await readFile(join(clean, file(d)))), d).toBe(true);
  };

  beforeAll(async () => {
    sim = await startSim({ sensors: 1, seed: 13, auth: AUTH });
    clean = await tempDir();
    expect((await runCli(args(clean), env)).code).toBe(0);
  });
  afterAll(() => sim.close());

  it('a bad ledger line stops the run with exit 2 naming it; --repair-ledger moves it aside and goes on', async () => {
    const out = await downloaded();
    const ledger = join(out, 'download_telemetry.csv');
    const before = await readFile(ledger, 'utf8');
    const lines = before.split('\n');
    // The bad line sits between rows: a lenient parser would let its quote swallow every row after it.
    await writeFile(ledger, [...lines.slice(0, 3), '"unbalanced quote,foo,bar', ...lines.slice(3)].join('\n'));
    await rm(join(out, file(DAYS[2]!)));
    sim.resetStats();
    const refused = await runCli(args(out), env);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/download_telemetry\.csv has 1 line\(s\) that are not ledger rows \(line 4: "\\"unbalanced quote,foo,bar"\).*--repair-ledger/);
    expect(sim.stats().requests.total).toBe(0);

    const status = await runCli(['status', '--output-dir', out], env);
    expect(status.stderr).toMatch(/warning: .*line 4/);
    expect(status.stdout).toMatch(/1 damaged line/);

    const repaired = await runCli([...args(out), '--repair-ledger'], env);
    expect(repaired.code).toBe(0);
    expect(repaired.stderr).toMatch(/moved 1 ledger line\(s\) that were not rows to .*download_telemetry\.csv\.rejected/);
    // Only the day whose file went missing is fetched: the rows after the bad line were all seen.
    expect(repaired.stdout).toMatch(/planned=1 downloaded=1/);
    expect(await readFile(`${ledger}.rejected`, 'utf8')).toMatch(/line 4\n"unbalanced quote,foo,bar\n/);
    expect((await readLedgerFile(ledger)).bad).toEqual([]);
    await same(out);
  });

  it('a truncated artifact and another day copied over one are DAMAGED for status and fetched again by download, saying why', async () => {
    const out = await downloaded();
    const size = (await readFile(join(out, file(DAYS[0]!)))).length;
    await truncate(join(out, file(DAYS[0]!)), size - 1000);
    await copyFile(join(out, file(DAYS[2]!)), join(out, file(DAYS[1]!)));
    const status = await runCli(['status', '--output-dir', out], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`${DAYS[0]}.*DAMAGED.*\\n.*damaged: ${(size - 1000).toLocaleString('en-US')} bytes on disk, the ledger says ${size.toLocaleString('en-US')}`));
    // The copy is caught by its size; one of the same size would be by its obTimes (test/unit/artifacts/integrity.test.ts).
    expect(status.stdout).toMatch(new RegExp(`${DAYS[1]}.*DAMAGED.*\\n.*damaged: .* bytes on disk, the ledger says`));

    const repair = await runCli([...args(out), '-v'], env);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/planned=2 downloaded=2/);
    const rows = (await readLedgerFile(join(out, 'download_telemetry.csv'))).rows;
    const why = rows.filter((r) => r.status === 'DOWNLOAD_PENDING' && r.error_message !== '').map((r) => `${r.chunk_date_utc}: ${r.error_message}`);
    expect(why).toEqual([
      `${DAYS[0]}: ${(size - 1000).toLocaleString('en-US')} bytes on disk, the ledger says ${size.toLocaleString('en-US')}`,
      expect.stringMatching(new RegExp(`^${DAYS[1]}: .* bytes on disk, the ledger says`)),
    ]);
    await same(out);
  });

  it('with the ledger gone, status and verify say so, and download --adopt records the files without downloading them', async () => {
    const out = await downloaded();
    await rm(join(out, 'download_telemetry.csv'));
    const status = await runCli(['status', '--output-dir', out], env);
    expect(status.stdout).toMatch(/Orphans 3 artifacts on disk without a ledger row \(2026-03-01 \.\. 2026-03-03\).*download --adopt/);
    const verify = await runCli(['verify', '--output-dir', out, '--no-server'], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/3 day file\(s\) have no DOWNLOADED row in the ledger .*repair: reach-udl download .* --adopt/);

    sim.resetStats();
    const adopt = await runCli([...args(out), '--adopt'], env);
    expect(adopt.code).toBe(0);
    expect(adopt.stdout).toMatch(/planned=3 downloaded=0 .* adopted=3/);
    expect(sim.stats().requests).toMatchObject({ data: 0, count: 3 });
    expect((await runCli(['verify', '--output-dir', out, '--udl-url', sim.url], env)).code).toBe(0);
    await same(out);
  });

  it('refuses a ledger whose rows point into another output dir, unless --shared-ledger', async () => {
    const a = await downloaded();
    const b = await tempDir();
    const shared = join(a, 'download_telemetry.csv');
    const refused = await runCli([...args(b), '--telemetry-file', shared], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds rows for another output dir .*--shared-ledger/);
    const ok = await runCli([...args(b), '--telemetry-file', shared, '--shared-ledger'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/planned=3 downloaded=3/);
    await same(b);
    // Each output dir sees only its own days in the shared ledger: a rerun of either fetches nothing.
    expect((await runCli([...args(a), '--telemetry-file', shared, '--shared-ledger'], env)).stdout).toMatch(/planned=0/);
    expect((await runCli([...args(b), '--telemetry-file', shared, '--shared-ledger'], env)).stdout).toMatch(/planned=0/);
  });

  it('exits 1 while the range holds FAILED days, naming them and --retry-failed', async () => {
    const out = await downloaded();
    await appendFile(
      join(out, 'download_telemetry.csv'),
      `x,${DAYS[1]},,,FAILED,,,,,,,REACH-101,QUICKLOOK,csv,UdlHttpError,HTTP 503,2099-01-01T00:00:00.000000+00:00,,,,,,,\n`,
    );
    const r = await runCli(args(out), env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/planned=0 .* skipped_failed=1/);
    expect(r.stderr).toMatch(new RegExp(`FAILED days in this range: ${DAYS[1]}; .*--retry-failed`));
    const retried = await runCli([...args(out), '--retry-failed'], env);
    expect(retried.code).toBe(0);
  });
});

describe('options and the ledger file', () => {
  it.each([
    [['--request-timeout', '3000000'], /--request-timeout must be in 0\.1-3600, got 3000000/],
    [['--max-concurrent-requests', '0'], /--max-concurrent-requests must be in 1-64/],
    [['--settle', '2'], /--settle "2" is not a duration; write it like 2h, 30m, 7d or 0/],
    [['--recheck-window', '400d'], /--recheck-window 400d is longer than the 366 days allowed/],
    [['--max-retries', '1.5'], /--max-retries must be a whole number/],
  ])('%j is refused up front with exit 2', async (extra, message) => {
    const out = await tempDir();
    const r = await runCli(['download', '--start-date', '2026-01-01', '--end-date', '2026-01-01', '--output-dir', out, '--udl-url', 'http://127.0.0.1:9', ...extra], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an immutable ledger is a configuration error (exit 2), and nothing is fetched', async () => {
    const sim = await startSim({ sensors: 1, seed: 3, auth: AUTH });
    const out = await tempDir();
    const ledger = join(out, 'download_telemetry.csv');
    await writeFile(ledger, '');
    let immutable = true;
    try {
      execFileSync('chattr', ['+i', ledger], { stdio: 'ignore' });
    } catch {
      immutable = false;
    }
    try {
      // Where the filesystem has no immutable flag, a directory in the ledger's place is as unwritable.
      if (!immutable) {
        await rm(ledger);
        execFileSync('mkdir', [ledger]);
      }
      const r = await runCli(['download', '--start-date', '2026-01-01', '--end-date', '2026-01-01', '--output-dir', out, '--udl-url', sim.url, '--sensor-id', 'REACH-101'], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(immutable ? /cannot write the ledger .*download_telemetry\.csv \(EPERM\)/ : /is not a reach-udl telemetry ledger/);
      expect(sim.stats().requests.data).toBe(0);
    } finally {
      if (immutable) execFileSync('chattr', ['-i', ledger]);
      await sim.close();
    }
  });
});
