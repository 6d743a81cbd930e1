import { Command, Option } from 'commander';
import { DOWNLOAD_RANGES } from '../config/download.js';
import { PROCESS_DEFAULTS, validateProcessOptions, type RawProcessOptions } from '../config/process.js';
import { describeRange } from '../config/values.js';
import type { S3Uploader } from '../process/upload.js';
import type { ProcessEvent, ProcessSummary } from '../process/run.js';
import { fail } from './output.js';
import { FORMAT_NAMES } from '../formats/index.js';
import { stopOnSignals } from './signals.js';
import { cliRedactor } from './sink.js';
import { validateCoordinator, type RawCoordinatorOptions } from '../config/coordinator.js';
import type { CoordSession } from '../coord/session.js';

export function processCommand(): Command {
  const d = PROCESS_DEFAULTS;
  return new Command('process')
    .description(
      "Turn each UTC day's downloaded artifact into the L1C CDF file (dose rate as time x sensors x dosimeters, ISTP\n" +
        'attributes), written under <output-dir>/l1c/prelim/YYYY/MM/DD/, optionally uploaded to S3 under the same key;\n' +
        "progress goes into the download's ledger. Days already PROCESSED or UPLOADED are skipped; FAILED days wait for --retry-failed.",
    )
    .requiredOption('--start-date <YYYY-MM-DD>', 'first UTC day (inclusive)')
    .requiredOption('--end-date <YYYY-MM-DD>', 'last UTC day (inclusive)')
    .requiredOption('--input-dir <dir>', 'where the downloaded day files are (need not exist: then no day has input)')
    .requiredOption('--output-dir <dir>', 'where the CDF files go (created if missing)')
    .option('--telemetry-file <file>', 'the ledger shared with download (default: <input-dir>/download_telemetry.csv)')
    .option('--sensor-id <id>', 'ALL, or one sensor like REACH-101: which day files to take', d.sensorId)
    .option('--descriptor <name>', 'QUICKLOOK, PROVISIONAL (or PRELIMINARY, the same): recorded in the ledger', d.descriptor)
    .addOption(new Option('--output-format <fmt>', 'the format of the day files to take').choices(FORMAT_NAMES).default(d.outputFormat))
    .option('--retry-failed', 'also run days whose latest status is FAILED (an upload that failed is retried with the CDF already made)', false)
    .option('--limit-days <n>', `work on at most n days, days already done not counted (${describeRange(DOWNLOAD_RANGES.limitDays)})`)
    .option('--dry-run', "print each day's planned action; nothing converted, uploaded or recorded", false)
    .option('-v, --verbose', "more detail: -v each day's decision", (_: string, prev: number) => prev + 1, 0)
    .option('--upload-to-s3', 'upload each CDF to --s3-bucket (checked before any work), key l1c/prelim/YYYY/MM/DD/<file>', false)
    .option('--s3-bucket <name>', 'the bucket, without s3://; required with --upload-to-s3')
    .option('--aws-region <region>', 'AWS region of the bucket (default: the AWS region chain)')
    .option('--s3-endpoint <url>', 'an S3-compatible endpoint (MinIO, Ceph; default: env AWS_ENDPOINT_URL_S3, else AWS)')
    .option('--s3-force-path-style', 'path-style requests (http://host/bucket/key); the default with --s3-endpoint')
    .option('--break-lock', 'replace the lock of a run that holds the input or output dir (one on another host that is gone); never implied', false)
    .option('--coordinator <postgres-url>', "the download's ledger is in this coordinator (PostgreSQL), not the CSV file (default: env REACH_UDL_COORDINATOR)")
    .addHelpText(
      'after',
      `
Examples:
  reach-udl process --start-date 2026-01-01 --end-date 2026-01-31 --input-dir /data/reach --output-dir /data/l1c
  reach-udl process --start-date 2026-01-01 --end-date 2026-01-31 --input-dir /data/reach --output-dir /data/l1c \\
      --upload-to-s3 --s3-bucket my-bucket

AWS credentials come from the standard chain (environment, profile, SSO, instance or container role).
After a crash, run the same command again: no partial CDF is ever visible, and the day is converted again.

Exit codes: 0 every day of the range is done or a known skip; 1 the range holds FAILED days (now or earlier);
2 usage or configuration error, a wrong bucket included (nothing was written); 130/143 stopped by SIGINT/SIGTERM.`,
    )
    .action(async (opts: RawProcessOptions & RawCoordinatorOptions) => {
      let uploader: S3Uploader | undefined;
      let session: CoordSession | undefined;
      try {
        const config = validateProcessOptions(opts);
        const coordinator = validateCoordinator(opts);
        if (coordinator) {
          cliRedactor.addSecrets(coordinator.secrets);
          // The download's backfill: its ledger rows are the ones to convert.
          const { openSession } = await import('../coord/session.js');
          session = await openSession(coordinator, { sensorId: config.sensorId, descriptor: config.descriptor, outputFormat: config.inputFormat, outputLocation: config.inputDir });
        }
        if (config.upload && !config.dryRun) uploader = await (await import('../process/upload.js')).openUploader(config);
        const controller = new AbortController();
        const unhook = stopOnSignals(controller);
        const { runProcess } = await import('../process/run.js');
        const summary = await runProcess(config, {
          onEvent: reporter(config.verbosity, config.dryRun),
          signal: controller.signal,
          ...(uploader ? { uploader } : {}),
          ...(session ? { ledger: session.table } : {}),
        });
        unhook();
        finish(summary);
        process.exitCode = summary.exitCode;
      } catch (err) {
        fail(err);
      } finally {
        await uploader?.close();
        await session?.close();
      }
    });
}

function reporter(verbosity: number, dryRun: boolean): (e: ProcessEvent) => void {
  let planned = false;
  return (e) => {
    if (e.type === 'plan') {
      // The plan is made twice (before and under the locks): show the one that counts.
      if ((dryRun || verbosity >= 1) && !planned) {
        for (const d of e.decisions) process.stderr.write(`${dryRun ? '[dry-run] ' : ''}${d.day} action=${d.action}  ${d.why}\n`);
      }
      planned = true;
    } else if (e.type === 'warn') {
      process.stderr.write(`${e.day}: warning: ${e.message}\n`);
    } else {
      const r = e.row;
      if (r.status === 'PROCESS_PENDING' || r.status === 'UPLOAD_PENDING') return;
      const what =
        r.status === 'PROCESSED'
          ? `PROCESSED -> ${r.cdf_path} (${r.cdf_size_mb} MiB, ${r.process_seconds} s)`
          : r.status === 'UPLOADED'
            ? `UPLOADED s3://${r.s3_bucket}/${r.s3_key} (${r.upload_seconds} s)`
            : r.status === 'FAILED'
              ? `FAILED ${r.error_type}: ${r.error_message}`
              : r.status === 'SKIPPED_NO_DATA'
                ? 'SKIPPED_NO_DATA: the input holds no record for the day'
                : 'SKIPPED_NO_INPUT: no input file for the day';
      process.stderr.write(`${e.day}: ${what}\n`);
    }
  };
}

function finish(s: ProcessSummary): void {
  if (s.stopped) process.stderr.write(`stopped by ${s.stopped}; rerun the same command to continue\n`);
  if (s.failedDays.length > 0) {
    process.stderr.write(`FAILED days in this range: ${s.failedDays.slice(0, 5).join(', ')}${s.failedDays.length > 5 ? ', …' : ''}; see reach-udl status, then rerun with --retry-failed\n`);
  }
  const fields = {
    run_id: s.runId,
    planned: s.planned,
    processed: s.processed,
    uploaded: s.uploaded,
    skipped_existing: s.skippedExisting,
    skipped_no_input: s.skippedNoInput,
    no_data: s.noData,
    failed: s.failed,
  };
  process.stdout.write(`${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
}
