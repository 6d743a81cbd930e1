/**
 * The process configuration: the reference tool's flags one for one (PROCESSING.md 1), plus the S3
 * endpoint options S3-compatible stores need. Pure: raw option strings in, a typed config or a UsageError.
 */
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { DESCRIPTORS, DOWNLOAD_RANGES, validateSensorId } from './download.js';
import { DEFAULT_FORMAT, FORMAT_NAMES, type OutputFormat } from '../formats/index.js';
import { dateRange, numberIn, oneOf } from './values.js';
import { validateS3Options } from './s3.js';

/** The reference's process phase names the reprocessed product PRELIMINARY; it is the download's PROVISIONAL. */
export const PROCESS_DESCRIPTORS = [...DESCRIPTORS, 'PRELIMINARY'] as const;

export interface ProcessConfig {
  startDate: string;
  endDate: string;
  inputDir: string;
  outputDir: string;
  telemetryFile: string;
  sensorId: string;
  /** As written to the ledger; PRELIMINARY is accepted and recorded as PROVISIONAL. */
  descriptor: (typeof DESCRIPTORS)[number];
  /** The input artifacts' format. */
  inputFormat: OutputFormat;
  retryFailed: boolean;
  limitDays: number | undefined;
  dryRun: boolean;
  verbosity: number;
  upload: boolean;
  s3Bucket: string | undefined;
  awsRegion: string | undefined;
  s3Endpoint: string | undefined;
  s3ForcePathStyle: boolean;
  breakLock: boolean;
}

export interface RawProcessOptions {
  startDate?: string;
  endDate?: string;
  inputDir?: string;
  outputDir?: string;
  telemetryFile?: string;
  sensorId?: string;
  descriptor?: string;
  outputFormat?: string;
  retryFailed?: boolean;
  limitDays?: string | number;
  dryRun?: boolean;
  verbose?: number;
  uploadToS3?: boolean;
  s3Bucket?: string;
  awsRegion?: string;
  s3Endpoint?: string;
  s3ForcePathStyle?: boolean;
  breakLock?: boolean;
}

export const PROCESS_DEFAULTS = { sensorId: 'ALL', descriptor: 'QUICKLOOK', outputFormat: DEFAULT_FORMAT } as const;

/** S3's bucket naming rules, so a typo is a usage error before any work rather than a FAILED day after it. */
const BUCKET_RE = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function validateProcessOptions(raw: RawProcessOptions, env: NodeJS.ProcessEnv = process.env): ProcessConfig {
  const { startDate, endDate } = dateRange(raw);
  if (!raw.inputDir) throw new UsageError('--input-dir is required');
  if (!raw.outputDir) throw new UsageError('--output-dir is required');
  const inputDir = resolve(raw.inputDir);
  const descriptor = oneOf('--descriptor', (raw.descriptor ?? PROCESS_DEFAULTS.descriptor).toUpperCase(), PROCESS_DESCRIPTORS);
  const upload = raw.uploadToS3 ?? false;
  if (upload && !raw.s3Bucket) throw new UsageError('--upload-to-s3 needs --s3-bucket NAME');
  if (!upload && raw.s3Bucket) throw new UsageError('--s3-bucket is only used with --upload-to-s3');
  if (raw.s3Bucket !== undefined && !BUCKET_RE.test(raw.s3Bucket)) {
    throw new UsageError(`--s3-bucket ${JSON.stringify(raw.s3Bucket)} is not a bucket name (3-63 of a-z 0-9 . -, no s3:// prefix)`);
  }
  const { s3Endpoint, s3ForcePathStyle } = validateS3Options(raw, env);
  return {
    startDate,
    endDate,
    inputDir,
    outputDir: resolve(raw.outputDir),
    telemetryFile: raw.telemetryFile ? resolve(raw.telemetryFile) : join(inputDir, 'download_telemetry.csv'),
    sensorId: validateSensorId(raw.sensorId === undefined || raw.sensorId.toUpperCase() === 'ALL' ? 'ALL' : raw.sensorId),
    descriptor: descriptor === 'PRELIMINARY' ? 'PROVISIONAL' : descriptor,
    inputFormat: oneOf('--output-format', raw.outputFormat ?? PROCESS_DEFAULTS.outputFormat, FORMAT_NAMES),
    retryFailed: raw.retryFailed ?? false,
    limitDays: raw.limitDays === undefined ? undefined : numberIn('--limit-days', raw.limitDays, DOWNLOAD_RANGES.limitDays),
    dryRun: raw.dryRun ?? false,
    verbosity: raw.verbose ?? 0,
    upload,
    s3Bucket: raw.s3Bucket,
    awsRegion: raw.awsRegion,
    s3Endpoint,
    s3ForcePathStyle,
    breakLock: raw.breakLock ?? false,
  };
}
