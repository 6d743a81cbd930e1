import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { addCoordinatorOptions } from './coordinator-options.js';
import { coordinatorCsv, coordinatorRows, type RawBackfillOptions } from './coordinator-ledger.js';
import { DOWNLOAD_DEFAULTS, MAX_RECHECK_MS, MAX_SETTLE_MS } from '../config/download.js';
import { validateUdlOptions, type RawUdlOptions } from '../config/udl.js';
import { duration } from '../config/values.js';
import { dayWindow } from '../plan/dates.js';
import { checkOutputDir, validateCommon, validateFormat, validateSensorId, type RawCommonOptions } from '../report/options.js';
import type { readLedgerView } from '../report/ledger-view.js';
import type { StatusModel } from '../report/status.js';
import type { LedgerInfo } from '../report/status-text.js';
import { wallClock } from './clock.js';
import { fail } from './output.js';
import { addUdlOptions } from './udl-options.js';
import { cliRedactor } from './sink.js';
import { s3StoreOptions, validateS3Options, type RawS3Options } from '../config/s3.js';
import { isS3Location, openStore } from '../store/open.js';

export interface RawStatusOptions extends RawCommonOptions, RawUdlOptions, RawBackfillOptions, RawS3Options {
  format?: string;
  sensorId?: string;
  outputFormat?: string;
  json?: boolean;
  checkServer?: boolean;
  settle?: string;
  recheckWindow?: string;
}

/** The `--json` document. */
export interface StatusDocument extends StatusModel {
  outputDir: string;
  ledger: LedgerInfo;
}

/** Everything `status` prints, as data; the command only chooses text or JSON. */
export async function collectStatus(raw: RawStatusOptions, warn: (m: string) => void = () => {}): Promise<StatusDocument> {
  const opts = validateCommon(raw);
  const sensorId = validateSensorId(raw.sensorId);
  const outputFormat = validateFormat(raw.outputFormat);
  const settleMs = duration('--settle', raw.settle ?? DOWNLOAD_DEFAULTS.settle, MAX_SETTLE_MS);
  const recheckMs = duration('--recheck-window', raw.recheckWindow ?? DOWNLOAD_DEFAULTS.recheckWindow, MAX_RECHECK_MS);
  const udl = raw.checkServer ? validateUdlOptions(raw) : undefined;
  const now = wallClock()();
  const inS3 = isS3Location(opts.outputDir);
  if (!inS3) await checkOutputDir(opts.outputDir);
  const rows = await coordinatorRows(raw, opts.outputDir);
  // Day files in S3 are looked at there (a HEAD, and two ranged GETs per DOWNLOADED day); their ledger is the coordinator's.
  if (inS3 && !rows) throw new UsageError('an s3:// output dir has its ledger in the coordinator: add --coordinator (or REACH_UDL_COORDINATOR)');
  const store = inS3 ? openStore(opts.outputDir, s3StoreOptions(validateS3Options(raw, process.env), raw.awsRegion)) : undefined;
  try {
    const { readLedgerView } = await import('../report/ledger-view.js');
    const { buildStatus } = await import('../report/status.js');
    const view = await readLedgerView({ ...opts, sensorId, outputFormat, warn, rows, store });
    const serverCounts = udl ? await countDownloaded(udl, view) : undefined;
    const model = buildStatus({ ...view, decide: { now, settleMs, recheckMs }, ...(serverCounts ? { serverCounts } : {}) });
    return {
      outputDir: opts.outputDir,
      ledger: rows
        ? { path: "the coordinator's ledger table", exists: true, rows: view.rows.length, badLines: 0 }
        : { path: opts.telemetryFile, exists: existsSync(opts.telemetryFile), rows: view.rows.length, badLines: view.badLines },
      ...model,
    };
  } finally {
    await store?.close();
  }
}

/** --check-server: the server's /count for every DOWNLOADED day shown, one cheap request each. */
async function countDownloaded(udl: ReturnType<typeof validateUdlOptions>, view: Awaited<ReturnType<typeof readLedgerView>>): Promise<Map<string, number>> {
  const { connectUdl } = await import('../udl/connect.js');
  const connection = await connectUdl(udl, { redactor: cliRedactor });
  try {
    const counts = new Map<string, number>();
    const days = view.facts.filter((f) => f.latest?.status === 'DOWNLOADED').map((f) => f.day);
    await Promise.all(
      days.map(async (day) => {
        const w = dayWindow(day);
        const descriptor = view.facts.find((f) => f.day === day)?.latest?.descriptor || 'QUICKLOOK';
        counts.set(day, await connection.client.count({ descriptor, sensorId: view.sensorId, startMs: w.startMs, endMs: w.endMs }));
      }),
    );
    return counts;
  } finally {
    await connection.close();
  }
}

export function statusCommand(): Command {
  const cmd = new Command('status')
    .description(
      'Show each day of the ledger (latest row per day), totals, and which days a rerun of download would fetch and why:\n' +
        'days not settled yet, damaged artifacts (size or contents against the ledger), artifacts without a ledger row.\n' +
        'Reads only the ledger and the output dir; with --check-server also asks UDL for each DOWNLOADED day\'s /count.',
    )
    .requiredOption('--output-dir <dir>', 'the download output dir (s3://bucket/prefix: with --coordinator)')
    .option('--start-date <YYYY-MM-DD>', "first UTC day to show (default: the ledger's first day)")
    .option('--end-date <YYYY-MM-DD>', "last UTC day to show (default: the ledger's last day)")
    .option('--telemetry-file <file>', 'the ledger CSV (default: <output-dir>/download_telemetry.csv)')
    .option('--sensor-id <id>', "ALL or REACH-nnn, as the rerun would use (default: the latest ledger row's, else ALL)")
    .option('--output-format <fmt>', "csv or json, as the rerun would use (default: the latest ledger row's, else csv)")
    .option('--settle <duration>', 'as download: days that ended less than this ago are not fetched yet', DOWNLOAD_DEFAULTS.settle)
    .option('--recheck-window <duration>', 'as download: empty days younger than this are asked again', DOWNLOAD_DEFAULTS.recheckWindow)
    .option('--check-server', "compare each DOWNLOADED day's record count with the server's /count (needs the credential)", false)
    .option('--descriptor <name>', 'with --coordinator: the backfill\'s descriptor', 'QUICKLOOK')
    .addOption(new Option('--format <fmt>', 'text (the table), json (one document), or csv (with --coordinator: the ledger as the CSV file)').choices(['text', 'json', 'csv']).default('text'))
    .option('--json', 'the same as --format json', false)
    .option('--s3-endpoint <url>', 'with an s3:// output dir: an S3-compatible endpoint (default: env AWS_ENDPOINT_URL_S3, else AWS)')
    .option('--s3-force-path-style', 'path-style S3 requests; the default with --s3-endpoint');
  addCoordinatorOptions(cmd, false);
  return addUdlOptions(cmd)
    .exitOverride()
    .action(async (opts: RawStatusOptions) => {
      try {
        const format = opts.json ? 'json' : (opts.format ?? 'text');
        if (format === 'csv') {
          const csv = await coordinatorCsv(opts, validateCommon(opts).outputDir);
          if (csv === undefined) throw new UsageError("--format csv exports the coordinator's ledger: give --coordinator (the CSV ledger is already a file)");
          process.stdout.write(csv);
          return;
        }
        const doc = await collectStatus(opts, (m) => process.stderr.write(`reach-udl: warning: ${m}\n`));
        process.stdout.write(format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : (await import('../report/status-text.js')).renderStatusText(doc, doc.ledger, doc.outputDir));
      } catch (err) {
        fail(err);
      }
    });
}
