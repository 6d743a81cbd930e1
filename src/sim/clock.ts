/**
 * The simulator's "now", which decides what realtime and late data are visible. Real time by
 * default; tests freeze, offset or advance it (in process or over HTTP) instead of sleeping.
 */

import { formatUdlTime, parseUdlTime, QueryError } from './query.js';

/** A clock change the simulator refuses (HTTP 400); the message says what is accepted. */
export class ClockRequestError extends Error {
  override readonly name = 'ClockRequestError';
  readonly code = 'ERR_SIM_CLOCK';
  readonly status = 400;
}

/** One change: freeze at an instant, run at base time + offset, or move by a step. */
export type ClockChange =
  | { readonly now: number }
  | { readonly offsetMs: number }
  | { readonly advanceMs: number };

/** What the clock endpoint answers. */
export interface ClockReading {
  /** ISO-8601 UTC, like obTime. */
  readonly now: string;
  readonly nowMs: number;
  /** Whether the clock stands still (after a `now` change) or runs (base time + offset). */
  readonly frozen: boolean;
}

export class SimClock {
  private frozenAt: number | undefined;
  private offset = 0;

  /** @param base epoch milliseconds; `Date.now` unless a test injects its own. */
  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.frozenAt ?? this.base() + this.offset;
  }

  /** Applies a change: `now` freezes, `offsetMs` (re)starts running, `advanceMs` keeps the mode. */
  apply(change: ClockChange): void {
    if ('now' in change) {
      this.frozenAt = change.now;
    } else if ('offsetMs' in change) {
      this.frozenAt = undefined;
      this.offset = change.offsetMs;
    } else if (this.frozenAt !== undefined) {
      this.frozenAt += change.advanceMs;
    } else {
      this.offset += change.advanceMs;
    }
  }

  read(): ClockReading {
    const nowMs = this.now();
    return { now: formatUdlTime(nowMs), nowMs, frozen: this.frozenAt !== undefined };
  }
}

const FIELDS = ['now', 'offsetMs', 'advanceMs'] as const;
const USAGE = 'give exactly one of now=<ISO-8601 UTC time>, offsetMs=<integer>, advanceMs=<integer>';

function integerMs(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new ClockRequestError(`${name} must be an integer number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Reads a clock change from request fields (a JSON object, or query/form parameters as strings).
 * @throws ClockRequestError unless exactly one known field is given with a valid value.
 */
export function parseClockChange(fields: Readonly<Record<string, unknown>>): ClockChange {
  const unknown = Object.keys(fields).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new ClockRequestError(`unknown clock field '${unknown[0]}'; ${USAGE}`);
  const given = FIELDS.filter((k) => fields[k] !== undefined);
  if (given.length !== 1) throw new ClockRequestError(USAGE);
  const value = fields[given[0] as (typeof FIELDS)[number]];
  if (given[0] === 'now') {
    if (typeof value !== 'string') throw new ClockRequestError(`now must be a time string like 2026-01-01T00:00:00.000Z`);
    try {
      return { now: parseUdlTime(value) };
    } catch (err) {
      if (err instanceof QueryError) throw new ClockRequestError(`now: ${err.message}`);
      throw err;
    }
  }
  return given[0] === 'offsetMs' ? { offsetMs: integerMs('offsetMs', value) } : { advanceMs: integerMs('advanceMs', value) };
}

/**
 * Parses a clock request: the URL's query parameters, or a body that is either a JSON object
 * or form-encoded (`now=...`), never both.
 * @throws ClockRequestError for malformed JSON or a bad change.
 */
export function parseClockRequest(query: URLSearchParams, body: string): ClockChange {
  const text = body.trim();
  if (text !== '' && [...query.keys()].length > 0) throw new ClockRequestError(`give the change in the query or the body, not both`);
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ClockRequestError(`body is not valid JSON; ${USAGE}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ClockRequestError(USAGE);
    return parseClockChange(parsed as Record<string, unknown>);
  }
  const params = text === '' ? query : new URLSearchParams(text);
  const fields: Record<string, string> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    if (all.length > 1) throw new ClockRequestError(`${key} given ${all.length} times; give it once`);
    fields[key] = all[0] as string;
  }
  return parseClockChange(fields);
}
