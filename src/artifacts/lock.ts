/**
 * One run per output dir. The lock is a file created exclusively, holding the owner's pid and host; a
 * lock whose owner is gone (a crashed run) is taken over, so a crash never leaves a directory stuck.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { workDir } from './naming.js';

export class LockedError extends Error {
  readonly code = 'ERR_LOCKED';
  constructor(readonly path: string, readonly pid: number, host?: string) {
    super(
      host
        ? `a reach-udl run on host ${host} (pid ${pid}) holds this output dir (lock ${path}); if that run is gone, delete the lock file`
        : `another reach-udl run (pid ${pid}) is using this output dir (lock ${path}); wait for it to finish or stop it`,
    );
    this.name = 'LockedError';
  }
}

export interface Lock {
  release(): Promise<void>;
}

export async function acquireLock(outputDir: string, runId: string): Promise<Lock> {
  const dir = workDir(outputDir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'lock');
  const body = JSON.stringify({ pid: process.pid, host: hostname(), runId, since: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(body);
      await fh.sync();
      await fh.close();
      return { release: () => rm(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(path);
    // Liveness can only be checked on this host; another host's lock stands until someone removes it.
    if (owner && owner.host !== hostname()) throw new LockedError(path, owner.pid, owner.host);
    if (owner && alive(owner.pid) && owner.pid !== process.pid) throw new LockedError(path, owner.pid);
    // The owner is dead, or the file is a half-written lock from a crash: stale.
    await rm(path, { force: true });
  }
  throw new LockedError(path, -1);
}

async function readOwner(path: string): Promise<{ pid: number; host: string } | undefined> {
  try {
    const o = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; host?: unknown };
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
