/**
 * Duplicate, conflicting and malformed records, for tests of a client's defences. Which
 * regular (5 s) records are affected is decided per series-hour (sensor, dosimeter,
 * descriptor, hour): a seeded number of the hour's 720 ticks, picked by a seeded permutation,
 * so an hour's extra rows are known without visiting its ticks and any tick can be asked on
 * its own. Sub-second extras are never affected. Pure.
 */

import { hash4, mix32, unit } from './hash.js';
import { TICKS_PER_HOUR } from './timeline.js';

/** Shares (0..1, summing to at most 1) of regular records of each kind. */
export interface VariantShares {
  /** Sent twice in a row, byte-identical. */
  readonly duplicate: number;
  /** Followed by a second record with the same id and another obValue. */
  readonly conflict: number;
  /** obTime replaced by a string of the right shape that is not a time. */
  readonly badObTime: number;
}

export const VARIANT_NONE = 0;
export const VARIANT_DUPLICATE = 1;
export const VARIANT_CONFLICT = 2;
export const VARIANT_BAD_TIME = 3;
export type VariantKind = typeof VARIANT_NONE | typeof VARIANT_DUPLICATE | typeof VARIANT_CONFLICT | typeof VARIANT_BAD_TIME;

const SALT_VARIANT = 0x72be5d74;
const SALT_BAD_TIME = 0x80deb1fe;
// Coprime with 720 = 2^4 * 3^2 * 5, so j -> (j * m + a) mod 720 is a permutation of the ticks.
const MULTIPLIERS = [1, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 49, 53, 59];
/** Per series: multiplier, addend, then the end ranks of duplicates, conflicts and bad times. */
const FIELDS = 5;

export function variantsOn(shares: VariantShares): boolean {
  return shares.duplicate > 0 || shares.conflict > 0 || shares.badObTime > 0;
}

/** floor(share * 720) ticks, plus one with the probability of the remainder. */
function ticksOf(share: number, draw: number): number {
  const exact = share * TICKS_PER_HOUR;
  const whole = Math.floor(exact);
  return whole + (unit(draw) < exact - whole ? 1 : 0);
}

/**
 * The variants of the plan sensors of one hour, for the selected descriptors; series are
 * indexed like a sensor's rows: `r = dose * descriptors + d`.
 */
export class HourVariants {
  /** Rows per plan sensor and tick before duplicates: 2 dosimeters x selected descriptors. */
  readonly perSensor: number;
  /** Duplicate and conflict rows of the whole hour, over all plan sensors. */
  readonly extraRowsTotal: number;
  private readonly params: Int32Array;

  /**
   * @param sensorKeys hash keys of the plan's sensors
   * @param descriptorKeys hash keys of the selected descriptors, in selection order
   */
  constructor(shares: VariantShares, seed: number, sensorKeys: readonly number[], descriptorKeys: readonly number[], hour: number) {
    this.perSensor = 2 * descriptorKeys.length;
    this.params = new Int32Array(sensorKeys.length * this.perSensor * FIELDS);
    let total = 0;
    let i = 0;
    for (const key of sensorKeys) {
      for (let dose = 0; dose < 2; dose++) {
        for (const descKey of descriptorKeys) {
          const h = hash4(seed ^ SALT_VARIANT, key, hour, descKey ^ Math.imul(dose + 1, 0x9e3779b1));
          const dup = Math.min(TICKS_PER_HOUR, ticksOf(shares.duplicate, mix32(h ^ 1)));
          const conf = Math.min(TICKS_PER_HOUR, dup + ticksOf(shares.conflict, mix32(h ^ 2)));
          const bad = Math.min(TICKS_PER_HOUR, conf + ticksOf(shares.badObTime, mix32(h ^ 3)));
          this.params.set([MULTIPLIERS[h & 15] as number, (h >>> 4) % TICKS_PER_HOUR, dup, conf, bad], i);
          i += FIELDS;
          total += conf;
        }
      }
    }
    this.extraRowsTotal = total;
  }

  /** The variant of row `r` of plan sensor `k` at tick `j` of the hour. */
  kind(k: number, r: number, j: number): VariantKind {
    const p = (k * this.perSensor + r) * FIELDS;
    const params = this.params;
    const rank = (j * (params[p] as number) + (params[p + 1] as number)) % TICKS_PER_HOUR;
    if (rank < (params[p + 2] as number)) return VARIANT_DUPLICATE;
    if (rank < (params[p + 3] as number)) return VARIANT_CONFLICT;
    return rank < (params[p + 4] as number) ? VARIANT_BAD_TIME : VARIANT_NONE;
  }

  /** Rows of plan sensor `k` at tick `j`, duplicates and conflicts included. */
  rows(k: number, j: number): number {
    let rows = this.perSensor;
    for (let r = 0; r < this.perSensor; r++) {
      const kind = this.kind(k, r, j);
      if (kind === VARIANT_DUPLICATE || kind === VARIANT_CONFLICT) rows++;
    }
    return rows;
  }
}

/** How many rows a record of this kind takes: duplicates and conflicts come in pairs. */
export function rowsOf(kind: VariantKind): 1 | 2 {
  return kind === VARIANT_DUPLICATE || kind === VARIANT_CONFLICT ? 2 : 1;
}

/**
 * A 24-character string ending in `Z` that is not a time, in place of `obTime` (a valid
 * `YYYY-MM-DDTHH:MM:SS.mmmZ`): out-of-range fields, hour 24 with minutes, or February 30th,
 * which lenient parsers such as `Date.parse` silently roll over into March.
 */
export function badObTime(obTime: string, draw: number): string {
  const year = obTime.slice(0, 4);
  switch (mix32(draw ^ SALT_BAD_TIME) % 3) {
    case 0:
      return `${year}-13-45T99:99:99.999Z`;
    case 1:
      return `${year}-02-30${obTime.slice(10)}`;
    default:
      return `${obTime.slice(0, 11)}24:${obTime.slice(14, 16) === '00' ? '30' : obTime.slice(14, 16)}${obTime.slice(16)}`;
  }
}

/** The other obValue a conflicting twin carries: never equal to the first one. */
export function conflictValue(value: number): number {
  return value > 0 ? value * 2 : value === 0 ? 1e-7 : 0;
}
