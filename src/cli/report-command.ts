import { Command } from 'commander';
import type { RawReportOptions } from '../report/report.js';
import { fail } from './output.js';
import { DEFAULT_FORMAT } from '../formats/index.js';
import { coordinatorRows, type RawBackfillOptions } from './coordinator-ledger.js';

const MB = 1e6;

export function reportCommand(): Command {
  return new Command('report')
    .description(
      'Write a self-contained HTML page (works offline): a heatmap of records per sensor-day counted in the day files,\n' +
        'availability per day, and the FAILED and missing days. Counts are cached in <output-dir>/.reach-udl/counts/.',
    )
    .requiredOption('--output-dir <dir>', 'the download output dir')
    .requiredOption('--out <file>', 'the HTML page to write, e.g. report.html')
    .option('--svg <file>', 'also write the heatmap alone as an SVG file')
    .option('--start-date <YYYY-MM-DD>', 'first UTC day (default: the first day in the ledger or the files)')
    .option('--end-date <YYYY-MM-DD>', 'last UTC day (default: the last day in the ledger or the files)')
    .option('--telemetry-file <file>', 'the ledger CSV (default: <output-dir>/download_telemetry.csv)')
    .option('--sensor-id <id>', "with --coordinator: the backfill's sensor", 'ALL')
    .option('--descriptor <name>', "with --coordinator: the backfill's descriptor", 'QUICKLOOK')
    .option('--output-format <fmt>', "with --coordinator: the backfill's format", DEFAULT_FORMAT)
    .option('--coordinator <postgres-url>', 'read the ledger from the coordinator (PostgreSQL) instead of the CSV file (default: env REACH_UDL_COORDINATOR)')
    .exitOverride()
    .action(async (opts: RawReportOptions & RawBackfillOptions) => {
      try {
        // Vega is heavy; only the report pays for loading it, not every download start.
        const { writeReport } = await import('../report/report.js');
        const result = await writeReport(opts, {
          rows: (outputDir) => coordinatorRows(opts, outputDir),
          onCount: (a, r) => {
            if (r.fromCache) return;
            const rate = r.seconds > 0 ? ` (${(r.bytes / MB / r.seconds).toFixed(0)} MB/s)` : '';
            process.stderr.write(`counted ${a.name}: ${r.records.toLocaleString('en-US')} records, ${(r.bytes / MB).toFixed(1)} MB in ${r.seconds.toFixed(2)} s${rate}\n`);
            if (r.cacheError) process.stderr.write(`note: counts not cached (${r.cacheError}); the next report counts again\n`);
          },
        });
        for (const w of result.warnings) process.stderr.write(`warning: chart: ${w}\n`);
        const m = result.model;
        const c = m.counting;
        process.stdout.write(
          `wrote ${result.htmlPath}${result.svgPath ? ` and ${result.svgPath}` : ''}: ${m.days.length} days x ${m.sensors.length} sensors, ` +
            `${c.artifacts} day files (${c.fromCache} cached), ${m.problems.length} days need attention, ${result.seconds.toFixed(1)} s\n`,
        );
      } catch (err) {
        fail(err);
      }
    });
}
