/**
 * Chunk plans: how a day is cut into query windows. Windows are half-open [startMs, endMs) and
 * partition the day exactly at millisecond precision; the query for one is `A..B` with B = end - 1 ms
 * because UDL's range is inclusive at both ends.
 */
import { isoMs, type DayWindow } from './dates.js';

/** One record per dosimeter every 5 s. */
export const TICK_MS = 5_000;
export const REACH_SENSOR_COUNT = 32;
export const DOSIMETERS_PER_SENSOR = 2;
export const TICKS_PER_DAY = 86_400_000 / TICK_MS;
export const EXPECTED_PER_SENSOR_DAY = TICKS_PER_DAY * DOSIMETERS_PER_SENSOR;
export const EXPECTED_ALL_DAY = EXPECTED_PER_SENSOR_DAY * REACH_SENSOR_COUNT;

export interface Window {
  /** Position in the day's plan; names the window's spool chunk. */
  index: number;
  startMs: number;
  /** Exclusive. */
  endMs: number;
}

/** Records expected per 5-s tick: 64 for ALL, 2 for one sensor. */
export function recordsPerTick(sensorId: string): number {
  return sensorId === 'ALL' ? REACH_SENSOR_COUNT * DOSIMETERS_PER_SENSOR : DOSIMETERS_PER_SENSOR;
}

export function expectedRecords(sensorId: string): number {
  return sensorId === 'ALL' ? EXPECTED_ALL_DAY : EXPECTED_PER_SENSOR_DAY;
}

/**
 * Cuts a day into the fewest equal windows whose expected rows stay strictly below the page cap, so a
 * page that comes back full is a real sign of more rows (sub-second extras) rather than the plan's doing.
 * ALL at a 10,000 cap: 111 windows of 780 s (9,984 rows each); one sensor: 4 windows of 6 h.
 * `perTick` may be fractional: a density measured by /count over a day with gaps or fewer sensors.
 */
export function planWindows(day: DayWindow, perTick: number, maxResults: number): Window[] {
  if (!(perTick > 0) || !Number.isFinite(perTick)) throw new RangeError(`perTick must be a positive number, got ${perTick}`);
  if (!Number.isInteger(maxResults) || maxResults < 1) throw new RangeError(`maxResults must be a positive integer, got ${maxResults}`);
  const dayTicks = Math.round((day.endMs - day.startMs) / TICK_MS);
  const fitting = Math.max(1, Math.floor((maxResults - 1) / perTick));
  const count = Math.ceil(dayTicks / fitting);
  const ticks = Math.ceil(dayTicks / count);
  const windows: Window[] = [];
  for (let i = 0, start = day.startMs; start < day.endMs; i++, start += ticks * TICK_MS) {
    windows.push({ index: i, startMs: start, endMs: Math.min(day.endMs, start + ticks * TICK_MS) });
  }
  return windows;
}

/**
 * The density (records per tick) to plan a day's windows for, from what /count measured. Gaps are
 * uneven (a sensor dark for hours, not a little every minute), so a day below the nominal density still
 * plans near nominal, lest its gap-free hours overflow every page; a day above it (more sensors,
 * sub-second extras) plans with a small margin.
 */
export function planningDensity(counted: number, sensorId: string): number {
  const nominal = recordsPerTick(sensorId);
  const measured = counted / TICKS_PER_DAY;
  return measured <= nominal ? Math.min(nominal, measured * 1.25) : measured * 1.02;
}

/** The inclusive obTime range that selects exactly [startMs, endMs). */
export function obTimeRange(startMs: number, endMs: number): string {
  if (!(endMs > startMs)) throw new RangeError(`empty window [${startMs}, ${endMs})`);
  return `${isoMs(startMs)}..${isoMs(endMs - 1)}`;
}
