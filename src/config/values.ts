/**
 * Checks for option values, pure: each returns the typed value or throws a UsageError naming the flag,
 * the value and what would be accepted. Ranges live with the options that use them, so `--help` and
 * the checks quote the same numbers.
 */
import { parseDay } from '../plan/dates.js';
import { UsageError } from '../errors.js';

/** An inclusive numeric range; `integer` for whole numbers. */
export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
  /** min itself is excluded (rates must be above 0, not 0). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** "1-64", "(0, 1)": the range as help text quotes it. */
export function describeRange(r: NumberRange): string {
  if (r.minExclusive || r.maxExclusive) return `${r.minExclusive ? '(' : '['}${r.min}, ${r.max}${r.maxExclusive ? ')' : ']'}`;
  return `${r.min}-${r.max}`;
}

export function numberIn(flag: string, v: string | number, r: NumberRange): number {
  const n = typeof v === 'number' ? v : /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${flag} ${JSON.stringify(String(v))} is not a number`);
  if (r.integer && !Number.isInteger(n)) throw new UsageError(`${flag} must be a whole number, got ${n}`);
  const low = r.minExclusive ? n <= r.min : n < r.min;
  const high = r.maxExclusive ? n >= r.max : n > r.max;
  if (low || high) {
    const span = r.minExclusive && r.maxExclusive ? `between ${r.min} and ${r.max} (exclusive)` : `in ${describeRange(r)}`;
    throw new UsageError(`${flag} must be ${span}, got ${n}`);
  }
  return n;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration like `2h`, `90m`, `7d`, `30s`, or `0`; in ms, at most `maxMs`. */
export function duration(flag: string, v: string | number, maxMs: number): number {
  const text = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(text);
  const ms = text === '0' ? 0 : m ? Number(m[1]) * UNIT_MS[m[2]!]! : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration; write it like 2h, 30m, 7d or 0`);
  if (ms > maxMs) throw new UsageError(`${flag} ${text} is longer than the ${Math.round(maxMs / 86_400_000)} days allowed`);
  return ms;
}

export function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} ${JSON.stringify(v)} must be one of ${allowed.join(', ')}`);
  return v as T;
}

export function requireDate(flag: string, v: string | undefined): string {
  if (v === undefined) throw new UsageError(`${flag} is required (YYYY-MM-DD, UTC)`);
  return optionalDate(flag, v)!;
}

/** A date option that may be absent; present, it must be a real YYYY-MM-DD day. */
export function optionalDate(flag: string, v: string | undefined): string | undefined {
  if (v !== undefined && parseDay(v) === undefined) throw new UsageError(`${flag} ${JSON.stringify(v)} is not a real date in YYYY-MM-DD form`);
  return v;
}

/** Start and end dates, both required, end not before start. */
export function dateRange(raw: { startDate?: string | undefined; endDate?: string | undefined }): { startDate: string; endDate: string } {
  const startDate = requireDate('--start-date', raw.startDate);
  const endDate = requireDate('--end-date', raw.endDate);
  if (parseDay(endDate)! < parseDay(startDate)!) {
    throw new UsageError(`--end-date ${endDate} is before --start-date ${startDate}; the range is inclusive, give the earlier date first`);
  }
  return { startDate, endDate };
}
