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
import { PageFormatError, Piece, type ArtifactFormat, type FormatSession, type PieceIn, type PieceOut } from '../formats/index.js';
import type { BodySink } from '../udl/client.js';
import type { BufferPool } from '../artifacts/window-sink.js';
import { Duplicates, withoutRecords } from './duplicates.js';

export { DuplicateIdError } from './duplicates.js';
import { canonicalObTime } from '../plan/dates.js';

/** Target piece size: under V8's large-object threshold (128 KB), so pieces are collected young. */
export const PIECE_BYTES = 64 * 1024;
/** Pieces that keep their obTimes, for continuing a full page by key. */
const TAIL_PIECES = 3;
const SEPARATOR = Buffer.from('},{');

/** Where a window's bytes go: appended at `offset`, cut back on a retry or a page continued by key. */
export interface ChunkTarget {
  /** Bytes of the window so far. */
  readonly offset: number;
  /** `keys`: the column order of the records written (the first write's choose the day's head). */
  write(bytes: Buffer, start: number, end: number, keys?: readonly string[]): void;
  truncate(offset: number): void;
  /** Bytes already written, read back (to compare a record sent twice). */
  read(offset: number, length: number): Buffer;
}

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
  /** CSV column order of this piece; empty for formats without one. */
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
  /** Bytes of the separator written before the piece's first record. */
  prefixBytes: number;
  /** Index of the piece's first record in the page. */
  firstIndex: number;
  /** Offsets in the piece's output just past each record (a dropped one adds nothing). */
  ends: ArrayLike<number>;
  /** Kept only for tail pieces. */
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
  target: ChunkTarget;
  format: ArtifactFormat;
  /** The day's writer session: compiled templates and buffers shared by its pages. */
  session: FormatSession;
  startMs: number;
  endMs: number;
  /** The window already holds records (pieces then start with the format's separator). */
  windowHasRecords: boolean;
  /** Take the page as one piece (after a PieceCutError, or for tests). */
  whole: boolean;
  /** Receive buffers recycled across the day's pages (of RECEIVE_BYTES). */
  buffers?: BufferPool;
}

/** A page's receive buffer: a few pieces plus a network chunk. */
export const RECEIVE_BYTES = 1 << 18;

export class PageStream implements BodySink<StreamedPage> {
  private readonly writer;
  private readonly entries: PieceEntry[] = [];
  private readonly pageStart: number;
  private readonly hi: string;
  private prev: string;
  /** Records the server sent in this page so far. */
  private count = 0;
  /** Records written to the file so far (duplicates left out). */
  private written = 0;
  /** Bytes received and not yet cut into pieces: acc[pos, len). */
  private acc: Buffer;
  private pos = 0;
  private len = 0;
  private parts: Buffer[] | undefined;
  private started = false;
  private head: Buffer | undefined;
  /** The records of the current obTime run, by id, with where they lie in the window: where an exact duplicate is found. */
  private readonly dups: Duplicates;

  constructor(private readonly o: PageStreamOptions) {
    this.writer = o.session.pageWriter();
    this.dups = new Duplicates(o.target, o.format);
    this.acc = o.buffers?.take() ?? Buffer.allocUnsafeSlow(RECEIVE_BYTES);
    this.pageStart = o.target.offset;
    this.prev = new Date(o.startMs).toISOString();
    this.hi = new Date(o.endMs).toISOString();
    if (o.whole) this.parts = [];
  }

  data(chunk: Buffer): void {
    if (this.parts) {
      // Copied: the chunk's memory is reused after this call (BodySink).
      this.parts.push(Buffer.from(chunk));
      return;
    }
    this.append(chunk);
    const acc = this.acc;
    if (!this.started) {
      let p = this.pos;
      while (p < this.len && (acc[p] === 0x20 || acc[p] === 0x0a || acc[p] === 0x0d || acc[p] === 0x09)) p++;
      if (p === this.len) return;
      if (acc[p] !== 0x5b /* [ */) {
        this.parts = [Buffer.from(acc.subarray(this.pos, this.len))];
        return;
      }
      this.started = true;
      this.pos = p + 1;
    }
    this.head ??= recordHead(acc.subarray(this.pos, this.len));
    for (;;) {
      const cut = this.head && this.len - this.pos > PIECE_BYTES ? findCut(acc, this.pos, this.len, this.head) : -1;
      if (cut < 0) break;
      this.piece(this.pos, cut + 1, false);
      this.pos = cut + 2;
    }
  }

  end(): StreamedPage {
    if (this.parts) this.whole(Buffer.concat(this.parts));
    else if (this.started) this.piece(this.pos, this.len, true);
    else this.whole(this.acc.subarray(this.pos, this.len));
    this.o.buffers?.give(this.acc);
    if (this.count > 0 && this.prev >= this.hi) throw new RangeError(`record ${this.count - 1} has obTime ${this.prev} at or after ${this.hi}`);
    return this.result();
  }

  /**
   * Adds a chunk to the bytes not yet cut into pieces, in one buffer reused for the whole page: no
   * allocation per chunk or piece. What was consumed is dropped only when room runs out, one byte before
   * the first unconsumed one kept (see piece).
   */
  private append(chunk: Buffer): void {
    if (this.len + chunk.length > this.acc.length) {
      const keep = Math.max(0, this.pos - 1);
      const need = this.len - keep + chunk.length;
      const acc = need > this.acc.length ? Buffer.allocUnsafeSlow(Math.max(2 * this.acc.length, need)) : this.acc;
      this.acc.copy(acc, 0, keep, this.len);
      this.acc = acc;
      this.len -= keep;
      this.pos -= keep;
    }
    chunk.copy(this.acc, this.len);
    this.len += chunk.length;
  }

  /**
   * The records in acc[from, to) (no `[` before them; a `]` after them when `last`) as a piece: a JSON
   * array text, bytes and text from the byte before `from` (so they line up; the writer reads the framing
   * brackets only from the text).
   */
  private piece(from: number, to: number, last: boolean): void {
    const acc = this.acc;
    // The bytes around the records become the array's brackets while the writer reads the piece: no copy
    // and no concatenation to frame it. The last piece already ends with its `]`.
    const end = last ? to : to + 1;
    const before = acc[from - 1]!;
    const after = acc[to]!;
    acc[from - 1] = 0x5b;
    if (!last) acc[to] = 0x5d;
    try {
      const bytes = acc.subarray(from - 1, end);
      this.push(new Piece(bytes, isAscii(bytes)), false);
    } finally {
      acc[from - 1] = before;
      if (!last) acc[to] = after;
    }
  }

  /** The page as one piece, as it came (after a PieceCutError, or when it is not a plain array). */
  private whole(bytes: Buffer): void {
    this.push(new Piece(bytes, isAscii(bytes)), true);
  }

  private push(input: PieceIn, bare: boolean): void {
    let out: PieceOut;
    try {
      out = this.writer.push(input);
    } catch (err) {
      if (err instanceof PageFormatError && !this.o.whole && !bare) throw new PieceCutError(err);
      throw err;
    }
    this.prev = checkObTimes(out.obTimes, this.prev, this.count);
    const records = out.count;
    if (records === 0) return;
    const target = this.o.target;
    const sep = this.o.format.separator;
    const prefix = this.o.windowHasRecords || this.written > 0 ? sep : sep.subarray(0, 0);
    const fileStart = target.offset;
    if (prefix.length > 0) target.write(prefix, 0, prefix.length, out.keys);
    target.write(out.bytes, 0, out.length, out.keys);
    let ends: ArrayLike<number> = out.ends;
    const dropped = this.dups.find(out, fileStart + prefix.length, sep.length);
    if (dropped.length > 0) {
      const kept = withoutRecords(out, dropped, sep);
      ends = kept.ends;
      this.dups.relocate(kept.ends, fileStart + prefix.length, sep.length);
      target.truncate(fileStart);
      if (kept.length > 0) {
        if (prefix.length > 0) target.write(prefix, 0, prefix.length, out.keys);
        target.write(kept.bytes, 0, kept.length, out.keys);
      }
    }
    const keptCount = records - dropped.length;
    this.entries.push({
      keys: out.keys,
      records: keptCount,
      received: records,
      dropped,
      bytes: target.offset - fileStart,
      fileStart,
      prefixBytes: keptCount > 0 ? prefix.length : 0,
      firstIndex: this.count,
      ends,
      obTimes: out.obTimes,
    });
    this.count += records;
    this.written += keptCount;
    const old = this.entries[this.entries.length - 1 - TAIL_PIECES];
    if (old) old.obTimes = undefined;
  }

  private result(): StreamedPage {
    const { entries, count } = this;
    const writer = this.o.target;
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
          offset = e.fileStart + e.prefixBytes + e.ends[k - 1]!;
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

/** A `},{` at least PIECE_BYTES into buf[from, to) that a record head follows, or -1. */
function findCut(buf: Buffer, from: number, to: number, head: Buffer): number {
  for (let at = from + PIECE_BYTES; ; ) {
    const cut = buf.indexOf(SEPARATOR, at);
    if (cut < 0 || cut + 3 + head.length > to) return -1;
    if (buf.compare(head, 0, head.length, cut + 3, cut + 3 + head.length) === 0) return cut;
    at = cut + 1;
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

