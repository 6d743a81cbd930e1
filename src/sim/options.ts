/** Options of the UDL simulator, their defaults and their validation. */

import { DAY_MS } from './timeline.js';
import { FAULT_KINDS, type FaultShares } from './faults.js';
import { parseUdlTime, QueryError } from './query.js';
import type { Clock } from './throttle.js';

/** Invalid simulator options; the message names the option and the offending value. */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
  readonly code = 'ERR_SIM_CONFIG';
}

/** How to run the simulator. Every field is optional; defaults give a fast, faultless, open UDL. */
export interface SimOptions {
  /** TCP port on 127.0.0.1. Default 0: any free port (read it back from {@link RunningSim.port}). */
  port?: number;
  /** Number of sensors served, the first n of data/sensors.json. Default: all (32). */
  sensors?: number;
  /**
   * Descriptors served, each covering the same positions with its own ids and slightly
   * different values; their order breaks obTime ties after sensor and dosimeter.
   * Default `['QUICKLOOK', 'PROVISIONAL']`.
   */
  descriptors?: readonly string[];
  /** Token bucket refill, requests per second over both UDL endpoints. Default: unlimited. */
  rate?: number;
  /** Token bucket capacity (requires `rate`). Default: max(1, rate). */
  burst?: number;
  /** Row cap per response; larger `maxResults` are silently lowered to it, like UDL. Default 10000. */
  maxResults?: number;
  /** Delay before answering any UDL request, in ms. Default 0. */
  latencyMs?: number;
  /** Extra delay per row of a data response, in microseconds. Default 0. */
  perRowUs?: number;
  /** UTC days (`YYYY-MM-DD`) without any data. Default none. */
  emptyDays?: readonly string[];
  /**
   * About this share (0..1) of sensor-hours is missing: each sensor has a seeded flakiness and
   * each sensor-day one contiguous outage, so a days x sensors heatmap shows structure. Default 0.
   */
  gapShare?: number;
  /**
   * Extra records at sub-second obTimes, as a share (0..1) of the regular 5 s ones. They go to
   * 5-minute boundaries +/- 1 ms first (always including either side of midnight), then
   * anywhere between ticks. Default 0.
   */
  subSecondShare?: number;
  /** Share (0..1) of data requests answered 500, 502 or 503. Default 0. */
  fail5xx?: number;
  /** Share (0..1) of data requests whose connection is reset without an answer. Default 0. */
  reset?: number;
  /** Share (0..1) of data requests whose body is cut short (Content-Length promises more). Default 0. */
  truncate?: number;
  /** Share (0..1) of data requests answered only after `slowMs`. Default 0. */
  slow?: number;
  /** Delay of a slow answer, in ms. Default 10000. */
  slowMs?: number;
  /**
   * Share (0..1) of data requests answered 500 with a JSON body echoing the request's headers,
   * Authorization included, like some broken proxies: the client must never log such a body.
   * Default 0.
   */
  echo500?: number;
  /**
   * What `/count` answers instead of the truth, e.g. `1e23` or `100000000000000000000000`;
   * data pages stay truthful. Default: the truth.
   */
  countLie?: string;
  /** Seed of fault draws, gaps, sub-second extras, late hours and record variants (an integer). Default 1. */
  seed?: number;
  /** Expected full `Authorization` header value, e.g. `Basic dXNlcjpwYXNz`. Default: no auth. */
  auth?: string;
  /** First UTC day with data (`YYYY-MM-DD`). Default `2017-01-01`. */
  dataStart?: string;
  /** First UTC day without data any more (`YYYY-MM-DD`, exclusive). Default `2030-01-01`. */
  dataEnd?: string;
  /** Clock for the rate limiter, in ms. Default `performance.now`. */
  clock?: Clock;
  /**
   * The simulator's wall clock (epoch ms), which decides what `realtime` and late data show.
   * Default `Date.now`; `POST /_sim/clock` freezes, offsets or advances it.
   */
  now?: () => number;
  /** Only records with obTime <= now exist, as on a live UDL. Default false. */
  realtime?: boolean;
  /**
   * This share (0..1) of sensor-hours, drawn from the seed, arrives late: it looks like a gap
   * until `lateMs` after the end of its hour. Default 0.
   */
  lateShare?: number;
  /** How long after the end of its hour a late sensor-hour appears, in ms. Default 3600000 (1 h). */
  lateMs?: number;
  /**
   * Share (0..1) of regular records sent twice in a row, byte-identical (same id); `/count`
   * counts both, as UDL counts rows. Default 0.
   */
  duplicateShare?: number;
  /** Share (0..1) of regular records followed by a twin with the same id and another obValue. Default 0. */
  conflictShare?: number;
  /**
   * Share (0..1) of regular records whose obTime is a 24-character string ending in Z that is
   * not a time (e.g. `2026-13-45T99:99:99.999Z`, or February 30th), in the real time's place.
   * Default 0. The three record shares add up to at most 1.
   */
  badObTimeShare?: number;
  /**
   * zlib level (1-9) for answering data pages and counts with `Content-Encoding: gzip`, streamed,
   * when the request's `Accept-Encoding` admits gzip. Default 0: never compress.
   */
  gzipLevel?: number;
}

/** {@link SimOptions} with defaults applied and values checked. */
export interface ResolvedSimOptions extends FaultShares {
  readonly port: number;
  readonly sensors: number | undefined;
  readonly descriptors: readonly string[];
  readonly rate: number | undefined;
  readonly burst: number | undefined;
  readonly maxResults: number;
  readonly latencyMs: number;
  readonly perRowUs: number;
  readonly emptyDays: readonly number[];
  readonly gapShare: number;
  readonly subSecondShare: number;
  readonly slowMs: number;
  readonly echo500: number;
  readonly countLie: string | undefined;
  readonly seed: number;
  readonly auth: string | undefined;
  readonly dataStart: number;
  readonly dataEnd: number;
  readonly clock: Clock | undefined;
  readonly now: (() => number) | undefined;
  readonly realtime: boolean;
  readonly lateShare: number;
  readonly lateMs: number;
  readonly duplicateShare: number;
  readonly conflictShare: number;
  readonly badObTimeShare: number;
  readonly gzipLevel: number;
}

export const DEFAULT_MAX_RESULTS = 10_000;
export const DEFAULT_SLOW_MS = 10_000;
export const DEFAULT_DESCRIPTORS: readonly string[] = ['QUICKLOOK', 'PROVISIONAL'];
export const DEFAULT_DATA_START = '2017-01-01';
export const DEFAULT_DATA_END = '2030-01-01';
export const DEFAULT_LATE_MS = 3_600_000;

function finite(name: string, value: number, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `between ${min} and ${max}`;
    throw new SimConfigError(`${name} must be a number ${range}, got ${String(value)}`);
  }
  return value;
}

function integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SimConfigError(`${name} must be an integer between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

function text(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new SimConfigError(`${name} must be a string, got ${String(value)}`);
  return value;
}

function flag(name: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new SimConfigError(`${name} must be true or false, got ${String(value)}`);
  return value ?? false;
}

/** Parses `YYYY-MM-DD` to its UTC day number (days since 1970-01-01). */
export function parseDay(name: string, text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new SimConfigError(`${name}: expected YYYY-MM-DD, got '${text}'`);
  try {
    return parseUdlTime(`${text}T00:00:00.000Z`) / DAY_MS;
  } catch (err) {
    if (err instanceof QueryError) throw new SimConfigError(`${name}: no such day '${text}'`);
    throw err;
  }
}

/**
 * Applies defaults and validates.
 * @throws SimConfigError naming the first bad option.
 */
export function resolveSimOptions(options: SimOptions = {}): ResolvedSimOptions {
  const opt = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  type ShareName = 'gapShare' | 'subSecondShare' | 'lateShare' | 'duplicateShare' | 'conflictShare' | 'badObTimeShare';
  const share = (name: ShareName | keyof FaultShares): number =>
    finite(name, opt(options[name], 0), 0, 1);

  const rate = options.rate === undefined ? undefined : finite('rate', options.rate, Number.MIN_VALUE);
  if (options.burst !== undefined && rate === undefined) throw new SimConfigError('burst needs rate');
  const burst = rate === undefined ? undefined : finite('burst', opt(options.burst, Math.max(1, rate)), 1);

  const descriptors = [...opt(options.descriptors, DEFAULT_DESCRIPTORS)];
  if (descriptors.length === 0) throw new SimConfigError('descriptors must not be empty');
  for (const d of descriptors) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(d)) throw new SimConfigError(`descriptor '${d}' must be upper-case letters, digits or _`);
  }
  if (new Set(descriptors).size !== descriptors.length) throw new SimConfigError('descriptors must be distinct');

  const faults: FaultShares = {
    fail5xx: share('fail5xx'),
    reset: share('reset'),
    truncate: share('truncate'),
    slow: share('slow'),
    echo500: share('echo500'),
  };
  const faultSum = FAULT_KINDS.reduce((sum, kind) => sum + (faults[kind] ?? 0), 0);
  if (faultSum > 1 + 1e-9) throw new SimConfigError(`fault shares add up to ${faultSum}, more than 1`);

  if (options.now !== undefined && typeof options.now !== 'function') throw new SimConfigError('now must be a function returning epoch ms');

  const records = { duplicateShare: share('duplicateShare'), conflictShare: share('conflictShare'), badObTimeShare: share('badObTimeShare') };
  const recordSum = records.duplicateShare + records.conflictShare + records.badObTimeShare;
  if (recordSum > 1 + 1e-9) throw new SimConfigError(`duplicate, conflict and bad obTime shares add up to ${recordSum}, more than 1`);

  const auth = options.auth;
  if (auth !== undefined && (auth === '' || /[\r\n]/.test(auth))) {
    throw new SimConfigError('auth must be a non-empty header value on one line');
  }

  const dataStart = parseDay('dataStart', opt(options.dataStart, DEFAULT_DATA_START)) * DAY_MS;
  const dataEnd = parseDay('dataEnd', opt(options.dataEnd, DEFAULT_DATA_END)) * DAY_MS;
  if (dataEnd <= dataStart) throw new SimConfigError('dataEnd must be after dataStart');

  return {
    port: integer('port', opt(options.port, 0), 0, 65_535),
    sensors: options.sensors === undefined ? undefined : integer('sensors', options.sensors, 1),
    descriptors,
    rate,
    burst,
    maxResults: integer('maxResults', opt(options.maxResults, DEFAULT_MAX_RESULTS), 1),
    latencyMs: finite('latencyMs', opt(options.latencyMs, 0), 0),
    perRowUs: finite('perRowUs', opt(options.perRowUs, 0), 0),
    emptyDays: opt(options.emptyDays, []).map((d) => parseDay('emptyDays', d)),
    gapShare: share('gapShare'),
    subSecondShare: share('subSecondShare'),
    ...faults,
    slowMs: finite('slowMs', opt(options.slowMs, DEFAULT_SLOW_MS), 0),
    echo500: faults.echo500 ?? 0,
    countLie: text('countLie', options.countLie),
    seed: integer('seed', opt(options.seed, 1), -(2 ** 31), 2 ** 32 - 1),
    auth,
    dataStart,
    dataEnd,
    clock: options.clock,
    now: options.now,
    realtime: flag('realtime', options.realtime),
    lateShare: share('lateShare'),
    lateMs: finite('lateMs', opt(options.lateMs, DEFAULT_LATE_MS), 0),
    ...records,
    gzipLevel: integer('gzipLevel', opt(options.gzipLevel, 0), 0, 9),
  };
}
