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

export class Duplicates {
  private run: Run = newRun('');
  /** The current run's records from the piece last passed to `find`: [slot, piece-local index]. */
  private placed: Array<[number, number]> = [];

  constructor(
    private readonly target: ChunkTarget,
    private readonly format: ArtifactFormat,
  ) {}

  /** Piece-local indices of the records of `out` that repeat one already written, ascending. */
  find(out: PieceOut, base: number, sepLength: number): number[] {
    const dropped: number[] = [];
    const { obTimes, ids, ends, keys } = out;
    const target = this.target;
    let run = this.run;
    this.placed = [];
    for (let i = 0; i < out.count; i++) {
      if (obTimes[i] !== run.obTime) {
        run = this.run = newRun(obTimes[i]!);
        this.placed = [];
      }
      const hash = ids[i]!;
      if (hash === 0) continue;
      const from = base + (i === 0 ? 0 : ends[i - 1]! + sepLength);
      const to = base + ends[i]!;
      const first = run.slot.get(hash);
      // Where the run's records lie, in flat arrays: no object per record.
      const slot = run.from.length;
      run.from.push(from);
      run.to.push(to);
      run.keys.push(keys);
      run.next.push(-1);
      if (first === undefined) {
        run.slot.set(hash, slot);
        this.placed.push([slot, i]);
        continue;
      }
      // The same hash: the same record again, the same id with other content, or two ids that hash alike.
      const text = target.read(from, to - from);
      let last = first;
      for (let s = first; s >= 0; s = run.next[s]!) {
        last = s;
        const other = target.read(run.from[s]!, run.to[s]! - run.from[s]!);
        if (other.equals(text)) {
          dropped.push(i);
          break;
        }
        const id = this.format.recordId(text, keys);
        if (id === this.format.recordId(other, run.keys[s]!)) throw new DuplicateIdError(id, obTimes[i]!);
      }
      if (dropped[dropped.length - 1] !== i) {
        run.next[last] = slot;
        this.placed.push([slot, i]);
      }
    }
    return dropped;
  }

  /**
   * The last piece was written again without its dropped records (`ends` as `withoutRecords` gives them,
   * from `base`): the run's records from that piece now lie earlier in the window.
   */
  relocate(ends: ArrayLike<number>, base: number, sepLength: number): void {
    const run = this.run;
    for (const [slot, i] of this.placed) {
      // Records are never empty, so ends[i - 1] is 0 exactly when nothing before i was kept.
      const before = i === 0 ? 0 : ends[i - 1]!;
      run.from[slot] = base + (before === 0 ? 0 : before + sepLength);
      run.to[slot] = base + ends[i]!;
    }
  }
}

/** The records of one obTime run: by id hash, the first of a chain of records (next) with that hash. */
interface Run {
  obTime: string;
  slot: Map<number, number>;
  from: number[];
  to: number[];
  keys: Array<readonly string[]>;
  next: number[];
}

function newRun(obTime: string): Run {
  return { obTime, slot: new Map(), from: [], to: [], keys: [], next: [] };
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
