/**
 * One run per output dir. The lock is `<output-dir>/.reach-udl/lock`, holding its owner (run id, pid,
 * host, since). Every step that changes it is atomic:
 * - a lock appears whole: the owner's record is written and fsync'ed to a file of its own, then
 *   hard-linked into place, which fails if a lock exists (no half-written lock, no two creators);
 * - a stale lock (owner dead on this host, or `breakLock`) of generation G is replaced only by whoever
 *   first creates `lock.next-<G>` (again a link, so exactly one contender), and only after re-reading
 *   that the lock still is G; the marker is then renamed over the lock. Nobody else can replace G
 *   meanwhile, since that too would need `lock.next-<G>`. A contender killed between the two steps
 *   leaves its marker behind; the next one treats that marker as the generation to replace, so an
 *   abandoned takeover never blocks the directory.
 * - release removes the lock only while it still names this run.
 * Liveness is checked only on this host; another host's lock stands until `breakLock`.
 */
import { link, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from './fsutil.js';
import { workDir } from './naming.js';
import { ReachUdlError } from '../errors.js';

export interface LockOwner {
  runId: string;
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
}

export class LockedError extends ReachUdlError {
  readonly code = 'ERR_LOCKED';
  readonly exitClass = 'usage';
  constructor(
    readonly path: string,
    readonly owner: LockOwner,
    now: number = Date.now(),
  ) {
    super(
      owner.host === hostname()
        ? `another reach-udl run (pid ${owner.pid}, ${age(owner, now)}) is using this output dir (lock ${path}); wait for it to finish or stop it`
        : `a reach-udl run on host ${owner.host} (pid ${owner.pid}, ${age(owner, now)}) holds this output dir (lock ${path}); if that run is gone, rerun with --break-lock`,
    );
  }
}

export interface Lock {
  readonly owner: LockOwner;
  /** Removes the lock if it still names this run; harmless to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Replace the lock even if its owner looks alive or runs on another host. Never implied. */
  breakLock?: boolean;
  /** For tests: decides whether a pid on this host is alive. */
  isAlive?: (pid: number) => boolean;
}

const LOCK = 'lock';
const NEXT = '.next-';

/** The lock of an output dir: `<output-dir>/.reach-udl/lock`. */
export async function acquireLock(outputDir: string, runId: string, opts: LockOptions = {}): Promise<Lock> {
  const dir = workDir(outputDir);
  await mkdir(dir, { recursive: true });
  return acquireLockFile(join(dir, LOCK), runId, opts);
}

/**
 * Waits for a lock that is held only briefly (around one ledger append), up to `timeoutMs`; a holder that
 * died is taken over as acquireLockFile does.
 */
export async function waitForLockFile(path: string, runId: string, timeoutMs: number): Promise<Lock> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(100, delay * 2)) {
    try {
      return await acquireLockFile(path, runId);
    } catch (err) {
      if (!(err instanceof LockedError) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The lock at `path`; takeover markers live beside it as `<path>.next-<generation>`. */
export async function acquireLockFile(path: string, runId: string, opts: LockOptions = {}): Promise<Lock> {
  const dir = dirname(path);
  const base = basename(path);
  const isAlive = opts.isAlive ?? alive;
  const owner: LockOwner = { runId, pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const mine = join(dir, `${base}.${runId}.tmp`);
  await writeFile(mine, JSON.stringify(owner), { flush: true });
  const live = (o: LockOwner) => (o.host === hostname() ? isAlive(o.pid) && o.runId !== runId : true);
  let breakable = opts.breakLock === true;
  try {
    for (let attempt = 0; attempt < 16; attempt++) {
      if (await tryLink(mine, path)) return held(path, owner);
      const current = await readOwner(path);
      if (current === undefined) continue; // released just now: try again
      if (live(current) && !breakable) throw new LockedError(path, current);
      // The lock is stale: replace its generation, following any takeover a dead contender abandoned.
      let generation = current.runId;
      for (;;) {
        const marker = `${path}${NEXT}${generation}`;
        if (await tryLink(mine, marker)) {
          if ((await readOwner(path))?.runId === current.runId) {
            await rename(marker, path);
            await fsyncDir(dir);
            breakable = false;
            await removeMarkers(path, runId);
            return held(path, owner);
          }
          await rm(marker, { force: true }); // the lock moved on while we looked: start over
          break;
        }
        const contender = await readOwner(marker);
        if (contender === undefined) break;
        if (live(contender) && !breakable) throw new LockedError(path, contender);
        generation = contender.runId;
      }
    }
    throw new LockedError(path, (await readOwner(path)) ?? { runId: '?', pid: -1, host: hostname(), since: new Date().toISOString() });
  } finally {
    await rm(mine, { force: true });
  }
}

/** Who holds the lock of an output dir, if anyone (for status and messages). */
export async function lockOwner(outputDir: string): Promise<LockOwner | undefined> {
  return readOwner(join(workDir(outputDir), LOCK));
}

function held(path: string, owner: LockOwner): Lock {
  let released = false;
  return {
    owner,
    async release() {
      if (released) return;
      released = true;
      if ((await readOwner(path))?.runId === owner.runId) await rm(path, { force: true });
      await removeMarkers(path, owner.runId);
    },
  };
}

/** Takeover markers are done with once the lock has moved past their generation. */
async function removeMarkers(path: string, keepFor: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `${basename(path)}${NEXT}`;
  const current = (await readOwner(path))?.runId;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || name === `${prefix}${current}` || name === `${prefix}${keepFor}`) continue;
    await rm(join(dir, name), { force: true });
  }
}

async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * The owner named by a lock file; undefined if there is none. A file that does not parse (a lock from an
 * older version, or damage) is an owner that is certainly gone, named by its content so the takeover
 * protocol still has a generation to replace.
 */
async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string') {
      return { runId: typeof o.runId === 'string' ? o.runId : `pid${o.pid}`, pid: o.pid, host: o.host, since: typeof o.since === 'string' ? o.since : '' };
    }
  } catch {
    // fall through: unreadable
  }
  return { runId: `unreadable-${text.length}`, pid: -1, host: hostname(), since: '' };
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function age(owner: LockOwner, now: number): string {
  const since = Date.parse(owner.since);
  if (Number.isNaN(since)) return 'age unknown';
  const s = Math.max(0, Math.round((now - since) / 1000));
  return s < 120 ? `for ${s} s` : s < 7200 ? `for ${Math.round(s / 60)} min` : `for ${Math.round(s / 3600)} h`;
}
