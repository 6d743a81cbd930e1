/**
 * Exact duplicates within a page: the server may send a record twice; it is written once. The same id
 * with different content is refused (DuplicateIdError). Records come sorted by obTime, so a record's
 * duplicate lies in its obTime run: only that run is remembered, by id hash, with where each record lies
 * in the window; records are read back only when a hash comes again. A run may go on into the next
 * piece, so when a piece loses records, the run's later records move: `relocate` says where to.
 */
import { ReachUdlError } from '../errors.js';
import type { ArtifactFormat, PieceOut } from '../formats/index.js';
import type { ChunkTarget } from './page-stream.js';

/** Slots a run starts with (a run is 64 records on an ALL day); the arrays double as needed. */
const INITIAL_SLOTS = 128;

export class Duplicates {
  /**
   * The current run (the records of one obTime so far), in flat arrays reused from run to run, so the
   * million records of a day allocate nothing: per slot, where the record lies in the window, the column
   * order it was written under, and the next slot with the same id hash (-1: none).
   */
  private obTime: string | undefined;
  private size = 0;
  private from = new Float64Array(INITIAL_SLOTS);
  private to = new Float64Array(INITIAL_SLOTS);
  private next = new Int32Array(INITIAL_SLOTS);
  private readonly keys: Array<readonly string[]> = [];
  /** Id hash -> the run's first slot with it (open addressing); an entry counts only under the run's stamp. */
  private hashes = new Int32Array(2 * INITIAL_SLOTS);
  private firsts = new Int32Array(2 * INITIAL_SLOTS);
  private stamps = new Int32Array(2 * INITIAL_SLOTS);
  private stamp = 0;
  /** The run's records from the piece last passed to `find`: (slot, piece-local index) pairs. */
  private placed = new Int32Array(2 * INITIAL_SLOTS);
  private placedCount = 0;

  constructor(
    private readonly target: ChunkTarget,
    private readonly format: ArtifactFormat,
  ) {}

  /** Piece-local indices of the records of `out` that repeat one already written, ascending. */
  find(out: PieceOut, base: number, sepLength: number): number[] {
    const dropped: number[] = [];
    const { obTimes, ids, ends, keys } = out;
    this.placedCount = 0;
    for (let i = 0; i < out.count; i++) {
      if (obTimes[i] !== this.obTime) this.startRun(obTimes[i]!);
      const hash = ids[i]!;
      if (hash === 0) continue;
      const from = base + (i === 0 ? 0 : ends[i - 1]! + sepLength);
      const to = base + ends[i]!;
      // The slot first: adding may grow the table, which moves its entries.
      const slot = this.add(from, to, keys);
      const at = this.lookup(hash);
      const first = this.stamps[at] === this.stamp ? this.firsts[at]! : -1;
      if (first < 0) {
        this.hashes[at] = hash;
        this.firsts[at] = slot;
        this.stamps[at] = this.stamp;
        this.place(slot, i);
        continue;
      }
      // The same hash: the same record again, the same id with other content, or two ids that hash alike.
      const text = this.target.read(from, to - from);
      let last = first;
      let repeat = false;
      for (let s = first; s >= 0; s = this.next[s]!) {
        last = s;
        const other = this.target.read(this.from[s]!, this.to[s]! - this.from[s]!);
        if (other.equals(text)) {
          repeat = true;
          break;
        }
        const id = this.format.recordId(text, keys);
        if (id === this.format.recordId(other, this.keys[s]!)) throw new DuplicateIdError(id, obTimes[i]!);
      }
      if (repeat) {
        // Not kept: the slot is given back.
        this.size--;
        dropped.push(i);
      } else {
        this.next[last] = slot;
        this.place(slot, i);
      }
    }
    return dropped;
  }

  /**
   * The last piece was written again without its dropped records (`ends` as `withoutRecords` gives them,
   * from `base`): the run's records from that piece now lie earlier in the window.
   */
  relocate(ends: ArrayLike<number>, base: number, sepLength: number): void {
    for (let k = 0; k < this.placedCount; k++) {
      const slot = this.placed[2 * k]!;
      const i = this.placed[2 * k + 1]!;
      // Records are never empty, so ends[i - 1] is 0 exactly when nothing before i was kept.
      const before = i === 0 ? 0 : ends[i - 1]!;
      this.from[slot] = base + (before === 0 ? 0 : before + sepLength);
      this.to[slot] = base + ends[i]!;
    }
  }

  private startRun(obTime: string): void {
    this.obTime = obTime;
    this.size = 0;
    this.placedCount = 0;
    // A new stamp empties the table; when stamps would wrap, it is cleared for real.
    if (++this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  /** The table entry of `hash`: where it is, or the empty entry where it would go. */
  private lookup(hash: number): number {
    const mask = this.hashes.length - 1;
    // hashId's lowest bit is always 1.
    let at = (hash >>> 1) & mask;
    while (this.stamps[at] === this.stamp && this.hashes[at] !== hash) at = (at + 1) & mask;
    return at;
  }

  /** A new slot for a record at [from, to) written under `keys`. */
  private add(from: number, to: number, keys: readonly string[]): number {
    if (this.size === this.from.length) this.growSlots();
    const slot = this.size++;
    this.from[slot] = from;
    this.to[slot] = to;
    this.next[slot] = -1;
    this.keys[slot] = keys;
    return slot;
  }

  private place(slot: number, i: number): void {
    if (2 * this.placedCount === this.placed.length) this.placed = grown(this.placed, 2 * this.placed.length);
    this.placed[2 * this.placedCount] = slot;
    this.placed[2 * this.placedCount + 1] = i;
    this.placedCount++;
  }

  /** Twice the slots, and a table kept at most half full (its entries put again: positions depend on its size). */
  private growSlots(): void {
    const n = 2 * this.from.length;
    this.from = grown(this.from, n);
    this.to = grown(this.to, n);
    this.next = grown(this.next, n);
    const { hashes, firsts, stamps } = this;
    this.hashes = new Int32Array(2 * n);
    this.firsts = new Int32Array(2 * n);
    this.stamps = new Int32Array(2 * n);
    for (let e = 0; e < hashes.length; e++) {
      if (stamps[e] !== this.stamp) continue;
      const at = this.lookup(hashes[e]!);
      this.hashes[at] = hashes[e]!;
      this.firsts[at] = firsts[e]!;
      this.stamps[at] = this.stamp;
    }
  }
}

function grown<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
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

/**
 * The piece's output without the given records; `ends` keeps one entry per record the server sent, a
 * dropped one adding no bytes, so record indices stay the server's (paging needs them).
 */
export function withoutRecords(out: PieceOut, dropped: readonly number[], sep: Buffer): { bytes: Buffer; length: number; ends: Uint32Array } {
  const skip = new Set(dropped);
  const parts: Buffer[] = [];
  const ends = new Uint32Array(out.count);
  let at = 0;
  for (let i = 0; i < out.count; i++) {
    if (!skip.has(i)) {
      const from = i === 0 ? 0 : out.ends[i - 1]! + sep.length;
      if (parts.length > 0 && sep.length > 0) parts.push(sep);
      parts.push(out.bytes.subarray(from, out.ends[i]));
      at += (parts.length > 1 ? sep.length : 0) + out.ends[i]! - from;
    }
    ends[i] = at;
  }
  const bytes = Buffer.concat(parts);
  return { bytes, length: bytes.length, ends };
}
