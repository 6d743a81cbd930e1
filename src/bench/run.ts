/**
 * `npm run bench`: the performance targets as scenarios. Each scenario starts the simulator in its own
 * process (`reach-udl sim`), runs one client process against it, and reads the client's own CPU and
 * peak RSS (process.resourceUsage) and the server's request counts. Prints a table, writes
 * bench/results.json, and with --update-readme rewrites the README's table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { RawDownloadOptions } from '../config/download.js';
import type { SimStats } from '../sim/index.js';
import { benchTranscode } from './transcode-bench.js';
import { CLI_NODE_FLAGS } from '../cli/runtime.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const client = join(root, 'dist/bench/client.js');

interface Scenario {
  name: string;
  sim: string[];
  download: RawDownloadOptions;
  /** Which rows of the table the target constrains, and how it is judged. */
  limit: string;
  check: (r: Result) => boolean;
}

interface ClientOut {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  responses: number;
  throttled: number;
  records: number;
  downloaded: number;
  failed: number;
}

interface Result extends ClientOut {
  scenario: string;
  days: number;
  dataRequestsPerDay: number;
  countRequestsPerDay: number;
  throttledShare: number;
  goodputRps: number;
  recordsPerS: number;
  limit: string;
  pass: boolean;
}

const day1 = { startDate: '2026-01-01', endDate: '2026-01-01' };
const scenarios: Scenario[] = [
  {
    name: 'ALL day, csv',
    sim: ['--sensors', '32'],
    download: { ...day1 },
    limit: '<= 120 data req, <= 6 CPU s, <= 120 MB',
    check: (r) => r.dataRequestsPerDay <= 120 && r.cpuS <= 6 && r.peakRssMb <= 120,
  },
  {
    name: '3 ALL days, csv (RSS flat)',
    sim: ['--sensors', '32'],
    download: { startDate: '2026-01-01', endDate: '2026-01-03' },
    limit: '<= 120 MB peak RSS',
    check: (r) => r.peakRssMb <= 120 && r.dataRequestsPerDay <= 120,
  },
  {
    name: 'ALL day, json',
    sim: ['--sensors', '32'],
    download: { ...day1, outputFormat: 'json' },
    limit: '<= 120 data req, <= 120 MB',
    check: (r) => r.dataRequestsPerDay <= 120 && r.peakRssMb <= 120,
  },
  {
    name: 'one sensor day',
    sim: ['--sensors', '32'],
    download: { ...day1, sensorId: 'REACH-101' },
    limit: '<= 4 data req',
    check: (r) => r.dataRequestsPerDay <= 4,
  },
  {
    name: '2-sensor ALL day, R=10',
    sim: ['--sensors', '2', '--rate', '10'],
    download: { ...day1 },
    limit: '<= 3 s wall, <= 5% 429',
    check: (r) => r.wallS <= 3 && r.throttledShare <= 0.05,
  },
  {
    // Small pages so the server's rate, not bytes, is the limit; three days so warm-up is a small part.
    name: 'throttled steady state, R=10',
    sim: ['--sensors', '2', '--rate', '10', '--max-results', '1000'],
    download: { startDate: '2026-01-01', endDate: '2026-01-03', maxResults: 1000 },
    limit: '>= 9 ok req/s (90% of R), <= 5% 429',
    check: (r) => r.goodputRps >= 9 && r.throttledShare <= 0.05,
  },
];

async function startSimProcess(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [cli, 'sim', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! });
  for await (const line of lines) {
    const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
    if (m) return { url: m[1]!, proc };
  }
  throw new Error('the simulator exited before printing its URL');
}

async function simStats(url: string): Promise<SimStats> {
  const res = await fetch(`${url}/_sim/stats`);
  return (await res.json()) as SimStats;
}

function runClient(options: RawDownloadOptions): Promise<ClientOut> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...CLI_NODE_FLAGS, client, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BASICAUTH: 'Basic YmVuY2g6YmVuY2g=' } });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ClientOut) : reject(new Error(`bench client exited ${code}`))));
  });
}

async function runScenario(s: Scenario): Promise<Result> {
  const sim = await startSimProcess(s.sim);
  const out = await mkdtemp(join(tmpdir(), 'reach-udl-bench-'));
  try {
    const c = await runClient({ ...s.download, outputDir: out, udlUrl: sim.url });
    const stats = await simStats(sim.url);
    const days = c.downloaded + c.failed;
    const dataRequests = stats.requests.data;
    const countRequests = stats.requests.count;
    const result: Result = {
      scenario: s.name,
      ...c,
      days,
      dataRequestsPerDay: dataRequests / Math.max(1, days),
      countRequestsPerDay: countRequests / Math.max(1, days),
      throttledShare: stats.status429 / Math.max(1, dataRequests + countRequests),
      goodputRps: (c.responses - c.throttled) / c.wallS,
      recordsPerS: c.records / c.wallS,
      limit: s.limit,
      pass: false,
    };
    result.pass = c.failed === 0 && s.check(result);
    return result;
  } finally {
    sim.proc.kill('SIGTERM');
    await rm(out, { recursive: true, force: true });
  }
}

function table(results: Result[]): string {
  const head = '| scenario | requests/day (data + count) | 429 share | wall s | client CPU s | peak RSS MB | records/s | limit | pass |';
  const sep = '|---|---|---|---|---|---|---|---|---|';
  const rows = results.map(
    (r) =>
      `| ${r.scenario} | ${fmt(r.dataRequestsPerDay)} + ${fmt(r.countRequestsPerDay)} | ${(r.throttledShare * 100).toFixed(1)}% | ${r.wallS.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${r.peakRssMb.toFixed(0)} | ${Math.round(r.recordsPerS).toLocaleString('en-US')} | ${r.limit} | ${r.pass ? 'yes' : 'NO'} |`,
  );
  return [head, sep, ...rows].join('\n');
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const results: Result[] = [];
for (const s of scenarios.filter((x) => only.length === 0 || only.some((o) => x.name.includes(o)))) {
  process.stderr.write(`bench: ${s.name} ...\n`);
  results.push(await runScenario(s));
}
const transcoder = await benchTranscode();
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const md =
  `${table(results)}\n\nThe JSON-to-CSV transcoder alone: ${transcoder.cpuSeconds.toFixed(2)} CPU s for ${transcoder.records.toLocaleString('en-US')} records ` +
  `(${transcoder.mb.toFixed(0)} MB of JSON). Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; sim and client in separate processes on the same machine.`;
process.stdout.write(`${md}\n`);
await mkdir(join(root, 'bench'), { recursive: true });
await writeFile(join(root, 'bench/results.json'), `${JSON.stringify({ machine, date: new Date().toISOString(), results, transcoder }, null, 2)}\n`);
if (process.argv.includes('--update-readme')) {
  const readmePath = join(root, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  const updated = readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${md}\n<!-- bench:end -->`);
  await writeFile(readmePath, updated);
}
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
