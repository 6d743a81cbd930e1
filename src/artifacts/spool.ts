/**
 * The per-day spool: each finished window is committed to its own file inside the output dir, so an
 * interrupted day resumes from the windows it already has and memory holds only windows in flight.
 *
 * Layout, under `<output-dir>/.reach-udl/spool/<artifact name>/`:
 * - `manifest.json`: the plan (windows) and what it was made for; a spool made for another sensor,
 *   descriptor, format or page cap is discarded rather than mixed in.
 * - `day.part`: the artifact being written (day-file.ts): the committed windows in order, from the first.
 * - `wNNNNN.data`: a window completed out of order that waits for its turn (its records' texts).
 * - `wNNNNN.meta.json`: written last, atomically; its presence is what marks the window done, and it says
 *   where the window's bytes are: `placed` in day.part, or in its own data file.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './fsutil.js';
import type { OutputFormat } from '../formats/index.js';

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
  /** Where the window lies in day.part: [start, end), its records after `prefix` bytes (head or separator). */
  placed?: { start: number; prefix: number; end: number };
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

  /** Windows already committed, by index: placed in day.part, or with their data file. */
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
      if (!m) continue;
      try {
        const meta = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as ChunkMeta;
        if (meta.index === Number(m[1]) && (meta.placed !== undefined || present.has(dataName(meta.index)))) done.set(meta.index, meta);
      } catch {
        // A meta is written atomically, so an unreadable one is foreign (or lost to a power cut); the window is fetched again.
      }
    }
    return done;
  }

  get partPath(): string {
    return join(this.dir, 'day.part');
  }

  dataPath(index: number): string {
    return join(this.dir, dataName(index));
  }

  /**
   * Commits a window by its meta: a temp file renamed over it. Not fsync'ed: the bytes it points at are
   * (day-file.ts), and a meta lost to a power cut only means the window is fetched again.
   */
  async commitMeta(meta: ChunkMeta): Promise<void> {
    const path = join(this.dir, metaName(meta.index));
    await writeFile(`${path}.tmp`, JSON.stringify(meta));
    await rename(`${path}.tmp`, path);
  }

  /** A window's data file (fsync'ed by the caller) into place, then its meta; synchronous, so nothing interleaves. */
  commitDataSync(tmp: string, index: number, meta: ChunkMeta): void {
    renameSync(tmp, this.dataPath(index));
    const path = join(this.dir, metaName(index));
    writeFileSync(`${path}.tmp`, JSON.stringify(meta));
    renameSync(`${path}.tmp`, path);
  }

  async removeData(index: number): Promise<void> {
    await rm(this.dataPath(index), { force: true });
  }

  /** What a day whose file was published leaves: read on resume, before the ledger row is in. */
  async markPublished(p: Published): Promise<void> {
    await writeFileAtomic(join(this.dir, PUBLISHED), JSON.stringify(p));
  }

  async published(): Promise<Published | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, PUBLISHED), 'utf8')) as Published;
    } catch {
      return undefined;
    }
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface Published {
  name: string;
  path: string;
  bytes: number;
  records: number;
  duplicates: number;
}

const PUBLISHED = 'published.json';

function dataName(index: number): string {
  return `w${String(index).padStart(5, '0')}.data`;
}

function metaName(index: number): string {
  return `w${String(index).padStart(5, '0')}.meta.json`;
}
