/**
 * The WebAssembly row copier (csv-rows.wat) as csv-writer.ts uses it: a template laid out for the page's
 * columns becomes a program (`rowProgram`, pure); a `RowCopier` holds a piece's bytes and the rows written
 * from it in its memory, and copies one record at a time.
 */
import { CSV_ROWS_WASM } from './csv-rows-wasm.js';
import { powerTables } from './numbers.js';
import type { Template } from './templates.js';
import { compileWasm, instantiate, type WasmMemory } from './wasm.js';

/** Where the program starts (below: the number tables), and its room. */
const PROG = 4096;
const PROG_BYTES = 1 << 18;
/** The piece's first byte; the output follows the piece. */
const LOW = PROG + PROG_BYTES;
const STEP = 32;
/** Room kept after each area for the copier's 16-byte reads and writes. */
const SLACK = 64;
const PAGE = 65536;
const CSV_ROWS = compileWasm(CSV_ROWS_WASM);

/** Where a row leaves, as i32s: where the output continues, the id's hash, the obTime's start and end. */
const RESULT = 2048 / 4;

interface RowExports {
  memory: WasmMemory;
  row(p: number, end: number, o: number, program: number): number;
}

/**
 * The program for records of `t`'s shape written as rows of `glue[0] + value 0 + glue[1] + ... + glue[n]`,
 * the values being the template's captures in text order; `idAt` and `obTimeAt` index the captures (-1:
 * none). Null when the copier cannot take such records: whitespace allowed, captures out of text order,
 * text beyond ASCII in the fixed parts, or a program too large.
 */
export function rowProgram(t: Template, groups: readonly number[], glue: readonly string[], idAt: number, obTimeAt: number): Uint8Array | null {
  const texts = t.texts;
  const n = groups.length;
  if (texts === null || n !== t.groupCount || groups.some((g, j) => g !== j + 1)) return null;
  const inputs = [...texts.slice(1, n + 1), t.tail];
  const parts = inputs.flatMap((text, j) => [text, glue[j]!]);
  if (parts.some((s) => !isAsciiText(s))) return null;
  const size = (n + 1) * STEP + parts.reduce((sum, s) => sum + s.length, 0);
  if (size > PROG_BYTES - SLACK) return null;
  const program = new Uint8Array(size);
  const words = new DataView(program.buffer);
  let at = (n + 1) * STEP;
  const place = (s: string): number => {
    program.set(Buffer.from(s, 'latin1'), at);
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
    words.setInt32(step + 16, j < n ? t.scans[j + 1]! : 0, true);
    words.setInt32(step + 20, j === idAt ? 1 : j === obTimeAt ? 2 : 0, true);
    words.setInt32(step + 24, 0, true);
    words.setInt32(step + 28, -1, true);
  }
  return program;
}

function isAsciiText(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * One copier: the current piece's bytes and the output rows in its memory. The output is also the
 * writer's buffer for rows it builds itself, so a piece's rows lie in one place whichever way each was
 * made; like an OutBuffer, it is valid until the next `load`.
 */
export class RowCopier {
  private readonly x = instantiate<RowExports>(CSV_ROWS);
  /** The program in the copier's memory now (its remembered numbers belong to the piece loaded). */
  private loaded: Uint8Array | null = null;
  private outBase = LOW;
  /** The output, from `outBase` to the end of memory less the slack. */
  buf: Buffer = Buffer.alloc(0);
  /** The memory as i32s (renewed when it grows). */
  private words = new Int32Array(0);

  constructor() {
    new Float64Array(this.x.memory.buffer, 0, 4 * 41).set(powerTables());
  }

  /** Takes a piece's bytes; the output starts over after them. */
  load(bytes: Buffer): void {
    this.outBase = (LOW + bytes.length + SLACK + 15) & ~15;
    this.grow(this.outBase + SLACK);
    Buffer.from(this.x.memory.buffer).set(bytes, LOW);
    this.loaded = null;
    this.view();
  }

  /** Room for `n` bytes of output from `at`, keeping [0, at); the output buffer. */
  ensure(at: number, n: number): Buffer {
    if (this.outBase + at + n + SLACK > this.x.memory.buffer.byteLength) {
      this.grow(this.outBase + at + n + SLACK);
      this.view();
    }
    return this.buf;
  }

  /**
   * Copies the record at piece offset p (the piece ending at `end`) by `program`, its row written at
   * output offset o: the offset just past the record, the row's end in `o`; or -1 for a miss.
   */
  row(program: Uint8Array, p: number, end: number, o: number): number {
    if (this.loaded !== program) {
      Buffer.from(this.x.memory.buffer).set(program, PROG);
      this.loaded = program;
    }
    const next = this.x.row(LOW + p, LOW + end, this.outBase + o, PROG);
    return next < 0 ? -1 : next - LOW;
  }

  /** After a row: where the output continues. */
  get o(): number {
    return this.words[RESULT]! - this.outBase;
  }

  /** After a row with an id: its hashId (piece.ts; over ASCII bytes, the same). */
  get idHash(): number {
    return this.words[RESULT + 1]!;
  }

  /** After a row with an obTime: its range in the piece. */
  get obFrom(): number {
    return this.words[RESULT + 2]! - LOW;
  }

  get obTo(): number {
    return this.words[RESULT + 3]! - LOW;
  }

  private grow(bytes: number): void {
    const pages = Math.ceil(bytes / PAGE) - this.x.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.x.memory.grow(pages);
  }

  private view(): void {
    const memory = this.x.memory.buffer;
    this.buf = Buffer.from(memory, this.outBase, memory.byteLength - this.outBase - SLACK);
    this.words = new Int32Array(memory);
  }
}
