/**
 * `npm run bench`: the performance targets, measured as a user runs the tool. Each scenario starts the
 * simulator in its own process (`reach-udl sim`), puts a byte-counting proxy in front of it, and runs
 * `reach-udl download` (or the command run after it: verify, process) as a child process under
 * /usr/bin/time: user + system CPU, peak RSS and bytes written to files, as the OS accounts them. Every
 * scenario runs RUNS times, in rounds (each scenario once per round); the table gives the median and the
 * min-max spread, and a target passes on the median. Prints the machine's CPU model, writes
 * bench/results.json, and `-- --update-readme` rewrites the README's table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { SimStats } from '../sim/index.js';
import { CLI_NODE_ENV, CLI_NODE_FLAGS } from '../cli/runtime.js';
import { countingProxy, gzipProxy, measure, spread, type Spread, type Usage } from './measure.js';
import { benchWorkers, workersTable, type WorkersRow } from './workers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// The CLI's environment, as its shebang sets it (runtime.ts).
const env = { ...process.env, ...CLI_NODE_ENV, BASICAUTH: 'Basic YmVuY2g6YmVuY2g=' };

interface Run extends Usage {
  dataRequests: number;
  countRequests: number;
  status429: number;
  wireBytes: number;
  artifactBytes: number;
}

interface Scenario {
  name: string;
  sim: string[];
  /** gzip level of the stand-in proxy that compresses what the simulator sends (until it does so itself). */
  gzipLevel?: number;
  /** download flags beyond --output-dir and --udl-url. */
  args: string[];
  /** A command run on what the download wrote (verify, process): it is what is timed, not the download. */
  after?: (out: string) => string[];
  days: number;
  limit: string;
  check: (r: Summary, all: Map<string, Summary>) => boolean;
}

interface Summary {
  scenario: string;
  runs: number;
  cpuS: Spread;
  wallS: Spread;
  peakRssMb: Spread;
  dataRequestsPerDay: number;
  countRequestsPerDay: number;
  throttledShare: number;
  wireMb: Spread;
  writtenToArtifact: Spread;
  limit: string;
  pass: boolean;
}

const day1 = ['--start-date', '2026-01-01', '--end-date', '2026-01-01'];
const ALL = ['--sensors', '32'];
const scenarios: Scenario[] = [
  {
    name: 'ALL day, csv, --compression none',
    sim: ALL,
    args: [...day1, '--compression', 'none'],
    days: 1,
    limit: '<= 4 CPU s, <= 100 MB, <= 112 req, <= 1.3x written',
    check: (r) => r.cpuS.median <= 4 && r.peakRssMb.median <= 100 && r.dataRequestsPerDay + r.countRequestsPerDay <= 112 && r.writtenToArtifact.median <= 1.3,
  },
  {
    name: 'ALL day, json, --compression none',
    sim: ALL,
    args: [...day1, '--compression', 'none', '--output-format', 'json'],
    days: 1,
    limit: '<= 4.4 CPU s, <= 110 MB, <= 112 req, <= 1.3x written',
    check: (r) => r.cpuS.median <= 4.4 && r.peakRssMb.median <= 110 && r.dataRequestsPerDay + r.countRequestsPerDay <= 112 && r.writtenToArtifact.median <= 1.3,
  },
  {
    name: 'ALL day, csv, gzip (default)',
    sim: ALL,
    gzipLevel: 1,
    args: [...day1],
    days: 1,
    limit: '<= 5.5 CPU s, wire <= 1/6 of plain',
    check: (r, all) => r.cpuS.median <= 5.5 && r.wireMb.median <= (all.get('ALL day, csv, --compression none')?.wireMb.median ?? Number.NaN) / 6,
  },
  {
    name: '3 ALL days, csv (RSS flat)',
    sim: ALL,
    args: ['--start-date', '2026-01-01', '--end-date', '2026-01-03', '--compression', 'none'],
    days: 3,
    limit: 'peak RSS <= 1.1x one day',
    check: (r, all) => r.peakRssMb.median <= 1.1 * (all.get('ALL day, csv, --compression none')?.peakRssMb.median ?? Number.NaN),
  },
  {
    name: 'verify --no-server, ALL day csv',
    sim: ALL,
    args: [...day1, '--compression', 'none'],
    after: (out) => ['verify', '--output-dir', out, '--no-server'],
    days: 1,
    limit: '<= 2 CPU s',
    check: (r) => r.cpuS.median <= 2,
  },
  {
    name: 'process ALL day csv -> L1C CDF',
    sim: ALL,
    args: [...day1, '--compression', 'none'],
    after: (out) => ['process', ...day1, '--input-dir', out, '--output-dir', join(out, 'cdf')],
    days: 1,
    limit: '<= 4 CPU s, <= 300 MB',
    check: (r) => r.cpuS.median <= 4 && r.peakRssMb.median <= 300,
  },
  {
    name: 'process ALL day json -> L1C CDF',
    sim: ALL,
    args: [...day1, '--compression', 'none', '--output-format', 'json'],
    after: (out) => ['process', ...day1, '--input-dir', out, '--output-dir', join(out, 'cdf'), '--output-format', 'json'],
    days: 1,
    limit: '<= 1.25x csv CPU s, <= 300 MB',
    check: (r, all) => r.cpuS.median <= 1.25 * (all.get('process ALL day csv -> L1C CDF')?.cpuS.median ?? Number.NaN) && r.peakRssMb.median <= 300,
  },
  {
    name: 'one sensor day',
    sim: ALL,
    args: [...day1, '--sensor-id', 'REACH-101'],
    days: 1,
    limit: '<= 4 data req',
    check: (r) => r.dataRequestsPerDay <= 4,
  },
  {
    name: '2-sensor ALL day, R=10',
    sim: ['--sensors', '2', '--rate', '10'],
    args: [...day1],
    days: 1,
    limit: '<= 3 s wall, <= 5% 429',
    check: (r) => r.wallS.median <= 3 && r.throttledShare <= 0.05,
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
  return (await (await fetch(`${url}/_sim/stats`)).json()) as SimStats;
}

async function artifactBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir)) if (f.startsWith('REACH-')) n += (await stat(join(dir, f))).size;
  return n;
}

async function runOnce(s: Scenario): Promise<Run> {
  const sim = await startSimProcess(s.sim);
  const proxy = s.gzipLevel === undefined ? await countingProxy(new URL(sim.url)) : await gzipProxy(new URL(sim.url), s.gzipLevel);
  const out = await mkdtemp(join(tmpdir(), 'reach-udl-bench-'));
  try {
    const download = [process.execPath, ...CLI_NODE_FLAGS, cli, 'download', ...s.args, '--output-dir', out, '--udl-url', proxy.url, '--no-progress'];
    let u = await measure(download, env);
    if (s.after) {
      if (u.code !== 0) throw new Error(`bench: download before ${s.name} exited ${u.code}: ${u.stderr.slice(-400)}`);
      u = await measure([process.execPath, ...CLI_NODE_FLAGS, cli, ...s.after(out)], env);
    }
    if (u.code !== 0) throw new Error(`bench: ${s.name} exited ${u.code}: ${u.stderr.slice(-400)}`);
    const stats = await simStats(sim.url);
    return { ...u, dataRequests: stats.requests.data, countRequests: stats.requests.count, status429: stats.status429, wireBytes: proxy.bytesDown(), artifactBytes: await artifactBytes(out) };
  } finally {
    sim.proc.kill('SIGTERM');
    await proxy.close();
    await rm(out, { recursive: true, force: true });
  }
}

function summarise(s: Scenario, runs: Run[]): Summary {
  const last = runs[runs.length - 1]!;
  return {
    scenario: s.name,
    runs: runs.length,
    cpuS: spread(runs.map((r) => r.cpuS)),
    wallS: spread(runs.map((r) => r.wallS)),
    peakRssMb: spread(runs.map((r) => r.peakRssMb)),
    dataRequestsPerDay: last.dataRequests / s.days,
    countRequestsPerDay: last.countRequests / s.days,
    throttledShare: last.status429 / Math.max(1, last.dataRequests + last.countRequests),
    wireMb: spread(runs.map((r) => r.wireBytes / 1e6)),
    writtenToArtifact: spread(runs.map((r) => (s.after ? 0 : r.writtenBytes / Math.max(1, r.artifactBytes)))),
    limit: s.limit,
    pass: false,
  };
}

const f = (x: Spread, d: number): string => `${x.median.toFixed(d)} (${x.min.toFixed(d)}-${x.max.toFixed(d)})`;

function table(rows: Summary[]): string {
  const head = '| scenario | runs | client CPU s | peak RSS MB | wall s | req/day (data + count) | 429 | wire MB | written / artifact | limit | pass |';
  const sep = '|---|---|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.runs} | ${f(r.cpuS, 2)} | ${f(r.peakRssMb, 0)} | ${f(r.wallS, 2)} | ${r.dataRequestsPerDay.toFixed(0)} + ${r.countRequestsPerDay.toFixed(0)} | ${(r.throttledShare * 100).toFixed(1)}% | ${f(r.wireMb, 0)} | ${r.writtenToArtifact.median ? f(r.writtenToArtifact, 2) : '-'} | ${r.limit} | ${r.pass ? 'yes' : 'NO'} |`,
  );
  return [head, sep, ...lines].join('\n');
}

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const all = new Map<string, Summary>();
const load: number[] = [];
const chosen = scenarios.filter((x) => only.length === 0 || only.some((o) => x.name.includes(o)));
const runsOf = new Map<Scenario, Run[]>(chosen.map((s) => [s, []]));
// Round after round, each scenario once per round: a machine that slows down for a few minutes (a shared
// VM does) then costs one run of every scenario, which the median leaves out, rather than every run of
// the scenarios it happened to overlap.
for (let i = 0; i < RUNS; i++) {
  for (const s of chosen) {
    process.stderr.write(`bench: round ${i + 1}/${RUNS}, ${s.name} ...\n`);
    load.push(loadavg()[0]!);
    runsOf.get(s)!.push(await runOnce(s));
  }
}
for (const s of chosen) all.set(s.name, summarise(s, runsOf.get(s)!));
for (const s of scenarios) {
  const r = all.get(s.name);
  if (r) r.pass = s.check(r, all);
}
const results = [...all.values()];
let workers: WorkersRow[] = [];
if (only.length === 0 || only.includes('workers')) {
  workers = await benchWorkers({
    cli,
    nodeFlags: CLI_NODE_FLAGS,
    env,
    runs: RUNS,
    startSim: async (args) => {
      const sim = await startSimProcess(args);
      return { url: sim.url, stop: () => sim.proc.kill('SIGTERM') };
    },
    stats: simStats,
    // Called as each run starts: the load average is sampled there too.
    log: (line) => {
      load.push(loadavg()[0]!);
      process.stderr.write(`${line}\n`);
    },
  });
}
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const md =
  `${table(results)}\n\n${workers.length ? `${workersTable(workers)}\n\n` : ''}Median (min-max) of ${RUNS} runs each, in ${RUNS} rounds of every scenario, as \`reach-udl\` runs from the command line (child process, /usr/bin/time accounting: user + system CPU, peak RSS, bytes written). ` +
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; sim, proxy and client on the same machine; 1-min load average during the runs ${load.length ? `${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}` : 'not taken'}.`;
process.stdout.write(`${md}\n`);
await mkdir(join(root, 'bench'), { recursive: true });
await writeFile(join(root, 'bench/results.json'), `${JSON.stringify({ machine, date: new Date().toISOString(), results, workers }, null, 2)}\n`);
if (process.argv.includes('--update-readme')) {
  const readmePath = join(root, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  await writeFile(readmePath, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${md}\n<!-- bench:end -->`));
}
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
