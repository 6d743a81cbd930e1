import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_UDL_URL, optionalDate } from '../config.js';
import { dayWindow } from '../plan/dates.js';
import { resolveCredential } from '../udl/auth.js';
import { UdlClient } from '../udl/client.js';
import { AimdRateLimiter, RequestGate, systemClock } from '../udl/gate.js';
import { createHttpGet } from '../udl/http.js';
import { verifyOutput, type ServerCount } from '../verify/verify.js';
import { EXIT, fail } from './output.js';

interface VerifyFlags {
  outputDir: string;
  telemetryFile?: string;
  startDate?: string;
  endDate?: string;
  udlUrl?: string;
  server: boolean;
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description(
      "Check each DOWNLOADED day's file: it parses, every record lies inside the day, sorted by obTime, no duplicate ids,\n" +
        "and its count equals the ledger's and the server's /count (when a credential is set and the server answers).\n" +
        'Exits 1 if any check fails.',
    )
    .requiredOption('--output-dir <dir>', 'the download output dir')
    .option('--telemetry-file <file>', 'the ledger (default: <output-dir>/download_telemetry.csv)')
    .option('--start-date <YYYY-MM-DD>', 'first day to check')
    .option('--end-date <YYYY-MM-DD>', 'last day to check')
    .option('--udl-url <url>', 'UDL base URL for /count (default: env UDL_BASE_URL, else https://unifieddatalibrary.com)')
    .option('--no-server', 'skip the /count comparison')
    .action(async (f: VerifyFlags) => {
      try {
        optionalDate('--start-date', f.startDate);
        optionalDate('--end-date', f.endDate);
        const outputDir = resolve(f.outputDir);
        const serverCount = f.server ? await makeServerCount(f.udlUrl ?? process.env.UDL_BASE_URL ?? DEFAULT_UDL_URL) : undefined;
        let failed = 0;
        const checks = await verifyOutput({
          outputDir,
          telemetryFile: f.telemetryFile ? resolve(f.telemetryFile) : join(outputDir, 'download_telemetry.csv'),
          startDate: f.startDate,
          endDate: f.endDate,
          serverCount: serverCount?.count,
          onDay: (c) => {
            const server = c.serverCount !== undefined ? `, server ${c.serverCount}` : c.serverNote ? ` (${c.serverNote})` : '';
            if (c.problems.length) failed++;
            process.stdout.write(
              c.problems.length
                ? `${c.day}  FAIL  ${c.problems.join('; ')}  ${c.path}\n`
                : `${c.day}  ok    ${c.records} records (ledger ${c.ledgerRecords}${server})\n`,
            );
          },
        });
        serverCount?.close();
        process.stdout.write(`verified=${checks.length} failed=${failed}\n`);
        if (checks.length === 0) process.stderr.write('reach-udl: no DOWNLOADED days in the ledger to verify\n');
        process.exitCode = failed > 0 ? EXIT.FAILED : EXIT.OK;
      } catch (err) {
        fail(err);
      }
    });
}

/** A /count client when a credential is at hand; without one, verify checks the files alone. */
async function makeServerCount(udlUrl: string): Promise<{ count: ServerCount; close(): void } | undefined> {
  let credential;
  try {
    credential = await resolveCredential(process.env);
  } catch {
    process.stderr.write('reach-udl: no UDL credential set; skipping the server /count comparison\n');
    return undefined;
  }
  const http = createHttpGet(1);
  const gate = new RequestGate(new AimdRateLimiter({ initialRate: 5, additiveIncrease: 1, multiplicativeDecrease: 0.5, minRate: 1, maxRate: 25 }), 1);
  const client = new UdlClient({ baseUrl: udlUrl, credential, http: http.get, gate, clock: systemClock, random: Math.random, timeoutMs: 60_000, maxRetries: 2 });
  return {
    count: (row) => {
      const day = dayWindow(row.chunk_date_utc);
      return client.count({ descriptor: row.descriptor || 'QUICKLOOK', sensorId: row.sensor_id || 'ALL', startMs: day.startMs, endMs: day.endMs });
    },
    close: http.close,
  };
}
