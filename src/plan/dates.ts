/**
 * UTC calendar days as plain `YYYY-MM-DD` strings and millisecond instants.
 * Days are half-open: [00:00:00.000, next day 00:00:00.000).
 */

export const DAY_MS = 86_400_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a strict `YYYY-MM-DD` UTC date; `undefined` for anything else, impossible dates included (2026-02-30). */
export function parseDay(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  // Date.UTC rolls 2026-02-30 over to March; a round trip exposes it.
  return formatDay(ms) === text ? ms : undefined;
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Every day from start to end, both inclusive; empty if end < start. */
export function dayRange(start: string, end: string): string[] {
  const a = parseDay(start);
  const b = parseDay(end);
  if (a === undefined || b === undefined) throw new RangeError(`not a YYYY-MM-DD date: ${a === undefined ? start : end}`);
  const days: string[] = [];
  for (let t = a; t <= b; t += DAY_MS) days.push(formatDay(t));
  return days;
}

export interface DayWindow {
  day: string;
  startMs: number;
  /** Exclusive. */
  endMs: number;
}

export function dayWindow(day: string): DayWindow {
  const startMs = parseDay(day);
  if (startMs === undefined) throw new RangeError(`not a YYYY-MM-DD date: ${day}`);
  return { day, startMs, endMs: startMs + DAY_MS };
}

/** `2026-01-01T00:00:00.000Z`: the form UDL takes in obTime queries. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** The canonical form, field by field in range; days past the 28th are checked against the calendar. */
const CANONICAL = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * An obTime as a canonical `2026-01-01T00:00:00.000Z` string, so obTimes compare as text; '' if it is
 * not a time. Every form is checked: a string of the right length ending in `Z` (`2026-13-45T99:99:99.999Z`)
 * is not taken on trust. The usual form is returned as is, without a Date round trip.
 */
export function canonicalObTime(t: string): string {
  if (t.length === 24 && CANONICAL.test(t)) {
    // 29, 30, 31: exist in some months only; the round trip tells.
    return t.charCodeAt(8) < 50 || (t.charCodeAt(8) === 50 && t.charCodeAt(9) < 57) || isoMs(Date.parse(t)) === t ? t : '';
  }
  // Other ISO forms with an explicit zone (no ms, an offset): normalised. Anything Date.parse would guess at is not a time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(t)) return '';
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** `20260101T000000`: the reference tool's artifact-name stamp. */
export function compactStamp(ms: number): string {
  return isoMs(ms).slice(0, 19).replace(/[-:]/g, '');
}

/** `2026-01-01T00:00:00+00:00`: the ledger's window columns, as the reference tool writes them. */
export function ledgerWindowStamp(ms: number): string {
  return `${isoMs(ms).slice(0, 19)}+00:00`;
}

/** `2026-01-01T00:00:00.123000+00:00`: Python's isoformat() with microseconds, as the ledger's timestamps are written. */
export function ledgerTimestamp(ms: number): string {
  return `${isoMs(ms).slice(0, 23)}000+00:00`;
}

/**
 * Parses an ISO-8601 timestamp with an explicit zone (Z or ±hh:mm) to microseconds since the epoch,
 * so rows written by Python within the same millisecond still order correctly; NaN if not one.
 */
export function parseTimestampMicros(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text.trim());
  if (!m) return Number.NaN;
  const frac = (m[3] ?? '').padEnd(6, '0');
  const ms = Date.parse(`${m[1]}T${m[2]}.${frac.slice(0, 3)}${m[4]}`);
  return ms * 1000 + Number(frac.slice(3, 6));
}
