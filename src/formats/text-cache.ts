/**
 * Strings for short cells that repeat (idSensor, observatoryName, obDescription, obQuality...): a small
 * direct-mapped cache from bytes to the string made of them last time, so a day's 1.1 million records
 * make a few hundred of those strings instead of a million each, and the garbage collector has that much
 * less to do. A miss costs a copy of the bytes, so a cache that misses more often than it hits over its
 * first lookups (a column of numbers) turns itself off (trial.ts).
 */
import { Trial } from './trial.js';

const SLOTS = 256;

export class TextCache {
  private readonly texts: Array<string | undefined> = new Array(SLOTS);
  private readonly keys: Array<Buffer | undefined> = new Array(SLOTS);
  private readonly trial = new Trial();

  /** The UTF-8 text of buf[from, to). */
  get(buf: Buffer, from: number, to: number): string {
    if (!this.trial.on) return buf.toString('utf8', from, to);
    const n = to - from;
    // The slot from the length and four bytes spread over the value: values of one column differ in a
    // digit or a letter somewhere (REACH-101, DOSE1 (Flavor X)...), and a collision only costs a miss.
    const h = n === 0 ? 0 : Math.imul(n ^ (buf[from]! << 8) ^ (buf[to - 1]! << 16) ^ (buf[from + (n >> 1)]! << 24) ^ buf[from + (n >> 2)]!, 0x9e3779b1);
    const slot = h >>> 24;
    const key = this.keys[slot];
    let same = key !== undefined && key.length === n;
    for (let j = 0; j < n && same; j++) same = key![j] === buf[from + j];
    if (this.trial.note(same)) return this.texts[slot]!;
    const text = buf.toString('utf8', from, to);
    this.keys[slot] = Buffer.from(buf.subarray(from, to));
    this.texts[slot] = text;
    return text;
  }
}
