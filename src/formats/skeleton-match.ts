/**
 * Skeleton matches in WebAssembly (skeleton.wat) over a scanner's memory: a few slots in it, each
 * holding one NestedPaths' current skeleton, and the match that tells whether a value in the scanner's
 * window fits it and where its scalars are. NestedPaths uses a slot when the bytes it walks are that
 * memory's; anywhere else it matches in JavaScript (skeleton.ts), with the same answers.
 */
import type { Skeleton } from './skeleton.js';
import { SKELETON_WASM } from './skeleton-wasm.js';
import { compileWasm, instantiate, type WasmMemory } from './wasm.js';

const SKELETON = compileWasm(SKELETON_WASM);

/** Bytes a scanner keeps for skeleton slots. */
export const SKELETON_AREA = 65536;
/** One slot (skeleton.wat's layout); its skeleton's bytes start at BYTES. */
const SLOT = 8192;
const SEGMENTS = 8;
const SCALARS = 272;
const OUTPUT = 784;
const MEMOS = 1552;
const BYTES = 3600;
/** The most scalars a slot describes, and string scalars with a memo (skeleton.wat's layout). */
const MAX_SCALARS = 32;
const MAX_MEMOS = 4;
/** Entries per memo; what match() says of a string without one. */
const MEMO_ENTRIES = 8;
const NO_MEMO = 8;

/** What match() returns when JavaScript must read the value (a string to decode, or one never closed); -1: it does not fit. */
export const READ_IN_JS = -2;

interface SkeletonExports {
  match(sk: number, from: number, to: number): number;
}

/** What a scanner lends the slots: its memory and its numbers.wat instance. */
export interface SkeletonHost {
  readonly memory: WasmMemory;
  readonly numbers: object;
}

/** The slots in a scanner's memory at [area, area + SKELETON_AREA); each reader's NestedPaths takes one. */
export class SkeletonSlots {
  private readonly x: SkeletonExports;
  private next = 0;

  constructor(
    private readonly host: SkeletonHost,
    private readonly area: number,
  ) {
    this.x = instantiate<SkeletonExports>(SKELETON, { env: { memory: host.memory }, numbers: host.numbers });
  }

  /** A free slot, or undefined when all are taken (a record with that many nested columns matches in JS). */
  take(): SkeletonSlot | undefined {
    if (this.next === SKELETON_AREA / SLOT) return undefined;
    return new SkeletonSlot(this.x, this.host.memory, this.area + SLOT * this.next++);
  }
}

export class SkeletonSlot {
  private loaded: Skeleton | undefined;
  /** The Buffer last found to view the memory from its first byte (a scanner's `bytes` until its window grows). */
  private seen: Buffer | undefined;
  /** Views of the memory (renewed when it grows, which detaches the old ones). */
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private u8 = new Uint8Array(0);
  /** Per scalar, the strings made for its memo's entries (skeleton.wat keeps their bytes). */
  private readonly memoTexts: string[][] = Array.from({ length: MAX_SCALARS }, () => new Array<string>(MEMO_ENTRIES).fill(''));

  constructor(
    private readonly x: SkeletonExports,
    private readonly memory: WasmMemory,
    private readonly at: number,
  ) {}

  /** Puts `sk` in the slot; false when it does not fit there (then nothing is loaded). */
  load(sk: Skeleton, numeric: (mask: number) => boolean): boolean {
    this.loaded = undefined;
    const n = sk.scalars;
    if (n > MAX_SCALARS || BYTES + sk.bytes.length > SLOT) return false;
    this.views();
    const i32 = this.i32;
    const w = this.at >> 2;
    i32[w] = n;
    i32[w + 1] = sk.dq;
    for (let s = 0; s <= n; s++) {
      i32[w + SEGMENTS / 4 + 2 * s] = this.at + BYTES + sk.seg[s]!;
      i32[w + SEGMENTS / 4 + 2 * s + 1] = sk.seg[s + 1]! - sk.seg[s]!;
    }
    let memos = 0;
    for (let s = 0; s < n; s++) {
      const r = w + SCALARS / 4 + 4 * s;
      i32[r] = sk.openers[s]!;
      i32[r + 1] = numeric(sk.masks[s]!) ? 1 : 0;
      // The first few strings get a memo, emptied (length -1).
      const memo = sk.openers[s] !== 0 && memos < MAX_MEMOS ? this.at + MEMOS + 512 * memos++ : 0;
      i32[r + 2] = memo;
      i32[r + 3] = 0;
      for (let k = 0; memo !== 0 && k < MEMO_ENTRIES; k++) i32[(memo >> 2) + 16 * k] = -1;
    }
    this.u8.set(sk.bytes, this.at + BYTES);
    this.loaded = sk;
    return true;
  }

  /**
   * Whether the slot holds `sk` and `buf` views the memory from its first byte (so offsets in it are
   * addresses). A Buffer is checked once: asking each value's for its ArrayBuffer cost ~0.1 CPU-s a day.
   */
  holds(sk: Skeleton, buf: Buffer): boolean {
    if (sk !== this.loaded) return false;
    if (buf !== this.seen) {
      if (buf.byteOffset !== 0 || buf.buffer !== this.memory.buffer) return false;
      this.seen = buf;
      this.views();
    }
    return true;
  }

  /** The value at [from, to) through the loaded skeleton: its scalar count, -1 (no fit) or READ_IN_JS (skeleton.wat). */
  match(from: number, to: number): number {
    return this.x.match(this.at, from, to);
  }

  /** Scalar s of the last match: its number (NaN when it was not read as one), and its text's start and end. */
  number(s: number): number {
    return this.f64[(this.at + OUTPUT) / 8 + 3 * s]!;
  }
  start(s: number): number {
    return this.i32[(this.at + OUTPUT) / 4 + 6 * s + 2]!;
  }
  end(s: number): number {
    return this.i32[(this.at + OUTPUT) / 4 + 6 * s + 3]!;
  }

  /**
   * The text of string scalar s of the last match (its bytes between its quotes, plain), from its memo
   * when these bytes are in it, else made by `make` (and kept for the memo entry they were put in).
   */
  text(s: number, make: (from: number, to: number) => string): string {
    const m = this.i32[(this.at + OUTPUT) / 4 + 6 * s + 4]!;
    if (m >= 0 && m < NO_MEMO) return this.memoTexts[s]![m]!;
    const text = make(this.start(s), this.end(s));
    if (m < 0) this.memoTexts[s]![-m - 1] = text;
    return text;
  }

  private views(): void {
    const buffer = this.memory.buffer;
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }
}
