/**
 * Strings for short cells that repeat (idSensor, observatoryName, obTime, obDescription, obQuality...):
 * a small direct-mapped cache from bytes to the string made of them last time, so a day's 1.1 million
 * records make a few hundred of those strings instead of a million each, and the garbage collector has
 * that much less to do. The two values looked up last are checked first (obTime repeats 64 times in a
 * row; a sensor's two dosimeter descriptions alternate).
 * Keys live in one preallocated slab, so a miss costs the string and a copy of the bytes, no allocation
 * besides; a cache that misses more often than it hits over its first lookups (a column of numbers)
 * turns itself off (trial.ts).
 */
import { bytesEqual, viewOf } from './bytes-equal.js';
import { Trial } from './trial.js';

const SLOTS = 256;
/** Longer values are not cached (ids, long texts: they rarely repeat). */
const MAX_BYTES = 64;

export class TextCache {
  private readonly texts: string[] = new Array<string>(SLOTS).fill('');
  /** Per slot: the key's length (-1: empty); its bytes at slab[slot * MAX_BYTES...]. */
  private readonly lengths = new Int32Array(SLOTS).fill(-1);
  private readonly slab = Buffer.alloc(SLOTS * MAX_BYTES);
  private readonly slabView = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.byteLength);
  private readonly trial = new Trial();
  /** The slots of the values looked up last and the time before (two values often alternate). */
  private lastSlot = -1;
  private lastButOne = -1;

  /**
   * The UTF-8 text of buf[from, to). `changed`: the caller knows these bytes differ from the value it
   * looked up last (a CSV cell the scanner did not mark as the row above's), so the two recent values are
   * not compared first; it only saves time, a wrong hint gives the same string.
   */
  get(buf: Buffer, from: number, to: number, changed = false): string {
    const n = to - from;
    if (!this.trial.on || n > MAX_BYTES) return buf.toString('utf8', from, to);
    const view = viewOf(buf);
    const last = this.lastSlot;
    const before = this.lastButOne;
    this.lastButOne = last;
    if (!changed) {
      if (last >= 0 && this.lengths[last] === n && bytesEqual(view, from, this.slabView, last * MAX_BYTES, n)) {
        this.lastButOne = before;
        this.trial.note(true);
        return this.texts[last]!;
      }
      if (before >= 0 && this.lengths[before] === n && bytesEqual(view, from, this.slabView, before * MAX_BYTES, n)) {
        this.trial.note(true);
        this.lastSlot = before;
        return this.texts[before]!;
      }
    }
    // The slot from every byte: values of one column may differ in one letter anywhere ("DOSE1 (Flavor
    // X)" and "DOSE2 (Flavor W)" alternate), and two that share a slot would evict each other every time.
    // Four bytes at a time (a createdAt is 24 bytes, looked up for half a day's million rows).
    let h = n;
    let k = from;
    for (; k + 4 <= to; k += 4) h = Math.imul(h ^ view.getInt32(k), 0x9e3779b1);
    for (; k < to; k++) h = Math.imul(h, 31) + buf[k]!;
    const slot = Math.imul(h ^ (h >>> 15), 0x9e3779b1) >>> 24;
    this.lastSlot = slot;
    if (this.trial.note(this.lengths[slot] === n && bytesEqual(view, from, this.slabView, slot * MAX_BYTES, n))) return this.texts[slot]!;
    const text = buf.toString('utf8', from, to);
    buf.copy(this.slab, slot * MAX_BYTES, from, to);
    this.lengths[slot] = n;
    this.texts[slot] = text;
    return text;
  }
}
