/** The per-day spool and the publish step, in process, on a real directory. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishToDir, publishToStore } from '../../../src/artifacts/assemble.js';
import { LocalStore } from '../../../src/store/local.js';
import { DaySpool, type ChunkMeta, type SpoolIdentity, type SpoolManifest } from '../../../src/artifacts/spool.js';
import { tempDir } from '../../helpers/cli.js';

const IDENTITY: SpoolIdentity = { artifact: 'REACH-ALL_20260101.csv', sensorId: 'ALL', descriptor: 'QUICKLOOK', format: 'csv', maxResults: 10_000 };
const MANIFEST: SpoolManifest = { ...IDENTITY, version: 1, count: 42, windows: [[0, 1000], [1000, 2000], [2000, 3000]] };
const meta = (index: number, placed?: ChunkMeta['placed']): ChunkMeta => ({ index, records: 10, segments: [{ keys: ['id'], records: 10, bytes: 100 }], ...(placed ? { placed } : {}) });

async function started(): Promise<DaySpool> {
  const dir = join(await tempDir(), 'spool');
  return (await DaySpool.open(dir, IDENTITY)).start(MANIFEST);
}

describe('DaySpool', () => {
  it('keeps the plan of a spool made for the same day, sensor, descriptor, format and page cap', async () => {
    const spool = await started();
    const again = await DaySpool.open(spool.dir, IDENTITY);
    expect(again.manifest).toEqual(MANIFEST);
  });

  it.each([
    ['another format', { format: 'json' as const }],
    ['another page cap', { maxResults: 500 }],
    ['another sensor', { sensorId: 'REACH-101' }],
    ['another descriptor', { descriptor: 'PROVISIONAL' }],
  ])('drops a spool made for %s, with everything in it', async (_what, change) => {
    const spool = await started();
    await spool.commitMeta(meta(0, { start: 0, prefix: 0, end: 100 }));
    const other = await DaySpool.open(spool.dir, { ...IDENTITY, ...change });
    expect(other.manifest).toBeUndefined();
    expect(existsSync(spool.dir)).toBe(false);
  });

  it('drops a spool whose manifest cannot be read', async () => {
    const spool = await started();
    await writeFile(join(spool.dir, 'manifest.json'), '{"version":1,');
    expect((await DaySpool.open(spool.dir, IDENTITY)).manifest).toBeUndefined();
  });

  it('counts a window done by its meta: placed in day.part, or with its data file present', async () => {
    const spool = await started();
    await spool.commitMeta(meta(0, { start: 0, prefix: 0, end: 100 }));
    // Window 2 completed out of order: its bytes wait in their own file.
    const tmp = join(spool.dir, 'w2.tmp');
    await writeFile(tmp, 'records of window 2');
    spool.commitDataSync(tmp, 2, meta(2));
    expect(await readFile(spool.dataPath(2), 'utf8')).toBe('records of window 2');
    expect([...(await spool.committed()).keys()].sort()).toEqual([0, 2]);

    // A meta whose data file is gone, one that names another window, and a damaged one: fetched again.
    await spool.removeData(2);
    await writeFile(join(spool.dir, 'w00001.meta.json'), JSON.stringify(meta(7, { start: 0, prefix: 0, end: 1 })));
    await writeFile(join(spool.dir, 'w00003.meta.json'), '{"index":');
    expect([...(await spool.committed()).keys()]).toEqual([0]);
  });

  it('leaves no temp file behind a commit', async () => {
    const spool = await started();
    await spool.commitMeta(meta(1, { start: 0, prefix: 0, end: 10 }));
    expect((await readdir(spool.dir)).sort()).toEqual(['manifest.json', 'w00001.meta.json']);
  });

  it('has nothing committed before it starts, and nothing after a discard', async () => {
    const dir = join(await tempDir(), 'never');
    expect((await (await DaySpool.open(dir, IDENTITY)).committed()).size).toBe(0);
    const spool = await started();
    await spool.commitMeta(meta(0, { start: 0, prefix: 0, end: 100 }));
    await spool.discard();
    expect(existsSync(spool.dir)).toBe(false);
    expect((await spool.committed()).size).toBe(0);
  });

  it('remembers a published day until the ledger row is in', async () => {
    const spool = await started();
    expect(await spool.published()).toBeUndefined();
    const p = { name: IDENTITY.artifact, path: `/out/${IDENTITY.artifact}`, bytes: 1234, records: 10, duplicates: 1 };
    await spool.markPublished(p);
    expect(await (await DaySpool.open(spool.dir, IDENTITY)).published()).toEqual(p);
  });
});

describe('publishToDir', () => {
  it('moves the finished file into the output dir under its artifact name and reports its size', async () => {
    const out = await tempDir();
    await mkdir(join(out, '.reach-udl'), { recursive: true });
    const local = join(out, '.reach-udl', 'day.part');
    await writeFile(local, 'id,obTime\n1,2026-01-01T00:00:00.000Z\n');
    const publisher = publishToDir(out);
    expect(await publisher.stat('REACH-ALL_20260101.csv')).toBeUndefined();
    const published = await publisher.publish(local, 'REACH-ALL_20260101.csv');
    expect(published).toEqual({ path: join(out, 'REACH-ALL_20260101.csv'), bytes: 37 });
    expect(existsSync(local)).toBe(false);
    expect(await readFile(published.path, 'utf8')).toBe('id,obTime\n1,2026-01-01T00:00:00.000Z\n');
    expect(await publisher.stat('REACH-ALL_20260101.csv')).toEqual(published);
    expect(publisher.locate('REACH-ALL_20260101.csv')).toBe(published.path);
  });
});

describe('publishToStore', () => {
  it('puts the finished file into the store, drops the local copy, and finds it again (a resume before the ledger row)', async () => {
    const out = await tempDir();
    const work = await tempDir();
    const local = join(work, 'day.part');
    await writeFile(local, 'id,obTime\n1,2026-01-01T00:00:00.000Z\n');
    const store = new LocalStore(out);
    const publisher = publishToStore(store);
    expect(await publisher.stat('REACH-ALL_20260101.csv')).toBeUndefined();
    const published = await publisher.publish(local, 'REACH-ALL_20260101.csv');
    expect(published).toEqual({ path: store.locate('REACH-ALL_20260101.csv'), bytes: 37 });
    expect(existsSync(local)).toBe(false);
    expect(await readFile(join(out, 'REACH-ALL_20260101.csv'), 'utf8')).toBe('id,obTime\n1,2026-01-01T00:00:00.000Z\n');
    expect(await publisher.stat('REACH-ALL_20260101.csv')).toEqual(published);
    await store.close();
  });
});

