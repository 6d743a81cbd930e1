/**
 * Publishing a day's finished file. The day is written once, in the spool (day-file.ts); publishing moves
 * the whole file to where the day's artifacts live. The default renames it into the output dir (one
 * filesystem: the spool is inside it) and fsyncs the dir, so after it resolves the artifact survives a
 * crash; an ArtifactStore can stand in for it (DayContext.publish).
 */
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './fsutil.js';

/** Moves a complete local file to its place as artifact `name`; returns where it is and its size. */
export type Publish = (localPath: string, name: string) => Promise<{ path: string; bytes: number }>;

/** The default: a crash-safe rename into `outputDir`. The file itself was fdatasync'ed by its writer. */
export function publishToDir(outputDir: string): Publish {
  return async (localPath, name) => {
    const path = join(outputDir, name);
    await rename(localPath, path);
    await fsyncDir(outputDir);
    return { path, bytes: (await stat(path)).size };
  };
}
