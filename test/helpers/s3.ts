/**
 * A real S3-compatible server for the S3 store's tests: s3rver on 127.0.0.1, a free port, a fresh
 * directory and one bucket, gone again after `stop()`.
 *
 * s3rver accepts any Content-MD5 without checking it; real S3 (and MinIO, Ceph) answer 400 BadDigest.
 * A middleware in front of s3rver does what S3 does, and more strictly: an object or part PUT without
 * Content-MD5 is refused too, so every test also proves that every upload path sends one.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The slice of Koa's context the middleware uses. */
interface KoaContext {
  method: string;
  path: string;
  querystring: string;
  status: number;
  req: Readable;
  get(header: string): string;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/** The slice of s3rver's API used here (it ships no types). */
interface S3rver {
  /** Koa's middleware list: composed when the server starts listening, so entries added before run() count. */
  middleware: KoaMiddleware[];
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (opts: Record<string, unknown>) => S3rver;
type S3ErrorClass = new (code: string, message: string) => Error;

const require = createRequire(import.meta.url);

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  region: string;
  /** The only key pair s3rver knows; also put in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY meanwhile. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request the server answered, in order. */
  requests: LoggedRequest[];
  /** Requests that write to `key` (PutObject, UploadPart, CompleteMultipartUpload, DeleteObject). */
  writesTo(key: string): number;
  /** The next `n` object PUTs whose path matches are answered 500 InternalError, as an S3 outage would. */
  failPuts(n: number, path?: RegExp): void;
  /** The environment a child process needs to reach this server with the AWS SDK's default chains. */
  childEnv(): Record<string, string>;
  stop(): Promise<void>;
}

/** S3's answer to a body that does not match its Content-MD5, which s3rver never gives. */
function contentMd5Check(S3Error: S3ErrorClass): KoaMiddleware {
  return async (ctx, next) => {
    const objectPut = ctx.method === 'PUT' && /^\/[^/]+\/./.test(ctx.path);
    if (!objectPut) return next();
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const sent = ctx.get('content-md5');
    if (sent === '') throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
    if (sent !== createHash('md5').update(body).digest('base64')) {
      throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    // s3rver streams the object from ctx.req, which was just read: hand it the same bytes again.
    ctx.req = Readable.from([body], { objectMode: false });
    return next();
  };
}

/**
 * The store under test must never see the user's own AWS setup (keys, profile, SSO, instance role):
 * every AWS_* variable is cleared and replaced with the test server's, and the config files pointed
 * at nothing. Returns the undo.
 */
function isolateAwsEnv(dir: string, credentials: S3TestServer['credentials'], region: string): () => void {
  const saved = Object.entries(process.env).filter(([k]) => k.startsWith('AWS_'));
  for (const [k] of saved) delete process.env[k];
  const set: Record<string, string> = {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: region,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    // Never fall through to the instance metadata service: it is not on this machine's loopback.
    AWS_EC2_METADATA_DISABLED: 'true',
    // The SDK's notice that its 2027 releases will need Node 22: noise in test output.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  Object.assign(process.env, set);
  return () => {
    for (const k of Object.keys(set)) delete process.env[k];
    for (const [k, v] of saved) process.env[k] = v;
  };
}

/** The slice of s3rver's filesystem store that `fixWriteRace` replaces. */
interface FilesystemStoreProto {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: Readable): Promise<{ size: number; md5: string }>;
}
interface S3rverObject {
  bucket: string;
  key: string;
  metadata: unknown;
  content: Readable | Buffer;
}

/** Writes `content` to `path` and resolves once the file is complete on disk, with its size and MD5. */
async function writeFully(path: string, content: Readable | Buffer): Promise<{ size: number; md5: string }> {
  await mkdir(dirname(path), { recursive: true });
  const md5 = createHash('md5');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      md5.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const source = Buffer.isBuffer(content) ? Readable.from([content], { objectMode: false }) : content;
  await pipeline(source, tap, createWriteStream(path));
  return { size, md5: md5.digest('hex') };
}

/**
 * s3rver 3.7.1 answers a PutObject, an UploadPart and a CompleteMultipartUpload when its hashing stream
 * finishes, before the file is flushed: a CompleteMultipartUpload right after an UploadPart can stitch
 * a truncated part into the object, and a read right after any write can see a short object. Our
 * store's read-back caught both in CI ("S3 holds 2097152 bytes … not the 11534336 bytes sent", then
 * "8388608 bytes"). Real S3 acknowledges a write only once it is stored; so must the test server.
 */
function fixWriteRace(proto: FilesystemStoreProto): void {
  proto.putPart = async function putPart(this: FilesystemStoreProto, bucket, uploadId, partNumber, content) {
    const partPath = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    const written = await writeFully(partPath, content);
    await writeFile(`${partPath}.md5`, written.md5);
    return written;
  };
  proto.putObject = async function putObject(this: FilesystemStoreProto, object) {
    const written = await writeFully(this.getResourcePath(object.bucket, object.key, 'object'), object.content);
    await this.putMetadata(object.bucket, object.key, object.metadata, written.md5);
    return written;
  };
}

export async function startS3Server(bucket = 'reach-test'): Promise<S3TestServer> {
  const S3rverImpl = require('s3rver') as S3rverClass;
  const S3Error = require('s3rver/lib/models/error') as S3ErrorClass;
  fixWriteRace((require('s3rver/lib/stores/filesystem') as { prototype: FilesystemStoreProto }).prototype);
  const dir = await mkdtemp(join(tmpdir(), 'reach-s3rver-'));
  const server = new S3rverImpl({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dir, 'data'),
    configureBuckets: [{ name: bucket }],
  });
  const requests: LoggedRequest[] = [];
  const log: KoaMiddleware = async (ctx, next) => {
    let status = 500;
    try {
      await next();
      status = ctx.status;
    } catch (err) {
      // Koa sets the status from a thrown S3Error only after this middleware has returned.
      status = (err as { status?: number }).status ?? 500;
      throw err;
    } finally {
      requests.push({ method: ctx.method, path: ctx.path, query: ctx.querystring, status });
    }
  };
  let failing = 0;
  let failingPath = /./;
  const outage: KoaMiddleware = async (ctx, next) => {
    if (failing > 0 && ctx.method === 'PUT' && /^\/[^/]+\/./.test(ctx.path) && failingPath.test(ctx.path)) {
      failing--;
      throw new S3Error('InternalError', 'We encountered an internal error. Please try again.');
    }
    return next();
  };
  server.middleware.unshift(log, outage, contentMd5Check(S3Error));
  // run() resolves once the HTTP server is listening: no polling.
  const { port } = await server.run();
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const region = 'us-east-1';
  const restoreEnv = isolateAwsEnv(dir, credentials, region);
  const writes = new Set(['PUT', 'POST', 'DELETE']);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region,
    credentials,
    requests,
    writesTo: (key) => requests.filter((r) => writes.has(r.method) && r.path === `/${bucket}/${key}`).length,
    failPuts: (n, path = /./) => {
      failing = n;
      failingPath = path;
    },
    childEnv: () => ({
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
    stop: async () => {
      restoreEnv();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
