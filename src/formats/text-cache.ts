/**
 * Strings for short cells that repeat (idSensor, observatoryName, obDescription, obQuality...): a small
 * direct-mapped cache from bytes to the string made of them last time, so a day's 1.1 million records
 * make a few hundred of those strings instead of a million each, and the garbage collector has that much
 * less to do. A miss costs a hash and a copy of the bytes, so a cache that misses more often than it
 * hits over its first lookups (a column of numbers) turns itself off.
 */

const SLOTS = 256;
/** Lookups before the cache judges whether it pays. */
const TRIAL = 1024;

export class TextCache {
  private readonly texts: Array<string | undefined> = new Array(SLOTS);
  private readonly keys: Array<Buffer | undefined> = new Array(SLOTS);
  private lookups = 0;
  private hits = 0;
  private on = true;

  /** The UTF-8 text of buf[from, to). */
  get(buf: Buffer, from: number, to: number): string {
    if (!this.on) return buf.toString('utf8', from, to);
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const slot = (h ^ (h >>> 16)) & (SLOTS - 1);
    const key = this.keys[slot];
    if (++this.lookups === TRIAL) this.on = this.hits * 2 >= TRIAL;
    if (key !== undefined && key.length === to - from) {
      let same = true;
      for (let j = 0; j < key.length && same; j++) same = key[j] === buf[from + j];
      if (same) {
        this.hits++;
        return this.texts[slot]!;
      }
    }
    const text = buf.toString('utf8', from, to);
    this.keys[slot] = Buffer.from(buf.subarray(from, to));
    this.texts[slot] = text;
    return text;
  }
}
