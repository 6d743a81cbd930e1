/**
 * Reading artifacts back: every format yields the same columnar batches, so `verify`, `status`, `report`
 * and the processing phase read any format alike, without an object per record and without holding the
 * file (an ALL day is ~555 MB of CSV or ~860 MB of JSON).
 *
 *   for await (const b of format.read(path, { fields: ['id', 'obTime', 'seoList[0].obValue', 'senPos[2]'] })) {
 *     for (let i = 0; i < b.count; i++) use(b.columns[0][i], b.columns[1][i], ...);
 *   }
 *
 * A field is a path (nested.ts): a top-level key, then `[n]` and `.key` steps into nested values. Values
 * are text: strings decoded, numbers as written in the file, null/absent as "". A batch's arrays are fresh:
 * they may be kept, but keeping them all holds the day; with `reuse` they are refilled for the next
 * batch. Duplicate checks ask for `idHashes` instead of the id column: each record's id hashed
 * (id-hash.ts) from the file's bytes, with no string made.
 */
import { open } from 'node:fs/promises';
import { ReachUdlError } from '../errors.js';
import { idHash } from './id-hash.js';
import { parseFieldPath, type FieldPath } from './field-path.js';

export interface ReadOptions {
  fields: readonly string[];
  /** Also give each record's `idHash` of its id (an absent id hashes as ""). */
  idHashes?: boolean;
  /**
   * Fields (of `fields`) also wanted as numbers: where a reader can read such a cell as a number
   * straight from its bytes (decimal.ts), it puts the number in `RecordBatch.numbers` and leaves the text
   * "" (no string made); elsewhere the number is NaN and the text is given as usual.
   */
  numbers?: readonly string[];
  /** Records per batch; default DEFAULT_BATCH. */
  batchSize?: number;
  /**
   * Every batch in the same arrays, valid until the next one is asked for (the consumer keeps nothing):
   * a day's ~8,600 batches then allocate no arrays, ~300 MB less young garbage for `process`.
   * @default false
   */
  reuse?: boolean;
}

export interface RecordBatch {
  count: number;
  /** columns[f][i]: field `fields[f]` of record i. */
  columns: string[][];
  /** idHashes[i]: record i's id hash, when ReadOptions.idHashes asked for it. */
  idHashes?: Float64Array;
  /** numbers[f][i]: field f of record i as a number, NaN to read the text (ReadOptions.numbers); empty for other fields. */
  numbers: Float64Array[];
}

/** The file is not a whole artifact of its format: cut short, or not what its name says. */
export class ArtifactReadError extends ReachUdlError {
  readonly code = 'ERR_ARTIFACT_READ';
  readonly exitClass = 'failed';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

/**
 * A batch's strings live until the consumer is done with it; 128 records (~2 k strings for `process`)
 * stay well inside the CLI's 1 MB young-generation semi-spaces (runtime.ts), so they die there instead
 * of being copied and promoted: 1024 cost ~0.6 CPU-s more per ALL day in the garbage collector under
 * 1 MB semi-spaces (4096 did under 4 MB ones); 128 under 1 MB measured as 1024 under 4 MB, 8 MB less RSS.
 */
export const DEFAULT_BATCH = 128;
const READ_BYTES = 1 << 20;

/** The wanted fields grouped by top-level key: where each one's value goes in a batch. */
export class FieldPlan {
  readonly paths: FieldPath[];
  /** Top-level key -> slots of the fields that are that key itself, and nested steps with their slots. */
  readonly byTop = new Map<string, { direct: number[]; steps: Array<Array<string | number>>; slots: number[] }>();

  constructor(fields: readonly string[]) {
    this.paths = fields.map(parseFieldPath);
    this.paths.forEach((p, slot) => {
      let e = this.byTop.get(p.top);
      if (!e) {
        e = { direct: [], steps: [], slots: [] };
        this.byTop.set(p.top, e);
      }
      if (p.steps.length === 0) e.direct.push(slot);
      else {
        e.steps.push(p.steps);
        e.slots.push(slot);
      }
    });
  }
}

const EMPTY_HASH = idHash('');

/** Collects records into batches of columns. */
export class BatchBuilder {
  columns: string[][];
  hashes: Float64Array | undefined;
  numbers: Float64Array[];
  count = 0;
  private readonly width: number;
  private readonly reuse: boolean;
  /** A reused batch was handed out: its numbers go back to NaN when the next record begins. */
  private refill = false;
  /** The slots of the fields wanted as numbers too. */
  readonly numeric: readonly number[];
  readonly size: number;

  constructor(o: ReadOptions) {
    this.width = o.fields.length;
    this.size = o.batchSize ?? DEFAULT_BATCH;
    this.reuse = o.reuse === true;
    this.numeric = o.fields.flatMap((f, slot) => (o.numbers?.includes(f) ? [slot] : []));
    this.columns = fresh(this.width, this.reuse ? this.size : 0);
    this.numbers = this.freshNumbers();
    this.hashes = o.idHashes ? new Float64Array(this.size) : undefined;
  }

  /** Per slot, whether its field is wanted as a number too. */
  numericFlags(slots: readonly number[]): boolean[] {
    return slots.map((slot) => this.numeric.includes(slot));
  }

  /** Whether the slots of a top-level key's value are all wanted as numbers (then a reader may give it as one). */
  allNumeric(slots: readonly number[]): boolean {
    return slots.length > 0 && slots.every((slot) => this.numeric.includes(slot));
  }

  /** The record being filled: its values default to "" (absent), its numbers to NaN (read the text: see freshNumbers). */
  begin(): number {
    if (this.refill) {
      for (const slot of this.numeric) this.numbers[slot]!.fill(Number.NaN);
      this.refill = false;
    }
    const i = this.count;
    for (let f = 0; f < this.width; f++) this.columns[f]![i] = '';
    if (this.hashes) this.hashes[i] = EMPTY_HASH;
    return i;
  }

  set(slot: number, i: number, v: string): void {
    this.columns[slot]![i] = v;
  }

  /** Record i's field in `slot` as a number (its text stays ""). */
  setNumber(slot: number, i: number, v: number): void {
    this.numbers[slot]![i] = v;
  }

  /** Record i's id hash (only when hashes were asked for). */
  setHash(i: number, h: number): void {
    this.hashes![i] = h;
  }

  commit(): boolean {
    return ++this.count >= this.size;
  }

  take(): RecordBatch {
    if (this.reuse) return this.again();
    const b: RecordBatch = { count: this.count, columns: this.columns, numbers: this.numbers.map((n) => n.subarray(0, this.count)) };
    for (const c of b.columns) c.length = this.count;
    this.numbers = this.freshNumbers();
    if (this.hashes) {
      b.idHashes = this.hashes.subarray(0, this.count);
      this.hashes = new Float64Array(this.size);
    }
    this.columns = fresh(this.width, 0);
    this.count = 0;
    return b;
  }

  /** The batch in the arrays it was filled in, which the next batch refills (ReadOptions.reuse). */
  private again(): RecordBatch {
    const b: RecordBatch = { count: this.count, columns: this.columns, numbers: this.numbers.map((n) => (n.length === 0 ? n : n.subarray(0, this.count))) };
    if (this.hashes) b.idHashes = this.hashes.subarray(0, this.count);
    this.count = 0;
    this.refill = true;
    return b;
  }

  private freshNumbers(): Float64Array[] {
    // NaN up front, in one native fill per batch, instead of a store per record and field in begin().
    return Array.from({ length: this.width }, (_, f) => (this.numeric.includes(f) ? new Float64Array(this.size).fill(Number.NaN) : new Float64Array(0)));
  }
}

/** Per field an array of `size` "" (packed, for reuse), or an empty one to grow. */
function fresh(width: number, size: number): string[][] {
  return Array.from({ length: width }, () => Array.from({ length: size }, () => ''));
}

/**
 * The file's bytes in windows: `scan(buf, from, end, last)` consumes whole units from `from` and returns
 * where it stopped; what is left is carried into the next window (grown if one unit is larger than it).
 */
export async function* readWindows(path: string, scan: (buf: Buffer, from: number, end: number, last: boolean) => number): AsyncGenerator<void> {
  const fh = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafeSlow(READ_BYTES);
    let end = 0;
    for (;;) {
      if (end === buf.length) {
        const grown = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(grown, 0, 0, end);
        buf = grown;
      }
      const { bytesRead } = await fh.read(buf, end, buf.length - end, null);
      end += bytesRead;
      const last = bytesRead === 0;
      const used = scan(buf, 0, end, last);
      yield;
      if (last) return;
      buf.copyWithin(0, used, end);
      end -= used;
    }
  } finally {
    await fh.close();
  }
}
