/**
 * L1C file names and keys (PROCESSING.md 4.1, with the reference's clashes fixed): the mode says what the
 * file holds (`all`, or the sensor number for single-sensor input) and the start stamp is the UTC day's
 * start, so ALL and single-sensor files of a day never share a name and a file's name follows from its
 * day alone.
 */
import { L1cOptionsError } from './errors.js';

export const L1C_LEVEL = 'l1c';
export const L1C_TYPE = 'prelim';
export const L1C_VERSION = '1.0.0';

/** Checks a `YYYY-MM-DD` calendar day and returns it. */
export function checkDay(day: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) throw new L1cOptionsError(`not a day YYYY-MM-DD: ${JSON.stringify(day)}`);
  return day;
}

/** `ALL` (any case) -> `all`; `REACH-101` -> `101`. The same text goes into Instrument_mode. */
export function l1cMode(sensorId: string): string {
  if (sensorId.toUpperCase() === 'ALL') return 'all';
  const m = /^REACH-(\d+)$/.exec(sensorId);
  if (m === null) throw new L1cOptionsError(`sensor selection must be ALL or REACH-<number>, got ${JSON.stringify(sensorId)}`);
  return m[1]!;
}

/** `reach_<mode>_l1c_prelim_<YYYYMMDD>T000000_v1.0.0` (the Logical_file_id). */
export function l1cLogicalFileId(mode: string, day: string): string {
  return `reach_${mode}_${L1C_LEVEL}_${L1C_TYPE}_${checkDay(day).replaceAll('-', '')}T000000_v${L1C_VERSION}`;
}

export function l1cFileName(mode: string, day: string): string {
  return `${l1cLogicalFileId(mode, day)}.cdf`;
}

/** `l1c/prelim/<YYYY>/<MM>/<DD>/<name>`: the S3 key, and the path under the output directory. */
export function l1cKey(mode: string, day: string): string {
  const [y, m, d] = checkDay(day).split('-');
  return `${L1C_LEVEL}/${L1C_TYPE}/${y}/${m}/${d}/${l1cFileName(mode, day)}`;
}
