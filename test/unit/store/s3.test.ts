import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/store/errors.js';
import { openStore } from '../../../src/store/open.js';
import { S3Store, type S3StoreOptions } from '../../../src/store/s3.js';
import { createS3Client, type S3ClientOptions } from '../../../src/store/s3-client.js';
import { startS3Server, type S3TestServer } from '../../helpers/s3.js';
import { storeContract, tempOf } from './contract.js';

const MiB = 1024 * 1024;
let server: S3TestServer;
let root: string;
let seq = 0;
/** Clients the tests made, destroyed at the end (stores do not destroy a client they were given). */
const clients: S3Client[] = [];

beforeAll(async () => {
  server = await startS3Server();
  root = await mkdtemp(join(tmpdir(), 'reach-store-s3-'));
});
afterAll(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.stop();
  await rm(root, { recursive: true, force: true });
});

function clientOptions(extra: Partial<S3ClientOptions> = {}): S3ClientOptions {
  return { endpoint: server.endpoint, forcePathStyle: true, region: server.region, credentials: server.credentials, ...extra };
}

async function testClient(extra: Partial<S3ClientOptions> = {}): Promise<S3Client> {
  const client = await createS3Client(clientOptions(extra));
  clients.push(client);
  return client;
}

/** A store on its own prefix and staging dir, over a client the test can fit with middleware. */
async function makeStore(opts: Partial<S3StoreOptions> = {}): Promise<{ store: S3Store; staging: string; prefix: string }> {
  const n = ++seq;
  const prefix = `t${n}/out`;
  const staging = join(root, `staging-${n}`);
  const client = opts.client ?? (await testClient());
  const store = new S3Store({ bucket: server.bucket, prefix, stagingDir: staging, client, staleUploadMs: 0, ...opts });
  return { store, staging, prefix };
}

function expectNoSecret(err: unknown, secrets: string[]): void {
  const texts = [String(err), (err as Error).message, inspect(err, { depth: 5 }), JSON.stringify(err)];
  for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
}

async function rejection(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as Error).message).not.toContain('\n');
  return err as StoreError;
}

// The contract's store comes from openStore, as a command makes it: the env credential chain (the
// helper's test keys), the endpoint and path-style flags; only the large-object store is tuned down.
storeContract('S3Store (s3rver)', async () => {
  const n = ++seq;
  const scratch = join(root, `scratch-${n}`);
  await mkdir(scratch, { recursive: true });
  const prefix = `c${n}/out`;
  const staging = join(root, `staging-${n}`);
  const store = openStore(`s3://${server.bucket}/${prefix}/`, {
    s3Endpoint: server.endpoint,
    s3ForcePathStyle: true,
    region: server.region,
    stagingDir: staging,
  });
  const largeStore = new S3Store({
    bucket: server.bucket,
    prefix,
    stagingDir: staging,
    clientOptions: clientOptions(),
    multipartThreshold: 8 * MiB,
    partSize: 5 * MiB,
  });
  return {
    store,
    largeStore,
    scratch,
    writeMark: async (name) => String(server.writesTo(`${prefix}/${name}`)),
    dispose: async () => {
      await store.close();
      await largeStore.close();
    },
  };
});

describe('S3Store specifics', () => {
  it('reports the object under s3://bucket/prefix, with its sha256 from metadata', async () => {
    const { store } = await makeStore();
    const w = await store.create('l1c/day.cdf', 't');
    w.append('cdf bytes');
    const stored = await w.commit();
    expect(stored.sha256).toBe(createHash('sha256').update('cdf bytes').digest('hex'));
    expect(store.location).toMatch(new RegExp(`^s3://${server.bucket}/t\\d+/out$`));
    expect(store.locate('l1c/day.cdf')).toBe(`${store.location}/l1c/day.cdf`);
    expect((await store.list())[0]?.sha256).toBe(stored.sha256);
  });

  it('checkWritable puts and deletes one probe object, and list never shows it', async () => {
    const { store, prefix } = await makeStore();
    const probe = `${prefix}/.reach-udl/write-probe`;
    await store.checkWritable();
    const mine = server.requests.filter((r) => r.path === `/${server.bucket}/${probe}`);
    expect(mine.map((r) => [r.method, r.status])).toEqual([
      ['PUT', 200],
      ['DELETE', 204],
    ]);
  });

  it('sweep aborts multipart uploads under the prefix once stale, page by page', async () => {
    // s3rver has neither ListMultipartUploads nor AbortMultipartUpload: this client answers both
    // itself, as S3 would, and records what the store asked.
    const client = await testClient();
    const asked: Array<Record<string, unknown>> = [];
    const aborted: string[] = [];
    const old = new Date(Date.now() - 2 * 3600_000);
    const fresh = new Date();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        if (context.commandName === 'ListMultipartUploadsCommand') {
          asked.push(input);
          const p = String(input.Prefix);
          const output =
            input.KeyMarker === undefined
              ? {
                  Uploads: [
                    { Key: `${p}a.cdf`, UploadId: 'u1', Initiated: old },
                    { Key: `${p}b.cdf`, UploadId: 'u2', Initiated: fresh }, // maybe another run's, still going
                  ],
                  IsTruncated: true,
                  NextKeyMarker: `${p}b.cdf`,
                  NextUploadIdMarker: 'u2',
                }
              : { Uploads: [{ Key: `${p}c.cdf`, UploadId: 'u3', Initiated: old }], IsTruncated: false };
          return { output: { ...output, $metadata: {} }, response: {} };
        }
        if (context.commandName === 'AbortMultipartUploadCommand') {
          aborted.push(`${String(input.Key)}#${String(input.UploadId)}`);
          return { output: { $metadata: {} }, response: {} };
        }
        return next(args);
      },
      { step: 'initialize', name: 'testFakeMultipartListing', priority: 'high' },
    );
    const { store, prefix } = await makeStore({ client, staleUploadMs: 3600_000 });
    const swept = await store.sweep();
    expect(swept).toEqual({ removed: 2, warnings: [] });
    expect(aborted).toEqual([`${prefix}/a.cdf#u1`, `${prefix}/c.cdf#u3`]);
    expect(asked.map((a) => [a.Prefix, a.KeyMarker, a.UploadIdMarker])).toEqual([
      [`${prefix}/`, undefined, undefined],
      [`${prefix}/`, `${prefix}/b.cdf`, 'u2'],
    ]);
  });

  it('goes multipart above the threshold, every part with its Content-MD5 checked', async () => {
    const { store } = await makeStore({ multipartThreshold: 6 * MiB, partSize: 5 * MiB });
    const src = join(root, 'multi.bin');
    await writeFile(src, randomBytes(12 * MiB));
    const before = server.requests.length;
    await store.put('multi.bin', src);
    const mine = server.requests.slice(before);
    const parts = mine.filter((r) => r.method === 'PUT' && r.query.includes('uploadId='));
    expect(parts).toHaveLength(3);
    expect(parts.every((r) => r.status === 200)).toBe(true); // the strict server refuses a part without MD5
    expect(mine.filter((r) => r.method === 'POST' && r.query.includes('uploadId='))).toHaveLength(1);
  });

  it('a wrong bucket fails fast with one line naming it', async () => {
    const { store } = await makeStore({ bucket: 'no-such-bucket' });
    const started = Date.now();
    const err = await rejection(store.checkWritable());
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err.code).toBe('ERR_S3_NO_BUCKET');
    expect(err.message).toMatch(/^s3:\/\/no-such-bucket: bucket no-such-bucket does not exist/);
    const src = join(root, 'small.csv');
    await writeFile(src, 'x');
    expect((await rejection(store.put('a.csv', src))).code).toBe('ERR_S3_NO_BUCKET');
    expectNoSecret(err, [server.credentials.accessKeyId]);
  });

  it('refused credentials surface as ERR_S3_ACCESS without any credential text', async () => {
    const credentials = { accessKeyId: 'AKIALEAKCHECK0000001', secretAccessKey: 'leak-check-secret-value-0001' };
    const { store } = await makeStore({ client: await testClient({ credentials }) });
    const secrets = [credentials.accessKeyId, credentials.secretAccessKey];
    const head = await rejection(store.checkWritable()); // a HEAD: the refusal has no body
    expect(head.code).toBe('ERR_S3_ACCESS');
    expect(head.message).toBe(
      `s3://${server.bucket}: S3 refused HeadBucket (HTTP 403); check the credentials and that their policy allows s3:ListBucket here`,
    );
    expectNoSecret(head, secrets);
    // A GET's refusal carries an XML body that names the key id; the error must not pass it on.
    const get = await rejection(store.list());
    expect(get).toMatchObject({ code: 'ERR_S3_ACCESS', s3Code: 'InvalidAccessKeyId', status: 403 });
    expectNoSecret(get, secrets);
  });

  it('an unreachable endpoint is ERR_S3_NETWORK', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { store } = await makeStore({ client: await testClient({ endpoint: `http://127.0.0.1:${port}` }) });
    const err = await rejection(store.stat('x.csv'));
    expect(err.code).toBe('ERR_S3_NETWORK');
    expect(err.message).toContain('ECONNREFUSED');
  });

  describe('an upload whose bytes do not match their Content-MD5 is refused, not published', () => {
    /** Swaps the Content-MD5 header after the store computed it, as damage in transit would look. */
    async function tamperingClient(): Promise<S3Client> {
      const client = await testClient();
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if ((context.commandName === 'PutObjectCommand' || context.commandName === 'UploadPartCommand') && request.headers?.['content-md5']) {
            request.headers['content-md5'] = 'AAAAAAAAAAAAAAAAAAAAAA==';
          }
          return next(args);
        },
        { step: 'build', name: 'testTamperContentMd5' },
      );
      return client;
    }

    it.each([
      ['single PutObject', 1024, {}],
      ['multipart', 11 * MiB, { multipartThreshold: 6 * MiB, partSize: 5 * MiB }],
    ] as const)('%s', async (_label, size, tuning) => {
      const good = await makeStore();
      const src = join(root, `good-${size}.bin`);
      await writeFile(src, randomBytes(size));
      await good.store.put('day.bin', src);
      const before = await good.store.stat('day.bin');

      const client = await tamperingClient();
      const bad = new S3Store({ bucket: server.bucket, prefix: good.prefix, client, ...tuning });
      const other = join(root, `other-${size}.bin`);
      await writeFile(other, randomBytes(size));
      const err = await rejection(bad.put('day.bin', other));
      expect(err.code).toBe('ERR_S3_CHECKSUM');
      expect(err.s3Code).toBe('BadDigest');
      // The object is still the one before: nothing half-written, nothing replaced.
      expect(await good.store.stat('day.bin')).toEqual(before);
      const w = await bad.create('fresh.bin', 't');
      w.append(randomBytes(size));
      await rejection(w.commit());
      expect(existsSync(tempOf(w))).toBe(false);
      expect(await good.store.stat('fresh.bin')).toBeUndefined();
    });
  });

  it('sweep clears its own staging dir; s3rver has no multipart listing, which sweep reports', async () => {
    const { store, staging } = await makeStore();
    const other = await makeStore({ stagingDir: staging }); // another location, same staging dir
    const crashed = await store.create('a.csv', 'crashed1');
    crashed.append('half');
    const theirs = await other.store.create('a.csv', 'live1');
    theirs.append('another store, same staging root');
    const swept = await store.sweep();
    expect(swept.removed).toBe(1);
    expect(swept.warnings).toEqual([expect.stringMatching(/could not list unfinished multipart uploads \(NotImplemented, HTTP 501\)/)]);
    expect(existsSync(tempOf(crashed))).toBe(false);
    expect(existsSync(tempOf(theirs))).toBe(true);
    await crashed.abort();
    await theirs.abort();
  });
});
