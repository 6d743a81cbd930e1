/**
 * Response pages to CSV rows without building objects or row strings.
 *
 * A record of a known shape goes to the record copier (record-copier.wat, WebAssembly), which matches it
 * against the template's fixed texts and value patterns and writes its row in one pass: the layout's glue,
 * each value's bytes copied from the response bytes, each number as it came when it certainly is what
 * String(Number(text)) prints (numbers.ts), else converted (`0.0` as `0`, `4.02944e-05` as `0.0000402944`).
 * A miss is a record of another shape (or with a number that is not finite): the template's sticky RegExp
 * tells, and a match is built from its captures (`exec`, the row built as a string), as are pieces beyond
 * ASCII and pages with whitespace between tokens: same bytes, slower. Records no template matches
 * (escapes, a new key or order, a value of another type) go through the exact validator plus
 * `JSON.parse`, alone, and propose the template of their shape.
 * `referenceCsv` is the plain writer; this one equals it byte for byte (test/unit/formats).
 */
import { areCanonicalAt, isCanonicalAt } from './numbers.js';
import { obTimeOf, slowRecord, walkPiece, type RecordRun, type Row } from './json-scan.js';
import { cellOf } from './reference.js';
import { COMMA, INNER_NUM, NUM_ARRAY, RAW, TemplateCache, detach } from './templates.js';
import { CsvColumns, type CsvLayout } from './csv-layout.js';
import { RecordCopier, ROW_ROOM } from './record-copier.js';
import { growEnds, hashId, pieceOf, type PageWriter, type PieceIn, type PieceOut } from './piece.js';

const EMPTY = pieceOf('');

/** What the pages of one day share: compiled templates and the output buffer. */
export class CsvSession {
  readonly cache = new TemplateCache();
  /** Holds each piece and its rows: the output buffer of the session's pages. */
  readonly rows = new RecordCopier();
}

/** A writer for one page delivered in pieces: column order, templates and literals carry across pieces. */
export function createCsvPageWriter(session: CsvSession = new CsvSession()): PageWriter {
  return new CsvPageWriter(session);
}

class CsvPageWriter implements PageWriter {
  private readonly cols: CsvColumns;
  // The current piece, reset by push; empty between pushes, so no piece outlives its push.
  private piece: PieceIn = EMPTY;
  private out: Buffer;
  private o = 0;
  private ends: Uint32Array = new Uint32Array(0);
  private obTimes: string[] = [];
  private ids: number[] = [];
  /** (first row index, width) each time the keys grew within the piece. */
  private widths: number[] = [];
  /** The last obTime copied, detached from its piece. */
  private lastObTime = '';
  private readonly recordFn = (p: number, index: number): number => this.record(p, index);
  /** Records taken by the copier after the one walkPiece asked for (json-scan.ts RecordRun). */
  private readonly run: RecordRun = { more: 0 };

  constructor(private readonly session: CsvSession) {
    this.cols = new CsvColumns(session.cache);
    this.out = session.rows.buf;
  }

  push(piece: PieceIn): PieceOut {
    const before = this.cols.keys.length;
    this.piece = piece;
    this.session.rows.load(piece.bytes);
    this.out = this.session.rows.ensure(0, 2 * piece.bytes.length + 1024);
    this.o = 0;
    this.ends = new Uint32Array(Math.min(1 << 16, (piece.bytes.length >>> 9) + 16));
    this.obTimes = [];
    this.ids = [];
    this.widths = [];
    let count: number;
    try {
      count = walkPiece(piece, this.recordFn, this.run);
    } catch (err) {
      // The records before the bad one were never delivered: forget the columns they brought.
      this.cols.truncate(before);
      throw err;
    } finally {
      this.piece = EMPTY;
    }
    let bytes = this.out;
    let length = this.o;
    const ends = this.ends.subarray(0, count);
    if (this.widths.length > 0 && this.widths[this.widths.length - 2]! > 0) {
      ({ bytes, length } = padRows(bytes, length, ends, this.widths, before, this.cols.keys.length));
    }
    const result: PieceOut = { keys: this.cols.keys.slice(), count, bytes, length, ends, obTimes: this.obTimes, ids: this.ids };
    this.obTimes = [];
    this.ids = [];
    this.ends = new Uint32Array(0);
    return result;
  }

  private record(p: number, index: number): number {
    const list = this.cols.templates.list;
    for (let k = 0; k < list.length; k++) {
      const layout = list[k]!;
      if (this.piece.ascii && !this.cols.needsCaptures(layout, k) && this.cols.current(layout).program !== null) {
        const n = this.copyRows(layout, p, index);
        if (n > 0) {
          this.cols.matched(layout, k, null);
          this.run.more = n - 1;
          return this.session.rows.after;
        }
        // A miss: a record of another shape (or with a number that is not finite); the pattern tells.
      }
      const re = layout.template.csv;
      re.lastIndex = p;
      const m = re.exec(this.piece.text);
      if (m === null) continue;
      const end = re.lastIndex;
      this.cols.matched(layout, k, m);
      this.cols.current(layout);
      this.out = this.session.rows.ensure(this.o, 2 * (end - p) + layout.glueLength + 32 * layout.kinds.length + 64);
      if (!this.buildRow(layout, m)) break;
      this.endRecord(index);
      return end;
    }
    return this.slowRow(p, index);
  }

  /**
   * The rows of the record at p and the records after it by the copier, as long as each is exactly of
   * the layout's shape: how many (0: the record at p is not).
   */
  private copyRows(layout: CsvLayout, p: number, index: number): number {
    const rows = this.session.rows;
    const length = this.piece.bytes.length;
    // A row holds the record's values, the layout's glue and at most two quotes per value, plus what
    // converted numbers add.
    const extra = layout.glueLength + 2 * layout.kinds.length;
    this.out = rows.ensure(this.o, length - p + extra + ROW_ROOM);
    const n = rows.rows(layout.program!, p, length, this.o, extra);
    if (n === 0) return 0;
    this.o = rows.o;
    this.ends = growEnds(this.ends, index + n - 1);
    for (let i = 0; i < n; i++) {
      this.ids.push(layout.idAt < 0 ? 0 : rows.rowId(i));
      this.obTimes.push(layout.obTimeAt < 0 ? '' : rows.rowObTime(i));
      this.ends[index + i] = rows.rowEnd(i);
    }
    return n;
  }

  /** The same row from the captures, as a string: for text beyond ASCII and templates allowing whitespace. */
  private buildRow(layout: CsvLayout, m: RegExpExecArray): boolean {
    const { groups, kinds, glue, idAt, obTimeAt } = layout;
    let row = glue[0]!;
    for (let j = 0; j < groups.length; j++) {
      let v = m[groups[j]!]!;
      const kind = kinds[j];
      if (kind === COMMA) {
        if (v.indexOf(',') !== -1) v = `"${v}"`;
      } else if (kind === NUM_ARRAY) {
        if (!areCanonicalAt(v, 0, v.length)) v = JSON.stringify(JSON.parse(v));
      } else if (kind !== RAW && !isCanonicalAt(v, 0, v.length)) {
        const x = +v;
        if (kind === INNER_NUM && !Number.isFinite(x)) return false;
        v = String(x);
      }
      row += v + glue[j + 1]!;
    }
    this.ids.push(idAt < 0 ? 0 : hashId(m[groups[idAt]!]!));
    if (obTimeAt < 0) this.obTimes.push('');
    else {
      const t = m[groups[obTimeAt]!]!;
      if (t !== this.lastObTime) this.lastObTime = detach(t);
      this.obTimes.push(this.lastObTime);
    }
    this.o += this.out.write(row, this.o, 'utf8');
    return true;
  }

  /** A record no template matched: validated and parsed alone; it proposes the template of its shape. */
  private slowRow(p: number, index: number): number {
    const text = this.piece.text;
    const { record, end } = slowRecord(text, p, index);
    const keys = this.cols.keys;
    for (const k of Object.keys(record)) if (this.cols.add(k)) this.widths.push(index, keys.length);
    const row = `${keys.map((k) => (Object.hasOwn(record, k) ? cellOf(record[k]) : '')).join(',')}\n`;
    this.out = this.session.rows.ensure(this.o, 3 * row.length);
    this.o += this.out.write(row, this.o, 'utf8');
    this.obTimes.push(obTimeOf(record));
    this.ids.push(idHashOf(record));
    this.cols.templates.learn(text, record, p, end);
    this.endRecord(index);
    return end;
  }

  private endRecord(index: number): void {
    this.ends = growEnds(this.ends, index);
    this.ends[index] = this.o;
  }
}

/** hashId of the record's id, 0 when it has none (not a string). */
export function idHashOf(record: Row): number {
  const id = Object.hasOwn(record, 'id') ? record['id'] : undefined;
  return typeof id === 'string' ? hashId(id) : 0;
}

/**
 * Rows written before a later record brought new keys have fewer cells: adds the empty ones and moves
 * `ends` along. `widths` holds (first row index, width) pairs in row order; rows before the first had
 * `initial` cells (none: "\n", which is one empty cell).
 */
function padRows(rows: Buffer, length: number, ends: Uint32Array, widths: readonly number[], initial: number, width: number): { bytes: Buffer; length: number } {
  const parts: Buffer[] = [];
  let from = 0;
  let shift = 0;
  for (let w = 0, i = 0; i < ends.length; i++) {
    while (w + 2 < widths.length && widths[w + 2]! <= i) w += 2;
    const had = i < widths[0]! ? initial : widths[w + 1]!;
    const missing = had === 0 ? width - 1 : width - had;
    const end = ends[i]!;
    if (missing > 0) {
      parts.push(rows.subarray(from, end - 1), Buffer.from(','.repeat(missing)));
      from = end - 1;
      shift += missing;
    }
    ends[i] = end + shift;
  }
  parts.push(rows.subarray(from, length));
  const bytes = Buffer.concat(parts);
  return { bytes, length: bytes.length };
}

// ---------------------------------------------------------------------------------------------------
// The string API, for tests and the transcoder bench

/** One response page transcoded to CSV rows. */
export interface CsvPage {
  /** Column order: the record keys in order of first appearance within this page. */
  keys: string[];
  /** CSV rows, no header, each ending in "\n", cells in `keys` order. */
  rows: string;
  /** rowEnds[i] = offset in `rows` just past record i's "\n". */
  rowEnds: Uint32Array | number[];
  /** obTimes[i] = record i's obTime string exactly as sent; "" if absent or not a string. */
  obTimes: string[];
  count: number;
}

/** One page delivered as consecutive string pieces; see PageWriter for what carries across. */
export interface CsvPageTranscoder {
  push(piece: string): CsvPage;
}

export function createCsvPageTranscoder(): CsvPageTranscoder {
  const writer = createCsvPageWriter();
  return { push: (piece) => asCsvPage(writer.push(pieceOf(piece))) };
}

export function transcodePageToCsv(body: string): CsvPage {
  return createCsvPageTranscoder().push(body);
}

function asCsvPage(p: PieceOut): CsvPage {
  const rows = p.bytes.toString('utf8', 0, p.length);
  let rowEnds: Uint32Array | number[] = Array.from(p.ends);
  if (rows.length !== p.length) {
    // Text beyond ASCII: byte offsets become string offsets.
    let at = 0;
    rowEnds = Array.from(p.ends, (end, i) => (at += p.bytes.toString('utf8', i === 0 ? 0 : p.ends[i - 1], end).length));
  }
  return { keys: p.keys, rows, rowEnds, obTimes: p.obTimes, count: p.count };
}
