/**
 * The simulator's time grid: one tick every 5 s, and where the sub-second "extra" records
 * fall between ticks. Pure arithmetic shared by counting and paging.
 */

import { hash4 } from './hash.js';

export const TICK_MS = 5_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const TICKS_PER_HOUR = 720;
export const TICKS_PER_DAY = 17_280;

// Per hour, 24 of the 720 inter-tick intervals touch a 5-minute boundary ("edge" intervals);
// extras go there first, so that even a small share exercises boundary handling.
const TICKS_PER_WINDOW = 60;
export const EDGE_SLOTS = 24;
export const INNER_SLOTS = TICKS_PER_HOUR - EDGE_SLOTS;
export const EDGE_MULTIPLIERS = [1, 5, 7, 11, 13, 17, 19, 23];
// Coprime with 696 = 2^3 * 3 * 29, so i -> i * m mod 696 is a permutation.
export const INNER_MULTIPLIERS = [1, 5, 7, 11, 13, 17, 19, 23, 25, 31, 35, 37, 41, 43, 47, 49];

const SALT_OFFSET = 0xa54ff53a;

export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Offset in ms of the extras after tick `j` of hour `hour`; strictly between two ticks. */
export function extraOffsetMs(hour: number, j: number): number {
  const w = j % TICKS_PER_WINDOW;
  if (w === TICKS_PER_WINDOW - 1) return TICK_MS - 1;
  // Alternate boundary + 1 ms and boundary + 500 ms; the first window of a day gets + 1 ms.
  if (w === 0) return ((hour * 12 + j / TICKS_PER_WINDOW) & 1) === 0 ? 1 : 500;
  return 1 + (hash4(SALT_OFFSET, hour, j) % (TICK_MS - 1));
}

/**
 * Rank of interval `j` in an hour's extras order (extras fill ranks 0..n-1): edge intervals
 * interleaved with inner ones, each shuffled by a per-sensor-hour permutation.
 */
export function extraRank(j: number, edgeMul: number, edgeZero: number, innerMul: number, innerAdd: number): number {
  const w = j % TICKS_PER_WINDOW;
  const window = (j - w) / TICKS_PER_WINDOW;
  if (w === 0 || w === TICKS_PER_WINDOW - 1) {
    const edge = window * 2 + (w === 0 ? 0 : 1);
    return (((edge - edgeZero + EDGE_SLOTS) % EDGE_SLOTS) * edgeMul % EDGE_SLOTS) * 2;
  }
  const inner = ((window * (TICKS_PER_WINDOW - 2) + w - 1) * innerMul + innerAdd) % INNER_SLOTS;
  return inner < EDGE_SLOTS ? inner * 2 + 1 : inner + EDGE_SLOTS;
}
