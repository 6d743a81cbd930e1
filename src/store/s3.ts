/**
 * Artifacts under an S3 prefix. Writers stage bytes in a local temp file and `commit` uploads it; S3
 * makes an object visible only once its PutObject or CompleteMultipartUpload succeeds, so a reader sees
 * the old object or the new one whole. Every upload carries Content-MD5 (per part for multipart) that
 * the server verifies, and the whole object's SHA-256 as `x-amz-meta-sha256`, which makes a repeated
 * `put` of the same bytes a HEAD and nothing more.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { isTempName } from '../artifacts/naming.js';
import { badRange, notFound, StoreError } from './errors.js';
import { WORK_DIR_NAME, checkName, checkPrefix, checkRange, checkTag, isObjectName } from './names.js';
import { createS3Client, type S3ClientOptions } from './s3-client.js';
import { s3Failure, toStoreError, type FailedCall } from './s3-errors.js';
import { uploadFile, type UploadTuning } from './s3-upload.js';
import type { ArtifactStore, ObjectWriter, ReadRange, StoredObject, SweepResult } from './store.js';
import { TempFileWriter } from './temp-writer.js';
import { quietAwsSdk } from '../aws-sdk.js';

type S3Module = typeof import('@aws-sdk/client-s3');

export interface S3StoreOptions extends Partial<UploadTuning> {
  bucket: string;
  /** Key prefix, without leading or trailing '/'; empty for the bucket's root. */
  prefix?: string;
  /** A client from `createS3Client` (kept open by `close`: its owner destroys it). */
  client?: S3Client;
  /** Used to make the store's own client on first use, when `client` is not given. */
  clientOptions?: S3ClientOptions;
  /** Where writers stage bytes before upload; default the OS temp dir. */
  stagingDir?: string;
  /** `sweep` aborts multipart uploads under the prefix started longer ago than this; default 24 h. */
  staleUploadMs?: number;
}

const MiB = 1024 * 1024;
/** Objects up to this go as one PutObject whose Content-MD5 covers them whole; see docs/stores.md. */
const DEFAULT_MULTIPART_THRESHOLD = 64 * MiB;
/** 16 MiB parts: a failed part re-sends little, 4 in flight buffer 64 MiB, 10,000 parts reach 156 GiB. */
const DEFAULT_PART_SIZE = 16 * MiB;
const DEFAULT_QUEUE_SIZE = 4;
const DAY_MS = 24 * 3600 * 1000;
/** HEADs in flight while `list` reads each object's sha256. */
const HEAD_CONCURRENCY = 8;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export class S3Store implements ArtifactStore {
  readonly location: string;
  readonly bucket: string;
  /** '' or 'some/prefix/': what every key starts with. */
  private readonly keyPrefix: string;
  private readonly stagingRoot: string;
  private readonly tuning: UploadTuning;
  private readonly staleUploadMs: number;
  private readonly ownsClient: boolean;
  private sdk: Promise<{ client: S3Client; s3: S3Module }> | undefined;

  constructor(private readonly opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    const prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.keyPrefix = prefix === '' ? '' : `${prefix}/`;
    this.location = `s3://${this.bucket}${prefix === '' ? '' : `/${prefix}`}`;
    // One staging dir per store location, so `sweep` clears only what this store staged.
    const id = createHash('sha256').update(this.location).digest('hex').slice(0, 12);
    this.stagingRoot = join(opts.stagingDir ?? tmpdir(), `reach-udl-s3-${id}`);
    this.tuning = {
      multipartThreshold: opts.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
      partSize: opts.partSize ?? DEFAULT_PART_SIZE,
      queueSize: opts.queueSize ?? DEFAULT_QUEUE_SIZE,
    };
    this.staleUploadMs = opts.staleUploadMs ?? DAY_MS;
    this.ownsClient = opts.client === undefined;
  }

  locate(name: string): string {
    return `s3://${this.bucket}/${this.key(name)}`;
  }

  async stat(name: string): Promise<StoredObject | undefined> {
    const Key = this.key(name);
    // Without s3:ListBucket, S3 answers 403 rather than 404 for a missing key: the advice names both.
    return this.call({ operation: 'HeadObject', permission: 's3:GetObject and s3:ListBucket', key: Key }, async (client, s3) => {
      try {
        const out = await client.send(new s3.HeadObjectCommand({ Bucket: this.bucket, Key }));
        const sha256 = out.Metadata?.sha256;
        return {
          name,
          size: out.ContentLength ?? 0,
          mtimeMs: out.LastModified?.getTime() ?? 0,
          ...(sha256 !== undefined && SHA256_HEX.test(sha256) ? { sha256 } : {}),
        };
      } catch (err) {
        if (s3Failure(err).status === 404) return undefined;
        throw err;
      }
    });
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    checkPrefix(prefix);
    const names = await this.call({ operation: 'ListObjectsV2', permission: 's3:ListBucket' }, async (client, s3) => {
      const found: string[] = [];
      let token: string | undefined;
      do {
        const out = await client.send(
          new s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyPrefix + prefix, ContinuationToken: token }),
        );
        for (const o of out.Contents ?? []) {
          const name = o.Key?.slice(this.keyPrefix.length);
          // The write probe, directory markers and foreign keys are not artifacts.
          if (name !== undefined && isObjectName(name)) found.push(name);
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      return found;
    });
    // The listing has no user metadata; a HEAD per object brings sha256 (one deleted meanwhile drops out).
    const objects = await mapLimit(names, HEAD_CONCURRENCY, (name) => this.stat(name));
    return objects.filter((o): o is StoredObject => o !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async create(name: string, tag: string): Promise<ObjectWriter> {
    const where = this.locate(name);
    checkTag(tag);
    await mkdir(this.stagingRoot, { recursive: true });
    // Flat and short whatever the name's depth or length; the hash keeps two names apart.
    const id = createHash('sha256').update(name).digest('hex').slice(0, 12);
    const staged = join(this.stagingRoot, `.${basename(name).slice(-100)}.${id}.tmp-${tag}`);
    return new TempFileWriter(staged, where, async (path) => {
      const { uploaded: _uploaded, ...stored } = await this.put(name, path);
      await rm(path, { force: true });
      return stored;
    });
  }

  async put(name: string, localPath: string): Promise<StoredObject & { uploaded: boolean }> {
    const key = this.key(name);
    const { client, s3 } = await this.client();
    return uploadFile({
      client,
      s3,
      bucket: this.bucket,
      key,
      localPath,
      tuning: this.tuning,
      existing: () => this.stat(name),
      wrap: (err, operation, permission) => toStoreError(err, { bucket: this.bucket, key, operation, permission }),
    });
  }

  async read(name: string, range?: ReadRange): Promise<Readable> {
    const Key = this.key(name);
    const where = this.locate(name);
    if (range) checkRange(where, range);
    return this.call({ operation: 'GetObject', permission: 's3:GetObject', key: Key }, async (client, s3) => {
      let out;
      try {
        const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
        out = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key, Range }));
      } catch (err) {
        const { name: s3Name, status } = s3Failure(err);
        if (s3Name === 'NoSuchKey' || (status === 404 && s3Name !== 'NoSuchBucket')) throw notFound(where);
        if (status === 416 && range) throw badRange(where, range.start);
        throw err;
      }
      if (!(out.Body instanceof Readable)) throw new StoreError('ERR_S3', `${where}: GetObject returned no body stream`);
      return range ? exactRange(out.Body, out.ContentRange, range, where) : out.Body;
    });
  }

  async remove(name: string): Promise<void> {
    const Key = this.key(name);
    await this.call({ operation: 'DeleteObject', permission: 's3:DeleteObject', key: Key }, (client, s3) =>
      client.send(new s3.DeleteObjectCommand({ Bucket: this.bucket, Key })),
    );
  }

  /**
   * HeadBucket proves the bucket, region and credentials; it needs only s3:ListBucket, which a
   * read-only policy grants too, so a zero-byte probe is then put and deleted to prove the writes a
   * run will make. The probe's fixed key under the work dir is one that `list` never shows.
   */
  async checkWritable(): Promise<void> {
    const Key = `${this.keyPrefix}${WORK_DIR_NAME}/write-probe`;
    const Bucket = this.bucket;
    await this.call({ operation: 'HeadBucket', permission: 's3:ListBucket' }, (client, s3) => client.send(new s3.HeadBucketCommand({ Bucket })));
    await this.call({ operation: 'PutObject', permission: 's3:PutObject', key: Key }, (client, s3) =>
      client.send(new s3.PutObjectCommand({ Bucket, Key, Body: Buffer.alloc(0), ContentMD5: createHash('md5').digest('base64') })),
    );
    await this.call({ operation: 'DeleteObject', permission: 's3:DeleteObject', key: Key }, (client, s3) =>
      client.send(new s3.DeleteObjectCommand({ Bucket, Key })),
    );
  }

  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { removed: 0, warnings: [] };
    let staged: string[] = [];
    try {
      staged = (await readdir(this.stagingRoot)).filter(isTempName);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await Promise.all(staged.map((f) => rm(join(this.stagingRoot, f), { force: true })));
    result.removed += staged.length;
    try {
      result.removed += await this.abortStaleUploads();
    } catch (err) {
      // Housekeeping only: a policy without s3:ListBucketMultipartUploads, or a server without the
      // call, must not stop a run. A bucket lifecycle rule can do the same job (docs/stores.md).
      const { name, status } = s3Failure(err);
      const said = [name, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ');
      result.warnings.push(
        `${this.location}: could not list unfinished multipart uploads (${said}); their parts stay until a lifecycle rule aborts them`,
      );
    }
    return result;
  }

  async close(): Promise<void> {
    const sdk = this.sdk;
    this.sdk = undefined;
    if (sdk && this.ownsClient) (await sdk).client.destroy();
  }

  private key(name: string): string {
    checkName(name);
    return this.keyPrefix + name;
  }

  private client(): Promise<{ client: S3Client; s3: S3Module }> {
    this.sdk ??= (async () => {
      quietAwsSdk();
      const s3 = await import('@aws-sdk/client-s3');
      const client = this.opts.client ?? (await createS3Client(this.opts.clientOptions));
      return { client, s3 };
    })();
    return this.sdk;
  }

  /** Runs one S3 exchange and turns any SDK failure into a StoreError naming it. */
  private async call<T>(what: Omit<FailedCall, 'bucket'>, fn: (client: S3Client, s3: S3Module) => Promise<T>): Promise<T> {
    const { client, s3 } = await this.client();
    try {
      return await fn(client, s3);
    } catch (err) {
      throw toStoreError(err, { bucket: this.bucket, ...what });
    }
  }

  /** Aborts multipart uploads under the prefix begun before the stale cutoff; returns how many. */
  private async abortStaleUploads(): Promise<number> {
    const { client, s3 } = await this.client();
    const cutoff = Date.now() - this.staleUploadMs;
    let aborted = 0;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    do {
      const out = await client.send(
        new s3.ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.keyPrefix, KeyMarker, UploadIdMarker }),
      );
      for (const u of out.Uploads ?? []) {
        if (!u.Key || !u.UploadId || (u.Initiated?.getTime() ?? 0) > cutoff) continue;
        await client.send(new s3.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }));
        aborted++;
      }
      ({ NextKeyMarker: KeyMarker, NextUploadIdMarker: UploadIdMarker } = out.IsTruncated ? out : {});
    } while (KeyMarker !== undefined);
    return aborted;
  }
}

/**
 * The asked range exactly. S3 clips `end` to the object; some S3-compatible servers answer more than
 * asked (s3rver serves `bytes=0-0` as the whole object), so a longer answer that starts right is cut.
 */
function exactRange(body: Readable, contentRange: string | undefined, range: ReadRange, where: string): Readable {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '');
  if (!m || Number(m[1]) !== range.start) {
    body.destroy();
    throw new StoreError('ERR_S3', `${where}: the server answered range ${contentRange ?? '(none)'} for bytes ${range.start}-${range.end}`);
  }
  const want = Math.min(range.end, Number(m[3]) - 1) - range.start + 1;
  if (Number(m[2]) - range.start + 1 === want) return body;
  return Readable.from(
    (async function* () {
      let left = want;
      for await (const chunk of body) {
        const part = (chunk as Buffer).subarray(0, left);
        left -= part.length;
        yield part;
        if (left === 0) break; // ends the download too
      }
    })(),
    { objectMode: false },
  );
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
