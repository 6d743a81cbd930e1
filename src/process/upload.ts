/**
 * --upload-to-s3: CDFs go to `<bucket>/<l1c key>` through the S3 store (Content-MD5 on every upload, the
 * SHA-256 in metadata, nothing re-sent when the object already holds the same bytes). The bucket and the
 * permission to write in it are checked before any day is worked on.
 */
import type { ProcessConfig } from '../config/process.js';
import { openStore } from '../store/open.js';
import { s3StoreOptions } from '../config/s3.js';
import type { ArtifactStore } from '../store/store.js';
import type { Uploader } from './day.js';

export interface S3Uploader extends Uploader {
  close(): Promise<void>;
}

export async function openUploader(config: ProcessConfig, store?: ArtifactStore): Promise<S3Uploader> {
  const s3 =
    store ??
    // The reference ignores --aws-region for S3; here it is the region the bucket is asked in.
    openStore(`s3://${config.s3Bucket}`, s3StoreOptions(config, config.awsRegion));
  try {
    await s3.checkWritable();
  } catch (err) {
    await s3.close();
    throw err;
  }
  return {
    bucket: config.s3Bucket!,
    async upload(localPath, key) {
      const stored = await s3.put(key, localPath);
      return { uploaded: stored.uploaded };
    },
    close: () => s3.close(),
  };
}
