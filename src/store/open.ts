/**
 * From what a user typed (`--output-dir out`, `s3://bucket/reach/l1c`) to a store. Nothing is read or
 * sent here: a store touches its directory or bucket on first use, and `checkWritable` is the fail-fast.
 */
import { resolve } from 'node:path';
import { StoreError } from './errors.js';
import { LocalStore } from './local.js';
import { S3Store } from './s3.js';
import type { ArtifactStore } from './store.js';

export interface OpenStoreOptions {
  /** An S3-compatible endpoint URL (MinIO, a test server); AWS when omitted. */
  s3Endpoint?: string;
  s3ForcePathStyle?: boolean;
  /** AWS region; the SDK's region chain when omitted. */
  region?: string;
  /** Where an S3 store stages objects before upload; the OS temp dir when omitted. */
  stagingDir?: string;
}

/** S3's bucket naming rules (the common subset: no uppercase, no underscores). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Url(location: string): { bucket: string; prefix: string } {
  const usage = (why: string): StoreError =>
    new StoreError('ERR_STORE_URL', `${JSON.stringify(location)} is not a usable S3 location: ${why}; write s3://bucket or s3://bucket/prefix`);
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(location);
  if (!m || !location.startsWith('s3://')) throw usage("it must start with 's3://' in lowercase");
  const bucket = m[1] ?? '';
  if (!BUCKET.test(bucket) || bucket.includes('..')) throw usage(`${JSON.stringify(bucket)} is not a valid bucket name`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  if (prefix !== '' && prefix.split('/').some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
    throw usage("the prefix has an empty, '.' or '..' segment");
  }
  return { bucket, prefix };
}

/** Whether a location names S3 (`s3://...`) rather than a directory. */
export function isS3Location(location: string): boolean {
  return /^s3:/i.test(location);
}

/**
 * An output dir as the ledger, the coordinator and messages name it: an absolute directory, or
 * `s3://bucket/prefix` without a trailing slash (a malformed s3:// location throws ERR_STORE_URL).
 */
export function outputLocation(dir: string): string {
  if (!isS3Location(dir)) return resolve(dir);
  const { bucket, prefix } = parseS3Url(dir);
  return prefix ? `s3://${bucket}/${prefix}` : `s3://${bucket}`;
}

export function openStore(location: string, opts: OpenStoreOptions = {}): ArtifactStore {
  if (isS3Location(location)) {
    const { bucket, prefix } = parseS3Url(location);
    return new S3Store({
      bucket,
      prefix,
      ...(opts.stagingDir ? { stagingDir: opts.stagingDir } : {}),
      clientOptions: {
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.s3Endpoint ? { endpoint: opts.s3Endpoint } : {}),
        ...(opts.s3ForcePathStyle !== undefined ? { forcePathStyle: opts.s3ForcePathStyle } : {}),
      },
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new StoreError('ERR_STORE_URL', `${JSON.stringify(location)}: unsupported store; give a directory path or s3://bucket[/prefix]`);
  }
  if (location.trim() === '') throw new StoreError('ERR_STORE_URL', 'the store location is empty; give a directory path or s3://bucket[/prefix]');
  return new LocalStore(location);
}
