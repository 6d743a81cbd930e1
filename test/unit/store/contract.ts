/**
 * What every ArtifactStore must do, run against each store by its own test file. A fixture is a fresh,
 * empty store (a new directory, a new S3 prefix) per test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/store/errors.js';
import type { ArtifactStore, ObjectWriter } from '../../../src/store/store.js';
import { TempFileWriter } from '../../../src/store/temp-writer.js';

export interface ContractFixture {
  store: ArtifactStore;
  /** The same storage through a store whose multipart threshold, if it has one, is below 20 MB. */
  largeStore: ArtifactStore;
  /** A directory for source files. */
  scratch: string;
  /** Changes whenever `name` is written, even with the same bytes: proves a skipped put wrote nothing. */
  writeMark(name: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The temp file behind a writer, to prove where bytes are and that they are gone. */
export function tempOf(w: ObjectWriter): string {
  if (!(w instanceof TempFileWriter)) throw new Error('both stores write through TempFileWriter');
  return w.tempPath;
}

async function expectCode(p: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  expect((err as StoreError).message).not.toContain('\n');
  return err as StoreError;
}

export function storeContract(label: string, make: () => Promise<ContractFixture>): void {
  describe(`ArtifactStore contract: ${label}`, () => {
    let f: ContractFixture;
    let store: ArtifactStore;
    beforeEach(async () => {
      f = await make();
      store = f.store;
    });
    afterEach(async () => {
      await f.dispose();
    });

    async function source(name: string, data: Uint8Array | string): Promise<string> {
      const path = join(f.scratch, name);
      await writeFile(path, data);
      return path;
    }

    it('create, append, truncate and commit, then stat, read and list the object', async () => {
      const w = await store.create('day.csv', 'run1');
      w.append('header\n');
      w.append(Buffer.from('row 1\n'));
      const cut = w.offset;
      w.append('a torn row');
      expect(w.offset).toBe(cut + 10);
      w.truncate(cut);
      w.append('row 2\n');
      expect(w.offset).toBe(19);
      expect(await store.stat('day.csv')).toBeUndefined(); // nothing visible before commit

      const committed = await w.commit();
      expect(committed).toMatchObject({ name: 'day.csv', size: 19 });
      expect(existsSync(tempOf(w))).toBe(false);
      const stat = await store.stat('day.csv');
      expect(stat).toMatchObject({ name: 'day.csv', size: 19 });
      expect(stat?.mtimeMs).toBeGreaterThan(Date.now() - 3_600_000);
      const bytes = await readAll(await store.read('day.csv'));
      expect(bytes.toString()).toBe('header\nrow 1\nrow 2\n');
      if (stat?.sha256 !== undefined) expect(stat.sha256).toBe(sha256(bytes));
      expect((await store.list()).map((o) => [o.name, o.size])).toEqual([['day.csv', 19]]);
    });

    it('abort leaves nothing behind, and a used writer refuses more', async () => {
      const w = await store.create('gone.csv', 'run1');
      w.append('partial');
      expect(existsSync(tempOf(w))).toBe(true);
      await w.abort();
      expect(existsSync(tempOf(w))).toBe(false);
      expect(await store.stat('gone.csv')).toBeUndefined();
      expect(await store.list()).toEqual([]);
      await w.abort(); // harmless twice
      expect(() => w.append('more')).toThrow(StoreError);
      await expectCode(w.commit(), 'ERR_STORE_WRITER');

      const w2 = await store.create('x.csv', 'run1');
      w2.append('abc');
      expect(() => w2.truncate(4)).toThrow(/cannot truncate/);
      await w2.commit();
      expect(() => w2.append('late')).toThrow(/already committed/);
    });

    it('nested names: created, listed by prefix in name order, located', async () => {
      const names = [
        'l1c/prelim/2025/09/05/reach_l1c_20250905.cdf',
        'l1c/prelim/2025/09/04/reach_l1c_20250904.cdf',
        'l1c/final/2025/09/04/reach_l1c_20250904.cdf',
        'REACH-ALL_20250904T000000_20250905T000000.csv',
      ];
      for (const name of names) {
        const w = await store.create(name, 'n1');
        w.append(name);
        await w.commit();
      }
      expect((await store.list()).map((o) => o.name)).toEqual([...names].sort());
      expect((await store.list('l1c/prelim/')).map((o) => o.name)).toEqual([names[1], names[0]]);
      expect((await store.list('l1c/prelim/2025/09/0')).map((o) => o.name)).toEqual([names[1], names[0]]);
      expect((await store.list('l1c/f')).map((o) => o.name)).toEqual([names[2]]);
      expect(await store.list('l2/')).toEqual([]);
      const name = names[0] ?? '';
      expect((await readAll(await store.read(name))).toString()).toBe(name);
      expect(store.locate(name).endsWith(`/${name}`)).toBe(true);
      expect(store.locate(name).startsWith(store.location)).toBe(true);
    });

    it('reads a byte range, clipped at the end; a range past the end or an absent object rejects', async () => {
      const w = await store.create('r.bin', 't');
      w.append('0123456789');
      await w.commit();
      const range = async (start: number, end: number): Promise<string> => (await readAll(await store.read('r.bin', { start, end }))).toString();
      expect(await range(2, 5)).toBe('2345');
      expect(await range(0, 0)).toBe('0');
      expect(await range(9, 9)).toBe('9');
      expect(await range(7, 1000)).toBe('789');
      await expectCode(store.read('r.bin', { start: 10, end: 12 }), 'ERR_STORE_RANGE');
      await expectCode(store.read('r.bin', { start: 5, end: 2 }), 'ERR_STORE_RANGE');
      await expectCode(store.read('absent.bin'), 'ENOENT');
    });

    it('remove deletes the object; removing an absent one is fine', async () => {
      const w = await store.create('a/b.csv', 't');
      w.append('x');
      await w.commit();
      await store.remove('a/b.csv');
      expect(await store.stat('a/b.csv')).toBeUndefined();
      expect(await store.list()).toEqual([]);
      await expect(store.remove('a/b.csv')).resolves.toBeUndefined();
    });

    it('put of the same bytes again moves nothing; put of other bytes replaces', async () => {
      const src = await source('src.csv', 'alpha,beta\n1,2\n');
      const first = await store.put('p/day.csv', src);
      expect(first).toMatchObject({ name: 'p/day.csv', size: 15, uploaded: true });
      const mark = await f.writeMark('p/day.csv');

      const again = await store.put('p/day.csv', src);
      expect(again).toMatchObject({ name: 'p/day.csv', size: 15, uploaded: false });
      expect(await f.writeMark('p/day.csv')).toBe(mark);

      // Same size, other bytes: a size-only check would wrongly skip this one.
      const changed = await source('changed.csv', 'alpha,beta\n3,4\n');
      expect(await store.put('p/day.csv', changed)).toMatchObject({ size: 15, uploaded: true });
      expect(await f.writeMark('p/day.csv')).not.toBe(mark);
      expect((await readAll(await store.read('p/day.csv'))).toString()).toBe('alpha,beta\n3,4\n');
      const stat = await store.stat('p/day.csv');
      if (stat?.sha256 !== undefined) expect(stat.sha256).toBe(sha256(Buffer.from('alpha,beta\n3,4\n')));
    });

    it('list never shows a writer in progress', async () => {
      const done = await store.create('done.csv', 't');
      done.append('x');
      await done.commit();
      const open = await store.create('open.csv', 't');
      open.append('in progress');
      expect(existsSync(tempOf(open))).toBe(true); // the bytes are somewhere...
      expect((await store.list()).map((o) => o.name)).toEqual(['done.csv']); // ...but not listed
      expect(await store.stat('open.csv')).toBeUndefined();
      await open.abort();
    });

    it('sweep removes what a crashed writer left, and nothing else', async () => {
      const kept = await store.create('kept/day.csv', 't');
      kept.append('kept');
      await kept.commit();
      const crashed = await store.create('kept/next.csv', 'crashed1'); // never committed: a crash
      crashed.append('half a day');
      const leftover = tempOf(crashed);
      expect(existsSync(leftover)).toBe(true);

      const swept = await store.sweep();
      expect(swept.removed).toBe(1);
      expect(existsSync(leftover)).toBe(false);
      expect((await store.list()).map((o) => o.name)).toEqual(['kept/day.csv']);
      expect((await readAll(await store.read('kept/day.csv'))).toString()).toBe('kept');
      await crashed.abort(); // releases the descriptor the "crash" left open
    });

    it('a 20 MB object round-trips byte-identical', async () => {
      const data = randomBytes(20 * 1024 * 1024 + 12_345);
      const src = await source('large.bin', data);
      const put = await f.largeStore.put('big/large.bin', src);
      expect(put).toMatchObject({ size: data.length, uploaded: true });
      const back = await readAll(await f.largeStore.read('big/large.bin'));
      expect(back.length).toBe(data.length);
      expect(sha256(back)).toBe(sha256(data));
      const tail = await readAll(await f.largeStore.read('big/large.bin', { start: data.length - 100, end: data.length + 100 }));
      expect(tail.equals(data.subarray(data.length - 100))).toBe(true);
      expect((await f.largeStore.put('big/large.bin', src)).uploaded).toBe(false);
    });

    it('refuses names that could escape, hide as temp files or hit the work dir', async () => {
      for (const bad of ['', '../x.csv', 'a//b.csv', 'a/./b.csv', '/abs.csv', 'dir/', '.reach-udl/lock', '.day.csv.tmp-run1', 'a\\b.csv']) {
        await expectCode(store.create(bad, 't'), 'ERR_STORE_NAME');
        await expectCode(store.stat(bad), 'ERR_STORE_NAME');
      }
      await expectCode(store.create('ok.csv', 'not-alnum'), 'ERR_STORE_NAME');
    });

    it('checkWritable passes on a usable store and leaves nothing behind', async () => {
      await store.checkWritable();
      expect(await store.list()).toEqual([]);
      expect((await store.sweep()).removed).toBe(0);
    });
  });
}
