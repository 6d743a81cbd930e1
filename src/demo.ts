/**
 * `npm run demo`: the main job on the embedded simulator. Starts the sim in this process on a free port,
 * runs the real CLI as a child (so its progress bar owns the terminal) to download a few days into
 * ./demo-out, then processes them into L1C CDF files under ./demo-out/l1c, and says where everything is.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_NODE_ENV, CLI_NODE_FLAGS } from './cli/runtime.js';
import { startSim } from './sim/index.js';

const outputDir = resolve(process.env.DEMO_OUT ?? 'demo-out');
const cdfDir = join(outputDir, 'cdf');
const cli = fileURLToPath(new URL('./cli/main.js', import.meta.url));
// A made-up credential: the demo exercises the auth path like the real UDL's.
const auth = `Basic ${Buffer.from('demo:demo-password').toString('base64')}`;
const days = ['--start-date', '2026-01-01', '--end-date', '2026-01-03'];

function run(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [...CLI_NODE_FLAGS, cli, ...args], { stdio: 'inherit', env: { ...process.env, ...CLI_NODE_ENV, BASICAUTH: auth } });
  return new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
}

// All 32 sensors, a few sensor-hours dark so the report has something to show, throttled at 20 req/s.
const sim = await startSim({ sensors: 32, gapShare: 0.04, subSecondShare: 0.001, rate: 20, seed: 2026, auth });
process.stderr.write(`UDL simulator on ${sim.url} (32 sensors, throttled at 20 req/s)\n`);
process.stderr.write(`downloading 2026-01-01..2026-01-03 into ${outputDir}\n\n`);
const downloaded = await run(['download', ...days, '--output-dir', outputDir, '--udl-url', sim.url, '-v']);
await sim.close();

process.stderr.write(`\nprocessing the days into L1C CDF files under ${cdfDir}\n\n`);
const processed = downloaded === 0 ? await run(['process', ...days, '--input-dir', outputDir, '--output-dir', cdfDir, '-v']) : downloaded;

process.stderr.write(
  `\nThe day files and the ledger are in ${outputDir}, the CDF files in ${cdfDir}/l1c. Next:\n` +
    `  npx reach-udl status --output-dir ${outputDir}\n` +
    `  npx reach-udl report --output-dir ${outputDir} --out ${outputDir}/report.html\n` +
    `  npx reach-udl verify --output-dir ${outputDir} --no-server\n` +
    `Run npm run demo again: every day is already DOWNLOADED and PROCESSED, so it sends no request and converts nothing.\n`,
);
process.exitCode = processed;
