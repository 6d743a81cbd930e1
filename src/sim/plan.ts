/**
 * What each sensor-hour holds: whether the sensor is available (empty days, outages, late
 * hours not yet arrived), how many sub-second extras it has and where, and which of its
 * records are duplicated, conflicting or malformed. Whole sensor-days are totalled from
 * these per-hour draws and memoised, so counting a day never visits its ticks.
 */

import { hash4, unit } from './hash.js';
import type { Selection } from './records.js';
import {
  EDGE_MULTIPLIERS,
  EDGE_SLOTS,
  extraRank,
  floorDiv,
  HOUR_MS,
  INNER_MULTIPLIERS,
  INNER_SLOTS,
  TICKS_PER_DAY,
  TICKS_PER_HOUR,
} from './timeline.js';
import { HourVariants, variantsOn, type VariantShares } from './variants.js';
import { hourVisible, type VisibilityConfig } from './visibility.js';

/** The draws that shape availability and extras; see {@link DatasetConfig} for each field. */
export interface PlannerConfig {
  readonly seed: number;
  readonly gapShare: number;
  readonly emptyDays: readonly number[];
  readonly subSecondShare: number;
  readonly visibility: VisibilityConfig;
  readonly variants: VariantShares;
}

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
  /** Duplicates, conflicts and bad times of the plan's ticks; undefined when none are configured. */
  readonly variants: HourVariants | undefined;
}

export class HourPlanner {
  private readonly seed: number;
  private readonly gapShare: number;
  private readonly emptyDays: ReadonlySet<number>;
  private readonly extrasBase: number;
  private readonly extrasFraction: number;
  private readonly visibility: VisibilityConfig;
  private readonly variantShares: VariantShares | undefined;
  private readonly dayMemo = new Map<number, number>();
  /** Duplicate and conflict rows per (day, sensor, descriptor). */
  private readonly variantMemo = new Map<number, number>();

  /**
   * @param keys hash key of each sensor
   * @param descriptorKeys hash key of each descriptor
   */
  constructor(
    config: PlannerConfig,
    private readonly keys: readonly number[],
    private readonly descriptorKeys: readonly number[],
  ) {
    this.seed = config.seed;
    this.gapShare = config.gapShare;
    this.emptyDays = new Set(config.emptyDays);
    const perHour = config.subSecondShare * TICKS_PER_HOUR;
    this.extrasBase = Math.floor(perHour);
    this.extrasFraction = perHour - this.extrasBase;
    this.visibility = config.visibility;
    this.variantShares = variantsOn(config.variants) ? config.variants : undefined;
  }

  /** The outage of a sensor on a day, as [first hour, number of hours]. */
  outage(s: number, day: number): [number, number] {
    const share = this.gapShare;
    if (share <= 0) return [0, 0];
    if (share >= 1) return [0, 24];
    const key = this.keys[s] as number;
    // A per-sensor flakiness times a per-day draw: some sensors are worse than others, and a
    // days x sensors heatmap shows rows and blotches rather than uniform noise.
    const flaky = 2 * unit(hash4(this.seed ^ SALT_FLAKY, key));
    const today = 2 * unit(hash4(this.seed ^ SALT_OUTAGE, key, day));
    const hours = Math.round(24 * Math.min(1, share * flaky * today));
    const first = hours === 24 ? 0 : hash4(this.seed ^ SALT_OUTAGE, key, day, 1) % (25 - hours);
    return [first, hours];
  }

  private extrasIn(key: number, hour: number): number {
    if (this.extrasBase === 0 && this.extrasFraction === 0) return 0;
    const h = hash4(this.seed ^ SALT_EXTRA, key, hour, 1);
    return this.extrasBase + (unit(h) < this.extrasFraction ? 1 : 0);
  }

  /** The sensors of `sel` available during `hour` as seen at `now`, with their extras and variants. */
  plan(sel: Selection, hour: number, now: number): HourPlan {
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
        const key = this.keys[s] as number;
        if (!hourVisible(this.visibility, key, hour, now)) continue;
        const n = this.extrasIn(key, hour);
        const h = hash4(this.seed ^ SALT_EXTRA, key, hour, 2);
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
    const variants =
      this.variantShares === undefined || sensors.length === 0
        ? undefined
        : new HourVariants(
            this.variantShares,
            this.seed,
            sensors.map((s) => this.keys[s] as number),
            sel.descriptors.map((di) => this.descriptorKeys[di] as number),
            hour,
          );
    return { hour, start: hour * HOUR_MS, sensors, extras, edgeMul, edgeZero, innerMul, innerAdd, extrasTotal, variants };
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

  /** Indices into `plan.sensors` of the sensors with an extra record after tick `j`. */
  extraMembers(plan: HourPlan, j: number): number[] {
    const members: number[] = [];
    if (plan.extrasTotal === 0) return members;
    for (let k = 0; k < plan.sensors.length; k++) if (this.hasExtra(plan, k, j)) members.push(k);
    return members;
  }

  /** Timestamps (ticks + extras) of sensor `s` on day `day`, when the whole day is in range. */
  dayTimestamps(s: number, day: number): number {
    if (this.emptyDays.has(day)) return 0;
    if (this.gapShare <= 0 && this.extrasBase === 0 && this.extrasFraction === 0) return TICKS_PER_DAY;
    const memoKey = day * 4096 + s;
    const memo = this.dayMemo.get(memoKey);
    if (memo !== undefined) return memo;
    const [first, hours] = this.outage(s, day);
    const key = this.keys[s] as number;
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

  /** Whether any duplicates, conflicts or bad times are configured. */
  get hasVariants(): boolean {
    return this.variantShares !== undefined;
  }

  /** Duplicate and conflict rows of sensor `s` and descriptor `di` on a whole, settled day. */
  dayVariantRows(s: number, di: number, day: number): number {
    const shares = this.variantShares;
    if (shares === undefined) return 0;
    const memoKey = (day * 4096 + s) * this.descriptorKeys.length + di;
    const memo = this.variantMemo.get(memoKey);
    if (memo !== undefined) return memo;
    let total = 0;
    if (!this.emptyDays.has(day)) {
      const [first, hours] = this.outage(s, day);
      const keys = [this.keys[s] as number];
      const descriptorKeys = [this.descriptorKeys[di] as number];
      for (let h = 0; h < 24; h++) {
        if (h >= first && h < first + hours) continue;
        total += new HourVariants(shares, this.seed, keys, descriptorKeys, day * 24 + h).extraRowsTotal;
      }
    }
    if (this.variantMemo.size >= 1_000_000) this.variantMemo.clear();
    this.variantMemo.set(memoKey, total);
    return total;
  }
}
