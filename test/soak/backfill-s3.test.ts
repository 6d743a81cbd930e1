/**
 * The full-size multi-machine backfill: 4 worker processes, one PostgreSQL, one S3-compatible server, and
 * a simulator that allows 20 requests/s with 2,000-row pages, over 20 days of 2 sensors. Every day ends in
 * S3 exactly once, byte-identical to a single local run, with one DOWNLOADED row; the workers together get
 * at least 90% of the allowance as goodput with at most 5% of requests answered 429; no window is fetched
 * twice; no secret shows. Goodput is over the span from the first to the last data request (the sim's
 * dataSpanMs): what the coordination decides, not the workers' start-up or their last uploads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactName } from '../../src/artifacts/naming.js';
import { parseLedger } from '../../src/ledger/read.js';
import { dayWindow } from '../../src/plan/dates.js';
import { startSim, type SimStats } from '../../src/sim/index.js';
import { openStore } from '../../src/store/open.js';
import { Credential } from '../../src/udl/auth.js';
import { CLI, cleanEnv, runCli, tempDir } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';
import { startS3Server, type S3TestServer } from '../helpers/s3.js';
import { daysFrom } from '../helpers/storms.js';

const AUTH = `Basic ${Buffer.from('soak-user:soak-password-20').toString('base64')}`;
const ALLOWANCE = 20;
const pg = usePostgres();

/**
 * `reach-udl sim` as its own process, as the scenario names it: the S3 server runs in this test's process,
 * and on a shared event loop its work on each 35 MB upload would hold back the rate-limited answers.
 */
async function simProcess(args: string[]): Promise<{ url: string; stats: () => Promise<SimStats>; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'sim', '--port', '0', ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) {
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
    if (url) {
      return {
        url,
        stats: async () => (await (await fetch(`${url}/_sim/stats`)).json()) as SimStats,
        stop: async () => {
          child.kill('SIGTERM');
          if (child.exitCode === null) await once(child, 'exit');
        },
      };
    }
  }
  throw new Error('reach-udl sim exited before it listened');
}

describe('4 workers, one PostgreSQL, one S3 server, 20 req/s', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server('reach-soak');
  });
  afterAll(() => s3.stop());

  it('20 days of 2 sensors: each day once in S3, byte-identical to one process; >= 90% goodput, <= 5% 429', async () => {
    const db = pg.db().url;
    const data = { sensors: 2, seed: 61, maxResults: 2000 };
    const truth = await startSim(data);
    const sim = await simProcess(['--sensors', '2', '--seed', '61', '--max-results', '2000', '--rate', String(ALLOWANCE), '--burst', String(ALLOWANCE), '--auth', AUTH]);
    try {
      const days = daysFrom('2026-03-01', 20);
      const range = (url: string) => ['--start-date', days[0]!, '--end-date', days.at(-1)!, '--udl-url', url, '--max-results', '2000', '--no-progress'];
      const env = cleanEnv({ BASICAUTH: AUTH, ...s3.childEnv() });
      const local = await tempDir();
      const one = await runCli(['download', ...range(truth.url), '--output-dir', local], env);
      expect(one.code, one.stderr).toBe(0);
      const windows = truth.stats().dataRequests;

      const location = 's3://reach-soak/reach/quicklook';
      const started = performance.now();
      const workers = await Promise.all(
        [0, 1, 2, 3].map(async (i) =>
          runCli(['download', ...range(sim.url), '--output-dir', location, '--s3-endpoint', s3.endpoint, '--coordinator', db, '--worker-id', `w${i}`, '--work-dir', await tempDir()], env),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      for (const w of workers) expect(w.code, w.stderr.slice(-500)).toBe(0);

      const st = await sim.stats();
      // No window fetched twice: as many data requests as one process needed.
      expect(st.dataRequests).toBe(windows);
      // The requests after the first, over the time from the first to the last.
      const goodput = (st.dataRequests - 1) / (st.dataSpanMs / 1000);
      const throttled = st.status429 / (st.requests.data + st.requests.count);
      console.log(
        `4 workers: ${days.length} days in ${seconds.toFixed(1)} s, ${st.dataRequests} data requests over ${(st.dataSpanMs / 1000).toFixed(1)} s: goodput ${goodput.toFixed(2)} req/s (${((100 * goodput) / ALLOWANCE).toFixed(1)}% of ${ALLOWANCE}), 429 ${(100 * throttled).toFixed(1)}%`,
      );
      expect(goodput).toBeGreaterThanOrEqual(0.9 * ALLOWANCE);
      expect(throttled).toBeLessThanOrEqual(0.05);

      const store = openStore(location, { s3Endpoint: s3.endpoint, s3ForcePathStyle: true, region: s3.region });
      const names = days.map((d) => artifactName('ALL', dayWindow(d), 'csv'));
      expect((await store.list()).map((o) => o.name)).toEqual(names);
      for (const name of names) {
        const chunks: Buffer[] = [];
        for await (const c of await store.read(name)) chunks.push(c as Buffer);
        expect(Buffer.concat(chunks).equals(await readFile(join(local, name))), name).toBe(true);
        expect(s3.writesTo(`reach/quicklook/${name}`), name).toBe(1);
      }
      await store.close();

      const exported = await runCli(['ledger', 'export', '--coordinator', db, '--output-dir', location], cleanEnv());
      expect(exported.code, exported.stderr).toBe(0);
      const downloaded = parseLedger(exported.stdout).rows.filter((r) => r.status === 'DOWNLOADED');
      expect(downloaded.map((r) => r.chunk_date_utc).sort()).toEqual(days);

      const secrets = [new URL(db).password, s3.credentials.secretAccessKey, ...new Credential(AUTH, 'BASICAUTH').secretForms()].filter((s) => s !== '');
      const everything = [...workers, exported].flatMap((w) => [w.stdout, w.stderr]).join('\n');
      for (const s of secrets) expect(everything.includes(s), 'a secret leaked').toBe(false);
    } finally {
      await sim.stop();
      await truth.close();
    }
  });
});
