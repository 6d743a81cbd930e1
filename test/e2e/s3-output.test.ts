/**
 * `download --output-dir s3://bucket/prefix` with coordinated workers: the real CLI as child processes,
 * a real PostgreSQL, an S3-compatible server and the simulator on 127.0.0.1. Every day lands in S3
 * exactly once, byte-identical to a single local run; the spool stays in the local work dir and is gone
 * at the end; a rerun finds the days in S3 and sends nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactName } from '../../src/artifacts/naming.js';
import { parseLedger } from '../../src/ledger/read.js';
import { dayWindow } from '../../src/plan/dates.js';
import { startSim } from '../../src/sim/index.js';
import { openStore } from '../../src/store/open.js';
import { cleanEnv, runCli, tempDir } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';
import { startS3Server, type S3TestServer } from '../helpers/s3.js';
import { daysFrom } from '../helpers/storms.js';

const AUTH = `Basic ${Buffer.from('s3-user:s3-password-42').toString('base64')}`;
const pg = usePostgres();

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('download into S3', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server('reach-days');
  });
  afterAll(() => s3.stop());

  it('two workers put every day in S3 once, byte-identical to one local run; a rerun sends nothing', async () => {
    const db = pg.db().url;
    const sim = await startSim({ sensors: 1, seed: 51, maxResults: 2000, auth: AUTH });
    try {
      const days = daysFrom('2026-08-01', 3);
      const range = ['--start-date', days[0]!, '--end-date', days.at(-1)!, '--udl-url', sim.url, '--max-results', '2000'];
      const env = cleanEnv({ BASICAUTH: AUTH, ...s3.childEnv() });
      const local = await tempDir();
      expect((await runCli(['download', ...range, '--output-dir', local], env)).code).toBe(0);
      const before = sim.stats().dataRequests;

      const work = [await tempDir(), await tempDir()];
      const s3Args = (i: number) => ['download', ...range, '--output-dir', 's3://reach-days/reach/quicklook', '--s3-endpoint', s3.endpoint, '--coordinator', db, '--work-dir', work[i]!, '--worker-id', `w${i}`];
      const workers = await Promise.all([0, 1].map((i) => runCli(s3Args(i), env)));
      for (const w of workers) expect(w.code, w.stderr.slice(-500)).toBe(0);
      // As many data requests as the local run needed: no window fetched twice.
      expect(sim.stats().dataRequests - before).toBe(before);

      const store = openStore('s3://reach-days/reach/quicklook', { s3Endpoint: s3.endpoint, s3ForcePathStyle: true, region: s3.region });
      const names = days.map((d) => artifactName('ALL', dayWindow(d), 'csv'));
      expect((await store.list()).map((o) => o.name)).toEqual(names);
      for (const name of names) {
        expect((await readAll(await store.read(name))).equals(await readFile(join(local, name))), name).toBe(true);
        expect(s3.writesTo(`reach/quicklook/${name}`), name).toBe(1);
      }
      await store.close();

      const exported = await runCli(['ledger', 'export', '--coordinator', db, '--output-dir', 's3://reach-days/reach/quicklook'], cleanEnv());
      expect(exported.code, exported.stderr).toBe(0);
      const done = parseLedger(exported.stdout).rows.filter((r) => r.status === 'DOWNLOADED');
      expect(done.map((r) => r.chunk_date_utc).sort()).toEqual(days);
      expect(done.map((r) => r.csv_path).sort()).toEqual(names.map((n) => `s3://reach-days/reach/quicklook/${n}`));
      // The spool lived in the work dirs and went with each day's ledger row.
      for (const dir of work) expect(await readdir(join(dir, '.reach-udl', 'spool')).catch(() => [])).toEqual([]);

      // status looks at the files in S3 (a HEAD and two ranged GETs per day); verify and report read whole files and say so.
      const where = ['--coordinator', db, '--output-dir', 's3://reach-days/reach/quicklook', '--s3-endpoint', s3.endpoint];
      const status = await runCli(['status', ...where], env);
      expect(status.code, status.stderr).toBe(0);
      for (const d of days) expect(status.stdout).toMatch(new RegExp(`${d}\\s+DOWNLOADED\\s+34,560 .* yes\\s+skip: DOWNLOADED`));
      const verify = await runCli(['verify', ...where.slice(0, 4), '--no-server'], env);
      expect(verify.code).toBe(2);
      expect(verify.stderr).toMatch(/verify reads every record .*aws s3 sync/);

      const requests = sim.stats().dataRequests;
      const rerun = await runCli(s3Args(0), env);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(sim.stats().dataRequests).toBe(requests);
      for (const name of names) expect(s3.writesTo(`reach/quicklook/${name}`)).toBe(1);
      const everything = [...workers, rerun].flatMap((w) => [w.stdout, w.stderr]).join('\n');
      expect(everything.includes(s3.credentials.secretAccessKey)).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('an s3:// output dir without --coordinator, or a bucket that does not exist, is a usage error (exit 2)', async () => {
    const env = cleanEnv({ BASICAUTH: AUTH, ...s3.childEnv() });
    const args = ['download', '--start-date', '2026-08-01', '--end-date', '2026-08-01', '--udl-url', 'http://127.0.0.1:9', '--s3-endpoint', s3.endpoint];
    const alone = await runCli([...args, '--output-dir', 's3://reach-days/x'], env);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/s3:\/\/\.\.\. needs --coordinator/);
    const missing = await runCli([...args, '--output-dir', 's3://no-such-bucket/x', '--coordinator', pg.db().url, '--work-dir', await tempDir()], env);
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toMatch(/no-such-bucket/);
  });
});
