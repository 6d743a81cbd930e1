/**
 * The skeleton of a nested value: its bytes with the scalars it was read for cut out. A column's values
 * mostly share one skeleton with other scalars in it (every seoList cell of a day is
 * `[{"obType":"Energetic Charged Particle","obUoM":"rad/second","obValue":<n>,"obQuality":<s>,...}]`).
 * A walk is a left-to-right function of the bytes, so a value whose bytes outside those scalars equal
 * the skeleton's, and whose scalars start as the skeleton's did, is walked exactly as the value it came
 * from: its scalars are at the same places and feed the same paths, and can be read without the walk
 * (nested.ts).
 */
import { bytesEqual, viewOf } from './bytes-equal.js';

export class Skeleton {
  /** The bytes outside the scalars: segment s is view[seg[s], seg[s + 1]), one more segment than scalars. */
  private readonly view: DataView;

  private constructor(
    /** The bytes outside the scalars, segment after segment. */
    readonly bytes: Buffer,
    /** Segment s is bytes[seg[s], seg[s + 1]). */
    readonly seg: readonly number[],
    /** Per scalar: the paths that end at it (a bit each). */
    readonly masks: readonly number[],
    /** Per scalar: its opening quote or apostrophe, or 0 for a bare word. */
    readonly openers: readonly number[],
    /** The quote width of the value it came from (2 in a CSV cell). */
    readonly dq: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.fed = masks.reduce((all, m) => all | m, 0);
  }

  /** The paths its scalars feed, all together (a bit each). */
  readonly fed: number;

  /** Scalars in the skeleton. */
  get scalars(): number {
    return this.masks.length;
  }

  /**
   * The skeleton of buf[from, to), whose scalars s are at [starts[s], ends[s]) in order, read for the
   * paths in masks[s].
   */
  static of(buf: Buffer, from: number, to: number, dq: number, starts: readonly number[], ends: readonly number[], masks: readonly number[]): Skeleton {
    const n = masks.length;
    let size = to - from;
    for (let s = 0; s < n; s++) size -= ends[s]! - starts[s]!;
    // Its own memory (not a slice of the shared pool): it may outlive many values.
    const bytes = Buffer.allocUnsafeSlow(size);
    const seg = [0];
    const openers: number[] = [];
    let p = from;
    for (let s = 0; s <= n; s++) {
      const stop = s < n ? starts[s]! : to;
      buf.copy(bytes, seg[s]!, p, stop);
      seg.push(seg[s]! + stop - p);
      if (s < n) {
        const c = buf[starts[s]!]!;
        openers.push(c === 0x22 || c === 0x27 ? c : 0);
        p = ends[s]!;
      }
    }
    return new Skeleton(bytes, seg, [...masks], openers, dq);
  }

  /** Where segment s ends when its bytes are at buf[p...) (not past `to`); -1 when they are not. */
  segmentAt(s: number, buf: Buffer, p: number, to: number): number {
    const a = this.seg[s]!;
    const n = this.seg[s + 1]! - a;
    if (p + n > to) return -1;
    return bytesEqual(viewOf(buf), p, this.view, a, n) ? p + n : -1;
  }
}

/**
 * Whether a walk reads a bare word starting with byte c as it read one before: not a blank (skipped
 * first), not a bracket (a nested value), not a quote (a string), not a separator (an empty value).
 */
export function startsWord(c: number): boolean {
  return !(
    c < 0 ||
    c === 0x20 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x09 ||
    c === 0x5b ||
    c === 0x7b ||
    c === 0x28 ||
    c === 0x22 ||
    c === 0x27 ||
    c === 0x2c ||
    c === 0x5d ||
    c === 0x7d ||
    c === 0x29 ||
    c === 0x3a
  );
}
