/**
 * verify talks to UDL the way download does: one client factory, the same credential sources and checks,
 * and a day it could not check against the server is reported as such, never as ok.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../src/sim/index.js';
import { cleanEnv, runCli, tempDir } from '../helpers/cli.js';

const AUTH = `Basic ${Buffer.from('verify-user:verify-password-9').toString('base64')}`;

/** A stand-in for AWS Secrets Manager's GetSecretValue that records how it was called. */
async function fakeSecretsManager(secret: string): Promise<{ url: string; calls: Array<{ target: string; authorization: string }>; close(): Promise<void> }> {
  const calls: Array<{ target: string; authorization: string }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      calls.push({ target: String(req.headers['x-amz-target']), authorization: String(req.headers.authorization) });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:udl', Name: 'udl', SecretString: secret, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('verify and the server', () => {
  let sim: RunningSim;
  let out: string;
  beforeAll(async () => {
    sim = await startSim({ sensors: 1, seed: 8, auth: AUTH });
    out = await tempDir();
    const dl = await runCli(
      ['download', '--start-date', '2026-02-01', '--end-date', '2026-02-01', '--output-dir', out, '--udl-url', sim.url, '--sensor-id', 'REACH-101'],
      cleanEnv({ BASICAUTH: AUTH }),
    );
    expect(dl.code).toBe(0);
  });
  afterAll(() => sim.close());

  it('resolves SECRET_ARN_UDL in the region given by --aws-region', async () => {
    const sm = await fakeSecretsManager(JSON.stringify({ basicauth: AUTH }));
    try {
      const env = cleanEnv({
        SECRET_ARN_UDL: 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:udl',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
        AWS_ACCESS_KEY_ID: 'AKIDVERIFYTEST',
        AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      delete env.AWS_REGION;
      delete env.AWS_DEFAULT_REGION;
      delete env.AWS_PROFILE;
      const r = await runCli(['verify', '--output-dir', out, '--udl-url', sim.url, '--aws-region', 'eu-west-3'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/2026-02-01 {2}ok {4}34560 records \(ledger 34560, server 34560\)/);
      expect(sm.calls).toHaveLength(1);
      expect(sm.calls[0]!.target).toBe('secretsmanager.GetSecretValue');
      expect(sm.calls[0]!.authorization).toMatch(/Credential=AKIDVERIFYTEST\/\d{8}\/eu-west-3\/secretsmanager\/aws4_request/);
    } finally {
      await sm.close();
    }
  });

  it('refuses a credential in --udl-url exactly as download does', async () => {
    const url = 'http://someone:pa55word@127.0.0.1:9';
    const env = cleanEnv({ BASICAUTH: AUTH });
    const v = await runCli(['verify', '--output-dir', out, '--udl-url', url], env);
    const d = await runCli(['download', '--start-date', '2026-02-01', '--end-date', '2026-02-02', '--output-dir', out, '--udl-url', url], env);
    expect(v.code).toBe(2);
    expect(d.code).toBe(2);
    expect(v.stderr).toBe(d.stderr);
    expect(v.stderr).toMatch(/--udl-url must not carry a user or password/);
    expect(v.stderr + d.stderr).not.toMatch(/pa55word/);
  });

  it('reports a day it could not check against the server as UNCHECKED and exits 1, unless --no-server', async () => {
    const env = cleanEnv({ BASICAUTH: AUTH });
    const down = await runCli(['verify', '--output-dir', out, '--udl-url', 'http://127.0.0.1:9', '--max-retries', '0'], env);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/2026-02-01 {2}UNCHECKED {2}34560 records \(ledger 34560\); server \/count unavailable: connection to UDL failed/);
    expect(down.stdout).toMatch(/verified=1 failed=1/);
    const files = await runCli(['verify', '--output-dir', out, '--no-server'], cleanEnv());
    expect(files.code).toBe(0);
    expect(files.stdout).toMatch(/2026-02-01 {2}ok {4}34560 records \(ledger 34560\)\n/);
  });

  it('asks for a credential, or --no-server, before checking anything', async () => {
    const r = await runCli(['verify', '--output-dir', out, '--udl-url', sim.url], cleanEnv());
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no UDL credential.*or pass --no-server/);
    expect(r.stdout).toBe('');
  });
});
