/**
 * The download configuration and its validation. Pure: the CLI hands in raw option strings, gets a
 * typed config or a UsageError naming the first problem.
 */
import { resolve, join } from 'node:path';
import { parseDay } from './plan/dates.js';
import type { OutputFormat } from './artifacts/naming.js';

export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const DESCRIPTORS = ['QUICKLOOK', 'PROVISIONAL'] as const;
export const FORMATS = ['csv', 'json'] as const;
export const DEFAULT_UDL_URL = 'https://unifieddatalibrary.com';

export interface DownloadConfig {
  startDate: string;
  endDate: string;
  outputDir: string;
  telemetryFile: string;
  sensorId: string;
  descriptor: (typeof DESCRIPTORS)[number];
  outputFormat: OutputFormat;
  retryFailed: boolean;
  limitDays: number | undefined;
  dryRun: boolean;
  verbosity: number;
  maxConcurrentRequests: number;
  initialRate: number;
  additiveIncrease: number;
  multiplicativeDecrease: number;
  minRate: number;
  maxRate: number;
  awsRegion: string | undefined;
  udlUrl: string;
  maxResults: number;
  /** Per-request deadline. */
  requestTimeoutMs: number;
  /** Retries per request after the first attempt. */
  maxRetries: number;
}

/** Option values as they arrive from the command line (strings) or from code. */
export interface RawDownloadOptions {
  startDate?: string;
  endDate?: string;
  outputDir?: string;
  telemetryFile?: string;
  sensorId?: string;
  descriptor?: string;
  outputFormat?: string;
  retryFailed?: boolean;
  limitDays?: string | number;
  dryRun?: boolean;
  verbose?: number;
  maxConcurrentRequests?: string | number;
  initialRate?: string | number;
  additiveIncrease?: string | number;
  multiplicativeDecrease?: string | number;
  minRate?: string | number;
  maxRate?: string | number;
  awsRegion?: string;
  udlUrl?: string;
  maxResults?: string | number;
  requestTimeout?: string | number;
  maxRetries?: string | number;
}

export const DOWNLOAD_DEFAULTS = {
  sensorId: 'ALL',
  descriptor: 'QUICKLOOK',
  outputFormat: 'csv',
  maxConcurrentRequests: 4,
  initialRate: 5,
  additiveIncrease: 1,
  multiplicativeDecrease: 0.5,
  minRate: 5,
  maxRate: 25,
  maxResults: 10_000,
  requestTimeoutS: 120,
  maxRetries: 5,
} as const;

const SENSOR_RE = /^REACH-[0-9]+$/;

export function validateDownloadOptions(raw: RawDownloadOptions, env: NodeJS.ProcessEnv = process.env): DownloadConfig {
  const startDate = requireDate('--start-date', raw.startDate);
  const endDate = requireDate('--end-date', raw.endDate);
  if (parseDay(endDate)! < parseDay(startDate)!) {
    throw new UsageError(`--end-date ${endDate} is before --start-date ${startDate}; the range is inclusive, give the earlier date first`);
  }
  if (!raw.outputDir) throw new UsageError('--output-dir is required');
  const outputDir = resolve(raw.outputDir);
  const sensorId = raw.sensorId ?? DOWNLOAD_DEFAULTS.sensorId;
  if (sensorId !== 'ALL' && !SENSOR_RE.test(sensorId)) {
    throw new UsageError(`--sensor-id ${JSON.stringify(sensorId)} is not ALL or a sensor id like REACH-101`);
  }
  const descriptor = oneOf('--descriptor', raw.descriptor ?? DOWNLOAD_DEFAULTS.descriptor, DESCRIPTORS);
  const outputFormat = oneOf('--output-format', raw.outputFormat ?? DOWNLOAD_DEFAULTS.outputFormat, FORMATS);
  const minRate = positive('--min-rate', raw.minRate ?? DOWNLOAD_DEFAULTS.minRate);
  const maxRate = positive('--max-rate', raw.maxRate ?? DOWNLOAD_DEFAULTS.maxRate);
  if (minRate > maxRate) throw new UsageError(`--min-rate ${minRate} is above --max-rate ${maxRate}`);
  const initialRate = positive('--initial-rate', raw.initialRate ?? DOWNLOAD_DEFAULTS.initialRate);
  const md = number('--multiplicative-decrease', raw.multiplicativeDecrease ?? DOWNLOAD_DEFAULTS.multiplicativeDecrease);
  if (!(md > 0 && md < 1)) throw new UsageError(`--multiplicative-decrease must be between 0 and 1 (exclusive), got ${md}`);
  const udlUrl = raw.udlUrl ?? env.UDL_BASE_URL ?? DEFAULT_UDL_URL;
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(udlUrl);
  } catch {
    throw new UsageError(`--udl-url ${JSON.stringify(udlUrl)} is not a URL`);
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') throw new UsageError(`--udl-url must be http(s), got ${parsedUrl.protocol}`);
  if (parsedUrl.username || parsedUrl.password) throw new UsageError('--udl-url must not carry a user or password; use BASICAUTH or UDL_AUTH_USERNAME/UDL_AUTH_PASSWORD');
  return {
    startDate,
    endDate,
    outputDir,
    telemetryFile: raw.telemetryFile ? resolve(raw.telemetryFile) : join(outputDir, 'download_telemetry.csv'),
    sensorId,
    descriptor,
    outputFormat,
    retryFailed: raw.retryFailed ?? false,
    limitDays: raw.limitDays === undefined ? undefined : integer('--limit-days', raw.limitDays),
    dryRun: raw.dryRun ?? false,
    verbosity: raw.verbose ?? 0,
    maxConcurrentRequests: integer('--max-concurrent-requests', raw.maxConcurrentRequests ?? DOWNLOAD_DEFAULTS.maxConcurrentRequests),
    initialRate,
    additiveIncrease: nonNegative('--additive-increase', raw.additiveIncrease ?? DOWNLOAD_DEFAULTS.additiveIncrease),
    multiplicativeDecrease: md,
    minRate,
    maxRate,
    awsRegion: raw.awsRegion,
    udlUrl: parsedUrl.toString().replace(/\/+$/, ''),
    maxResults: integer('--max-results', raw.maxResults ?? DOWNLOAD_DEFAULTS.maxResults),
    requestTimeoutMs: positive('--request-timeout', raw.requestTimeout ?? DOWNLOAD_DEFAULTS.requestTimeoutS) * 1000,
    maxRetries: nonNegativeInteger('--max-retries', raw.maxRetries ?? DOWNLOAD_DEFAULTS.maxRetries),
  };
}

function requireDate(flag: string, v: string | undefined): string {
  if (v === undefined) throw new UsageError(`${flag} is required (YYYY-MM-DD, UTC)`);
  return optionalDate(flag, v)!;
}

/** A date option that may be absent; present, it must be a real YYYY-MM-DD day. */
export function optionalDate(flag: string, v: string | undefined): string | undefined {
  if (v !== undefined && parseDay(v) === undefined) throw new UsageError(`${flag} ${JSON.stringify(v)} is not a real date in YYYY-MM-DD form`);
  return v;
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} ${JSON.stringify(v)} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function number(flag: string, v: string | number): number {
  const n = typeof v === 'number' ? v : /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${flag} ${JSON.stringify(String(v))} is not a number`);
  return n;
}

function positive(flag: string, v: string | number): number {
  const n = number(flag, v);
  if (!(n > 0)) throw new UsageError(`${flag} must be greater than 0, got ${n}`);
  return n;
}

function nonNegative(flag: string, v: string | number): number {
  const n = number(flag, v);
  if (n < 0) throw new UsageError(`${flag} must not be negative, got ${n}`);
  return n;
}

function integer(flag: string, v: string | number): number {
  const n = positive(flag, v);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be a whole number, got ${n}`);
  return n;
}

function nonNegativeInteger(flag: string, v: string | number): number {
  const n = nonNegative(flag, v);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be a whole number, got ${n}`);
  return n;
}
