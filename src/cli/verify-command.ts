import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { validateUdlOptions, type RawUdlOptions } from '../config/udl.js';
import { optionalDate } from '../config/values.js';
import { DEFAULT_FORMAT } from '../formats/index.js';
import { dayWindow } from '../plan/dates.js';
import { ConfigError } from '../udl/auth.js';
import type { UdlConnection } from '../udl/connect.js';
import type { ServerCount } from '../verify/verify.js';
import { addCoordinatorOptions } from './coordinator-options.js';
import { coordinatorRows, type RawBackfillOptions } from './coordinator-ledger.js';
import { EXIT, fail } from './output.js';
import { addUdlOptions } from './udl-options.js';
import { cliRedactor } from './sink.js';
import { isS3Location, outputLocation } from '../store/open.js';
import { READS_LOCAL_FILES } from '../report/options.js';
import { UsageError } from '../errors.js';

interface VerifyFlags extends RawUdlOptions, RawBackfillOptions {
  outputDir: string;
  telemetryFile?: string;
  startDate?: string;
  endDate?: string;
  server: boolean;
}

export function verifyCommand(): Command {
  const cmd = new Command('verify')
    .description(
      "Check each downloaded day's file (DOWNLOADED, or processed since): it parses, every record lies inside the day, sorted by obTime, no duplicate ids,\n" +
        "and its count equals the ledger's and the server's /count. The server check needs the same credential as download;\n" +
        'a day whose /count cannot be had is reported UNCHECKED. Exits 1 if any day fails or is unchecked.',
    )
    .requiredOption('--output-dir <dir>', 'the download output dir')
    .option('--telemetry-file <file>', 'the ledger (default: <output-dir>/download_telemetry.csv)')
    .option('--start-date <YYYY-MM-DD>', 'first day to check')
    .option('--end-date <YYYY-MM-DD>', 'last day to check')
    .option('--no-server', 'check the files alone, without the /count comparison (no credential needed)')
    .option('--sensor-id <id>', "with --coordinator: the backfill's sensor", 'ALL')
    .option('--descriptor <name>', "with --coordinator: the backfill's descriptor", 'QUICKLOOK')
    .option('--output-format <fmt>', "with --coordinator: the backfill's file format", DEFAULT_FORMAT);
  addCoordinatorOptions(cmd, false);
  return addUdlOptions(cmd).action(async (f: VerifyFlags) => {
    try {
      optionalDate('--start-date', f.startDate);
      optionalDate('--end-date', f.endDate);
      const settings = validateUdlOptions(f);
      const outputDir = outputLocation(f.outputDir);
      if (isS3Location(outputDir)) throw new UsageError(READS_LOCAL_FILES('verify'));
      // With --coordinator the ledger is the coordinator's table for this output dir's backfill.
      const rows = await coordinatorRows(f, outputDir);
      const connection = f.server ? await connect(settings) : undefined;
      let failed = 0;
      try {
        const { repairCommand, verifyOutput } = await import('../verify/verify.js');
        const { checks, unrecorded } = await verifyOutput({
          outputDir,
          telemetryFile: f.telemetryFile ? resolve(f.telemetryFile) : join(outputDir, 'download_telemetry.csv'),
          ...(rows ? { rows } : {}),
          startDate: f.startDate,
          endDate: f.endDate,
          serverCount: connection ? serverCount(connection) : undefined,
          warn: (m) => process.stderr.write(`reach-udl: warning: ${m}\n`),
          onDay: (c) => {
            if (c.problems.length || c.unchecked) failed++;
            const server = c.serverCount !== undefined ? `, server ${c.serverCount}` : '';
            const row = { outputDir, sensorId: c.sensorId, format: c.format };
            process.stdout.write(
              c.problems.length
                ? `${c.day}  FAIL  ${c.problems.join('; ')}  ${c.path}\n        repair: ${repairCommand(c, row)}\n`
                : c.unchecked
                  ? `${c.day}  UNCHECKED  ${c.records} records (ledger ${c.ledgerRecords}); ${c.unchecked}\n`
                  : `${c.day}  ok    ${c.records} records (ledger ${c.ledgerRecords}${server})\n`,
            );
          },
        });
        if (unrecorded.length > 0) {
          failed += unrecorded.length;
          const days = unrecorded.map((a) => a.day);
          process.stdout.write(
            `${unrecorded.length} day file(s) have no DOWNLOADED row in the ledger (${days[0]}${days.length > 1 ? ` .. ${days.at(-1)}` : ''}); ` +
              `repair: reach-udl download --start-date ${days[0]} --end-date ${days.at(-1)} --output-dir ${outputDir} --adopt\n`,
          );
        }
        process.stdout.write(`verified=${checks.length} failed=${failed}\n`);
        if (checks.length === 0 && unrecorded.length === 0) process.stderr.write('reach-udl: no DOWNLOADED days in the ledger to verify\n');
      } finally {
        await connection?.close();
      }
      process.exitCode = failed > 0 ? EXIT.FAILED : EXIT.OK;
    } catch (err) {
      fail(err);
    }
  });
}

async function connect(settings: ReturnType<typeof validateUdlOptions>): Promise<UdlConnection> {
  try {
    const { connectUdl } = await import('../udl/connect.js');
    return await connectUdl(settings, { redactor: cliRedactor });
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${err.message}; or pass --no-server to check the files alone`);
    throw err;
  }
}

function serverCount(connection: UdlConnection): ServerCount {
  return (row) => {
    const day = dayWindow(row.chunk_date_utc);
    return connection.client.count({ descriptor: row.descriptor || 'QUICKLOOK', sensorId: row.sensor_id || 'ALL', startMs: day.startMs, endMs: day.endMs });
  };
}
