import { open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Makes a rename or create in `dir` durable; some filesystems refuse to fsync a directory, which is fine. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await fh?.close();
  }
}

/** fsync then rename into place, then fsync the directory: after this resolves, `to` survives a crash. */
export async function commitFile(tmp: string, to: string): Promise<void> {
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, to);
  await fsyncDir(dirname(to));
}

/** Writes a small file crash-safely: temp file beside it, fsync, rename. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await commitFile(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
