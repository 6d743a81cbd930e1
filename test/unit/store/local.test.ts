import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStore } from '../../../src/store/local.js';
import { StoreError } from '../../../src/store/errors.js';
import { storeContract } from './contract.js';

storeContract('LocalStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'reach-store-local-'));
  const scratch = join(dir, 'scratch');
  await mkdir(scratch);
  const store = new LocalStore(join(dir, 'out'));
  return {
    store,
    largeStore: store,
    scratch,
    // A rewrite renames a new file into place: a new inode, even for identical bytes.
    writeMark: async (name) => {
      const st = await stat(store.locate(name));
      return `${st.ino}:${st.mtimeMs}`;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('LocalStore specifics', () => {
  it('keeps temp files beside their target, hidden, and never lists the work dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reach-store-local-'));
    try {
      const store = new LocalStore(dir);
      await mkdir(join(dir, '.reach-udl', 'spool'), { recursive: true });
      await writeFile(join(dir, '.reach-udl', 'lock'), '{}');
      const w = await store.create('l1c/day.cdf', 'abc1');
      w.append('x');
      expect(await readdir(join(dir, 'l1c'))).toEqual(['.day.cdf.tmp-abc1']);
      await w.commit();
      expect(await readdir(join(dir, 'l1c'))).toEqual(['day.cdf']);
      expect((await store.list()).map((o) => o.name)).toEqual(['l1c/day.cdf']);
      expect(await store.stat('l1c/day.cdf')).not.toHaveProperty('sha256');
      // The spool's own files are not the store's to sweep.
      await writeFile(join(dir, '.reach-udl', 'spool', '.w1.tmp-abc1'), 'spool');
      expect((await store.sweep()).removed).toBe(0);
      expect(await readdir(join(dir, '.reach-udl', 'spool'))).toEqual(['.w1.tmp-abc1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checkWritable names the directory when it cannot write there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reach-store-local-'));
    try {
      await writeFile(join(dir, 'file'), 'not a dir');
      const err = await new LocalStore(join(dir, 'file', 'out')).checkWritable().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'ERR_LOCAL_NOT_WRITABLE' });
      expect((err as Error).message).toContain(join(dir, 'file', 'out'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
