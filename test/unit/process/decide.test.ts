import { describe, expect, it } from 'vitest';
import { decideProcess, planProcess, type ProcessFacts } from '../../../src/process/decide.js';
import { emptyRow, type LedgerRow } from '../../../src/ledger/schema.js';
import { validateProcessOptions } from '../../../src/config/process.js';

const row = (status: string, over: Partial<LedgerRow> = {}): LedgerRow => ({ ...emptyRow(), chunk_date_utc: '2025-09-04', status, ...over });
const facts = (latest: LedgerRow | undefined, input: boolean, cdf: boolean): ProcessFacts => ({ day: '2025-09-04', latest, input, cdf });
const off = { upload: false, retryFailed: false };
const on = { upload: true, retryFailed: false };

describe('decideProcess: the reference table (PROCESSING.md 2.3)', () => {
  it.each([
    ['none, input', undefined, true, false, off, 'run_process'],
    ['none, no input', undefined, false, false, off, 'skip_no_input'],
    ['UPLOADED', row('UPLOADED'), true, true, on, 'skip_existing'],
    ['PROCESSED, upload on, CDF', row('PROCESSED'), true, true, on, 'run_upload_only'],
    ['PROCESSED, upload off, CDF', row('PROCESSED'), true, true, off, 'skip_existing'],
    ['PROCESSED, CDF missing, input', row('PROCESSED'), true, false, off, 'run_process'],
    ['PROCESSED, CDF missing, no input', row('PROCESSED'), false, false, off, 'skip_no_input'],
    ['UPLOAD_PENDING, CDF, upload on', row('UPLOAD_PENDING'), true, true, on, 'run_upload_only'],
    ['UPLOAD_PENDING, CDF missing', row('UPLOAD_PENDING'), true, false, on, 'run_process'],
    ['PROCESS_PENDING', row('PROCESS_PENDING'), true, false, off, 'run_process'],
    ['FAILED in processing, no retry', row('FAILED', { process_seconds: '1.000' }), true, false, off, 'skip_failed'],
    ['FAILED in processing, retry', row('FAILED', { process_seconds: '1.000' }), true, false, { ...off, retryFailed: true }, 'run_process'],
    ['SKIPPED_NO_INPUT, input now', row('SKIPPED_NO_INPUT'), true, false, off, 'run_process'],
    ['SKIPPED_NO_INPUT, still none', row('SKIPPED_NO_INPUT'), false, false, off, 'skip_terminal'],
    ['DOWNLOADED, input', row('DOWNLOADED'), true, false, off, 'run_process'],
    ['DOWNLOAD_PENDING, no input', row('DOWNLOAD_PENDING'), false, false, off, 'skip_no_input'],
  ] as const)('%s -> %s', (_name, latest, input, cdf, o, action) => {
    expect(decideProcess(facts(latest, input, cdf), o).action).toBe(action);
  });
});

describe("decideProcess: the reference's defects, fixed", () => {
  it('retries a FAILED upload by uploading the CDF it has, not by converting again', () => {
    const failed = row('FAILED', { process_seconds: '2.000', upload_seconds: '0.500', cdf_path: '/x.cdf' });
    expect(decideProcess(facts(failed, true, true), { upload: true, retryFailed: true }).action).toBe('run_upload_only');
    expect(decideProcess(facts(failed, true, false), { upload: true, retryFailed: true }).action).toBe('run_process');
  });
  it('says so when an upload is pending and upload is off, instead of doing nothing silently', () => {
    const d = decideProcess(facts(row('UPLOAD_PENDING'), true, true), off);
    expect(d).toMatchObject({ action: 'skip_existing', why: expect.stringMatching(/--upload-to-s3/) });
  });
  it("keeps the download phase's SKIPPED_NO_DATA terminal: no SKIPPED_NO_INPUT row hides it", () => {
    expect(decideProcess(facts(row('SKIPPED_NO_DATA'), false, false), off).action).toBe('skip_terminal');
  });
  it("leaves a download's FAILED day to the download phase, even with --retry-failed", () => {
    const d = decideProcess(facts(row('FAILED', { download_seconds: '3.0' }), false, false), { upload: false, retryFailed: true });
    expect(d).toMatchObject({ action: 'skip_failed', why: expect.stringMatching(/rerun download/) });
  });
});

describe('planProcess with --limit-days', () => {
  it('counts only days with work', () => {
    const days = ['2025-09-01', '2025-09-02', '2025-09-03', '2025-09-04'].map((day, i) => ({ day, latest: i === 0 ? row('UPLOADED') : undefined, input: true, cdf: false }));
    expect(planProcess(days, { ...off, limitDays: 2 }).map((d) => d.action)).toEqual(['skip_existing', 'run_process', 'run_process', 'skip_limit']);
  });
});

describe('validateProcessOptions', () => {
  const base = { startDate: '2025-09-04', endDate: '2025-09-04', inputDir: '/in', outputDir: '/out' };
  it("takes the reference's defaults and reads PRELIMINARY as PROVISIONAL", () => {
    const c = validateProcessOptions(base, {});
    expect(c).toMatchObject({ telemetryFile: '/in/download_telemetry.csv', sensorId: 'ALL', descriptor: 'QUICKLOOK', inputFormat: 'csv', upload: false });
    expect(validateProcessOptions({ ...base, descriptor: 'PRELIMINARY', sensorId: 'all' }, {})).toMatchObject({ descriptor: 'PROVISIONAL', sensorId: 'ALL' });
  });
  it.each([
    [{ uploadToS3: true }, /--upload-to-s3 needs --s3-bucket/],
    [{ s3Bucket: 'b' }, /only used with --upload-to-s3/],
    [{ uploadToS3: true, s3Bucket: 's3://bucket' }, /not a bucket name/],
    [{ s3Endpoint: 'http://k:s@127.0.0.1:1' }, /must not carry a user or password/],
    [{ endDate: '2025-09-01' }, /before --start-date/],
    [{ descriptor: 'FINAL' }, /must be one of QUICKLOOK, PROVISIONAL, PRELIMINARY/],
  ])('refuses %j', (extra, message) => {
    expect(() => validateProcessOptions({ ...base, ...extra }, {})).toThrow(message);
  });
});
