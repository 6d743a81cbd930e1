/**
 * One idempotent, verified upload of a local file: digest it, HEAD the key, and send nothing when the
 * object already holds those bytes; else one PutObject (Content-MD5 of the whole) or, above the
 * threshold, a multipart upload (Content-MD5 per part, added by the client's middleware), both with
 * the SHA-256 in `x-amz-meta-sha256`; then HEAD again to report what S3 now holds.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { StoreError } from './errors.js';
import { digestBuffer, digestFile, type FileDigest } from './hash.js';
import type { StoredObject } from './store.js';
import { quietAwsSdk } from '../aws-sdk.js';

export interface UploadTuning {
  /** Files up to this many bytes go in one PutObject. */
  multipartThreshold: number;
  /** Bytes per part (S3's minimum is 5 MiB, except the last). */
  partSize: number;
  /** Parts in flight at once; memory held is about queueSize × partSize. */
  queueSize: number;
}

export interface UploadJob {
  client: S3Client;
  s3: typeof import('@aws-sdk/client-s3');
  bucket: string;
  key: string;
  localPath: string;
  tuning: UploadTuning;
  /** HEAD of the target, as the store reports it. */
  existing(): Promise<StoredObject | undefined>;
  /** An SDK failure of `operation` as the store's error. */
  wrap(err: unknown, operation: string, permission: string): StoreError;
}

export async function uploadFile(job: UploadJob): Promise<StoredObject & { uploaded: boolean }> {
  const { size } = await stat(job.localPath);
  // A small file is read once: hashed, then sent from the same buffer, so an SDK retry re-sends exactly
  // the bytes the Content-MD5 covers. A large one is hashed in a first pass and streamed in parts.
  const body = size <= job.tuning.multipartThreshold ? await readFile(job.localPath) : undefined;
  const digest = body ? digestBuffer(body) : await digestFile(job.localPath);

  const before = await job.existing();
  if (before && before.size === digest.size && before.sha256 === digest.sha256) return { ...before, uploaded: false };

  if (body) await putWhole(job, body, digest);
  else await putMultipart(job, digest);

  const after = await job.existing();
  if (!after || after.size !== digest.size || after.sha256 !== digest.sha256) {
    const holds = after ? `${after.size} bytes with sha256 ${after.sha256 ?? 'unset'}` : 'no object';
    throw new StoreError(
      'ERR_S3_CHECKSUM',
      `s3://${job.bucket}/${job.key}: after the upload S3 holds ${holds}, not the ${digest.size} bytes sent; retry`,
    );
  }
  return { ...after, uploaded: true };
}

async function putWhole(job: UploadJob, body: Buffer, digest: FileDigest): Promise<void> {
  const { client, s3 } = job;
  try {
    await client.send(
      new s3.PutObjectCommand({
        Bucket: job.bucket,
        Key: job.key,
        Body: body,
        ContentLength: body.length,
        ContentMD5: digest.md5,
        Metadata: { sha256: digest.sha256 },
      }),
    );
  } catch (err) {
    throw job.wrap(err, 'PutObject', 's3:PutObject');
  }
}

async function putMultipart(job: UploadJob, digest: FileDigest): Promise<void> {
  quietAwsSdk();
  const { Upload } = await import('@aws-sdk/lib-storage');
  const { client, s3 } = job;
  const body = createReadStream(job.localPath, { highWaterMark: 1 << 20 });
  const upload = new Upload({
    client,
    params: { Bucket: job.bucket, Key: job.key, Body: body, ContentLength: digest.size, Metadata: { sha256: digest.sha256 } },
    partSize: job.tuning.partSize,
    queueSize: job.tuning.queueSize,
    // lib-storage would abort on failure itself, but a failed abort would then replace the real cause.
    leavePartsOnError: true,
  });
  try {
    await upload.done();
  } catch (err) {
    if (upload.uploadId) {
      // Best effort: parts an abort cannot drop are what `sweep` and a lifecycle rule are for.
      await client
        .send(new s3.AbortMultipartUploadCommand({ Bucket: job.bucket, Key: job.key, UploadId: upload.uploadId }))
        .catch(() => undefined);
    }
    throw job.wrap(err, 'multipart upload', 's3:PutObject');
  } finally {
    body.destroy();
  }
}
