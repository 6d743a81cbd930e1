/** Option validation shared by `status` and `report`: raw strings in, a typed value or a UsageError out. */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FORMAT_NAMES, isFormatName, type OutputFormat } from '../formats/index.js';
import { UsageError } from '../errors.js';
import { optionalDate } from '../config/values.js';
import { outputLocation } from '../store/open.js';

export interface RawCommonOptions {
  outputDir?: string;
  telemetryFile?: string;
  startDate?: string;
  endDate?: string;
}

export interface CommonOptions {
  outputDir: string;
  telemetryFile: string;
  startDate: string | undefined;
  endDate: string | undefined;
}

export function validateCommon(raw: RawCommonOptions): CommonOptions {
  if (!raw.outputDir) throw new UsageError('--output-dir is required');
  const outputDir = outputLocation(raw.outputDir);
  const startDate = optionalDate('--start-date', raw.startDate);
  const endDate = optionalDate('--end-date', raw.endDate);
  if (startDate !== undefined && endDate !== undefined && endDate < startDate) {
    throw new UsageError(`--end-date ${endDate} is before --start-date ${startDate}; the range is inclusive, give the earlier date first`);
  }
  return {
    outputDir,
    telemetryFile: raw.telemetryFile ? resolve(raw.telemetryFile) : join(outputDir, 'download_telemetry.csv'),
    startDate,
    endDate,
  };
}

export function validateSensorId(v: string | undefined): string | undefined {
  if (v === undefined || v === 'ALL' || /^REACH-\d+$/.test(v)) return v;
  throw new UsageError(`--sensor-id ${JSON.stringify(v)} is not ALL or a sensor id like REACH-101`);
}

export function validateFormat(v: string | undefined): OutputFormat | undefined {
  if (v === undefined || isFormatName(v)) return v;
  throw new UsageError(`--output-format ${JSON.stringify(v)} must be one of ${FORMAT_NAMES.join(', ')}`);
}

/** A missing output dir is fine (nothing downloaded yet); one that is a file is a usage error. */
/** Why `report` and `verify` refuse an s3:// output dir: they read every record of every day file. */
export const READS_LOCAL_FILES = (command: string): string =>
  `${command} reads every record of the day files, from a local directory: copy them down (aws s3 sync s3://... DIR) and run ${command} on DIR; reach-udl status --coordinator ... checks the files in S3`;

export async function checkOutputDir(dir: string): Promise<void> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new UsageError(`--output-dir ${dir} is not a directory; point it at the download's output dir`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new UsageError(`--output-dir ${dir} lies under a file, not a directory`);
    throw err;
  }
}
