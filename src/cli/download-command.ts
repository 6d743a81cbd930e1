import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { DOWNLOAD_DEFAULTS, DOWNLOAD_RANGES, validateDownloadOptions, type RawDownloadOptions } from '../config/download.js';
import { describeRange } from '../config/values.js';
import { UsageError } from '../errors.js';
import { FORMAT_NAMES } from '../formats/index.js';
import { fail } from './output.js';
import { createReporter, type LogFormat } from './reporter.js';
import { stopOnSignals } from './signals.js';
import { addUdlOptions } from './udl-options.js';
import { addCoordinatorOptions } from './coordinator-options.js';
import { wallClock } from './clock.js';
import { cliRedactor } from './sink.js';

export function downloadCommand(): Command {
  const d = DOWNLOAD_DEFAULTS;
  const cmd = new Command('download')
    .description(
      'Download each UTC day of an inclusive date range into one file per day, resuming where earlier runs stopped.\n' +
        'Days already DOWNLOADED (with their file on disk) or SKIPPED_NO_DATA send no request; FAILED days wait for --retry-failed.\n' +
        'Credential, in order: BASICAUTH (full header value), UDL_AUTH_USERNAME + UDL_AUTH_PASSWORD, SECRET_ARN_UDL (AWS Secrets Manager).',
    )
    .requiredOption('--start-date <YYYY-MM-DD>', 'first UTC day (inclusive)')
    .requiredOption('--end-date <YYYY-MM-DD>', 'last UTC day (inclusive)')
    .requiredOption('--output-dir <dir>', 'where the day files go (created if missing); s3://bucket/prefix with --coordinator')
    .option('--work-dir <dir>', 'with an s3:// output dir: the local directory for the spool (default: <tmpdir>/reach-udl-work)')
    .option('--s3-endpoint <url>', 'with an s3:// output dir: an S3-compatible endpoint (MinIO, Ceph; default: env AWS_ENDPOINT_URL_S3, else AWS)')
    .option('--s3-force-path-style', 'path-style S3 requests (http://host/bucket/key); the default with --s3-endpoint')
    .option('--telemetry-file <file>', 'the ledger CSV (default: <output-dir>/download_telemetry.csv)')
    .option('--sensor-id <id>', 'ALL, or one sensor like REACH-101', d.sensorId)
    .addOption(new Option('--descriptor <name>', 'data product').choices(['QUICKLOOK', 'PROVISIONAL']).default(d.descriptor))
    .addOption(new Option('--output-format <fmt>', 'file format').choices(FORMAT_NAMES).default(d.outputFormat))
    .option('--retry-failed', 'also run days whose latest status is FAILED', false)
    .option('--limit-days <n>', `attempt at most n days, counted from the first day not already complete (${describeRange(DOWNLOAD_RANGES.limitDays)})`)
    .option('--dry-run', "print each day's planned action; no network, no files", false)
    .option('-v, --verbose', 'more detail: -v per-day decisions, -vv per-window progress and retries', (_: string, prev: number) => prev + 1, 0)
    .option('--max-results <n>', `rows per response the server returns at most, its cap (${describeRange(DOWNLOAD_RANGES.maxResults)})`, String(d.maxResults))
    .option('--settle <duration>', 'fetch a day only once it ended this long ago (e.g. 2h, 30m, 0); younger days are deferred', d.settle)
    .option('--recheck-window <duration>', 'an empty day (SKIPPED_NO_DATA) younger than this is asked again (e.g. 7d, 0)', d.recheckWindow)
    .option('--refresh', "ask /count for every DOWNLOADED day and fetch again each day whose count changed (late data)", false)
    .option('--adopt', 'record artifacts found without a ledger row (checked against /count) instead of downloading them again', false)
    .option('--repair-ledger', 'move ledger lines that are not rows to <ledger>.rejected and go on (default: refuse to run)', false)
    .option('--shared-ledger', 'the ledger also serves other output dirs: count only rows pointing here, lock each append', false)
    .option('--break-lock', 'replace the lock of a run that holds this output dir (one on another host that is gone); never implied', false);
  addCoordinatorOptions(cmd, true);
  return addUdlOptions(cmd)
    .addOption(new Option('--log-format <fmt>', 'text, or json lines for machines').choices(['text', 'json']).default('text'))
    .addOption(new Option('--no-progress', 'plain log lines even on a terminal'))
    .addHelpText(
      'after',
      `
Examples:
  BASICAUTH='Basic ...' reach-udl download --start-date 2026-01-01 --end-date 2026-03-31 --output-dir /data/reach
  reach-udl download --start-date 2026-01-01 --end-date 2026-01-31 --output-dir out --dry-run
  reach-udl download --start-date 2026-01-01 --end-date 2026-01-31 --output-dir out --retry-failed
  reach-udl download --start-date 2026-01-01 --end-date 2026-12-31 --output-dir s3://bucket/reach \
    --coordinator postgres://reach@db:5432/reach     (day files in S3; AWS credentials from the standard chain)

Running daily (cron): --end-date $(date -u +%F) is safe: days younger than --settle wait for a later run, and
empty days younger than --recheck-window are asked again. Add --refresh to pick up data that arrived late.

After a crash, run the same command again: the interrupted day resumes from its spooled windows.
Ctrl-C (SIGINT) or SIGTERM stops cleanly: the day in progress stays resumable and the lock is released;
a second signal exits at once.

Exit codes: 0 every day of the range is done or a known skip; 1 the range holds FAILED days, failed now or
earlier (see reach-udl status; rerun with --retry-failed);
2 usage or configuration error (nothing was written); 130/143 stopped by SIGINT/SIGTERM.`,
    )
    .action(async (opts: RawDownloadOptions & { logFormat: LogFormat; progress: boolean }) => {
      try {
        const config = validateDownloadOptions(opts);
        // With an s3:// output dir the local directory is the work dir; the bucket is checked when the run starts.
        await checkOutputDir(config.workDir, config.workDir === config.outputDir ? '--output-dir' : '--work-dir');
        const reporter = createReporter({
          verbosity: config.verbosity,
          format: opts.logFormat,
          bars: opts.progress && opts.logFormat === 'text' && process.stderr.isTTY === true ? (await import('cli-progress')).default : undefined,
          dryRun: config.dryRun,
        });
        const controller = new AbortController();
        const unhook = stopOnSignals(controller);
        const { runDownload } = await import('../download/run.js');
        const summary = await runDownload(config, { onEvent: (e) => reporter.onEvent(e), signal: controller.signal, redactor: cliRedactor, now: wallClock() });
        unhook();
        reporter.finish(summary);
        process.exitCode = summary.exitCode;
      } catch (err) {
        fail(err);
      }
    });
}

/**
 * An output (or work) dir that is a file, lies under one, or cannot be written is a usage error, found before
 * anything is written: the dir itself if it exists, else the nearest ancestor that does.
 */
async function checkOutputDir(dir: string, flag: string): Promise<void> {
  for (let p = dir; ; p = dirname(p)) {
    try {
      const s = await stat(p);
      if (!s.isDirectory()) {
        throw new UsageError(p === dir ? `${flag} ${dir} exists and is not a directory` : `${flag} ${dir} lies under ${p}, which is a file`);
      }
      await access(p, constants.W_OK).catch(() => {
        throw new UsageError(`${flag} ${dir} is not writable (${p}); choose a directory you can write to`);
      });
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new UsageError(`${flag} ${dir} lies under a file, not a directory`);
      if (code !== 'ENOENT' || dirname(p) === p) throw err;
    }
  }
}
