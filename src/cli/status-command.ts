import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { readLedger } from '../ledger/read.js';
import { listArtifacts } from '../report/artifacts.js';
import { checkOutputDir, validateCommon, validateFormat, validateSensorId, type RawCommonOptions } from '../report/options.js';
import { buildStatus, type StatusModel } from '../report/status.js';
import { renderStatusText, type LedgerInfo } from '../report/status-text.js';
import { fail } from './output.js';

export interface RawStatusOptions extends RawCommonOptions {
  sensorId?: string;
  outputFormat?: string;
  json?: boolean;
}

/** The `--json` document. */
export interface StatusDocument extends StatusModel {
  outputDir: string;
  ledger: LedgerInfo;
}

/** Everything `status` prints, as data; the command only chooses text or JSON. */
export async function collectStatus(raw: RawStatusOptions): Promise<StatusDocument> {
  const opts = validateCommon(raw);
  const sensorId = validateSensorId(raw.sensorId);
  const outputFormat = validateFormat(raw.outputFormat);
  await checkOutputDir(opts.outputDir);
  const rows = await readLedger(opts.telemetryFile);
  const artifacts = new Set((await listArtifacts(opts.outputDir)).map((a) => a.name));
  const model = buildStatus({ rows, start: opts.startDate, end: opts.endDate, sensorId, outputFormat, artifacts });
  return {
    outputDir: opts.outputDir,
    ledger: { path: opts.telemetryFile, exists: existsSync(opts.telemetryFile), rows: rows.length },
    ...model,
  };
}

export function statusCommand(): Command {
  return new Command('status')
    .description(
      'Show each day of the ledger (latest row per day), totals, and which days a rerun of download would fetch and why.\n' +
        'Reads only the ledger and the output dir listing: no network, no files written.',
    )
    .requiredOption('--output-dir <dir>', 'the download output dir')
    .option('--start-date <YYYY-MM-DD>', 'first UTC day to show (default: the ledger\'s first day)')
    .option('--end-date <YYYY-MM-DD>', 'last UTC day to show (default: the ledger\'s last day)')
    .option('--telemetry-file <file>', 'the ledger CSV (default: <output-dir>/download_telemetry.csv)')
    .option('--sensor-id <id>', 'ALL or REACH-nnn, as the rerun would use (default: the latest ledger row\'s, else ALL)')
    .option('--output-format <fmt>', 'csv or json, as the rerun would use (default: the latest ledger row\'s, else csv)')
    .option('--json', 'print one JSON document instead of the table', false)
    .exitOverride()
    .action(async (opts: RawStatusOptions) => {
      try {
        const doc = await collectStatus(opts);
        process.stdout.write(opts.json ? `${JSON.stringify(doc, null, 2)}\n` : renderStatusText(doc, doc.ledger, doc.outputDir));
      } catch (err) {
        fail(err);
      }
    });
}
