/**
 * CDF_TIME_TT2000: signed nanoseconds since J2000 (2000-01-01T12:00:00 TT), counting leap seconds.
 *
 * TT = TAI + 32.184 s and TAI = UTC + (TAI - UTC), so for a UTC instant u (POSIX count, no leap seconds):
 *   TT2000(u) = (u - J2000 as POSIX) + ((TAI - UTC)(u) - 32 s)
 * where J2000 as POSIX is 2000-01-01T11:58:55.816Z (TAI - UTC was 32 s then). A leap second
 * (23:59:60) has TT2000 values of its own, which a POSIX count cannot name; the ISO functions can.
 * Supported range: from 1972-01-01 (the first row of the leap-second table); the 1960-1971
 * rubber-second era is refused rather than approximated.
 */
import { LEAP_SECONDS } from './leap-seconds.js';

/** The text is not a UTC time this module reads, or the instant is before 1972. */
export class Tt2000Error extends Error {
  override readonly name = 'Tt2000Error';
  readonly code = 'ERR_TT2000';
}

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
const J2000_POSIX_MS = 946_727_935_816;

/** CDF's TT2000 fill value (FILLVAL) and the library's default pad value; printed specially by CDF tools. */
export const TT2000_FILL = -9223372036854775808n;
export const TT2000_PAD = -9223372036854775807n;

interface LeapRow {
  /** POSIX ms of the row's first instant (UTC midnight). */
  readonly ms: number;
  readonly taiMinusUtc: number;
  /** TT2000 of that instant. */
  readonly tt: bigint;
}

const ROWS: readonly LeapRow[] = LEAP_SECONDS.map(([day, taiMinusUtc]) => {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return { ms, taiMinusUtc, tt: BigInt(ms - J2000_POSIX_MS) * NS_PER_MS + BigInt(taiMinusUtc - 32) * NS_PER_S };
});

function rowAtMs(ms: number): LeapRow {
  for (let i = ROWS.length - 1; i >= 0; i--) {
    const row = ROWS[i]!;
    if (row.ms <= ms) return row;
  }
  throw new Tt2000Error(`${new Date(ms).toISOString()} is before 1972-01-01, outside the leap-second table`);
}

/** UTC as POSIX milliseconds (an integer, as Date gives) -> TT2000 ns. */
export function utcMsToTt2000(ms: number): bigint {
  if (!Number.isSafeInteger(ms)) throw new Tt2000Error(`UTC milliseconds must be an integer, got ${ms}`);
  const row = rowAtMs(ms);
  return BigInt(ms - J2000_POSIX_MS) * NS_PER_MS + BigInt(row.taiMinusUtc - 32) * NS_PER_S;
}

/** A TT2000 value split into a POSIX instant and whether it lies inside a leap second. */
interface UtcSplit {
  /** POSIX ns; inside a leap second, the ns of the 23:59:59 second it follows, plus the fraction. */
  readonly posixNs: bigint;
  readonly leap: boolean;
}

function splitTt2000(tt: bigint): UtcSplit {
  for (let i = ROWS.length - 1; i >= 0; i--) {
    const row = ROWS[i]!;
    if (row.tt > tt) continue;
    const next = ROWS[i + 1];
    // The second before the next row's start is the inserted 23:59:60.
    if (next !== undefined && tt >= next.tt - NS_PER_S) {
      return { posixNs: BigInt(next.ms - 1000) * NS_PER_MS + (tt - (next.tt - NS_PER_S)), leap: true };
    }
    return { posixNs: tt - BigInt(row.taiMinusUtc - 32) * NS_PER_S + BigInt(J2000_POSIX_MS) * NS_PER_MS, leap: false };
  }
  throw new Tt2000Error(`TT2000 ${tt} is before 1972-01-01, outside the leap-second table`);
}

/**
 * TT2000 ns -> UTC as POSIX milliseconds (floored). An instant inside a leap second, which POSIX cannot
 * name, gives 23:59:59.999 of that day, so the result never goes backwards as tt grows.
 */
export function tt2000ToUtcMs(tt: bigint): number {
  const { posixNs, leap } = splitTt2000(tt);
  const secondStartMs = Number(posixNs / NS_PER_S) * 1000;
  return leap ? secondStartMs + 999 : Number(posixNs / NS_PER_MS);
}

/**
 * TT2000 ns -> `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn` (UTC, 9 fraction digits, no zone letter: how CDF tools print
 * it); a leap second prints as `23:59:60.…`; FILLVAL and the default pad print as the CDF library does.
 */
export function tt2000ToUtc(tt: bigint): string {
  if (tt === TT2000_FILL) return '9999-12-31T23:59:59.999999999';
  if (tt === TT2000_PAD) return '0000-01-01T00:00:00.000000000';
  const { posixNs, leap } = splitTt2000(tt);
  const seconds = posixNs / NS_PER_S;
  const iso = new Date(Number(seconds) * 1000).toISOString();
  const fraction = String(posixNs - seconds * NS_PER_S).padStart(9, '0');
  return `${iso.slice(0, 17)}${leap ? '60' : iso.slice(17, 19)}.${fraction}`;
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/**
 * `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z]` (UTC) -> TT2000 ns, exact to the nanosecond. `23:59:60` is accepted
 * on the days that end with a leap second, and only there.
 */
export function utcToTt2000(text: string): bigint {
  const m = ISO_UTC.exec(text);
  if (m === null) throw new Tt2000Error(`not a UTC time YYYY-MM-DDTHH:MM:SS[.fffffffff][Z]: ${JSON.stringify(text.slice(0, 40))}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fractionNs = BigInt((m[7] ?? '').padEnd(9, '0'));
  const dayMs = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 02-30 over into March; a calendar date must come back unchanged.
  const check = new Date(dayMs);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) {
    throw new Tt2000Error(`not a valid UTC time: ${JSON.stringify(text)}`);
  }
  if (second === 60) {
    const nextDayMs = dayMs + 86_400_000;
    if (hour !== 23 || minute !== 59 || !ROWS.some((r) => r.ms === nextDayMs) || nextDayMs === ROWS[0]!.ms) {
      throw new Tt2000Error(`${JSON.stringify(text)}: no leap second at the end of that day`);
    }
    return utcMsToTt2000(nextDayMs) - NS_PER_S + fractionNs;
  }
  if (second > 59) throw new Tt2000Error(`not a valid UTC time: ${JSON.stringify(text)}`);
  return utcMsToTt2000(dayMs + ((hour * 60 + minute) * 60 + second) * 1000) + fractionNs;
}
