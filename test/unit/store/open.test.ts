import { readFile, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/store/errors.js';
import { LocalStore } from '../../../src/store/local.js';
import { openStore, parseS3Url } from '../../../src/store/open.js';
import { S3Store } from '../../../src/store/s3.js';

describe('openStore', () => {
  it('opens a directory as a LocalStore at its absolute path', () => {
    const store = openStore('out/days');
    expect(store).toBeInstanceOf(LocalStore);
    expect(store.location).toBe(resolve('out/days'));
    expect(store.locate('a/b.csv')).toBe(resolve('out/days/a/b.csv'));
  });

  it('opens s3://bucket[/prefix] as an S3Store, without touching the network', () => {
    const store = openStore('s3://reach-data/l1c/prelim/', { s3Endpoint: 'http://127.0.0.1:1', s3ForcePathStyle: true });
    expect(store).toBeInstanceOf(S3Store);
    expect(store.location).toBe('s3://reach-data/l1c/prelim');
    expect(store.locate('2025/09/04/x.cdf')).toBe('s3://reach-data/l1c/prelim/2025/09/04/x.cdf');
    expect(openStore('s3://reach-data').locate('x.csv')).toBe('s3://reach-data/x.csv');
    expect(parseS3Url('s3://my.bucket-1/a/b')).toEqual({ bucket: 'my.bucket-1', prefix: 'a/b' });
  });

  it.each([
    ['s3://', 'bucket name'],
    ['s3:///prefix', 'bucket name'],
    ['s3://Upper_Case/x', 'bucket name'],
    ['s3://ab', 'bucket name'],
    ['s3://bucket/a//b', "'..' segment"],
    ['s3://bucket/a/../b', "'..' segment"],
    ['S3://bucket', "lowercase"],
    ['s3:bucket', "must start with 's3://'"],
    ['gs://bucket/x', 'unsupported store'],
    ['', 'empty'],
  ])('refuses %j with a usage error', (location, says) => {
    let err: unknown;
    try {
      openStore(location);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('ERR_STORE_URL');
    expect((err as StoreError).message).toContain(says);
    expect((err as StoreError).message).not.toContain('\n');
  });

  // Commands that never use S3 must not load the SDK: the store modules may only name it in type
  // positions or in a dynamic import().
  it('loads the AWS SDK only through dynamic import()', async () => {
    const dir = new URL('../../../src/store/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('s3.ts');
    for (const file of files) {
      const text = await readFile(new URL(file, dir), 'utf8');
      // A value import or re-export, single- or multi-line, or a bare side-effect import.
      const staticSdk = text.match(/^(?:import|export)\s+(?!type\b)(?:[^;]*?\sfrom\s+)?'@aws-sdk\/[^']*'/gm) ?? [];
      expect(staticSdk, file).toEqual([]);
    }
  });
});
