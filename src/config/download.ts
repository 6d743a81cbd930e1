/**
 * The download configuration and its validation. Pure: the CLI hands in raw option strings, gets a
 * typed config or a UsageError naming the first problem.
 */
import { tmpdir } from 'node:os';
import { resolve, join } from 'node:path';
import { DEFAULT_FORMAT, FORMAT_NAMES, type OutputFormat } from '../formats/index.js';
import { dateRange, duration, numberIn, oneOf } from './values.js';
import { UDL_DEFAULTS, validateUdlOptions, type RawUdlOptions, type UdlSettings } from './udl.js';
import { UsageError } from '../errors.js';
import { validateCoordinator, type CoordinatorSettings, type RawCoordinatorOptions } from './coordinator.js';
import { validateS3Options, type RawS3Options, type S3Settings } from './s3.js';
import { isS3Location, outputLocation } from '../store/open.js';

export const DESCRIPTORS = ['QUICKLOOK', 'PROVISIONAL'] as const;

export interface DownloadConfig extends UdlSettings, S3Settings {
  startDate: string;
  endDate: string;
  /** Where finished day files go: an absolute directory, or `s3://bucket/prefix` (with a coordinator). */
  outputDir: string;
  /** A local directory for work files (the spool): the output dir itself, or --work-dir with an s3:// one. */
  workDir: string;
  telemetryFile: string;
  sensorId: string;
  descriptor: (typeof DESCRIPTORS)[number];
  outputFormat: OutputFormat;
  retryFailed: boolean;
  limitDays: number | undefined;
  dryRun: boolean;
  verbosity: number;
  maxResults: number;
  /** Replace another run's lock (a crashed run on another host). Never implied. */
  breakLock: boolean;
  /** A day is fetched only once it ended at least this long ago (ms). */
  settleMs: number;
  /** SKIPPED_NO_DATA is final only for days that ended longer ago than this (ms). */
  recheckMs: number;
  /** Ask /count for every DOWNLOADED day and fetch again those whose count changed. */
  refresh: boolean;
  /** Check and record artifacts found without a ledger row instead of downloading them again. */
  adopt: boolean;
  /** Move ledger lines that are not rows to a side file instead of refusing to run. */
  repairLedger: boolean;
  /** The ledger is shared with other output dirs: only rows pointing into this one count, appends are locked. */
  sharedLedger: boolean;
  /** Several workers through PostgreSQL; undefined: the embedded default (CSV ledger, lock file). */
  coordinator: CoordinatorSettings | undefined;
}

/** Option values as they arrive from the command line (strings) or from code. */
export interface RawDownloadOptions extends RawUdlOptions, RawCoordinatorOptions, RawS3Options {
  startDate?: string;
  endDate?: string;
  outputDir?: string;
  workDir?: string;
  telemetryFile?: string;
  sensorId?: string;
  descriptor?: string;
  outputFormat?: string;
  retryFailed?: boolean;
  limitDays?: string | number;
  dryRun?: boolean;
  verbose?: number;
  maxResults?: string | number;
  breakLock?: boolean;
  settle?: string | number;
  recheckWindow?: string | number;
  refresh?: boolean;
  adopt?: boolean;
  repairLedger?: boolean;
  sharedLedger?: boolean;
}

export const DOWNLOAD_DEFAULTS = {
  ...UDL_DEFAULTS,
  sensorId: 'ALL',
  descriptor: 'QUICKLOOK',
  outputFormat: DEFAULT_FORMAT,
  maxResults: 10_000,
  settle: '2h',
  recheckWindow: '7d',
} as const;

export const DOWNLOAD_RANGES = {
  limitDays: { min: 1, max: 1_000_000, integer: true },
  maxResults: { min: 1, max: 1_000_000, integer: true },
} as const;

/** Longest --settle and --recheck-window accepted. */
export const MAX_SETTLE_MS = 30 * 86_400_000;
export const MAX_RECHECK_MS = 366 * 86_400_000;

const SENSOR_RE = /^REACH-[0-9]+$/;

export function validateSensorId(sensorId: string): string {
  if (sensorId !== 'ALL' && !SENSOR_RE.test(sensorId)) {
    throw new UsageError(`--sensor-id ${JSON.stringify(sensorId)} is not ALL or a sensor id like REACH-101`);
  }
  return sensorId;
}

export function validateDownloadOptions(raw: RawDownloadOptions, env: NodeJS.ProcessEnv = process.env): DownloadConfig {
  const { startDate, endDate } = dateRange(raw);
  if (!raw.outputDir) throw new UsageError('--output-dir is required');
  const coordinator = validateCoordinator(raw, env);
  const inS3 = isS3Location(raw.outputDir);
  const outputDir = outputLocation(raw.outputDir);
  if (inS3) {
    // The ledger must be where every worker sees it, and the day files where the ledger says.
    if (!coordinator) throw new UsageError('--output-dir s3://... needs --coordinator (the ledger is then a table every machine sees); or give a local directory');
    if (raw.adopt) throw new UsageError('--adopt checks files in a local output dir; it does not apply to s3://');
  } else if (raw.workDir !== undefined) throw new UsageError('--work-dir is for an s3:// output dir; a local one holds its own work files');
  return {
    ...validateUdlOptions(raw, env),
    ...validateS3Options(raw, env),
    startDate,
    endDate,
    outputDir,
    workDir: inS3 ? resolve(raw.workDir ?? join(tmpdir(), 'reach-udl-work')) : outputDir,
    telemetryFile: raw.telemetryFile ? resolve(raw.telemetryFile) : join(outputDir, 'download_telemetry.csv'),
    sensorId: validateSensorId(raw.sensorId ?? DOWNLOAD_DEFAULTS.sensorId),
    descriptor: oneOf('--descriptor', raw.descriptor ?? DOWNLOAD_DEFAULTS.descriptor, DESCRIPTORS),
    outputFormat: oneOf('--output-format', raw.outputFormat ?? DOWNLOAD_DEFAULTS.outputFormat, FORMAT_NAMES),
    retryFailed: raw.retryFailed ?? false,
    limitDays: raw.limitDays === undefined ? undefined : numberIn('--limit-days', raw.limitDays, DOWNLOAD_RANGES.limitDays),
    dryRun: raw.dryRun ?? false,
    verbosity: raw.verbose ?? 0,
    maxResults: numberIn('--max-results', raw.maxResults ?? DOWNLOAD_DEFAULTS.maxResults, DOWNLOAD_RANGES.maxResults),
    breakLock: raw.breakLock ?? false,
    settleMs: duration('--settle', raw.settle ?? DOWNLOAD_DEFAULTS.settle, MAX_SETTLE_MS),
    recheckMs: duration('--recheck-window', raw.recheckWindow ?? DOWNLOAD_DEFAULTS.recheckWindow, MAX_RECHECK_MS),
    refresh: raw.refresh ?? false,
    adopt: raw.adopt ?? false,
    repairLedger: raw.repairLedger ?? false,
    sharedLedger: raw.sharedLedger ?? false,
    coordinator,
  };
}
