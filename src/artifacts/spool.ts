/**
 * The per-day spool: each finished window is committed to its own file inside the output dir, so an
 * interrupted day resumes from the windows it already has and memory holds only windows in flight.
 *
 * Layout, under `<output-dir>/.reach-udl/spool/<artifact name>/`:
 * - `manifest.json`: the plan (windows) and what it was made for; a spool made for another sensor,
 *   descriptor, format or page cap is discarded rather than mixed in.
 * - `wNNNNN.data`: the window's rows (CSV rows without header, or JSON record texts joined by ",\n").
 * - `wNNNNN.meta.json`: written last, atomically; its presence is what marks the window done.
 */
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { commitFile, writeFileAtomic } from './fsutil.js';
import type { OutputFormat } from '../formats/index.js';
import type { ChunkTarget } from '../download/page-stream.js';

export interface SpoolIdentity {
  artifact: string;
  sensorId: string;
  descriptor: string;
  format: OutputFormat;
  maxResults: number;
}

export interface SpoolManifest extends SpoolIdentity {
  version: 1;
  /** Rows /count reported when the plan was made; undefined if the count was unavailable. */
  count: number | undefined;
  windows: Array<[startMs: number, endMs: number]>;
}

/** A run of rows that share one column order (CSV); JSON segments have no keys. */
export interface Segment {
  keys: string[];
  records: number;
  bytes: number;
}

export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

export interface ChunkMeta {
  index: number;
  records: number;
  /** Exact duplicate records the server sent for this window and the file leaves out (absent in older spools). */
  duplicates?: number;
  segments: Segment[];
}

const MANIFEST = 'manifest.json';

export class DaySpool {
  private constructor(
    readonly dir: string,
    readonly manifest: SpoolManifest | undefined,
  ) {}

  /** Opens the spool at `dir`; a manifest that is unreadable or made for something else is dropped. */
  static async open(dir: string, identity: SpoolIdentity): Promise<DaySpool> {
    let manifest: SpoolManifest | undefined;
    try {
      const m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as SpoolManifest;
      const same = m.version === 1 && (Object.keys(identity) as Array<keyof SpoolIdentity>).every((k) => m[k] === identity[k]);
      if (same && Array.isArray(m.windows)) manifest = m;
    } catch {
      manifest = undefined;
    }
    if (!manifest) await rm(dir, { recursive: true, force: true });
    return new DaySpool(dir, manifest);
  }

  async start(manifest: SpoolManifest): Promise<DaySpool> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, MANIFEST), JSON.stringify(manifest));
    return new DaySpool(this.dir, manifest);
  }

  /** Windows already committed, by index. A meta without its data (or the reverse) does not count. */
  async committed(): Promise<Map<number, ChunkMeta>> {
    const done = new Map<number, ChunkMeta>();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return done;
    }
    const present = new Set(names);
    for (const name of names) {
      const m = /^w(\d{5})\.meta\.json$/.exec(name);
      if (!m || !present.has(dataName(Number(m[1])))) continue;
      try {
        const meta = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as ChunkMeta;
        if (meta.index === Number(m[1])) done.set(meta.index, meta);
      } catch {
        // A meta is written atomically, so an unreadable one is foreign; the window is fetched again.
      }
    }
    return done;
  }

  /** A window's data file, written as pages stream in, committed when the window is complete. */
  openWindow(index: number): WindowWriter {
    const path = join(this.dir, dataName(index));
    return new WindowWriter(this, index, path, openSync(`${path}.tmp`, 'w'));
  }

  /** Marks a window done once its data is in place: the meta, written atomically, is the commit. */
  async commitMeta(index: number, segments: Segment[], duplicates = 0): Promise<ChunkMeta> {
    const meta: ChunkMeta = { index, records: segments.reduce((n, s) => n + s.records, 0), duplicates, segments };
    await writeFileAtomic(join(this.dir, metaName(index)), JSON.stringify(meta));
    return meta;
  }

  dataPath(index: number): string {
    return join(this.dir, dataName(index));
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Appends bytes at tracked offsets, so a page that must be redone (a retry, or rows past a full page's last
 * millisecond) is cut back with truncate. Writes are synchronous on purpose: a piece's bytes land in the page
 * cache in microseconds and the writer's output buffer is reused at once; the fsync at commit makes it durable.
 */
export class WindowWriter implements ChunkTarget {
  /** Bytes in the file. */
  offset = 0;

  constructor(
    private readonly spool: DaySpool,
    private readonly index: number,
    private readonly path: string,
    private readonly fd: number,
  ) {}

  write(bytes: Buffer, start: number, end: number): void {
    this.offset += writeSync(this.fd, bytes, start, end - start, this.offset);
  }

  read(offset: number, length: number): Buffer {
    const buf = Buffer.alloc(length);
    readSync(this.fd, buf, 0, length, offset);
    return buf;
  }

  truncate(offset: number): void {
    if (offset === this.offset) return;
    ftruncateSync(this.fd, offset);
    this.offset = offset;
  }

  async commit(segments: Segment[], duplicates = 0): Promise<ChunkMeta> {
    closeSync(this.fd);
    await commitFile(`${this.path}.tmp`, this.path);
    return this.spool.commitMeta(this.index, segments, duplicates);
  }

  async abort(): Promise<void> {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed by a commit that failed after it.
    }
    await rm(`${this.path}.tmp`, { force: true });
  }
}

function dataName(index: number): string {
  return `w${String(index).padStart(5, '0')}.data`;
}

function metaName(index: number): string {
  return `w${String(index).padStart(5, '0')}.meta.json`;
}
