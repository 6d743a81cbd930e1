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
 * descriptor (in configured order). A duplicated or conflicting record is followed right away
 * by its twin, and counted twice, as UDL counts rows.
 */

import { RecordCursor } from './cursor.js';
import { HourPlanner, type HourPlan } from './plan.js';
import type { TimeBounds } from './query.js';
import { DATA_MODE, RecordWriter, SOURCE, type Selection } from './records.js';
import type { SensorSpec } from './sensors.js';
import { DAY_MS, extraOffsetMs, floorDiv, HOUR_MS, TICK_MS, TICKS_PER_HOUR } from './timeline.js';
import { settledBefore, visibleUntil, type VisibilityConfig } from './visibility.js';

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
  /** Share (0..1) of regular records sent twice in a row, byte-identical. Default 0. */
  readonly duplicateShare?: number;
  /** Share (0..1) of regular records followed by a twin with the same id and another obValue. Default 0. */
  readonly conflictShare?: number;
  /** Share (0..1) of regular records whose obTime is not a time. Default 0. */
  readonly badObTimeShare?: number;
}

/** Exact-match filters of a query; `undefined` = no filter. */
export interface RecordFilter {
  readonly idSensor?: string | undefined;
  readonly source?: string | undefined;
  readonly dataMode?: string | undefined;
  readonly descriptor?: string | undefined;
}

const EMPTY_SELECTION: Selection = { sensors: [], descriptors: [] };

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
  /** @internal used by {@link RecordCursor} to find sub-second extras. */
  readonly planner: HourPlanner;
  private readonly visibility: VisibilityConfig;

  constructor(private readonly config: DatasetConfig) {
    this.sensorIds = config.sensors.map((s) => s.id);
    this.descriptors = [...config.descriptors];
    this.writer = new RecordWriter(config.sensors, config.descriptors);
    this.visibility = {
      realtime: config.realtime ?? false,
      lateShare: config.lateShare ?? 0,
      lateMs: config.lateMs ?? 0,
      seed: config.seed,
    };
    const variants = {
      duplicate: config.duplicateShare ?? 0,
      conflict: config.conflictShare ?? 0,
      badObTime: config.badObTimeShare ?? 0,
    };
    this.planner = new HourPlanner({ ...config, visibility: this.visibility, variants }, this.writer.keys, this.writer.descriptorKeys);
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

  /** Records of `sel` on a whole, settled day. */
  private dayRecords(sel: Selection, day: number): number {
    let total = 0;
    for (const s of sel.sensors) total += this.planner.dayTimestamps(s, day);
    total *= 2 * sel.descriptors.length;
    if (this.planner.hasVariants) {
      for (const s of sel.sensors) for (const di of sel.descriptors) total += this.planner.dayVariantRows(s, di, day);
    }
    return total;
  }

  /** Rows of the tick group `j` of a plan: every plan sensor's records, duplicates and conflicts included. */
  private tickRows(plan: HourPlan, j: number, perSensor: number): number {
    const variants = plan.variants;
    if (variants === undefined) return plan.sensors.length * perSensor;
    let rows = 0;
    for (let k = 0; k < plan.sensors.length; k++) rows += variants.rows(k, j);
    return rows;
  }

  /** Records of an hour plan within [a, b] (both inside the plan's hour). */
  private hourRecords(plan: HourPlan, a: number, b: number, perSensor: number): number {
    const hs = plan.start;
    const firstTick = Math.ceil((a - hs) / TICK_MS);
    const lastTick = Math.floor((b - hs) / TICK_MS);
    const whole = a === hs && b === hs + HOUR_MS - 1;
    let stamps = lastTick >= firstTick ? (lastTick - firstTick + 1) * plan.sensors.length : 0;
    if (plan.extrasTotal > 0) {
      if (whole) {
        stamps += plan.extrasTotal;
      } else {
        for (let j = Math.floor((a - hs) / TICK_MS); j <= lastTick && j < TICKS_PER_HOUR; j++) {
          const t = hs + j * TICK_MS + extraOffsetMs(plan.hour, j);
          if (t >= a && t <= b) stamps += this.planner.extraMembers(plan, j).length;
        }
      }
    }
    let records = stamps * perSensor;
    if (plan.variants !== undefined) {
      if (whole) records += plan.variants.extraRowsTotal;
      else for (let j = firstTick; j <= lastTick; j++) records += this.tickRows(plan, j, perSensor) - plan.sensors.length * perSensor;
    }
    return records;
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
      total += this.hourRecords(this.planner.plan(sel, hour, now), t, Math.min(hi, hourEnd), perSensor);
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
      const plan = this.planner.plan(sel, hour, now);
      const records = this.hourRecords(plan, t, b, perSensor);
      if (records <= skip) {
        skip -= records;
        t = hs + HOUR_MS;
        continue;
      }
      for (let j = Math.floor((t - hs) / TICK_MS); j < TICKS_PER_HOUR; j++) {
        const tick = hs + j * TICK_MS;
        if (tick >= t && tick <= b) {
          const size = this.tickRows(plan, j, perSensor);
          if (size > skip) return { plan, j, phase: 0, member: skip };
          skip -= size;
        }
        const extra = tick + extraOffsetMs(hour, j);
        if (extra >= t && extra <= b) {
          const size = this.planner.extraMembers(plan, j).length * perSensor;
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
      const plan = this.planner.plan(sel, h, now);
      if (plan.sensors.length > 0) return plan;
    }
    return undefined;
  }
}
