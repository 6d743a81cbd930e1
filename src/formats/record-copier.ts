/**
 * The WebAssembly record copier (record-copier.wat) as the page writers use it: a template becomes a
 * program (`rowProgram` for CSV rows in the page's column layout, `recordProgram` for records kept as
 * sent; pure); a `RecordCopier` holds a piece's bytes and what is written from it in its memory, and
 * copies runs of records in one call (`rows`).
 */
import { NUMBER_FORM_WASM } from './number-form-wasm.js';
import { RECORD_COPIER_WASM } from './record-copier-wasm.js';
import { SCAN_STR, SCAN_STR_COMMA, SCAN_STR_INNER, type Template } from './templates.js';
import { NUMBERS, compileWasm, instantiate, newMemory, placeNumbers } from './wasm.js';

/** Where the program starts (below: the number tables), and its room. */
const PROG = 4096;
const PROG_BYTES = 1 << 18;
/** The piece's first byte; the output follows the piece. */
const LOW = PROG + PROG_BYTES;
const STEP = 32;
/** Room kept after each area for the copier's 16-byte reads and writes (and a converted number's, at most 26 bytes). */
const SLACK = 64;
/**
 * Bytes a row may be longer than its record's bytes, glue and two quotes per value: numbers converted to
 * what String(Number(text)) prints can be longer than as sent (`1E20`). The caller keeps this much more
 * room for a row (`ensure`); a row that would need more is a miss.
 */
export const ROW_ROOM = 1024;
const PAGE = 65536;
const RECORD_COPIER = compileWasm(RECORD_COPIER_WASM);
const NUMBER_FORM = compileWasm(NUMBER_FORM_WASM);
/** Pages each copier's memory starts with: the tables, the results, the program and a first piece. */
const INITIAL_PAGES = 5;

/** Where the last row leaves, as i32s: where the output continues, the id's hash, the obTime's start and end, whether it repeats the last. */
const RESULT = 2048 / 4;

/** Where `rows` leaves each row's results (4 i32s: as at RESULT, the obTime's end -1 when it repeats), and how many fit. */
const TABLE = 2176 / 4;
export const MAX_ROWS = (PROG - 2176) / 16;

interface CopierExports {
  rows(p: number, end: number, o: number, program: number, room: number, extra: number, limit: number, max: number, sep: number): number;
  after: { value: number };
}

/**
 * The program for records of `t`'s shape written as rows of `glue[0] + value 0 + glue[1] + ... + glue[n]`,
 * the values being the template's captures in text order; `idAt` and `obTimeAt` index the captures (-1:
 * none). Null when the copier cannot take such records: whitespace allowed, captures out of text order,
 * text beyond ASCII in the fixed parts, or a program too large.
 */
export function rowProgram(t: Template, groups: readonly number[], glue: readonly string[], idAt: number, obTimeAt: number): Uint8Array | null {
  if (groups.length !== t.groupCount || groups.some((g, j) => g !== j + 1)) return null;
  return program(t, t.scans.slice(1), glue, idAt, obTimeAt);
}

/**
 * The program that takes records of `t`'s shape (a template without literals) as they are: any string
 * without escapes where the template has a string, numbers by their grammar. Null as for rowProgram.
 */
export function recordProgram(t: Template): Uint8Array | null {
  // Every string is read as any string without escapes: the record is kept as sent, no cell to quote.
  const scans = t.scans.slice(1).map((scan) => (scan === SCAN_STR || scan === SCAN_STR_COMMA ? SCAN_STR_INNER : scan));
  return program(t, scans, new Array<string>(t.groupCount + 1).fill(''), t.idGroup - 1, t.obTimeGroup - 1);
}

function program(t: Template, scans: readonly number[], glue: readonly string[], idAt: number, obTimeAt: number): Uint8Array | null {
  const texts = t.texts;
  if (texts === null) return null;
  const n = t.groupCount;
  const inputs = [...texts.slice(1, n + 1), t.tail];
  const parts = inputs.flatMap((text, j) => [text, glue[j]!]);
  if (parts.some((s) => !isAsciiText(s))) return null;
  const size = (n + 1) * STEP + parts.reduce((sum, s) => sum + s.length, 0);
  if (size > PROG_BYTES - SLACK) return null;
  const image = new Uint8Array(size);
  const words = new DataView(image.buffer);
  let at = (n + 1) * STEP;
  const place = (s: string): number => {
    image.set(Buffer.from(s, 'latin1'), at);
    at += s.length;
    return PROG + at - s.length;
  };
  for (let j = 0; j <= n; j++) {
    const step = j * STEP;
    const input = inputs[j]!;
    const out = glue[j]!;
    words.setInt32(step, input.length, true);
    words.setInt32(step + 4, place(input), true);
    words.setInt32(step + 8, out.length, true);
    words.setInt32(step + 12, place(out), true);
    words.setInt32(step + 16, j < n ? scans[j]! : 0, true);
    words.setInt32(step + 20, j === idAt ? 1 : j === obTimeAt ? 2 : 0, true);
    words.setInt32(step + 24, 0, true);
    words.setInt32(step + 28, -1, true);
  }
  return image;
}

function isAsciiText(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * One copier: the current piece's bytes and the output in its memory. The output is also the writer's
 * buffer for what it writes itself (records the copier misses), so a piece's output lies in one place
 * whichever way each record went; it is valid until the next `load`.
 */
export class RecordCopier {
  private readonly memory = newMemory(INITIAL_PAGES);
  private readonly x: CopierExports;
  /** The program in the copier's memory now (its remembered numbers belong to the piece loaded). */
  private loaded: Uint8Array | null = null;
  private outBase = LOW;
  /** The output, from `outBase` to the end of memory less the slack. */
  buf: Buffer = Buffer.alloc(0);
  /** The memory as i32s and as bytes (renewed when it grows). */
  private words = new Int32Array(0);
  private bytes = Buffer.alloc(0);
  /** The text of the last obTime the copier kept (its bytes at 2080, '' at first). */
  private lastObTime = '';

  constructor() {
    const env = { memory: this.memory };
    const numbers = instantiate<object>(NUMBERS, { env: { ...env, tables: placeNumbers(this.memory, 0) } });
    const form = instantiate<object>(NUMBER_FORM, { env, numbers });
    const js = { convert: (from: number, to: number, o: number): number => this.convert(from, to, o) };
    this.x = instantiate<CopierExports>(RECORD_COPIER, { env, numbers, form, js });
  }

  /** Takes a piece's bytes; the output starts over after them. */
  load(bytes: Buffer): void {
    this.outBase = (LOW + bytes.length + SLACK + 15) & ~15;
    this.grow(this.outBase + SLACK);
    Buffer.from(this.memory.buffer).set(bytes, LOW);
    this.loaded = null;
    this.view();
  }

  /** Room for `n` bytes of output from `at`, keeping [0, at); the output buffer. */
  ensure(at: number, n: number): Buffer {
    if (this.outBase + at + n + SLACK > this.memory.buffer.byteLength) {
      this.grow(this.outBase + at + n + SLACK);
      this.view();
    }
    return this.buf;
  }

  /**
   * Copies the record at piece offset p (the piece ending at `end`) by a rowProgram, its row written at
   * output offset o, and the records after it while each is followed by `,{`: at most MAX_ROWS, while
   * the output keeps `extra` bytes (a row's glue and quotes) and ROW_ROOM beyond the rest of the piece
   * (ensure that much first). With a recordProgram and `sep` 0 or 1, the records as they are, each after
   * a `,\n` (the first too when `sep` is 1). How many it took (0: the record at p is a miss); row i's
   * results by rowEnd(i), rowId(i), rowObTime(i); just past the last record by `after`; the output's end
   * by `o`.
   */
  rows(program: Uint8Array, p: number, end: number, o: number, extra: number, sep = -1): number {
    this.use(program);
    return this.x.rows(LOW + p, LOW + end, this.outBase + o, PROG, ROW_ROOM, extra, this.memory.buffer.byteLength - SLACK, MAX_ROWS, sep);
  }

  /** After `rows`: just past the last record it took, in the piece. */
  get after(): number {
    return this.x.after.value - LOW;
  }

  /** After `rows`: where row i ends in the output. */
  rowEnd(i: number): number {
    return this.words[TABLE + 4 * i]! - this.outBase;
  }

  /** After `rows`: row i's id hash (hashId of piece.ts; over ASCII bytes, the same), when the program has an id. */
  rowId(i: number): number {
    return this.words[TABLE + 4 * i + 1]!;
  }

  /**
   * After `rows`: row i's obTime, the very string of the row before's when the bytes are the same (the
   * copier compares them, across pieces), so a day's 17,280 obTimes are its only obTime strings. Ask for
   * every row's, in order, when the rows have one.
   */
  rowObTime(i: number): string {
    const w = TABLE + 4 * i;
    if (this.words[w + 3]! >= 0) this.lastObTime = this.bytes.toString('latin1', this.words[w + 2], this.words[w + 3]);
    return this.lastObTime;
  }

  private use(program: Uint8Array): void {
    if (this.loaded !== program) {
      Buffer.from(this.memory.buffer).set(program, PROG);
      this.loaded = program;
    }
  }

  /** After `rows`: where the output continues. */
  get o(): number {
    return this.words[RESULT]! - this.outBase;
  }

  /**
   * For the copier: writes String(Number(text)) of the number text at memory [from, to) at o, as the
   * plain writer prints it (the text is JSON's grammar, ASCII); where the output continues, or -1 when the
   * number is not finite (the writer's own path decides what that becomes).
   */
  private convert(from: number, to: number, o: number): number {
    const x = Number(this.bytes.toString('latin1', from, to));
    if (!Number.isFinite(x)) return -1;
    return o + this.bytes.write(String(x), o, 'latin1');
  }

  private grow(bytes: number): void {
    const pages = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
  }

  private view(): void {
    const memory = this.memory.buffer;
    this.buf = Buffer.from(memory, this.outBase, memory.byteLength - this.outBase - SLACK);
    this.words = new Int32Array(memory);
    this.bytes = Buffer.from(memory);
  }
}
