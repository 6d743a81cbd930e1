/**
 * One response page, transcoded while it arrives and appended to its window's file piece by piece.
 * Held whole, a page is an 8 MB string in V8's large-object space and its output another 5 MB: across a
 * day that garbage costs ~100 MB of RSS. So the body is cut at record boundaries into ~64 KB pieces, each
 * decoded, transcoded (the page's transcoder carries its learning across pieces) and written at once:
 * every string stays small and dies young.
 *
 * A cut is a `},{` followed by the page's first key, as every top-level record starts. Should that ever
 * fall inside a nested value, the piece does not parse: the sink throws PieceCutError and the page is
 * fetched again whole. Pretty-printed pages have no `},{` and simply arrive as one piece.
 */
import { isAscii } from 'node:buffer';
import { ReachUdlError } from '../errors.js';
import { PageFormatError, createCsvPageTranscoder, splitPageJson, type CsvPageTranscoder } from '../artifacts/transcode.js';
import type { OutputFormat } from '../artifacts/naming.js';
import type { WindowWriter } from '../artifacts/spool.js';
import type { BodySink } from '../udl/client.js';
import { canonicalObTime } from '../plan/dates.js';

/** Target piece size: under V8's large-object threshold (128 KB), so pieces are collected young. */
export const PIECE_BYTES = 64 * 1024;
/** Pieces that keep their text and obTimes, for continuing a full page by key. */
const TAIL_PIECES = 3;
const SEPARATOR = Buffer.from('},{');

/** A cut at `},{` landed inside a value: fetch the page again without cutting. */
export class PieceCutError extends ReachUdlError {
  readonly code = 'ERR_PIECE_CUT';
  readonly exitClass = 'failed';
  constructor(readonly parseError: PageFormatError) {
    super(`a piece cut fell inside a record: ${parseError.message}`);
  }
}

/** What a piece put in the window file. */
export interface PieceEntry {
  /** CSV column order of this piece; empty for JSON. */
  keys: string[];
  records: number;
  /** Bytes written, separator included. */
  bytes: number;
  fileStart: number;
  /** Bytes of the ",\n" written before a JSON piece's first record. */
  prefixBytes: number;
  /** Index of the piece's first record in the page. */
  firstIndex: number;
  /** Offsets in `text` just past each record; with text and obTimes, kept only for tail pieces. */
  ends: ArrayLike<number>;
  text: string | undefined;
  obTimes: string[] | undefined;
}

export interface StreamedPage {
  count: number;
  entries: PieceEntry[];
  /** obTime in ms of record i; throws RangeError when i lies before the tail pieces. */
  obTimeMs(i: number): number;
  /** Drops records from `keep` on, from the file and the entries; throws RangeError if they are no longer held. */
  cut(keep: number): void;
}

export interface PageStreamOptions {
  writer: WindowWriter;
  format: OutputFormat;
  startMs: number;
  endMs: number;
  /** The window already holds records (JSON pieces then start with a separator). */
  windowHasRecords: boolean;
  /** Take the page as one piece (after a PieceCutError, or for tests). */
  whole: boolean;
}

export class PageStream implements BodySink<StreamedPage> {
  private readonly csv: CsvPageTranscoder | undefined;
  private readonly entries: PieceEntry[] = [];
  private readonly pageStart: number;
  private readonly hi: string;
  private prev: string;
  private count = 0;
  private carry: Buffer = Buffer.alloc(0);
  private parts: Buffer[] | undefined;
  private started = false;
  private head: Buffer | undefined;

  constructor(private readonly o: PageStreamOptions) {
    this.csv = o.format === 'csv' ? createCsvPageTranscoder() : undefined;
    this.pageStart = o.writer.offset;
    this.prev = new Date(o.startMs).toISOString();
    this.hi = new Date(o.endMs).toISOString();
    if (o.whole) this.parts = [];
  }

  data(chunk: Buffer): void {
    if (this.parts) {
      this.parts.push(chunk);
      return;
    }
    let buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    if (!this.started) {
      let p = 0;
      while (p < buf.length && (buf[p] === 0x20 || buf[p] === 0x0a || buf[p] === 0x0d || buf[p] === 0x09)) p++;
      if (p === buf.length) {
        this.carry = buf;
        return;
      }
      if (buf[p] !== 0x5b /* [ */) {
        this.parts = [buf];
        return;
      }
      this.started = true;
      buf = buf.subarray(p + 1);
    }
    this.head ??= recordHead(buf);
    for (;;) {
      const cut = this.head && buf.length > PIECE_BYTES ? findCut(buf, this.head) : -1;
      if (cut < 0) break;
      this.piece(buf.subarray(0, cut + 1), false);
      buf = buf.subarray(cut + 2);
    }
    // A copy, so the chunk the rest came from can go.
    this.carry = Buffer.from(buf);
  }

  end(): StreamedPage {
    if (this.parts) this.piece(Buffer.concat(this.parts), true, true);
    else if (this.started) this.piece(this.carry, true);
    else this.piece(this.carry, true, true);
    if (this.count > 0 && this.prev >= this.hi) throw new RangeError(`record ${this.count - 1} has obTime ${this.prev} at or after ${this.hi}`);
    return this.result();
  }

  private piece(bytes: Buffer, last: boolean, bare = false): void {
    const raw = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
    const text = bare ? raw : `[${raw}${last ? '' : ']'}`;
    let keys: string[];
    let out: string;
    let ends: ArrayLike<number>;
    let obTimes: string[];
    let records: number;
    try {
      if (this.csv) {
        const p = this.csv.push(text);
        ({ keys, rows: out, rowEnds: ends, obTimes, count: records } = p);
      } else {
        const p = splitPageJson(text);
        keys = [];
        records = p.count;
        obTimes = p.obTimes;
        const e = new Uint32Array(p.count);
        let at = -2;
        p.records.forEach((r, i) => (e[i] = at += r.length + 2));
        ends = e;
        out = p.records.join(',\n');
      }
    } catch (err) {
      if (err instanceof PageFormatError && !this.o.whole && !bare) throw new PieceCutError(err);
      throw err;
    }
    this.prev = checkObTimes(obTimes, this.prev, this.count);
    if (records === 0) return;
    const prefix = this.o.format === 'json' && (this.o.windowHasRecords || this.count > 0) ? ',\n' : '';
    const fileStart = this.o.writer.offset;
    this.o.writer.append(prefix + out);
    this.entries.push({
      keys,
      records,
      bytes: this.o.writer.offset - fileStart,
      fileStart,
      prefixBytes: prefix.length,
      firstIndex: this.count,
      ends,
      text: out,
      obTimes,
    });
    this.count += records;
    const old = this.entries[this.entries.length - 1 - TAIL_PIECES];
    if (old) {
      old.text = undefined;
      old.obTimes = undefined;
    }
  }

  private result(): StreamedPage {
    const { entries, count } = this;
    const writer = this.o.writer;
    const pageStart = this.pageStart;
    const locate = (i: number): PieceEntry => {
      let n = entries.length - 1;
      while (n > 0 && entries[n]!.firstIndex > i) n--;
      return entries[n]!;
    };
    return {
      count,
      entries,
      obTimeMs(i) {
        const e = locate(i);
        const t = e.obTimes?.[i - e.firstIndex];
        if (t === undefined) throw new RangeError(`obTime of record ${i} is no longer held`);
        return Date.parse(t);
      },
      cut(keep) {
        if (keep >= count) return;
        if (keep === 0) {
          entries.length = 0;
          writer.truncate(pageStart);
          return;
        }
        const e = locate(keep);
        const k = keep - e.firstIndex;
        let offset: number;
        if (k === 0) {
          offset = e.fileStart;
          entries.splice(entries.indexOf(e));
        } else {
          if (e.text === undefined) throw new RangeError(`record ${keep} is no longer held`);
          offset = e.fileStart + e.prefixBytes + Buffer.byteLength(e.text.slice(0, e.ends[k - 1]));
          e.records = k;
          e.bytes = offset - e.fileStart;
          entries.splice(entries.indexOf(e) + 1);
        }
        writer.truncate(offset);
      },
    };
  }
}

/** The bytes a top-level record starts with up to its first key's colon, e.g. `"id":`. */
function recordHead(buf: Buffer): Buffer | undefined {
  const brace = buf.indexOf(0x7b);
  const colon = buf.indexOf(0x3a, brace);
  if (brace < 0 || colon < 0 || colon - brace > 128) return undefined;
  return buf.subarray(brace + 1, colon + 1);
}

/** A `},{` past PIECE_BYTES that a record head follows, or -1. */
function findCut(buf: Buffer, head: Buffer): number {
  for (let from = PIECE_BYTES; ; ) {
    const cut = buf.indexOf(SEPARATOR, from);
    if (cut < 0 || cut + 3 + head.length > buf.length) return -1;
    if (buf.compare(head, 0, head.length, cut + 3, cut + 3 + head.length) === 0) return cut;
    from = cut + 1;
  }
}

/**
 * Every row must lie inside the asked window and come sorted by obTime: the exactness of the whole day
 * rests on it. Sorted means the upper bound needs checking only at the page's end. Canonical ISO strings
 * (24 chars, ms, Z) compare as text; any other form is normalised first. Returns the last obTime.
 */
function checkObTimes(obTimes: readonly string[], prev: string, offset: number): string {
  for (let i = 0; i < obTimes.length; i++) {
    const raw = obTimes[i]!;
    const t = canonicalObTime(raw);
    if (t < prev) throw new RangeError(`record ${offset + i} has obTime ${raw || '(none)'} before ${prev} (outside the window or out of order)`);
    prev = t;
  }
  return prev;
}
