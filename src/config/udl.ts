/**
 * How to reach UDL: base URL, credential source, rate control, deadlines and retries. Every command that
 * talks to UDL takes these same options (see cli/udl-options.ts) and builds its client from them through
 * udl/connect.ts, so a check added here holds for all of them.
 */
import { UsageError } from '../errors.js';
import { describeRange, numberIn, type NumberRange } from './values.js';
import { COMPRESSIONS, type Compression } from '../udl/http.js';

export const DEFAULT_UDL_URL = 'https://unifieddatalibrary.com';

export interface UdlSettings {
  udlUrl: string;
  awsRegion: string | undefined;
  maxConcurrentRequests: number;
  initialRate: number;
  additiveIncrease: number;
  multiplicativeDecrease: number;
  minRate: number;
  maxRate: number;
  /** Per-request deadline. */
  requestTimeoutMs: number;
  /** Retries per request after the first attempt. */
  maxRetries: number;
  /** Ask for gzip'ed bodies (the default, as the reference tool's `requests` does) or plain ones. */
  compression: Compression;
}

/** Option values as they arrive from the command line (strings) or from code. */
export interface RawUdlOptions {
  udlUrl?: string | undefined;
  awsRegion?: string | undefined;
  maxConcurrentRequests?: string | number | undefined;
  initialRate?: string | number | undefined;
  additiveIncrease?: string | number | undefined;
  multiplicativeDecrease?: string | number | undefined;
  minRate?: string | number | undefined;
  maxRate?: string | number | undefined;
  requestTimeout?: string | number | undefined;
  maxRetries?: string | number | undefined;
  compression?: string | undefined;
}

/** The reference tool's defaults, one for one. */
export const UDL_DEFAULTS = {
  maxConcurrentRequests: 4,
  initialRate: 5,
  additiveIncrease: 1,
  multiplicativeDecrease: 0.5,
  minRate: 5,
  maxRate: 25,
  requestTimeoutS: 120,
  maxRetries: 5,
  compression: 'gzip',
} as const;

const RATE: NumberRange = { min: 0.01, max: 10_000 };

/** The accepted range of each numeric option; `--help` quotes them. */
export const UDL_RANGES = {
  maxConcurrentRequests: { min: 1, max: 64, integer: true },
  initialRate: RATE,
  additiveIncrease: { min: 0, max: 10_000 },
  multiplicativeDecrease: { min: 0, max: 1, minExclusive: true, maxExclusive: true },
  minRate: RATE,
  maxRate: RATE,
  // setTimeout holds at most 2^31-1 ms (24.8 days); an hour is already far past any sane page.
  requestTimeoutS: { min: 0.1, max: 3_600 },
  maxRetries: { min: 0, max: 50, integer: true },
} as const satisfies Record<string, NumberRange>;

export function rangeText(key: keyof typeof UDL_RANGES): string {
  return describeRange(UDL_RANGES[key]);
}

export function validateUdlOptions(raw: RawUdlOptions, env: NodeJS.ProcessEnv = process.env): UdlSettings {
  const d = UDL_DEFAULTS;
  const r = UDL_RANGES;
  const minRate = numberIn('--min-rate', raw.minRate ?? d.minRate, r.minRate);
  const maxRate = numberIn('--max-rate', raw.maxRate ?? d.maxRate, r.maxRate);
  if (minRate > maxRate) throw new UsageError(`--min-rate ${minRate} is above --max-rate ${maxRate}`);
  return {
    udlUrl: validateUdlUrl(raw.udlUrl ?? env.UDL_BASE_URL ?? DEFAULT_UDL_URL),
    awsRegion: raw.awsRegion,
    maxConcurrentRequests: numberIn('--max-concurrent-requests', raw.maxConcurrentRequests ?? d.maxConcurrentRequests, r.maxConcurrentRequests),
    initialRate: numberIn('--initial-rate', raw.initialRate ?? d.initialRate, r.initialRate),
    additiveIncrease: numberIn('--additive-increase', raw.additiveIncrease ?? d.additiveIncrease, r.additiveIncrease),
    multiplicativeDecrease: numberIn('--multiplicative-decrease', raw.multiplicativeDecrease ?? d.multiplicativeDecrease, r.multiplicativeDecrease),
    minRate,
    maxRate,
    requestTimeoutMs: numberIn('--request-timeout', raw.requestTimeout ?? d.requestTimeoutS, r.requestTimeoutS) * 1000,
    maxRetries: numberIn('--max-retries', raw.maxRetries ?? d.maxRetries, r.maxRetries),
    compression: validateCompression(raw.compression ?? d.compression),
  };
}

function validateCompression(v: string): Compression {
  const c = COMPRESSIONS.find((x) => x === v);
  if (c === undefined) throw new UsageError(`--compression must be ${COMPRESSIONS.join(' or ')}, got ${JSON.stringify(v)}`);
  return c;
}

/** An http(s) URL without userinfo: a credential in the URL would reach logs and process lists. */
export function validateUdlUrl(udlUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(udlUrl);
  } catch {
    throw new UsageError(`--udl-url ${JSON.stringify(udlUrl.replace(/\/\/[^/@]*@/, '//…@'))} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--udl-url must be http(s), got ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new UsageError('--udl-url must not carry a user or password; use BASICAUTH or UDL_AUTH_USERNAME/UDL_AUTH_PASSWORD');
  return parsed.toString().replace(/\/+$/, '');
}
