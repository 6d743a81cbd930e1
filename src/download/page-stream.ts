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
import { parse } from 'csv-parse/sync';
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
  /** Records written (exact duplicates from the server are not). */
  records: number;
  /** Records the server sent in this piece, duplicates included. */
  received: number;
  /** Piece-local indices of the exact duplicates left out, ascending. */
  dropped: number[];
  /** Bytes written, separator included. */
  bytes: number;
  fileStart: number;
  /** Bytes of the ",\n" written before a JSON piece's first record. */
  prefixBytes: number;
  /** Index of the piece's first record in the page. */
  firstIndex: number;
  /** Offsets in `text` just past each record (a dropped one adds nothing); with text and obTimes, kept only for tail pieces. */
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
  /** Records the server sent in this page so far. */
  private count = 0;
  /** Records written to the file so far (duplicates left out). */
  private written = 0;
  private carry: Buffer = Buffer.alloc(0);
  private parts: Buffer[] | undefined;
  private started = false;
  private head: Buffer | undefined;
  /** The records of the current obTime run, by id: where an exact duplicate from the server is found. */
  private run: { obTime: string; texts: Map<string, string> } = { obTime: '', texts: new Map() };

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
    const dropped = this.duplicates(out, ends, obTimes, keys);
    if (dropped.length > 0) ({ out, ends } = withoutRecords(out, ends, dropped, this.o.format === 'json'));
    const kept = records - dropped.length;
    const prefix = kept > 0 && this.o.format === 'json' && (this.o.windowHasRecords || this.written > 0) ? ',\n' : '';
    const fileStart = this.o.writer.offset;
    if (kept > 0) this.o.writer.append(prefix + out);
    this.entries.push({
      keys,
      records: kept,
      received: records,
      dropped,
      bytes: this.o.writer.offset - fileStart,
      fileStart,
      prefixBytes: prefix.length,
      firstIndex: this.count,
      ends,
      text: out,
      obTimes,
    });
    this.count += records;
    this.written += kept;
    const old = this.entries[this.entries.length - 1 - TAIL_PIECES];
    if (old) {
      old.text = undefined;
      old.obTimes = undefined;
    }
  }

  /**
   * Exact duplicates (the same record sent twice) are left out; the same id with different content is
   * a conflict the day cannot be trusted with. Records come sorted by obTime, so a record's duplicate lies
   * in its obTime run: only that run's ids are kept, carried across pieces.
   */
  private duplicates(out: string, ends: ArrayLike<number>, obTimes: readonly string[], keys: readonly string[]): number[] {
    const dropped: number[] = [];
    const idOf = recordIdReader(keys, this.o.format);
    for (let i = 0; i < obTimes.length; i++) {
      if (obTimes[i] !== this.run.obTime) this.run = { obTime: obTimes[i]!, texts: new Map() };
      const text = out.slice(i === 0 ? 0 : ends[i - 1], ends[i]);
      const id = idOf(text);
      if (id === undefined) continue;
      const seen = this.run.texts.get(id);
      if (seen === undefined) this.run.texts.set(id, text);
      else if (stripSeparator(seen) === stripSeparator(text)) dropped.push(i);
      else throw new DuplicateIdError(id, obTimes[i]!);
    }
    return dropped;
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
          const droppedBefore = e.dropped.filter((d) => d < k).length;
          e.dropped = e.dropped.filter((d) => d < k);
          e.received = k;
          e.records = k - droppedBefore;
          // A piece whose kept records were all dropped wrote nothing, prefix included.
          if (e.records === 0) offset = e.fileStart;
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
    // Runs of equal obTimes are the rule (64 records per tick for ALL): each distinct one is checked once.
    if (raw === obTimes[i - 1]) continue;
    const t = canonicalObTime(raw);
    if (t === '') throw new RangeError(`record ${offset + i} has obTime ${JSON.stringify(raw)}, which is not a time`);
    if (t < prev) throw new RangeError(`record ${offset + i} has obTime ${raw} before ${prev} (outside the window or out of order)`);
    prev = t;
  }
  return prev;
}

/** The server sent two different records under one id: which one is true cannot be told. */
export class DuplicateIdError extends ReachUdlError {
  readonly code = 'ERR_DUPLICATE_ID';
  readonly exitClass = 'failed';
  constructor(
    readonly id: string,
    obTime: string,
  ) {
    super(`the server sent two different records with id ${id} at ${obTime}; the day is not written (ask the data provider, then rerun with --retry-failed)`);
  }
}

const JSON_ID = /"id"\s*:\s*"([^"\\]*)"/;

/**
 * Reads a record's id from its written text: the first cell of a CSV row when `id` is the first column
 * (as UDL sends it: a UUID needs no quoting), else through the CSV rules; the `id` field of a JSON text.
 */
function recordIdReader(keys: readonly string[], format: OutputFormat): (text: string) => string | undefined {
  if (format === 'json') return (text) => JSON_ID.exec(text)?.[1];
  const col = keys.indexOf('id');
  if (col < 0) return () => undefined;
  if (col === 0) {
    return (text) => {
      const comma = text.indexOf(',');
      const cell = comma < 0 ? text.replace(/\n$/, '') : text.slice(0, comma);
      return cell.startsWith('"') ? (parseRow(text)?.[0] ?? undefined) : cell;
    };
  }
  return (text) => parseRow(text)?.[col];
}

function parseRow(text: string): string[] | undefined {
  try {
    return (parse(text, { relax_column_count: true }) as string[][])[0];
  } catch {
    return undefined;
  }
}

/** A JSON record's text starts with the ",\n" that separates it from the one before (see withoutRecords). */
function stripSeparator(text: string): string {
  return text.startsWith(',\n') ? text.slice(2) : text;
}

/**
 * The piece's output without the given records; `ends` keeps one entry per record the server sent, a
 * dropped one adding no bytes, so record indices stay the server's (paging needs them).
 */
function withoutRecords(out: string, ends: ArrayLike<number>, dropped: readonly number[], json: boolean): { out: string; ends: Uint32Array } {
  const skip = new Set(dropped);
  const parts: string[] = [];
  const newEnds = new Uint32Array(ends.length);
  let at = 0;
  for (let i = 0; i < ends.length; i++) {
    if (!skip.has(i)) {
      let text = out.slice(i === 0 ? 0 : ends[i - 1], ends[i]);
      // JSON texts are joined by ",\n": the first kept one must not start with it, later ones must.
      if (json) text = (parts.length === 0 ? '' : ',\n') + stripSeparator(text);
      parts.push(text);
      at += text.length;
    }
    newEnds[i] = at;
  }
  return { out: parts.join(''), ends: newEnds };
}
