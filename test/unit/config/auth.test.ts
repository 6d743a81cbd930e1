import { describe, expect, it } from 'vitest';
import { validateDownloadOptions } from '../../../src/config/download.js';
import { UsageError } from '../../../src/errors.js';
import { ConfigError, Credential, resolveCredential } from '../../../src/udl/auth.js';
import { inspect } from 'node:util';

const base = { startDate: '2026-01-01', endDate: '2026-01-03', outputDir: '/tmp/out' };

describe('validateDownloadOptions', () => {
  it('fills the reference defaults', () => {
    const c = validateDownloadOptions(base, {});
    expect(c).toMatchObject({
      sensorId: 'ALL',
      descriptor: 'QUICKLOOK',
      outputFormat: 'csv',
      maxConcurrentRequests: 4,
      initialRate: 5,
      additiveIncrease: 1,
      multiplicativeDecrease: 0.5,
      minRate: 5,
      maxRate: 25,
      maxResults: 10_000,
      telemetryFile: '/tmp/out/download_telemetry.csv',
      udlUrl: 'https://unifieddatalibrary.com',
      retryFailed: false,
      dryRun: false,
      limitDays: undefined,
    });
  });
  it('takes the URL from UDL_BASE_URL when --udl-url is absent', () => {
    expect(validateDownloadOptions(base, { UDL_BASE_URL: 'http://127.0.0.1:9/' }).udlUrl).toBe('http://127.0.0.1:9');
  });
  it.each([
    [{ endDate: '2025-12-31' }, /before --start-date/],
    [{ startDate: '2026-02-30' }, /not a real date/],
    [{ endDate: 'tomorrow' }, /not a real date/],
    [{ startDate: undefined }, /--start-date is required/],
    [{ outputDir: undefined }, /--output-dir is required/],
    [{ limitDays: '0' }, /--limit-days must be in 1-1000000/],
    [{ limitDays: '-3' }, /--limit-days must be in 1-1000000/],
    [{ limitDays: 'ten' }, /--limit-days "ten" is not a number/],
    [{ limitDays: '1.5' }, /whole number/],
    [{ maxConcurrentRequests: '0' }, /--max-concurrent-requests/],
    [{ initialRate: 'fast' }, /--initial-rate/],
    [{ minRate: '30' }, /--min-rate 30 is above --max-rate 25/],
    [{ multiplicativeDecrease: '1' }, /between 0 and 1/],
    [{ multiplicativeDecrease: '0' }, /between 0 and 1/],
    [{ descriptor: 'FINAL' }, /--descriptor "FINAL" must be one of/],
    [{ outputFormat: 'parquet' }, /--output-format/],
    [{ sensorId: '../etc' }, /--sensor-id/],
    [{ sensorId: 'REACH-1/2' }, /--sensor-id/],
    [{ sensorId: 'REACH-10 1' }, /--sensor-id/],
    [{ sensorId: 'REACH-1&x=2' }, /--sensor-id/],
    [{ sensorId: 'REACH-1?' }, /--sensor-id/],
    [{ sensorId: 'REACH-%31' }, /--sensor-id/],
    [{ sensorId: 'reach-101' }, /--sensor-id/],
    [{ udlUrl: 'ftp://x' }, /http\(s\)/],
    [{ udlUrl: 'http://user:pw@host' }, /must not carry a user/],
  ])('rejects %j', (over, message) => {
    expect(() => validateDownloadOptions({ ...base, ...over }, {})).toThrow(UsageError);
    expect(() => validateDownloadOptions({ ...base, ...over }, {})).toThrow(message);
  });
});

describe('resolveCredential', () => {
  it('prefers BASICAUTH, then username/password, then the AWS secret', async () => {
    const all = { BASICAUTH: 'Basic AAAA', UDL_AUTH_USERNAME: 'u', UDL_AUTH_PASSWORD: 'p', SECRET_ARN_UDL: 'arn' };
    expect((await resolveCredential(all)).header()).toBe('Basic AAAA');
    expect((await resolveCredential({ UDL_AUTH_USERNAME: 'user', UDL_AUTH_PASSWORD: 'pass' })).header()).toBe(
      `Basic ${Buffer.from('user:pass').toString('base64')}`,
    );
    const c = await resolveCredential({ SECRET_ARN_UDL: 'arn:x' }, { fetchSecret: async () => '{"basicauth":"Basic Zm9vOmJhcg=="}' });
    expect(c.header()).toBe('Basic Zm9vOmJhcg==');
  });
  it('names all three sources when none is set', async () => {
    await expect(resolveCredential({})).rejects.toThrow(/BASICAUTH.*UDL_AUTH_USERNAME.*UDL_AUTH_PASSWORD.*SECRET_ARN_UDL/);
    await expect(resolveCredential({})).rejects.toBeInstanceOf(ConfigError);
  });
  it('explains a secret without basicauth, without echoing it', async () => {
    const err = await resolveCredential({ SECRET_ARN_UDL: 'arn' }, { fetchSecret: async () => '{"user":"s3cr3t-value"}' }).catch((e: Error) => e);
    expect(String(err)).toMatch(/no "basicauth" key/);
    expect(String(err)).not.toContain('s3cr3t-value');
  });
  it('never prints the secret through String, JSON or inspect', () => {
    const c = new Credential('Basic c2VjcmV0dXNlcjpzZWNyZXRwYXNz', 'BASICAUTH');
    const shown = [String(c), JSON.stringify({ c }), inspect(c), inspect({ nested: { c } }), `${c as unknown as string}`].join(' ');
    for (const form of c.secretForms()) expect(shown).not.toContain(form);
    expect(c.secretForms()).toEqual(expect.arrayContaining(['secretuser:secretpass', 'secretpass']));
    // The user name is not a secret: redacting it would garble paths and messages that mention it.
    expect(c.secretForms()).not.toContain('secretuser');
  });
});
