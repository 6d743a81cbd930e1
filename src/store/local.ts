/**
 * Artifacts in a local directory. Every write goes to a hidden temp file beside its target and is
 * published by fsync + rename + fsync of the directory, so a crash leaves either the old file or the
 * new one, never a torn one; the only litter a crash can leave is temp files, which `sweep` removes and
 * `list` never shows.
 */
import type { Dirent } from 'node:fs';
import { copyFile, mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { commitFile } from '../artifacts/fsutil.js';
import { isTempName, tempPath } from '../artifacts/naming.js';
import { badRange, notFound, StoreError } from './errors.js';
import { sha256File } from './hash.js';
import { WORK_DIR_NAME, checkName, checkPrefix, checkRange, checkTag, isObjectName } from './names.js';
import type { ArtifactStore, ObjectWriter, ReadRange, StoredObject, SweepResult } from './store.js';
import { TempFileWriter } from './temp-writer.js';

/** Tells concurrent `put`s of one process apart in temp-file names. */
let putSeq = 0;

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class LocalStore implements ArtifactStore {
  readonly location: string;

  constructor(dir: string) {
    this.location = resolve(dir);
  }

  locate(name: string): string {
    checkName(name);
    return join(this.location, ...name.split('/'));
  }

  async stat(name: string): Promise<StoredObject | undefined> {
    const path = this.locate(name);
    try {
      const st = await stat(path);
      return st.isFile() ? { name, size: st.size, mtimeMs: st.mtimeMs } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    checkPrefix(prefix);
    // Start at the deepest directory the prefix names, and only descend where names can still match.
    const slash = prefix.lastIndexOf('/');
    const found: Array<Promise<StoredObject | undefined>> = [];
    for await (const { rel, dirent } of this.walk(slash < 0 ? '' : prefix.slice(0, slash), prefix)) {
      if (!rel.startsWith(prefix) || !isObjectName(rel)) continue;
      if (dirent.isFile() || dirent.isSymbolicLink()) found.push(this.stat(rel));
    }
    const objects = (await Promise.all(found)).filter((o): o is StoredObject => o !== undefined);
    return objects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async create(name: string, tag: string): Promise<ObjectWriter> {
    checkTag(tag);
    const target = this.locate(name);
    await mkdir(dirname(target), { recursive: true });
    return new TempFileWriter(tempPath(target, tag), target, async (tmp) => {
      await commitFile(tmp, target);
      const st = await stat(target);
      return { name, size: st.size, mtimeMs: st.mtimeMs };
    });
  }

  async put(name: string, localPath: string): Promise<StoredObject & { uploaded: boolean }> {
    const target = this.locate(name);
    const [src, existing] = await Promise.all([stat(localPath), this.stat(name)]);
    if (existing && existing.size === src.size) {
      const [a, b] = await Promise.all([sha256File(target), sha256File(localPath)]);
      if (a === b) return { ...existing, uploaded: false };
    }
    await mkdir(dirname(target), { recursive: true });
    const tmp = tempPath(target, `put${process.pid}n${++putSeq}`);
    try {
      await copyFile(localPath, tmp);
      await commitFile(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const st = await stat(target);
    return { name, size: st.size, mtimeMs: st.mtimeMs, uploaded: true };
  }

  async read(name: string, range?: ReadRange): Promise<Readable> {
    const path = this.locate(name);
    if (range) checkRange(path, range);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) throw notFound(path);
      throw err;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw notFound(path);
      if (!range) return fh.createReadStream();
      if (range.start >= st.size) throw badRange(path, range.start, st.size);
      return fh.createReadStream({ start: range.start, end: Math.min(range.end, st.size - 1) });
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async remove(name: string): Promise<void> {
    await rm(this.locate(name), { force: true });
  }

  async checkWritable(): Promise<void> {
    const probe = tempPath(join(this.location, 'write-probe'), `probe${process.pid}`);
    try {
      await mkdir(this.location, { recursive: true });
      await writeFile(probe, 'probe');
      await rm(probe);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new StoreError('ERR_LOCAL_NOT_WRITABLE', `${this.location}: cannot write there (${code}); check the path and its permissions`);
    }
  }

  async sweep(): Promise<SweepResult> {
    const leftovers: string[] = [];
    for await (const { dirent, path } of this.walk('', '')) {
      if (!dirent.isDirectory() && isTempName(dirent.name)) leftovers.push(path);
    }
    await Promise.all(leftovers.map((p) => rm(p, { force: true })));
    return { removed: leftovers.length, warnings: [] };
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  /**
   * Every entry below `relDir` (a '/'-separated path under the root), depth first, skipping the work
   * dir and any directory whose names cannot start with `prefix`.
   */
  private async *walk(relDir: string, prefix: string): AsyncGenerator<{ rel: string; path: string; dirent: Dirent }> {
    const dir = relDir === '' ? this.location : join(this.location, ...relDir.split('/'));
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const dirent of entries) {
      const rel = relDir === '' ? dirent.name : `${relDir}/${dirent.name}`;
      if (relDir === '' && dirent.name === WORK_DIR_NAME) continue;
      const path = join(dir, dirent.name);
      yield { rel, path, dirent };
      const asDir = `${rel}/`;
      if (dirent.isDirectory() && (asDir.startsWith(prefix) || prefix.startsWith(asDir))) yield* this.walk(rel, prefix);
    }
  }
}
