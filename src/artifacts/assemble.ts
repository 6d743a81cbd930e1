/**
 * Publishing a day's finished file. The day is written once, in the spool (day-file.ts); publishing puts
 * the whole file where the day's artifacts live. Into a local output dir it is a rename (one filesystem:
 * the spool is inside it) and an fsync of the dir; into a store (S3) an upload with a checksum, harmless
 * to repeat, after which the local copy goes. Either way, once `publish` resolves the artifact survives a
 * crash, and `stat` finds it on a resume that comes before the day's ledger row.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore } from '../store/store.js';
import { fsyncDir } from './fsutil.js';

export interface Publisher {
  /** Puts a complete local file in its place as artifact `name`; returns where it is and its size. */
  publish(localPath: string, name: string): Promise<{ path: string; bytes: number }>;
  /** The published artifact `name`, if it is there. */
  stat(name: string): Promise<{ path: string; bytes: number } | undefined>;
  /** Where artifact `name` is (or would be), as the ledger records it. */
  locate(name: string): string;
}

/** A crash-safe rename into `outputDir`. The file itself was fdatasync'ed by its writer. */
export function publishToDir(outputDir: string): Publisher {
  return {
    async publish(localPath, name) {
      const path = join(outputDir, name);
      await rename(localPath, path);
      await fsyncDir(outputDir);
      return { path, bytes: (await stat(path)).size };
    },
    async stat(name) {
      const path = join(outputDir, name);
      const s = await stat(path).catch(() => undefined);
      return s ? { path, bytes: s.size } : undefined;
    },
    locate: (name) => join(outputDir, name),
  };
}

/** An upload into `store` (with its checksum; an object already holding the bytes is left alone), then the local file goes. */
export function publishToStore(store: ArtifactStore): Publisher {
  return {
    async publish(localPath, name) {
      const put = await store.put(name, localPath);
      await rm(localPath, { force: true });
      return { path: store.locate(name), bytes: put.size };
    },
    async stat(name) {
      const s = await store.stat(name);
      return s ? { path: store.locate(name), bytes: s.size } : undefined;
    },
    locate: (name) => store.locate(name),
  };
}
