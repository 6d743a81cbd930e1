/**
 * The S3 client the S3 store uses. The SDK is imported here, on first use only: it costs ~100 ms and
 * many MB to load, and commands that never touch S3 must not pay for it.
 */
import { createHash } from 'node:crypto';
import type { S3Client, UploadPartCommandInput } from '@aws-sdk/client-s3';
import { quietAwsSdk } from '../aws-sdk.js';

export interface S3ClientOptions {
  /** Omitted: the SDK's region chain (AWS_REGION, the profile's region). */
  region?: string;
  /** An S3-compatible server (MinIO, Ceph, a test server); omitted: AWS itself. */
  endpoint?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`; most S3-compatible servers need it. */
  forcePathStyle?: boolean;
  /** Omitted: the standard AWS credential chain (env, profile/SSO, web identity, container/instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export async function createS3Client(opts: S3ClientOptions = {}): Promise<S3Client> {
  quietAwsSdk();
  const { S3Client } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    ...(opts.region ? { region: opts.region } : {}),
    // Against AWS, a bucket in another region than the configured one still works (one redirect).
    ...(opts.endpoint ? { endpoint: opts.endpoint } : { followRegionRedirects: true }),
    forcePathStyle: opts.forcePathStyle ?? false,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    // The SDK's default sends streamed bodies as aws-chunked with a trailing CRC32, which S3-compatible
    // servers (s3rver among them) store with the chunk framing inside the object. Every upload here
    // carries Content-MD5 instead, which all of them verify.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK waits forever by default; a dead endpoint or a stalled transfer must fail (and retry).
    // Inactivity, not total time: a large part on a slow link is not stalled.
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000 },
  });
  // lib-storage's Upload builds its UploadPart commands itself, from the whole object's parameters, so
  // a per-part Content-MD5 can only be added on the way out.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Partial<UploadPartCommandInput>;
      if (context.commandName === 'UploadPartCommand' && input.Body instanceof Uint8Array && !input.ContentMD5) {
        const ContentMD5 = createHash('md5').update(input.Body).digest('base64');
        return next({ ...args, input: { ...args.input, ContentMD5 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'reachUdlPartContentMd5' },
  );
  return client;
}
