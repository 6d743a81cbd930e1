/** The S3 endpoint options `process` (uploads) and `download` (an s3:// output dir) share. */
import { UsageError } from '../errors.js';
import type { OpenStoreOptions } from '../store/open.js';

export interface RawS3Options {
  s3Endpoint?: string;
  s3ForcePathStyle?: boolean;
}

export interface S3Settings {
  /** An S3-compatible endpoint URL; undefined: AWS. */
  s3Endpoint: string | undefined;
  s3ForcePathStyle: boolean;
}

export function validateS3Options(raw: RawS3Options, env: NodeJS.ProcessEnv): S3Settings {
  const s3Endpoint = raw.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? undefined;
  if (s3Endpoint !== undefined) {
    let u: URL;
    try {
      u = new URL(s3Endpoint);
    } catch {
      throw new UsageError(`--s3-endpoint ${JSON.stringify(s3Endpoint)} is not a URL`);
    }
    if (u.username || u.password) throw new UsageError('--s3-endpoint must not carry a user or password; use the AWS credential chain');
  }
  return { s3Endpoint, s3ForcePathStyle: raw.s3ForcePathStyle ?? s3Endpoint !== undefined };
}

/** What openStore needs from these settings, the AWS region (`--aws-region`), and where S3 uploads stage. */
export function s3StoreOptions(s: S3Settings, region: string | undefined, stagingDir?: string): OpenStoreOptions {
  return {
    ...(s.s3Endpoint ? { s3Endpoint: s.s3Endpoint } : {}),
    s3ForcePathStyle: s.s3ForcePathStyle,
    ...(region ? { region } : {}),
    ...(stagingDir ? { stagingDir } : {}),
  };
}
