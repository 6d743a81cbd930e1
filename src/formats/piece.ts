/**
 * What a page writer takes and gives: one piece of a response page (whole records, as bytes and as text)
 * in, the artifact bytes for its records out, with where each record ends, its obTime and its id.
 */

/** A piece of a page: a JSON array text of whole records (or a page's lenient forms). */
export interface PieceIn {
  readonly bytes: Buffer;
  /** The bytes decoded: Latin-1 when `ascii` (so text offsets are byte offsets), else UTF-8. */
  readonly text: string;
  readonly ascii: boolean;
}

/**
 * A piece whose text is decoded on first use: records the record copier takes need only the bytes, so
 * most pieces of ASCII text are never decoded (~900 MB of strings per ALL day the collector never sees).
 * The bytes must stay as they are while the piece is in use.
 */
export class Piece implements PieceIn {
  private decoded: string | undefined;

  constructor(
    readonly bytes: Buffer,
    readonly ascii: boolean,
  ) {}

  get text(): string {
    this.decoded ??= this.bytes.toString(this.ascii ? 'latin1' : 'utf8');
    return this.decoded;
  }
}

/** One piece's records in the artifact's form, no separator before the first record. */
export interface PieceOut {
  /** CSV column order after this piece (the first-appearance union so far); empty for formats without one. */
  keys: string[];
  count: number;
  /** Output bytes [0, length): valid until the session's next push, so write them before anything else. */
  bytes: Buffer;
  length: number;
  /** ends[i] = offset in `bytes` just past record i (its separator to the next record excluded). */
  ends: Uint32Array;
  /** Record i's obTime exactly as sent; "" when absent or not a string. Copies: safe to keep. */
  obTimes: string[];
  /** A 30-bit hash of record i's id (hashId), 0 when it has none: no string per record. */
  ids: number[];
}

/** Turns the pieces of one page into artifact bytes, carrying what it learned from piece to piece. */
export interface PageWriter {
  push(piece: PieceIn): PieceOut;
}

/** A growable output buffer, reused from piece to piece within one writer session. */
export class OutBuffer {
  buf: Buffer = Buffer.allocUnsafeSlow(1 << 18);

  /** Room for `n` bytes from `at`, keeping [0, at). */
  ensure(at: number, n: number): Buffer {
    if (at + n > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, at + n));
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    return this.buf;
  }
}

/** Growable per-piece record ends. */
export function growEnds(ends: Uint32Array, index: number): Uint32Array {
  if (index < ends.length) return ends;
  const grown = new Uint32Array(Math.max(16, index * 2));
  grown.set(ends);
  return grown;
}

/** A piece from a string (tests, benches): its UTF-8 bytes, decoded again as the network's would be. */
export function pieceOf(text: string): PieceIn {
  const bytes = Buffer.from(text, 'utf8');
  const ascii = bytes.length === text.length;
  return { bytes, text: ascii ? text : bytes.toString('utf8'), ascii };
}

/** FNV-1a over the id's UTF-16 code units, as a small non-zero integer (equal ids, equal hashes). */
export function hashId(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h & 0x3fffffff) | 1;
}
