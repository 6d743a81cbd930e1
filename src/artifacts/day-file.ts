/**
 * The day's artifact, written once. It grows in the spool as `day.part`: the window at the frontier (the
 * first one not yet in the file) writes its pages straight into it; the windows fetched at the same time
 * behind it keep their bytes in memory and join the file as the frontier reaches them. Only a window that
 * completes while too much is already held waits in a spool file of its own (and is copied once more).
 * When every window is in, the file gets its tail and is published (renamed into the output dir).
 *
 * Commit and crash safety: a window is committed by its meta file (spool.ts), written atomically after
 * its bytes. A meta says where the window lies in `day.part` (`placed`) or that it waits in its own data
 * file. Before a meta that places a window is written, `day.part` is fdatasync'ed: a meta that survives a
 * power cut must not point at bytes that did not. The metas themselves are not fsync'ed: losing one costs
 * a refetch of its window, never a wrong file. On resume the placed windows must chain from offset 0;
 * `day.part` is cut back to the end of that chain, so bytes of a window that was not committed go.
 * A kill -9 loses only what was in memory (windows not yet committed); a graceful stop first spills the
 * completed ones to the spool (`spillDone`), so what was reported done is what the rerun resumes.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { open } from 'node:fs/promises';
import { sameKeys, type ChunkMeta, type DaySpool, type Segment } from './spool.js';
import type { ArtifactFormat } from '../formats/index.js';
import { WindowSink, blockPool, type BufferPool } from './window-sink.js';

export { WindowSink } from './window-sink.js';

/** Bytes of completed windows held in memory before further ones wait in spool files instead. */
const HOLD_BYTES = 32 << 20;
const COPY_BYTES = 1 << 20;
const datasync = promisify(fdatasync);

interface Done {
  sink: WindowSink | undefined;
  meta: ChunkMeta;
}

export class DayFile {
  readonly fd: number;
  private closed = false;
  readonly blocks: BufferPool = blockPool();
  /** Bytes of day.part that belong to placed windows. */
  end: number;
  /** Whether a record is already in day.part (the next window's prefix is then the separator). */
  private hasRecords: boolean;
  /** The first window not in day.part. */
  frontier: number;
  private readonly done = new Map<number, Done>();
  private readonly active = new Map<number, WindowSink>();
  headKeys: readonly string[] | undefined;
  /** Every window in day.part, in order. */
  private readonly placedMetas: ChunkMeta[] = [];
  /** Windows placed in day.part whose metas wait for the next fdatasync. */
  private readonly pending: ChunkMeta[] = [];
  private flushing: Promise<void> | undefined;
  private waiters: Array<{ frontier: number; wake: () => void }> = [];
  private released = false;

  /** Windows committed: placed in day.part (the chain from 0) or waiting in spool files. */
  readonly committed = new Map<number, ChunkMeta>();

  private constructor(
    private readonly spool: DaySpool,
    private readonly format: ArtifactFormat,
    private readonly total: number,
    found: Map<number, ChunkMeta>,
  ) {
    closeSync(openSync(spool.partPath, 'a'));
    // Not 'a': with O_APPEND, Linux ignores the positions given to pwrite.
    this.fd = openSync(spool.partPath, 'r+');
    const size = fstatSync(this.fd).size;
    // The placed windows must chain from 0; the rest of day.part was never committed.
    let end = 0;
    let frontier = 0;
    let hasRecords = false;
    for (let i = 0; i < total; i++) {
      const m = found.get(i);
      if (!m?.placed || m.placed.start !== end || m.placed.end > size) break;
      end = m.placed.end;
      if (m.records > 0 && !hasRecords) this.headKeys = m.segments[0]?.keys ?? [];
      hasRecords ||= m.records > 0;
      frontier = i + 1;
      this.committed.set(i, m);
      this.placedMetas.push(m);
    }
    ftruncateSync(this.fd, end);
    this.end = end;
    this.frontier = frontier;
    this.hasRecords = hasRecords;
    for (const [i, meta] of found) {
      if (i < frontier || meta.placed) continue;
      this.committed.set(i, meta);
      this.done.set(i, { sink: undefined, meta });
    }
  }

  /** The day's file from what the spool holds, day.part cut back to what the committed windows account for. */
  static open(spool: DaySpool, format: ArtifactFormat, total: number, found: Map<number, ChunkMeta>): DayFile {
    return new DayFile(spool, format, total, found);
  }

  /** A window's sink: straight into day.part at the frontier, else memory. */
  openWindow(index: number): WindowSink {
    const sink = new WindowSink(index, this);
    if (index === this.frontier) sink.promote(this.end);
    this.active.set(index, sink);
    return sink;
  }

  /** The head before the day's first record, the separator before any later window's. */
  writePrefix(at: number, keys: readonly string[]): number {
    let prefix: Buffer;
    if (this.hasRecords) prefix = this.format.separator;
    else {
      this.headKeys = keys;
      prefix = this.format.head(keys);
    }
    writeSync(this.fd, prefix, 0, prefix.length, at);
    return prefix.length;
  }

  /** A window's pages are all in: commit it (in day.part, in memory for now, or in its own spool file). */
  async complete(sink: WindowSink, segments: Segment[], duplicates: number): Promise<ChunkMeta> {
    this.active.delete(sink.index);
    const records = segments.reduce((n, s) => n + s.records, 0);
    const meta: ChunkMeta = { index: sink.index, records, duplicates, segments };
    if (sink.direct) {
      const placed = await this.place(sink, meta);
      this.kick();
      return placed;
    }
    this.done.set(sink.index, { sink, meta });
    if (this.heldDone() > HOLD_BYTES) this.spill(sink.index);
    return meta;
  }

  /** Writes every completed window still in memory to its spool file: they are then committed. */
  async spillDone(): Promise<void> {
    for (const [i, d] of this.done) if (d.sink?.held) this.spill(i);
    await this.flushing;
    await this.flush();
  }

  abort(sink: WindowSink): void {
    this.active.delete(sink.index);
    if (sink.direct) ftruncateSync(this.fd, this.end);
  }

  /** Every window is in day.part: the tail, fdatasync, and the file is whole. Returns its size. */
  async finish(): Promise<number> {
    await this.flushing;
    await this.flush();
    const tail = this.format.tail;
    writeSync(this.fd, tail, 0, tail.length, this.end);
    const size = this.end + tail.length;
    ftruncateSync(this.fd, size);
    fdatasyncSync(this.fd);
    this.closed = true;
    closeSync(this.fd);
    return size;
  }

  close(): void {
    // Never close the descriptor twice: by then its number may belong to another file or a socket (the
    // upload that publishes the day opens both), and closing it would break that one (EBADF).
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private heldDone(): number {
    let n = 0;
    for (const d of this.done.values()) n += d.sink?.heldBytes ?? 0;
    return n;
  }

  private spill(index: number): void {
    const d = this.done.get(index)!;
    const held = d.sink!.held!;
    const tmp = `${this.spool.dataPath(index)}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      held.drain(fd, 0);
      fdatasyncSync(fd);
      held.release();
    } finally {
      closeSync(fd);
    }
    this.spool.commitDataSync(tmp, index, d.meta);
    this.done.set(index, { sink: undefined, meta: d.meta });
  }

  /**
   * The frontier window is complete: it becomes part of day.part and the frontier moves on at once. Its
   * commit (its meta) follows the next fdatasync of day.part, which runs off the event loop and covers
   * every window placed before it started: one sync for however many windows came in meanwhile.
   */
  private async place(sink: WindowSink, meta: ChunkMeta): Promise<ChunkMeta> {
    const d = sink.direct!;
    const end = sink.offset === 0 ? d.base : d.base + d.prefix + sink.offset;
    ftruncateSync(this.fd, end);
    const placed: ChunkMeta = { ...meta, placed: { start: d.base, prefix: Math.max(0, d.prefix), end } };
    this.pending.push(placed);
    this.placedMetas.push(placed);
    this.end = end;
    this.hasRecords ||= meta.records > 0;
    this.frontier = meta.index + 1;
    this.wake();
    await this.advance();
    return placed;
  }

  /**
   * Resolves once the frontier has reached `frontier` (or the day stops): windows start at most a few
   * ahead of the frontier, so the ones behind it stay few and small in memory, whatever order the server
   * answers in.
   */
  ready(frontier: number): Promise<void> {
    if (this.frontier >= frontier || this.released) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ frontier, wake }));
  }

  /** Wakes every window waiting for its turn: the day is stopping. */
  release(): void {
    this.released = true;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (this.released || this.frontier >= w.frontier) w.wake();
      else this.waiters.push(w);
    }
  }

  /** Commits every window placed so far: fdatasync of day.part, then their metas. */
  async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      await datasync(this.fd);
      for (const m of batch) {
        await this.spool.commitMeta(m);
        await this.spool.removeData(m.index);
      }
    }
  }

  /** Starts a flush unless one runs; a window placed meanwhile waits for the next one. */
  private kick(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      this.kick();
    });
  }

  /** Brings the windows behind the frontier into day.part: completed ones at once, an active one from now on. */
  private async advance(): Promise<void> {
    const next = this.frontier;
    if (next >= this.total) return;
    const active = this.active.get(next);
    if (active) {
      active.promote(this.end);
      return;
    }
    const d = this.done.get(next);
    if (!d) return;
    this.done.delete(next);
    let sink = d.sink;
    if (sink?.held) sink.promote(this.end);
    else {
      // Waiting in its spool file: copied in once more.
      sink = new WindowSink(next, this);
      sink.promote(this.end);
      if (d.meta.records > 0) {
        const keys = d.meta.segments[0]?.keys ?? [];
        sink.keys = keys;
        const prefix = this.writePrefix(this.end, keys);
        sink.adopt(prefix, await copyInto(this.spool.dataPath(next), this.fd, this.end + prefix));
      }
    }
    await this.place(sink, d.meta);
  }

  get whole(): boolean {
    return this.frontier >= this.total;
  }

  /**
   * The rare path: a window brought columns the head lacks, or wrote some under another order. The file is
   * rewritten under the union of all columns, each chunk through the format's rules (a second write).
   */
  rewriteIfNeeded(): void {
    const metas = this.placedMetas;
    const seen = new Set<string>();
    for (const m of metas) for (const s of m.segments) for (const k of s.keys) seen.add(k);
    const union = [...seen];
    const odd = (this.headKeys !== undefined && !sameKeys(this.headKeys, union)) || metas.some((m) => m.segments.some((s) => !sameKeys(s.keys, union)));
    if (!odd) return;
    const parts: Buffer[] = [this.format.head(union)];
    for (const m of metas) {
      if (m.records === 0 || !m.placed) continue;
      const data = Buffer.allocUnsafe(m.placed.end - m.placed.start - m.placed.prefix);
      readSync(this.fd, data, 0, data.length, m.placed.start + m.placed.prefix);
      if (parts.length > 1) parts.push(this.format.separator);
      let at = 0;
      for (const s of m.segments) {
        const rows = data.subarray(at, at + s.bytes);
        at += s.bytes;
        parts.push(sameKeys(s.keys, union) ? rows : this.format.rewrite(rows, s.keys, union));
      }
    }
    const all = Buffer.concat(parts);
    ftruncateSync(this.fd, 0);
    writeSync(this.fd, all, 0, all.length, 0);
    this.end = all.length;
  }
}

async function copyInto(path: string, fd: number, position: number): Promise<number> {
  const src = await open(path, 'r');
  const buf = Buffer.allocUnsafeSlow(COPY_BYTES);
  let n = 0;
  try {
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return n;
      writeSync(fd, buf, 0, bytesRead, position + n);
      n += bytesRead;
    }
  } finally {
    await src.close();
  }
}

