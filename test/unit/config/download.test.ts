/** The download options around an s3:// output dir: where the work files go, and what is refused up front. */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDownloadOptions } from '../../../src/config/download.js';

const base = { startDate: '2026-01-01', endDate: '2026-01-02' };
const env = { BASICAUTH: 'Basic eDp5' };
const pg = 'postgres://reach@127.0.0.1:5432/reach';

describe('validateDownloadOptions: output dirs', () => {
  it('a local output dir is absolute and holds its own work files', () => {
    const c = validateDownloadOptions({ ...base, outputDir: 'out' }, env);
    expect(c.outputDir).toBe(resolve('out'));
    expect(c.workDir).toBe(c.outputDir);
  });

  it('an s3:// output dir is kept as a location, with a local work dir and the S3 endpoint', () => {
    const c = validateDownloadOptions({ ...base, outputDir: 's3://bucket/reach/ql/', coordinator: pg, s3Endpoint: 'http://127.0.0.1:9000' }, env);
    expect(c.outputDir).toBe('s3://bucket/reach/ql');
    expect(c.workDir).toBe(join(tmpdir(), 'reach-udl-work'));
    expect(c).toMatchObject({ s3Endpoint: 'http://127.0.0.1:9000', s3ForcePathStyle: true });
    expect(validateDownloadOptions({ ...base, outputDir: 's3://bucket', coordinator: pg, workDir: 'w' }, env).workDir).toBe(resolve('w'));
  });

  it.each([
    [{ outputDir: 's3://bucket/x' }, /needs --coordinator/],
    [{ outputDir: 's3://bucket/x', coordinator: pg, adopt: true }, /--adopt .* does not apply to s3/],
    [{ outputDir: 'out', workDir: 'w' }, /--work-dir is for an s3:\/\/ output dir/],
    [{ outputDir: 's3://Bad_Bucket/x', coordinator: pg }, /not a valid bucket name/],
    [{ outputDir: 's3://bucket/x', coordinator: pg, s3Endpoint: 'http://u:p@127.0.0.1:9000' }, /must not carry a user or password/],
  ])('refuses %j', (raw, problem) => {
    expect(() => validateDownloadOptions({ ...base, ...raw }, env)).toThrow(problem);
  });
});
