/**
 * `reach-udl process` end to end: the real CLI as a child process, the golden pair read back by Debian's
 * jcdf, bad input, kill -9, and uploads to a real S3-compatible server on 127.0.0.1.
 */
import { copyFile, mkdir, readFile, readdir, watch, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedgerFile } from '../../src/ledger/read.js';
import { startSim } from '../../src/sim/index.js';
import { cleanEnv, listFiles, runCli, startCli, tempDir } from '../helpers/cli.js';
import { copyAsIbmpc, jcdfList } from '../helpers/jcdf.js';
import { startS3Server, type S3TestServer } from '../helpers/s3.js';
import { openStore } from '../../src/store/open.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const GOLDEN_CSV = fixture('REACH-TEST_20250904T000000_20250904T010000.csv');
const GOLDEN_CDF = fixture('reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf');
const DAY = '2025-09-04';
const KEY = 'l1c/prelim/2025/09/04/reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf';

/** An input dir holding the golden CSV under a download's name for the day (any end time is accepted). */
async function goldenInput(): Promise<string> {
  const dir = await tempDir();
  await copyFile(GOLDEN_CSV, join(dir, 'REACH-ALL_20250904T000000_20250904T010000.csv'));
  return dir;
}

const processArgs = (input: string, output: string, ...extra: string[]) => [
  'process',
  '--start-date',
  DAY,
  '--end-date',
  DAY,
  '--input-dir',
  input,
  '--output-dir',
  output,
  ...extra,
];
const ledgerOf = async (input: string) => (await readLedgerFile(join(input, 'download_telemetry.csv'))).rows;

describe('process: the golden pair', () => {
  it('gives a CDF that jcdf reads exactly as the golden, apart from the attributes that vary per file', async () => {
    const input = await goldenInput();
    const output = await tempDir();
    const r = await runCli(processArgs(input, output), cleanEnv());
    expect(r.stderr).toMatch(/2025-09-04: PROCESSED -> .*reach_all_l1c_prelim_20250904T000000_v1\.0\.0\.cdf/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/planned=1 processed=1 uploaded=0 .* failed=0/);
    const mine = await jcdfList(join(output, KEY));
    const golden = await jcdfList(await copyAsIbmpc(GOLDEN_CDF, join(output, 'golden-ibmpc.cdf')));
    // Per file: generation date, software versions, and RESOLUTION (exact here, float noise in the golden).
    const perFile = /^\s*(Generation_date|CDF_Lib_version|SWxSOC_version|REACH_version|RESOLUTION):?\s*$|^ {4}RESOLUTION:/;
    const lines = (text: string) => {
      const out: string[] = [];
      let skip = false;
      for (const line of text.split('\n')) {
        if (/^ {4}\S/.test(line)) skip = perFile.test(line);
        else if (!/^ {8}/.test(line)) skip = perFile.test(line);
        if (!skip) out.push(line);
      }
      return out;
    };
    expect(lines(mine.text)).toEqual(lines(golden.text));
    expect(mine.globals['Generation_date']).toEqual([new Date().toISOString().slice(0, 10)]);
    expect(mine.variables['Epoch']!.attributes['RESOLUTION']).toBe('5s');
    const rows = await ledgerOf(input);
    expect(rows.map((x) => x.status)).toEqual(['PROCESS_PENDING', 'PROCESSED']);
    expect(rows[1]).toMatchObject({ cdf_path: join(output, KEY), window_start_utc: '', window_end_utc: '' });
    expect(rows[1]!.cdf_size_mb).toMatch(/^\d+\.\d{4}$/);

    // Done days cost nothing on a rerun.
    const again = await runCli(processArgs(input, output), cleanEnv());
    expect(again.stdout).toMatch(/planned=0 .* skipped_existing=1/);
  });
});

describe('process: bad input is FAILED with a one-line reason and no CDF', () => {
  const golden = async () => readFile(GOLDEN_CSV, 'utf8');
  it.each([
    ['a truncated CSV', async () => (await golden()).slice(0, 20_000), 'csv', /InputFormatError: .*does not parse as csv: a quoted cell is never closed \(cut short\?\)/],
    ['a wrong header', async () => (await golden()).replace('obTime', 'observationTime'), 'csv', /L1cInputError: record 1: .*obTime/],
    ['a JSON that is not an array', async () => '{"id": "x"}\n', 'json', /InputFormatError: .*is not a JSON array/],
    ['a record with an unknown sensor', async () => (await golden()).replace(/REACH-101/, 'REACH-999'), 'csv', /UnexpectedSensorError: record \d+ has idSensor "REACH-999"/],
  ])('%s', async (_what, content, format, message) => {
    const input = await tempDir();
    await writeFile(join(input, `REACH-ALL_20250904T000000_20250905T000000.${format}`), await content());
    const output = await tempDir();
    const r = await runCli(processArgs(input, output, '--output-format', format), cleanEnv());
    expect(r.code).toBe(1);
    const row = (await ledgerOf(input)).at(-1)!;
    expect(row.status).toBe('FAILED');
    expect(`${row.error_type}: ${row.error_message}`).toMatch(message);
    expect(row.error_message).not.toMatch(/\n/);
    expect((await listFiles(output)).filter((f) => f.endsWith('.cdf'))).toEqual([]);
  });

  it('a missing input file is SKIPPED_NO_INPUT, and the day is taken up when the file appears', async () => {
    const input = await tempDir();
    const output = await tempDir();
    const r = await runCli(processArgs(input, output), cleanEnv());
    expect(r.code).toBe(0);
    expect((await ledgerOf(input)).map((x) => x.status)).toEqual(['SKIPPED_NO_INPUT']);
    await copyFile(GOLDEN_CSV, join(input, 'REACH-ALL_20250904T000000_20250905T000000.csv'));
    expect((await runCli(processArgs(input, output), cleanEnv())).stdout).toMatch(/processed=1/);
  });
});

describe('process: crash safety', () => {
  it('kill -9 while converting leaves no partial CDF; the rerun finishes the day', async () => {
    // A real downloaded day, big enough to be caught mid-conversion.
    const sim = await startSim({ sensors: 2, seed: 6 });
    const input = await tempDir();
    try {
      const dl = await runCli(['download', '--start-date', '2026-04-10', '--end-date', '2026-04-10', '--output-dir', input, '--udl-url', sim.url], cleanEnv({ BASICAUTH: 'Basic eDp5' }));
      expect(dl.code).toBe(0);
    } finally {
      await sim.close();
    }
    const output = await tempDir();
    const args = ['process', '--start-date', '2026-04-10', '--end-date', '2026-04-10', '--input-dir', input, '--output-dir', output];
    // The PROCESS_PENDING row is the event: the conversion has begun. The ledger is watched, not polled.
    const ledgerPath = join(input, 'download_telemetry.csv');
    const watcher = watch(ledgerPath);
    const run = startCli(args, cleanEnv());
    for await (const _change of watcher) {
      if ((await readFile(ledgerPath, 'utf8')).includes('PROCESS_PENDING')) break;
    }
    run.child.kill('SIGKILL');
    await run.done;
    // Killed mid-conversion: the day is still PROCESS_PENDING, and no CDF, whole or partial, is visible.
    expect((await ledgerOf(input)).at(-1)!.status).toBe('PROCESS_PENDING');
    const visible = (await listFiles(output)).filter((f) => f.endsWith('.cdf'));
    expect(visible).toEqual([]);
    const rerun = await runCli(args, cleanEnv());
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/processed=1/);
    expect((await listFiles(output)).filter((f) => /\.tmp-/.test(f))).toEqual([]);
    const cdf = (await listFiles(output)).filter((f) => f.endsWith('.cdf'));
    expect(cdf).toEqual(['l1c/prelim/2026/04/10/reach_all_l1c_prelim_20260410T000000_v1.0.0.cdf']);
    expect((await jcdfList(join(output, cdf[0]!))).variables['dose_rate']!.header).toBe('DOUBLE (z) 2:[2,2] T/TT');
  });
});

describe('process: uploads to S3', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server('reach-l1c');
  });
  afterAll(() => s3.stop());
  const upload = (input: string, output: string, ...extra: string[]) =>
    runCli(processArgs(input, output, '--upload-to-s3', '--s3-bucket', 'reach-l1c', '--s3-endpoint', s3.endpoint, ...extra), cleanEnv(s3.childEnv()));

  it('uploads under the reference key, with a checksum, and does not upload the same bytes twice', async () => {
    const input = await goldenInput();
    const output = await tempDir();
    const r = await upload(input, output);
    expect(r.stderr).not.toMatch(/warning|Warning/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/processed=1 uploaded=1/);
    expect(s3.writesTo(KEY)).toBe(1);
    const rows = await ledgerOf(input);
    expect(rows.map((x) => x.status)).toEqual(['PROCESS_PENDING', 'PROCESSED', 'UPLOAD_PENDING', 'UPLOADED']);
    expect(rows.at(-1)).toMatchObject({ s3_bucket: 'reach-l1c', s3_key: KEY, cdf_path: join(output, KEY) });
    const status = await runCli(['status', '--output-dir', input], cleanEnv());
    expect(status.stdout).toMatch(/2025-09-04\s+UPLOADED .*\n\s+cdf: .*reach_all_l1c_prelim_20250904T000000_v1\.0\.0\.cdf, uploaded to s3:\/\/reach-l1c\/l1c\/prelim\/2025\/09\/04\//);

    // Converted again by another run (the ledger lost): the same bytes are not sent again.
    const input2 = await goldenInput();
    const output2 = await tempDir();
    await mkdir(output2, { recursive: true });
    const again = await upload(input2, output2);
    expect(again.code).toBe(0);
    expect(s3.writesTo(KEY)).toBe(1);
  });

  it('an upload that failed is retried with --retry-failed by uploading the CDF it has, not converting again', async () => {
    // The same golden CDF may be in the bucket from the test before: the store would not send it again.
    const store = openStore('s3://reach-l1c', { s3Endpoint: s3.endpoint, s3ForcePathStyle: true, region: s3.region });
    await store.remove(KEY);
    await store.close();
    const input = await goldenInput();
    const output = await tempDir();
    s3.failPuts(20, /\.cdf$/);
    const failed = await upload(input, output, '--s3-bucket', 'reach-l1c');
    s3.failPuts(0);
    expect(failed.code).toBe(1);
    expect((await ledgerOf(input)).at(-1)).toMatchObject({ status: 'FAILED', cdf_path: join(output, KEY) });
    expect((await ledgerOf(input)).at(-1)!.upload_seconds).not.toBe('');
    const skipped = await upload(input, output);
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toMatch(/FAILED days in this range: 2025-09-04; .*--retry-failed/);
    const retried = await upload(input, output, '--retry-failed');
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/processed=0 uploaded=1/);
    expect((await ledgerOf(input)).slice(-2).map((x) => x.status)).toEqual(['UPLOAD_PENDING', 'UPLOADED']);
  });

  it('a wrong bucket is a usage error before any work', async () => {
    const input = await goldenInput();
    const output = await tempDir();
    const r = await runCli(processArgs(input, output, '--upload-to-s3', '--s3-bucket', 'no-such-bucket', '--s3-endpoint', s3.endpoint), cleanEnv(s3.childEnv()));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no-such-bucket/);
    expect(r.stderr).not.toContain(`${s3.credentials.secretAccessKey}x`);
    expect(await readdir(input)).toEqual(['REACH-ALL_20250904T000000_20250904T010000.csv']);
  });
});
