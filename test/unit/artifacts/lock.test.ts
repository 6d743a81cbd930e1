import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, LockedError, lockOwner } from '../../../src/artifacts/lock.js';
import { tempDir } from '../../helpers/cli.js';

const lockDir = (out: string) => join(out, '.reach-udl');
const writeOwner = async (out: string, name: string, owner: object) => {
  await mkdir(lockDir(out), { recursive: true });
  await writeFile(join(lockDir(out), name), JSON.stringify(owner));
};
const dead = (runId: string, host = hostname()) => ({ runId, pid: 999_999_999, host, since: new Date(Date.now() - 3_600_000).toISOString() });

describe('the output-dir lock', () => {
  it('is taken by one of many runs racing for a fresh directory', async () => {
    const out = await tempDir();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acquireLock(out, `run-${i}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LockedError);
  });

  it('lets exactly one of many runs take over a stale lock, and names the winner to the others', async () => {
    const out = await tempDir();
    await writeOwner(out, 'lock', dead('crashed'));
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acquireLock(out, `run-${i}`)));
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    expect((await lockOwner(out))?.runId).toBe(won[0]!.owner.runId);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as LockedError).owner.pid).toBe(process.pid);
    await won[0]!.release();
    expect(await readdir(lockDir(out))).toEqual([]);
  });

  it('follows a takeover abandoned by a contender that died between its two steps', async () => {
    const out = await tempDir();
    await writeOwner(out, 'lock', dead('crashed'));
    await writeOwner(out, 'lock.next-crashed', dead('died-mid-takeover'));
    const lock = await acquireLock(out, 'mine');
    expect((await lockOwner(out))?.runId).toBe('mine');
    await lock.release();
    expect(await readdir(lockDir(out))).toEqual([]);
  });

  it('refuses while a live contender is mid-takeover, naming it', async () => {
    const out = await tempDir();
    await writeOwner(out, 'lock', dead('crashed'));
    await writeOwner(out, 'lock.next-crashed', { runId: 'live', pid: process.pid, host: hostname(), since: new Date().toISOString() });
    await expect(acquireLock(out, 'mine')).rejects.toThrow(/pid \d+/);
    expect((await lockOwner(out))?.runId).toBe('crashed');
  });

  it('reports a lock held on another host with its host, pid and age, and replaces it only with breakLock', async () => {
    const out = await tempDir();
    await writeOwner(out, 'lock', dead('elsewhere', 'node-7'));
    const err = await acquireLock(out, 'mine').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockedError);
    expect((err as Error).message).toMatch(/on host node-7 \(pid 999999999, for 60 min\).*--break-lock/);
    const lock = await acquireLock(out, 'mine', { breakLock: true });
    expect((await lockOwner(out))?.runId).toBe('mine');
    await lock.release();
  });

  it('releases only a lock that still names its run', async () => {
    const out = await tempDir();
    const lock = await acquireLock(out, 'first');
    // Another run broke the lock and holds it now.
    await writeOwner(out, 'lock', { runId: 'second', pid: process.pid, host: hostname(), since: new Date().toISOString() });
    await lock.release();
    expect(JSON.parse(await readFile(join(lockDir(out), 'lock'), 'utf8')).runId).toBe('second');
  });

  it('takes over an unreadable lock left by an older version or damage', async () => {
    const out = await tempDir();
    await mkdir(lockDir(out), { recursive: true });
    await writeFile(join(lockDir(out), 'lock'), '{"pid": 12');
    const lock = await acquireLock(out, 'mine');
    expect((await lockOwner(out))?.runId).toBe('mine');
    await lock.release();
  });
});
