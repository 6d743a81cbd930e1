/**
 * The workers rows of `npm run bench`: one backfill shared by 1, 2 and 4 `reach-udl download
 * --coordinator` processes on one PostgreSQL, against a simulator that allows 20 requests/s and against
 * one that allows any rate. Days per minute of the workers' wall time show where the server, not the
 * workers, becomes the limit; goodput is data requests answered 200 per second.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dayRange } from '../plan/dates.js';
import type { SimStats } from '../sim/index.js';
import { spread, type Spread } from './measure.js';
import { startPostgres } from './postgres.js';

export interface WorkersRow {
  workers: number;
  /** Requests/s the simulator allows; undefined: any rate. */
  allowance: number | undefined;
  runs: number;
  daysPerMinute: Spread;
  goodput: Spread;
  /** Share (0..1) of UDL requests answered 429. */
  throttledShare: Spread;
  wallS: Spread;
}

export interface WorkersBenchOptions {
  cli: string;
  nodeFlags: readonly string[];
  env: NodeJS.ProcessEnv;
  runs: number;
  /** Starts `reach-udl sim` with these flags and returns its URL and a stop function. */
  startSim: (args: string[]) => Promise<{ url: string; stop: () => void }>;
  stats: (url: string) => Promise<SimStats>;
  /** Progress, one line as each run starts. */
  log: (line: string) => void;
}

const FIRST = '2026-02-01';
const LAST = '2026-02-08';
const DAYS = dayRange(FIRST, LAST).length;
/** 2,000-row pages on both sides, so that on 2 cores the allowance, not the simulator's CPU, is the limit. */
const PAGE = '2000';
const ALLOWANCE = 20;
/** Where the server allows any rate, the client's own ceiling (--max-rate, default 25) must not be the limit. */
const UNCAPPED = ['--initial-rate', '200', '--max-rate', '2000'];

function exitOf(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

export async function benchWorkers(o: WorkersBenchOptions): Promise<WorkersRow[]> {
  const pg = await startPostgres();
  const rows: WorkersRow[] = [];
  try {
    const db = await pg.createDatabase();
    for (const allowance of [ALLOWANCE, undefined]) {
      for (const workers of [1, 2, 4]) {
        const samples: Array<{ wallS: number; goodput: number; throttled: number }> = [];
        for (let run = 1; run <= o.runs; run++) {
          o.log(`bench: ${workers} worker(s), ${allowance ?? 'any'} req/s, run ${run}/${o.runs} ...`);
          const rate = allowance === undefined ? [] : ['--rate', String(allowance), '--burst', String(allowance)];
          const sim = await o.startSim(['--sensors', '2', '--max-results', PAGE, ...rate]);
          const out = await mkdtemp(join(tmpdir(), 'reach-udl-bench-workers-'));
          try {
            const argv = (i: number) => [
              process.execPath, ...o.nodeFlags, o.cli, 'download', '--start-date', FIRST, '--end-date', LAST, '--output-dir', out,
              '--udl-url', sim.url, '--max-results', PAGE, '--coordinator', db.url, '--worker-id', `bench-${i}`, '--no-progress',
              ...(allowance === undefined ? UNCAPPED : []),
            ];
            const started = performance.now();
            const ends = await Promise.all(Array.from({ length: workers }, (_, i) => exitOf(argv(i), o.env)));
            const wallS = (performance.now() - started) / 1000;
            const failed = ends.find((e) => e.code !== 0);
            if (failed) throw new Error(`bench: a worker exited ${failed.code}: ${failed.stderr.slice(-400)}`);
            const st = await o.stats(sim.url);
            const answered = st.requests.data + st.requests.count;
            // Without faults, every data request that passed the allowance was answered 200.
            samples.push({ wallS, goodput: st.dataRequests / wallS, throttled: st.status429 / Math.max(1, answered) });
          } finally {
            sim.stop();
            await rm(out, { recursive: true, force: true });
          }
        }
        rows.push({
          workers,
          allowance,
          runs: samples.length,
          daysPerMinute: spread(samples.map((s) => (DAYS / s.wallS) * 60)),
          goodput: spread(samples.map((s) => s.goodput)),
          throttledShare: spread(samples.map((s) => s.throttled)),
          wallS: spread(samples.map((s) => s.wallS)),
        });
      }
    }
  } finally {
    await pg.stop();
  }
  return rows;
}

export function workersTable(rows: readonly WorkersRow[]): string {
  const f = (x: Spread, d: number) => `${x.median.toFixed(d)} (${x.min.toFixed(d)}-${x.max.toFixed(d)})`;
  const pct = (x: Spread): Spread => ({ median: 100 * x.median, min: 100 * x.min, max: 100 * x.max });
  const lines = rows.map(
    (r) =>
      `| ${r.workers} | ${r.allowance === undefined ? 'any' : `${r.allowance} req/s`} | ${r.runs} | ${f(r.daysPerMinute, 1)} | ${f(r.goodput, 1)} | ${f(pct(r.throttledShare), 1)}% | ${f(r.wallS, 2)} |`,
  );
  return [
    `Workers on one backfill (${DAYS} days, 2 sensors, ${PAGE}-row pages), coordinated through one PostgreSQL; where the server allows any rate the workers run with \`${UNCAPPED.join(' ')}\`:`,
    '',
    '| workers | server allowance | runs | days/min | goodput (data req/s answered 200) | 429 | wall s |',
    '|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}
