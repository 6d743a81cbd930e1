/**
 * Field paths and the values they name inside a nested value's bytes. A CSV cell holds a nested value as
 * JSON text (`[{"obValue":1e-7}]`, its quotes doubled by the CSV quoting), or, in CSV files written by the
 * reference Python tool, as a Python literal (`[{'obValue': 1e-07}]`); a JSON artifact holds it as JSON.
 * All are walked in place, in the reader's buffer, without building objects or strings: keys are
 * compared as bytes, values off the wanted paths are skipped, and only the scalars at the wanted paths
 * become strings.
 */
import { jsDecimals, type DecimalReader } from './decimal.js';
import { APOSTROPHE, NestedCursor, QUOTE, endsWord, type Key } from './nested-cursor.js';
import { Skeleton, startsWord } from './skeleton.js';
import { READ_IN_JS, type SkeletonSlot } from './skeleton-match.js';
import { TextCache } from './text-cache.js';
import { Trial } from './trial.js';

/** Paths below one top-level key a walk can follow at once (a bit each in a mask). */
const MAX_PATHS = 30;
/** Values longer than this are walked every time (a skeleton is a copy of the value's bytes). */
const MAX_SKELETON = 4096;

/** Where extract() writes: columns[slot][row], or numbers[slot][row] for a path read as a number. */
export interface NestedTarget {
  columns: string[][];
  numbers: Float64Array[];
}

/**
 * The wanted paths below one top-level key, and where their values go. One per column and reader; it
 * walks one value at a time (`extract`), so it is not shared between reads.
 */
export class NestedPaths extends NestedCursor {
  /** steps[k][d]: path k's step at depth d: an index, or a key as its UTF-8 bytes. */
  private readonly steps: Array<Array<Key | number>>;
  /** depth[k]: the number of steps of path k (its scalar is at that depth). */
  private readonly depth: number[];
  private readonly all: number;
  /** The paths read as numbers where their bytes allow (a bit each). */
  private readonly numericMask: number;
  /** What each path got from the value extracted last ('' and NaN where it was not found), for repeat(). */
  private readonly last: string[];
  private readonly lastNum: number[];
  // The walk's state, for the value being extracted (the position: NestedCursor).
  private target: NestedTarget = { columns: [], numbers: [] };
  private row = 0;
  /** The scalar read last (read()): a number, or NaN and its text. */
  private num = Number.NaN;
  private text = '';
  /** Nested strings repeat (obDescription, obQuality, obType): one string per distinct value, a cache per path. */
  private readonly caches: TextCache[];
  /** Per path, its cache's text of buf[from, to) (made once: a string scalar's text when its memo misses). */
  private readonly cachedText: Array<(from: number, to: number) => string>;
  /** For keys written with escapes. */
  protected readonly cache = new TextCache();
  /** The skeleton of the value walked last (skeleton.ts), and whether values fit it often enough to try. */
  private skeleton: Skeleton | undefined;
  private readonly fits = new Trial();
  /** The scalars the walk read, in order: where each starts and ends, and the paths it fed. */
  private readonly readStart: number[] = [];
  private readonly readEnd: number[] = [];
  private readonly readMask: number[] = [];
  /** The scalars read through the skeleton, until all of it is matched. */
  private readonly texts: string[] = [];
  private readonly nums: number[] = [];

  constructor(
    steps: ReadonlyArray<ReadonlyArray<string | number>>,
    private readonly slots: readonly number[],
    /** numeric[k]: path k is wanted as a number (NestedTarget.numbers) where its bytes are one. */
    numeric: readonly boolean[] = [],
    /** How numbers are read from the bytes given to extract (a scanner's `decimals` for its memory). */
    private readonly decimals: DecimalReader = jsDecimals,
    /** Where skeletons are matched in WebAssembly, for bytes in that scanner's memory (skeleton-match.ts). */
    private readonly slot?: SkeletonSlot,
  ) {
    super();
    if (steps.length > MAX_PATHS) throw new RangeError(`at most ${MAX_PATHS} nested fields under one key`);
    this.steps = steps.map((s) => s.map((x) => (typeof x === 'number' ? x : { text: x, bytes: Buffer.from(x, 'utf8'), plain: !/[\\"']/.test(x) })));
    this.depth = steps.map((x) => x.length);
    this.all = 2 ** steps.length - 1;
    this.last = steps.map(() => '');
    this.lastNum = steps.map(() => Number.NaN);
    this.caches = steps.map(() => new TextCache());
    this.cachedText = this.caches.map((cache) => (from: number, to: number) => cache.get(this.buf, from, to));
    this.numericMask = numeric.reduce((mask, on, k) => (on ? mask | (1 << k) : mask), 0);
  }

  /**
   * Writes into `target.columns[slot][row]` the text of the scalar at each wanted path inside the value
   * at buf[from, to): strings decoded, numbers and words as written, null/None as "" (or, for a path
   * wanted as a number, the number into `target.numbers[slot][row]`, see read()). Paths not found are
   * left alone. `doubled`: the bytes are a CSV cell's, each `"` written twice.
   */
  extract(buf: Buffer, from: number, to: number, doubled: boolean, target: NestedTarget, row: number): void {
    this.buf = buf;
    this.end = to;
    this.dq = doubled ? 2 : 1;
    this.target = target;
    this.row = row;
    const sk = this.skeleton;
    if (sk !== undefined && this.fits.on && this.fits.note(this.fit(sk, from, to))) return;
    this.i = from;
    this.last.fill('');
    this.lastNum.fill(Number.NaN);
    this.readStart.length = 0;
    this.readEnd.length = 0;
    this.readMask.length = 0;
    this.value(0, this.all);
    if (this.fits.on && to - from <= MAX_SKELETON) {
      this.skeleton = Skeleton.of(buf, from, to, this.dq, this.readStart, this.readEnd, this.readMask);
      this.slot?.load(this.skeleton, (mask) => (mask & this.numericMask) === mask);
    }
  }

  /**
   * The value at buf[from, to) read through the skeleton (as throughSkeleton), matched in WebAssembly
   * when the skeleton is in the slot and the bytes are in its memory: only the strings and the words
   * that are not numbers become text here.
   */
  private fit(sk: Skeleton, from: number, to: number): boolean {
    const slot = this.slot;
    if (slot === undefined || !slot.holds(sk, this.buf)) return this.throughSkeleton(sk, from, to);
    if (sk.dq !== this.dq) return false;
    const n = slot.match(from, to);
    if (n === READ_IN_JS) return this.throughSkeleton(sk, from, to);
    if (n < 0) return false;
    if (sk.fed !== this.all) {
      this.last.fill('');
      this.lastNum.fill(Number.NaN);
    }
    for (let s = 0; s < n; s++) {
      const ends = sk.masks[s]!;
      const num = slot.number(s);
      let text = '';
      // A plain string (the match leaves the others to JS) is its bytes' text, as decoded() gives it.
      if (sk.openers[s] !== 0) text = slot.text(s, this.cachedText[31 - Math.clz32(ends & -ends)]!);
      else if (Number.isNaN(num)) text = this.wordText(slot.start(s), slot.end(s));
      this.take(ends, text, num);
    }
    return true;
  }

  /**
   * The value at buf[from, to) read through the skeleton: false (nothing written) unless its bytes
   * outside the scalars are the skeleton's and each scalar starts as the skeleton's did. A scalar that
   * does not parse throws as the walk would there.
   */
  private throughSkeleton(sk: Skeleton, from: number, to: number): boolean {
    if (sk.dq !== this.dq) return false;
    const buf = this.buf;
    const n = sk.scalars;
    let p = from;
    for (let s = 0; s < n; s++) {
      p = sk.segmentAt(s, buf, p, to);
      if (p < 0) return false;
      const c = p < to ? buf[p]! : -1;
      const opener = sk.openers[s]!;
      if (opener === 0 ? !startsWord(c) : c !== opener) return false;
      this.i = p;
      this.read(sk.masks[s]!);
      this.texts[s] = this.text;
      this.nums[s] = this.num;
      p = this.i;
    }
    if (sk.segmentAt(n, buf, p, to) !== to) return false;
    // The paths its scalars do not feed were not found (fill is a builtin call: ~0.1 CPU-s a day, when
    // every path is fed and nothing is left to clear).
    if (sk.fed !== this.all) {
      this.last.fill('');
      this.lastNum.fill(Number.NaN);
    }
    for (let s = 0; s < n; s++) this.take(sk.masks[s]!, this.texts[s]!, this.nums[s]!);
    return true;
  }

  /**
   * The scalar at i, for the paths in `ends`, into this.num when all of them want a number and its
   * bytes are one in the fast form (decimal.ts: no string made), else into this.text (this.num NaN).
   */
  private read(ends: number): void {
    this.num = Number.NaN;
    if ((ends & this.numericMask) === ends) {
      const c = this.i < this.end ? this.buf[this.i]! : -1;
      if (c !== QUOTE && c !== APOSTROPHE) {
        // The number and its end in one pass; the word's end is looked for only when it is not one.
        const start = this.i;
        const num = this.decimals.prefix(this.buf, start, this.end);
        const end = this.decimals.end;
        if (!Number.isNaN(num) && (end === this.end || endsWord(this.buf[end]!))) {
          this.i = end;
          this.num = num;
          this.text = '';
          return;
        }
        this.text = this.wordText(start, this.word());
        return;
      }
    }
    // A string goes through the cache of the first path it feeds.
    this.text = this.scalar(this.caches[31 - Math.clz32(ends & -ends)]!);
  }

  /** The scalar read (a number, or NaN and its text) is the value of the paths in `ends`. */
  private take(ends: number, text: string, num: number): void {
    const { columns, numbers } = this.target;
    // Mostly one path per scalar: straight to it.
    if ((ends & (ends - 1)) === 0) {
      const k = 31 - Math.clz32(ends);
      if (!Number.isNaN(num)) numbers[this.slots[k]!]![this.row] = num;
      else columns[this.slots[k]!]![this.row] = text;
      this.last[k] = text;
      this.lastNum[k] = num;
      return;
    }
    for (let k = 0; k < this.depth.length; k++) {
      if ((ends >> k) & 1) {
        if (!Number.isNaN(num)) numbers[this.slots[k]!]![this.row] = num;
        else columns[this.slots[k]!]![this.row] = text;
        this.last[k] = text;
        this.lastNum[k] = num;
      }
    }
  }

  /** Writes into the target's `row` what the last extract() found: for a value with the same bytes. */
  repeat(target: NestedTarget, row: number): void {
    for (let k = 0; k < this.last.length; k++) {
      const num = this.lastNum[k]!;
      if (!Number.isNaN(num)) target.numbers[this.slots[k]!]![row] = num;
      else if (this.last[k] !== '') target.columns[this.slots[k]!]![row] = this.last[k]!;
    }
  }

  /** One value at depth `d`; `live`: the paths whose first d steps led here. */
  private value(d: number, live: number): void {
    this.ws();
    const c = this.at();
    if (c === 0x5b /* [ */ || c === 0x28 /* ( */) {
      const close = c === 0x5b ? 0x5d : 0x29;
      this.i++;
      for (let n = 0; ; n++) {
        this.ws();
        if (this.at() === close) {
          this.i++;
          return;
        }
        const next = this.follow(live, d, n, -1, -1, true);
        if (next === 0) this.skip();
        else this.value(d + 1, next);
        this.ws();
        const s = this.at();
        if (s === 0x2c) this.i++;
        else if (s !== close) this.fail('a bad array');
      }
    }
    if (c === 0x7b /* { */) {
      this.i++;
      for (;;) {
        this.ws();
        if (this.at() === 0x7d) {
          this.i++;
          return;
        }
        const k = this.i;
        const plain = this.skipString();
        // The key's bytes between its quotes (a quote of width dq, or an apostrophe).
        const w = this.buf[k] === APOSTROPHE ? 1 : this.dq;
        const next = this.follow(live, d, -1, k + w, this.i - w, plain);
        this.ws();
        if (this.at() !== 0x3a) this.fail("a missing ':'");
        this.i++;
        if (next === 0) this.skip();
        else this.value(d + 1, next);
        this.ws();
        const s = this.at();
        if (s === 0x2c) this.i++;
        else if (s !== 0x7d) this.fail('a bad object');
      }
    }
    // A scalar: the paths that end here take it.
    let ends = 0;
    for (let k = 0; k < this.depth.length; k++) if ((live >> k) & 1 && this.depth[k] === d) ends |= 1 << k;
    if (ends === 0) {
      this.skip();
      return;
    }
    this.readStart.push(this.i);
    this.readMask.push(ends);
    this.read(ends);
    this.take(ends, this.text, this.num);
    this.readEnd.push(this.i);
  }

  /** The live paths whose step at depth d is array index n (n >= 0) or the key in buf[a, b) (`plain`: see skipString). */
  private follow(live: number, d: number, n: number, a: number, b: number, plain: boolean): number {
    let next = 0;
    for (let k = 0; k < this.steps.length; k++) {
      if (((live >> k) & 1) === 0) continue;
      const step = this.steps[k]![d];
      if (step === undefined) continue;
      if (typeof step === 'number' ? step === n : n < 0 && this.keyIs(step, a, b, plain)) next |= 1 << k;
    }
    return next;
  }
}
