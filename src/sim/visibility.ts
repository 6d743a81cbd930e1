/**
 * When records become visible to queries, for tests of realtime and late-arriving data:
 * with the realtime cut only records at or before "now" exist, and a seeded share of
 * sensor-hours ("late" hours) shows up only some time after the hour has ended. Pure.
 */

import { hash4, unit } from './hash.js';
import { HOUR_MS } from './timeline.js';

/** How the data set depends on the simulator's clock. */
export interface VisibilityConfig {
  /** Only records with obTime <= now exist. */
  readonly realtime: boolean;
  /** Share (0..1) of sensor-hours that arrive late. */
  readonly lateShare: number;
  /** A late sensor-hour appears this many ms after the end of its hour. */
  readonly lateMs: number;
  readonly seed: number;
}

const SALT_LATE = 0x428a2f98;

/** Whether the sensor-hour (`key` is the sensor's hash key) is one of the late ones. */
export function isLateHour(v: VisibilityConfig, key: number, hour: number): boolean {
  return v.lateShare > 0 && unit(hash4(v.seed ^ SALT_LATE, key, hour)) < v.lateShare;
}

/** First instant at which a late `hour` is visible: the end of the hour plus the delay. */
export function lateArrival(v: VisibilityConfig, hour: number): number {
  return (hour + 1) * HOUR_MS + v.lateMs;
}

/** Whether sensor-hour (key, hour) is visible at `now`; a late hour before its arrival looks like a gap. */
export function hourVisible(v: VisibilityConfig, key: number, hour: number, now: number): boolean {
  return now >= lateArrival(v, hour) || !isLateHour(v, key, hour);
}

/**
 * Whether every late hour ending by `end` has arrived at `now`, so that what lies before
 * `end` no longer depends on the clock (whole days can then be counted from memos).
 */
export function settledBefore(v: VisibilityConfig, end: number, now: number): boolean {
  return v.lateShare <= 0 || now >= end + v.lateMs;
}

/** The last visible millisecond for a query ending at `hi`: the realtime cut applies at `now`. */
export function visibleUntil(v: VisibilityConfig, hi: number, now: number): number {
  return v.realtime ? Math.min(hi, Math.floor(now)) : hi;
}
