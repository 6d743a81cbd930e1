/**
 * The builder's cells -> the product's arrays (PROCESSING.md 3.5, 3.6): times in order, sensors sorted
 * as strings, each sensor's descriptions sorted into flavor slots padded with '' to the widest sensor.
 * Each output array is its grid array rewritten in place through the three permutations; absent cells stay fill.
 */
import { FILL, type Grid } from './grid.js';

/** The day's L1C content, ready for l1cCdfSpec. Arrays are row-major: [time][sensor][slot] or [time][sensor]. */
export interface L1cProduct {
  day: string;
  /** The records' descriptor (QUICKLOOK, PROVISIONAL, ...): the UDL_Source attribute. */
  udlSource: string;
  /** TT2000 ns per time, increasing. */
  epoch: BigInt64Array;
  /** `REACH-nnn`, sorted as strings. */
  sensorLabels: string[];
  /** The numbers after `REACH-`. */
  sensorIds: Int32Array;
  /** Flavor slots per sensor (F): the most distinct descriptions any sensor has. */
  flavorSlots: number;
  /** [sensor][slot] descriptions, '' in padding slots. */
  flavors: string[];
  /** Seconds between the first two times (`5s`); the nominal `5s` when there is one time. */
  resolution: string;
  doseRate: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  alt: Float64Array;
  obQuality: Float64Array;
  sensorPositionX: Float64Array;
  sensorPositionY: Float64Array;
  sensorPositionZ: Float64Array;
}

export interface AssembleInput {
  day: string;
  udlSource: string;
  grid: Grid;
  /** Per grid row. */
  rows: { tt: bigint; text: string }[];
  /** Per grid column: label, number, descriptions in slot order (none: only records outside the day). */
  sensors: { label: string; num: number; descriptions: string[] }[];
}

const NOMINAL_RESOLUTION = '5s';
const NS_PER_S = 1_000_000_000n;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** ns -> `<seconds>s`, exact: 5000000000 -> `5s`, 2500000000 -> `2.5s`. */
export function formatResolution(ns: bigint): string {
  const whole = ns / NS_PER_S;
  const fraction = (ns % NS_PER_S).toString().padStart(9, '0').replace(/0+$/, '');
  return `${whole}${fraction === '' ? '' : `.${fraction}`}s`;
}

/**
 * Rewrites `a`, laid out [row][oldWidth], as [row][cellMap.length] in rowOrder, in place: first each row
 * through cellMap (new position in the row -> old position, -1 = fill), compacting toward the front (a
 * row's new place never reaches past its old one), then the rows by cycles of the permutation. In place
 * because fresh pages are what an ALL day's 40 MB of output would cost most.
 */
function relayoutInPlace(a: Float64Array, rows: number, oldWidth: number, cellMap: Int32Array, rowOrder: readonly number[]): Float64Array {
  const width = cellMap.length;
  const row = new Float64Array(Math.max(oldWidth, width));
  for (let r = 0; r < rows; r++) {
    row.set(a.subarray(r * oldWidth, (r + 1) * oldWidth));
    const to = r * width;
    for (let c = 0; c < width; c++) {
      const from = cellMap[c]!;
      a[to + c] = from < 0 ? FILL : row[from]!;
    }
  }
  const placed = new Uint8Array(rows);
  for (let t0 = 0; t0 < rows; t0++) {
    if (placed[t0] === 1) continue;
    placed[t0] = 1;
    if (rowOrder[t0] === t0) continue;
    row.set(a.subarray(t0 * width, (t0 + 1) * width));
    for (let t = t0; ; ) {
      const source = rowOrder[t]!;
      if (source === t0) {
        a.set(row.subarray(0, width), t * width);
        break;
      }
      a.copyWithin(t * width, source * width, (source + 1) * width);
      placed[source] = 1;
      t = source;
    }
  }
  return a.subarray(0, rows * width);
}

/** The product's arrays, made from the grid's in place: the grid is spent afterwards. */
export function assemble(input: AssembleInput): L1cProduct {
  const { grid } = input;
  // Chronological, then by text: equal to sorting the texts when they share one format (UDL's), and a
  // monotonic Epoch when they do not.
  const rowOrder = input.rows.map((_, r) => r).sort((a, b) => {
    const ta = input.rows[a]!;
    const tb = input.rows[b]!;
    return ta.tt < tb.tt ? -1 : ta.tt > tb.tt ? 1 : byText(ta.text, tb.text);
  });
  const columns = input.sensors
    .map((s, col) => ({ ...s, col }))
    .filter((s) => s.descriptions.length > 0)
    .sort((a, b) => byText(a.label, b.label));
  const F = Math.max(...columns.map((c) => c.descriptions.length));
  // Per output sensor and flavor slot: the grid slot, or -1 for padding.
  const slotMaps = columns.map((c) => {
    const order = c.descriptions.map((_, s) => s).sort((a, b) => byText(c.descriptions[a]!, c.descriptions[b]!));
    return Array.from({ length: F }, (_, f) => order[f] ?? -1);
  });
  const T = rowOrder.length;
  const S = columns.length;
  const { sensorCap, slotCap } = grid;
  const doseMap = new Int32Array(S * F);
  columns.forEach((c, s) => slotMaps[s]!.forEach((slot, f) => (doseMap[s * F + f] = slot < 0 ? -1 : c.col * slotCap + slot)));
  const sensorMap = Int32Array.from(columns, (c) => c.col);
  const doseRate = relayoutInPlace(grid.dose, T, sensorCap * slotCap, doseMap, rowOrder);
  const [lat, lon, alt, obQuality, x, y, z] = grid.perSensor.map((a) => relayoutInPlace(a, T, sensorCap, sensorMap, rowOrder)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const epoch = BigInt64Array.from(rowOrder, (r) => input.rows[r]!.tt);
  const [first, second] = epoch;
  return {
    day: input.day,
    udlSource: input.udlSource,
    epoch,
    sensorLabels: columns.map((c) => c.label),
    sensorIds: Int32Array.from(columns, (c) => c.num),
    flavorSlots: F,
    flavors: columns.flatMap((c, s) => slotMaps[s]!.map((slot) => (slot < 0 ? '' : c.descriptions[slot]!))),
    resolution: first !== undefined && second !== undefined ? formatResolution(second - first) : NOMINAL_RESOLUTION,
    doseRate,
    lat,
    lon,
    alt,
    obQuality,
    sensorPositionX: x,
    sensorPositionY: y,
    sensorPositionZ: z,
  };
}
