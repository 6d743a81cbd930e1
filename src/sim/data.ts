/**
 * The simulator's data set: every record is a pure function of (sensor, dosimeter,
 * descriptor, obTime, seed), so counts and page offsets are computed arithmetically and
 * pages are generated on the fly, without ever materialising a day.
 *
 * Timeline: one tick every 5 s; each available sensor yields DOSE1 and DOSE2 at every
 * tick, once per descriptor. Sub-second "extra" records sit strictly between two ticks.
 * Availability (gaps, empty days) is decided per sensor-hour, extras per sensor-hour too,
 * so whole days and hours can be counted without visiting their ticks.
 *
 * With a clock (`now`), late sensor-hours stay gaps until they arrive and the realtime cut
 * hides the future; both are decided per sensor-hour or by clipping, so counts stay closed-form.
 *
 * Order within one obTime: sensor (in sensors.json order), then DOSE1 before DOSE2, then
 * descriptor (in configured order).
 */

import { RecordCursor } from './cursor.js';
import { hash4, unit } from './hash.js';
import type { TimeBounds } from './query.js';
import { DATA_MODE, RecordWriter, SOURCE, type Selection } from './records.js';
import type { SensorSpec } from './sensors.js';
import { hourVisible, settledBefore, visibleUntil, type VisibilityConfig } from './visibility.js';
import {
  DAY_MS,
  EDGE_MULTIPLIERS,
  EDGE_SLOTS,
  extraOffsetMs,
  extraRank,
  floorDiv,
  HOUR_MS,
  INNER_MULTIPLIERS,
  INNER_SLOTS,
  TICK_MS,
  TICKS_PER_DAY,
  TICKS_PER_HOUR,
} from './timeline.js';

/** Everything that shapes the data set. */
export interface DatasetConfig {
  readonly sensors: readonly SensorSpec[];
  readonly descriptors: readonly string[];
  /** Decides which sensor-hours are missing and where sub-second records fall. */
  readonly seed: number;
  /** About this share (0..1) of sensor-hours is missing, in per-sensor-day outages. */
  readonly gapShare: number;
  /** UTC day numbers (days since 1970-01-01) without any data. */
  readonly emptyDays: readonly number[];
  /** Extra sub-second records, as a share (0..1) of the regular ones. */
  readonly subSecondShare: number;
  /** First millisecond with data (inclusive). */
  readonly start: number;
  /** End of data (exclusive). */
  readonly end: number;
  /** Only records with obTime <= now exist. Default false. */
  readonly realtime?: boolean;
  /** Share (0..1) of sensor-hours that arrive late. Default 0. */
  readonly lateShare?: number;
  /** A late sensor-hour appears this many ms after its hour ends. Default 0. */
  readonly lateMs?: number;
}

/** Exact-match filters of a query; `undefined` = no filter. */
export interface RecordFilter {
  readonly idSensor?: string | undefined;
  readonly source?: string | undefined;
  readonly dataMode?: string | undefined;
  readonly descriptor?: string | undefined;
}

const EMPTY_SELECTION: Selection = { sensors: [], descriptors: [] };

const SALT_OUTAGE = 0x6a09e667;
const SALT_FLAKY = 0xbb67ae85;
const SALT_EXTRA = 0x3c6ef372;

/**
 * The sensors of one selection available during one hour, with their extras plan.
 * Arrays are aligned with `sensors`.
 */
export interface HourPlan {
  readonly hour: number;
  readonly start: number;
  readonly sensors: readonly number[];
  readonly extras: readonly number[];
  readonly edgeMul: readonly number[];
  readonly edgeZero: readonly number[];
  readonly innerMul: readonly number[];
  readonly innerAdd: readonly number[];
  readonly extrasTotal: number;
}

/** Where a page starts: a group (the tick or the extras of interval `j`) and an offset in it. */
export interface CursorStart {
  readonly plan: HourPlan;
  readonly j: number;
  readonly phase: 0 | 1;
  readonly member: number;
}

export class Dataset {
  readonly sensorIds: readonly string[];
  readonly descriptors: readonly string[];
  /** @internal used by {@link RecordCursor} to write the records this data set plans. */
  readonly writer: RecordWriter;
  private readonly emptyDays: ReadonlySet<number>;
  private readonly extrasBase: number;
  private readonly extrasFraction: number;
  private readonly dayMemo = new Map<number, number>();
  private readonly visibility: VisibilityConfig;

  constructor(private readonly config: DatasetConfig) {
    this.sensorIds = config.sensors.map((s) => s.id);
    this.descriptors = [...config.descriptors];
    this.emptyDays = new Set(config.emptyDays);
    const perHour = config.subSecondShare * TICKS_PER_HOUR;
    this.extrasBase = Math.floor(perHour);
    this.extrasFraction = perHour - this.extrasBase;
    this.writer = new RecordWriter(config.sensors, config.descriptors);
    this.visibility = {
      realtime: config.realtime ?? false,
      lateShare: config.lateShare ?? 0,
      lateMs: config.lateMs ?? 0,
      seed: config.seed,
    };
  }

  /** Resolves exact-match filters to a selection; a value matching nothing selects nothing. */
  select(filter: RecordFilter): Selection {
    if (filter.source !== undefined && filter.source !== SOURCE) return EMPTY_SELECTION;
    if (filter.dataMode !== undefined && filter.dataMode !== DATA_MODE) return EMPTY_SELECTION;
    const sensors =
      filter.idSensor === undefined ? this.sensorIds.map((_, i) => i) : [this.sensorIds.indexOf(filter.idSensor)];
    const descriptors =
      filter.descriptor === undefined ? this.descriptors.map((_, i) => i) : [this.descriptors.indexOf(filter.descriptor)];
    if (sensors.includes(-1) || descriptors.includes(-1)) return EMPTY_SELECTION;
    return { sensors, descriptors };
  }

  /** The outage of a sensor on a day, as [first hour, number of hours]. */
  private outage(s: number, day: number): [number, number] {
    const share = this.config.gapShare;
    if (share <= 0) return [0, 0];
    if (share >= 1) return [0, 24];
    const key = this.writer.keys[s] as number;
    // A per-sensor flakiness times a per-day draw: some sensors are worse than others, and a
    // days x sensors heatmap shows rows and blotches rather than uniform noise.
    const flaky = 2 * unit(hash4(this.config.seed ^ SALT_FLAKY, key));
    const today = 2 * unit(hash4(this.config.seed ^ SALT_OUTAGE, key, day));
    const hours = Math.round(24 * Math.min(1, share * flaky * today));
    const first = hours === 24 ? 0 : hash4(this.config.seed ^ SALT_OUTAGE, key, day, 1) % (25 - hours);
    return [first, hours];
  }

  private extrasIn(key: number, hour: number): number {
    if (this.extrasBase === 0 && this.extrasFraction === 0) return 0;
    const h = hash4(this.config.seed ^ SALT_EXTRA, key, hour, 1);
    return this.extrasBase + (unit(h) < this.extrasFraction ? 1 : 0);
  }

  private hourPlan(sel: Selection, hour: number, now: number): HourPlan {
    const sensors: number[] = [];
    const extras: number[] = [];
    const edgeMul: number[] = [];
    const edgeZero: number[] = [];
    const innerMul: number[] = [];
    const innerAdd: number[] = [];
    let extrasTotal = 0;
    const day = floorDiv(hour, 24);
    if (!this.emptyDays.has(day)) {
      const inDay = hour - day * 24;
      for (const s of sel.sensors) {
        const [first, hours] = this.outage(s, day);
        if (inDay >= first && inDay < first + hours) continue;
        const key = this.writer.keys[s] as number;
        if (!hourVisible(this.visibility, key, hour, now)) continue;
        const n = this.extrasIn(key, hour);
        const h = hash4(this.config.seed ^ SALT_EXTRA, key, hour, 2);
        sensors.push(s);
        extras.push(n);
        edgeMul.push(EDGE_MULTIPLIERS[h & 7] as number);
        // The intervals either side of midnight always come first: day boundaries must be tested.
        edgeZero.push(inDay === 0 ? 0 : inDay === 23 ? EDGE_SLOTS - 1 : (h >>> 3) % EDGE_SLOTS);
        innerMul.push(INNER_MULTIPLIERS[(h >>> 8) & 15] as number);
        innerAdd.push((h >>> 12) % INNER_SLOTS);
        extrasTotal += n;
      }
    }
    return { hour, start: hour * HOUR_MS, sensors, extras, edgeMul, edgeZero, innerMul, innerAdd, extrasTotal };
  }

  private hasExtra(plan: HourPlan, k: number, j: number): boolean {
    const n = plan.extras[k] as number;
    if (n === 0) return false;
    if (n >= TICKS_PER_HOUR) return true;
    return (
      extraRank(j, plan.edgeMul[k] as number, plan.edgeZero[k] as number, plan.innerMul[k] as number, plan.innerAdd[k] as number) <
      n
    );
  }

  /** @internal indices into `plan.sensors` of the sensors with an extra record after tick `j`. */
  extraMembers(plan: HourPlan, j: number): number[] {
    const members: number[] = [];
    if (plan.extrasTotal === 0) return members;
    for (let k = 0; k < plan.sensors.length; k++) if (this.hasExtra(plan, k, j)) members.push(k);
    return members;
  }

  /** Timestamps (ticks + extras) of sensor `s` on day `day`, when the whole day is in range. */
  private dayTimestamps(s: number, day: number): number {
    if (this.emptyDays.has(day)) return 0;
    if (this.config.gapShare <= 0 && this.extrasBase === 0 && this.extrasFraction === 0) return TICKS_PER_DAY;
    const memoKey = day * 4096 + s;
    const memo = this.dayMemo.get(memoKey);
    if (memo !== undefined) return memo;
    const [first, hours] = this.outage(s, day);
    const key = this.writer.keys[s] as number;
    let total = 0;
    for (let h = 0; h < 24; h++) {
      if (h >= first && h < first + hours) continue;
      total += TICKS_PER_HOUR + this.extrasIn(key, day * 24 + h);
    }
    // Unbounded queries may touch thousands of days; keep the memo from growing without end.
    if (this.dayMemo.size >= 1_000_000) this.dayMemo.clear();
    this.dayMemo.set(memoKey, total);
    return total;
  }

  private dayRecords(sel: Selection, day: number): number {
    let total = 0;
    for (const s of sel.sensors) total += this.dayTimestamps(s, day);
    return total * 2 * sel.descriptors.length;
  }

  /** Records of an hour plan within [a, b] (both inside the plan's hour). */
  private hourRecords(plan: HourPlan, a: number, b: number, perSensor: number): number {
    const hs = plan.start;
    const firstTick = Math.ceil((a - hs) / TICK_MS);
    const lastTick = Math.floor((b - hs) / TICK_MS);
    let stamps = lastTick >= firstTick ? (lastTick - firstTick + 1) * plan.sensors.length : 0;
    if (plan.extrasTotal > 0) {
      if (a === hs && b === hs + HOUR_MS - 1) {
        stamps += plan.extrasTotal;
      } else {
        for (let j = Math.floor((a - hs) / TICK_MS); j <= lastTick && j < TICKS_PER_HOUR; j++) {
          const t = hs + j * TICK_MS + extraOffsetMs(plan.hour, j);
          if (t >= a && t <= b) stamps += this.extraMembers(plan, j).length;
        }
      }
    }
    return stamps * perSensor;
  }

  private clip(bounds: TimeBounds, now: number): [number, number] {
    const hi = visibleUntil(this.visibility, Math.min(bounds.to, this.config.end - 1), now);
    return [Math.max(bounds.from, this.config.start), hi];
  }

  /** Whether the day starting at `dayStart` lies whole in [t, hi] and can be counted from its memo. */
  private wholeDay(dayStart: number, t: number, hi: number, now: number): boolean {
    return t === dayStart && dayStart + DAY_MS - 1 <= hi && settledBefore(this.visibility, dayStart + DAY_MS, now);
  }

  /**
   * Number of records of `sel` with obTime in `bounds`, as seen at `now` (epoch ms; the
   * default, Infinity, sees every late hour and cuts nothing).
   */
  count(sel: Selection, bounds: TimeBounds, now = Infinity): number {
    const [lo, hi] = this.clip(bounds, now);
    const perSensor = 2 * sel.descriptors.length;
    if (lo > hi || sel.sensors.length === 0 || perSensor === 0) return 0;
    let total = 0;
    let t = lo;
    while (t <= hi) {
      const dayStart = floorDiv(t, DAY_MS) * DAY_MS;
      if (this.wholeDay(dayStart, t, hi, now)) {
        total += this.dayRecords(sel, dayStart / DAY_MS);
        t = dayStart + DAY_MS;
        continue;
      }
      const hour = floorDiv(t, HOUR_MS);
      const hourEnd = (hour + 1) * HOUR_MS - 1;
      total += this.hourRecords(this.hourPlan(sel, hour, now), t, Math.min(hi, hourEnd), perSensor);
      t = hourEnd + 1;
    }
    return total;
  }

  private locate(sel: Selection, lo: number, hi: number, skip: number, now: number): CursorStart | undefined {
    const perSensor = 2 * sel.descriptors.length;
    let t = lo;
    while (t <= hi) {
      const dayStart = floorDiv(t, DAY_MS) * DAY_MS;
      if (this.wholeDay(dayStart, t, hi, now)) {
        const records = this.dayRecords(sel, dayStart / DAY_MS);
        if (records <= skip) {
          skip -= records;
          t = dayStart + DAY_MS;
          continue;
        }
      }
      const hour = floorDiv(t, HOUR_MS);
      const hs = hour * HOUR_MS;
      const b = Math.min(hi, hs + HOUR_MS - 1);
      const plan = this.hourPlan(sel, hour, now);
      const records = this.hourRecords(plan, t, b, perSensor);
      if (records <= skip) {
        skip -= records;
        t = hs + HOUR_MS;
        continue;
      }
      for (let j = Math.floor((t - hs) / TICK_MS); j < TICKS_PER_HOUR; j++) {
        const tick = hs + j * TICK_MS;
        if (tick >= t && tick <= b) {
          const size = plan.sensors.length * perSensor;
          if (size > skip) return { plan, j, phase: 0, member: skip };
          skip -= size;
        }
        const extra = tick + extraOffsetMs(hour, j);
        if (extra >= t && extra <= b) {
          const size = this.extraMembers(plan, j).length * perSensor;
          if (size > skip) return { plan, j, phase: 1, member: skip };
          skip -= size;
        }
      }
      throw new Error(`internal: hour ${hour} holds ${records} records but its groups fewer`);
    }
    return undefined;
  }

  /**
   * A cursor over the records of `sel` in `bounds`, in UDL order, skipping the first
   * `firstResult` and yielding at most `maxResults`, as seen at `now` (see {@link count}).
   */
  cursor(sel: Selection, bounds: TimeBounds, firstResult: number, maxResults: number, now = Infinity): RecordCursor {
    const [lo, hi] = this.clip(bounds, now);
    const empty = lo > hi || sel.sensors.length === 0 || sel.descriptors.length === 0 || maxResults <= 0;
    const start = empty ? undefined : this.locate(sel, lo, hi, firstResult, now);
    return new RecordCursor(this, sel, hi, now, start, maxResults);
  }

  /** @internal used by {@link RecordCursor}: the next hour from `hour` with any sensor available. */
  nextPlan(sel: Selection, hour: number, hi: number, now: number): HourPlan | undefined {
    for (let h = hour; h * HOUR_MS <= hi; h++) {
      const plan = this.hourPlan(sel, h, now);
      if (plan.sensors.length > 0) return plan;
    }
    return undefined;
  }
}
