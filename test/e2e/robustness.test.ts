/**
 * Nothing lost: server faults, bad input, the run lock, secrets, and verify (crashes and chunk-level
 * resume are in crash.test.ts). The real CLI as a child process against the simulator on 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLedger } from '../../src/ledger/read.js';
import { Credential } from '../../src/udl/auth.js';
import { withSim } from '../helpers/udl.js';
import { cleanEnv, listFiles, runCli, startCli, tempDir } from '../helpers/cli.js';
import { artifactFile, faultStorm, isTemp } from '../helpers/storms.js';

const AUTH = `Basic ${Buffer.from('secretuser-XYZ:secretpass-ABC').toString('base64')}`;
const env = cleanEnv({ BASICAUTH: AUTH });
const artifact = artifactFile;

describe('server faults', () => {
  it('with 5% 5xx, 5% resets, 2% cut bodies and throttling, 2 days end with their exact records', async () => {
    // Eight days of this run in `npm run soak`.
    await faultStorm({ env, auth: AUTH, firstDay: '2026-08-01', days: 2, sensors: 1 });
  });

  // Only the slow server gets a short deadline: on a busy machine a 0.5 s deadline could also cut the others short.
  it.each([
    [{ reset: 1 }, '30', 'UdlNetworkError', /connection to UDL failed/],
    [{ truncate: 1 }, '30', 'UdlTruncatedError', /cut short/],
    [{ slow: 1, slowMs: 5_000 }, '0.5', 'UdlTimeoutError', /did not answer within 0.5 s/],
  ])('a day the server never answers (%j, deadline %s s) ends FAILED with error_type %s and no partial artifact', async (faults, timeout, type, message) => {
    await withSim({ sensors: 1, ...faults }, async (s) => {
      const out = await tempDir();
      const r = await runCli(
        ['download', '--start-date', '2026-09-01', '--end-date', '2026-09-01', '--output-dir', out, '--udl-url', s.url, '--sensor-id', 'REACH-101', '--max-retries', '1', '--request-timeout', timeout],
        cleanEnv({ BASICAUTH: 'Basic eDp5' }),
      );
      expect(r.code).toBe(1);
      const row = (await readLedger(join(out, 'download_telemetry.csv'))).at(-1)!;
      expect(row.status).toBe('FAILED');
      expect(row.error_type).toBe(type);
      expect(row.error_message).toMatch(message);
      expect((await listFiles(out)).filter((f) => f.startsWith('REACH-') || isTemp(f))).toEqual([]);
    });
  });
});

describe('bad input', () => {
  it('refuses a telemetry file of random bytes, unchanged', async () => {
    const dir = await tempDir();
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256));
    await writeFile(join(dir, 'download_telemetry.csv'), bytes);
    const r = await runCli(['download', '--start-date', '2026-01-01', '--end-date', '2026-01-01', '--output-dir', dir, '--udl-url', 'http://127.0.0.1:9'], cleanEnv({ BASICAUTH: 'Basic eDp5' }));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await readFile(join(dir, 'download_telemetry.csv'))).equals(bytes)).toBe(true);
  });

  it('tolerates a ledger whose last line a crash cut short', async () => {
    await withSim({ sensors: 1 }, async (s) => {
      const out = await tempDir();
      const args = ['download', '--start-date', '2026-01-01', '--end-date', '2026-01-02', '--output-dir', out, '--udl-url', s.url, '--sensor-id', 'REACH-101'];
      expect((await runCli(args, cleanEnv({ BASICAUTH: 'Basic eDp5' }))).code).toBe(0);
      const ledger = join(out, 'download_telemetry.csv');
      const text = await readFile(ledger, 'utf8');
      await writeFile(ledger, text.slice(0, text.length - 40));
      const again = await runCli(args, cleanEnv({ BASICAUTH: 'Basic eDp5' }));
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/downloaded=1 skipped_existing=1/);
      expect((await readLedger(ledger)).filter((x) => x.status === 'DOWNLOADED')).toHaveLength(2);
    });
  });
});

describe('one run per output dir', () => {
  it('refuses a second run while the first holds the lock, and a killed run leaves no lock behind', async () => {
    await withSim({ sensors: 2, latencyMs: 300, auth: AUTH }, async (s) => {
      const out = await tempDir();
      const args = ['download', '--start-date', '2026-10-01', '--end-date', '2026-10-02', '--output-dir', out, '--udl-url', s.url, '-vv', '--no-progress'];
      const first = startCli(args, env);
      await first.waitForLine(/windows 0\//);
      const second = await runCli(args, env);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(new RegExp(`another reach-udl run \\(pid ${first.child.pid},`));
      first.child.kill('SIGKILL');
      await first.done;
      const third = await runCli(args, env);
      expect(third.code).toBe(0);
      expect(third.stdout).toMatch(/downloaded=2/);
    });
  });
});

describe('secrets', () => {
  it('never shows the credential or its decoded parts: -vv, json logs, failures, ledger, artifacts, spool', async () => {
    const forms = new Credential(AUTH, 'BASICAUTH').secretForms();
    expect(forms).toEqual(expect.arrayContaining(['secretuser-XYZ:secretpass-ABC', 'secretpass-ABC']));
    const out = await tempDir();
    const outputs: string[] = [];
    await withSim({ sensors: 1, auth: AUTH, fail5xx: 0.2, reset: 0.1, seed: 3 }, async (s) => {
      const base = ['download', '--output-dir', out, '--udl-url', s.url, '--max-results', '5000', '-vv'];
      for (const extra of [
        ['--start-date', '2026-11-01', '--end-date', '2026-11-01'],
        ['--start-date', '2026-11-02', '--end-date', '2026-11-02', '--log-format', 'json'],
        ['--start-date', '2026-11-03', '--end-date', '2026-11-03', '--max-retries', '0'],
      ]) {
        const r = await runCli([...base, ...extra], env);
        outputs.push(r.stdout, r.stderr);
      }
    });
    await withSim({ sensors: 1, auth: 'Basic c29tZW9uZTplbHNl' }, async (s) => {
      const r = await runCli(['download', '--start-date', '2026-11-04', '--end-date', '2026-11-05', '--output-dir', out, '--udl-url', s.url, '-vv'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/credential was rejected/);
      expect(r.stdout).toMatch(/failed=1/);
      outputs.push(r.stdout, r.stderr);
    });
    const files = await listFiles(out);
    expect(files.some((f) => f.startsWith('REACH-'))).toBe(true);
    for (const f of files) outputs.push(await readFile(join(out, f), 'utf8'));
    const all = outputs.join('\n');
    for (const form of forms) expect(all.includes(form), `leaked ${form.length}-char form`).toBe(false);
  });
});

describe('verify', () => {
  it('passes a sound output dir and names each kind of damage, exiting 1', async () => {
    await withSim({ sensors: 1, auth: AUTH }, async (s) => {
      const out = await tempDir();
      const dl = await runCli(['download', '--start-date', '2026-05-01', '--end-date', '2026-05-04', '--output-dir', out, '--udl-url', s.url, '--sensor-id', 'REACH-101'], env);
      expect(dl.code).toBe(0);
      const ok = await runCli(['verify', '--output-dir', out, '--udl-url', s.url], env);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/2026-05-01 {2}ok {4}34560 records \(ledger 34560, server 34560\)/);
      expect(ok.stdout).toMatch(/verified=4 failed=0/);

      const file = (d: string) => join(out, artifact(d, 'REACH-101'));
      const lines = async (d: string) => (await readFile(file(d), 'utf8')).split('\n');
      const d1 = await lines('2026-05-01');
      await writeFile(file('2026-05-01'), [...d1.slice(0, 3), d1[2], ...d1.slice(3)].join('\n'));
      const d2 = await lines('2026-05-02');
      await writeFile(file('2026-05-02'), [...d2.slice(0, 5), ...d2.slice(6)].join('\n'));
      const d3 = await lines('2026-05-03');
      const d4 = await lines('2026-05-04');
      await writeFile(file('2026-05-03'), [...d3.slice(0, -1), d4[1], ''].join('\n'));

      const bad = await runCli(['verify', '--output-dir', out, '--udl-url', s.url], env);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/2026-05-01 {2}FAIL .*1 duplicate id/);
      expect(bad.stdout).toMatch(/2026-05-02 {2}FAIL .*34559 records but the ledger says 34560.*server's \/count says 34560/);
      expect(bad.stdout).toMatch(/2026-05-03 {2}FAIL .*1 record\(s\) outside 2026-05-03/);
      expect(bad.stdout).toMatch(/2026-05-04 {2}ok/);
      // Each failure ends with the command that repairs it.
      expect(bad.stdout).toContain(`repair: mv ${file('2026-05-01')} ${file('2026-05-01')}.bad && reach-udl download --start-date 2026-05-01 --end-date 2026-05-01 --output-dir ${out} --sensor-id REACH-101`);
      expect(bad.stdout).toMatch(/verified=4 failed=3/);
      expect(existsSync(file('2026-05-04'))).toBe(true);
    });
  });
});
