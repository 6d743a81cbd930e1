/**
 * Where one window's pages go (day-file.ts): memory while the window is behind the frontier, straight
 * into day.part once it is at it.
 */
import { readSync, ftruncateSync, writeSync } from 'node:fs';
import type { ChunkTarget } from '../download/page-stream.js';

/** What a window's sink needs of the day's file. */
export interface DayPart {
  readonly fd: number;
  readonly blocks: BufferPool;
  /** Writes the head (the day's first records) or the separator at `at`; returns its length. */
  writePrefix(at: number, keys: readonly string[]): number;
}

const BLOCK = 1 << 18;

/**
 * Fixed-size buffers handed back when done with: a window's held bytes and a page's receive buffer are
 * recycled within the day instead of left to the collector, which frees external memory only lazily
 * (RSS would grow by tens of MB of dead buffers).
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(b: Buffer): void {
    if (b.length === this.size && this.free.length < this.keep) this.free.push(b);
  }
}

/** Held windows' blocks: enough for the windows a day keeps ahead of its frontier. */
export function blockPool(): BufferPool {
  return new BufferPool(BLOCK, 96);
}

/** A window's bytes while it is not (yet) at the frontier: 256 KB blocks, no string, no copy per page. */
export class Held {
  blocks: Buffer[] = [];
  length = 0;

  constructor(private readonly pool: BufferPool) {}

  write(bytes: Buffer, start: number, end: number): void {
    while (start < end) {
      const at = this.length % BLOCK;
      if (at === 0) this.blocks.push(this.pool.take());
      const n = Math.min(end - start, BLOCK - at);
      bytes.copy(this.blocks[this.blocks.length - 1]!, at, start, start + n);
      start += n;
      this.length += n;
    }
  }

  truncate(length: number): void {
    this.length = length;
    for (const b of this.blocks.splice(Math.ceil(length / BLOCK))) this.pool.give(b);
  }

  /** Hands the blocks back: the bytes were written out. */
  release(): void {
    for (const b of this.blocks) this.pool.give(b);
    this.blocks = [];
    this.length = 0;
  }

  read(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let done = 0; done < length; ) {
      const b = this.blocks[Math.floor((offset + done) / BLOCK)]!;
      const at = (offset + done) % BLOCK;
      done += b.copy(out, done, at, Math.min(BLOCK, at + length - done));
    }
    return out;
  }

  /** Writes the bytes to fd at `position`; returns the bytes written. */
  drain(fd: number, position: number): number {
    let left = this.length;
    for (const b of this.blocks) {
      const n = Math.min(left, BLOCK);
      writeSync(fd, b, 0, n, position + this.length - left);
      left -= n;
    }
    return this.length;
  }
}

/** Where one window's pages go: memory, or (at the frontier) straight into day.part. */
export class WindowSink implements ChunkTarget {
  /** Set while the window writes into day.part: its first byte there, and its prefix (head or separator) once written. */
  direct: { base: number; prefix: number } | undefined;
  held: Held | undefined;
  /** Keys of the window's first records (the head of the day, if it is the day's first window with records). */
  keys: readonly string[] | undefined;
  private size = 0;

  constructor(
    readonly index: number,
    private readonly day: DayPart,
  ) {
    this.held = new Held(day.blocks);
  }

  get offset(): number {
    return this.size;
  }

  write(bytes: Buffer, start: number, end: number, keys?: readonly string[]): void {
    if (end <= start) return;
    if (this.size === 0 && keys !== undefined) this.keys = keys;
    const d = this.direct;
    if (d) {
      if (d.prefix < 0) d.prefix = this.day.writePrefix(d.base, this.keys ?? []);
      writeSync(this.day.fd, bytes, start, end - start, d.base + d.prefix + this.size);
    } else this.held!.write(bytes, start, end);
    this.size += end - start;
  }

  truncate(offset: number): void {
    if (offset === this.size) return;
    this.size = offset;
    const d = this.direct;
    if (!d) {
      this.held!.truncate(offset);
      return;
    }
    // Back to nothing: the prefix goes too (the keys that chose it may change).
    if (offset === 0) d.prefix = -1;
    ftruncateSync(this.day.fd, d.base + Math.max(0, d.prefix) + offset);
  }

  read(offset: number, length: number): Buffer {
    const d = this.direct;
    if (!d) return this.held!.read(offset, length);
    const buf = Buffer.allocUnsafe(length);
    readSync(this.day.fd, buf, 0, length, d.base + d.prefix + offset);
    return buf;
  }

  /** Moves what the window holds into day.part at `base`, and goes on there. */
  promote(base: number): void {
    const held = this.held!;
    this.held = undefined;
    this.direct = { base, prefix: -1 };
    if (held.length > 0) {
      this.direct.prefix = this.day.writePrefix(base, this.keys ?? []);
      held.drain(this.day.fd, base + this.direct.prefix);
    }
    held.release();
  }

  /** Takes over a window copied into day.part from its spool file: `size` bytes after a prefix of `prefix`. */
  adopt(prefix: number, size: number): void {
    this.direct!.prefix = prefix;
    this.size = size;
  }

  get heldBytes(): number {
    return this.held?.length ?? 0;
  }
}

