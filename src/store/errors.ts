/**
 * The one error class of the store seam. `code` is stable (commands map it to exit codes and advice);
 * the message is one line naming the object or bucket and what to do. Messages are built from our own
 * words plus the S3 error name and HTTP status, never from a server's message or an SDK error object,
 * which can carry an access key id: nothing here can print a credential.
 */
import { ReachUdlError, type ExitClass } from '../errors.js';

export type StoreErrorCode =
  /** The object does not exist (read). */
  | 'ENOENT'
  /** An object name or temp tag the stores refuse (`..`, a temp-file name, the work dir). */
  | 'ERR_STORE_NAME'
  /** A store location that is neither a path nor `s3://bucket[/prefix]`. */
  | 'ERR_STORE_URL'
  /** A read range that starts at or past the end of the object. */
  | 'ERR_STORE_RANGE'
  /** A writer used after commit or abort, or truncated forward. */
  | 'ERR_STORE_WRITER'
  /** The local directory cannot be created or written. */
  | 'ERR_LOCAL_NOT_WRITABLE'
  | 'ERR_S3_NO_BUCKET'
  /** Credentials were found but refused, or lack a permission. */
  | 'ERR_S3_ACCESS'
  /** No credentials anywhere in the AWS chain. */
  | 'ERR_S3_CREDENTIALS'
  /** No region configured, or the bucket lives in another one. */
  | 'ERR_S3_REGION'
  /** The server refused the bytes: they did not match the checksum sent with them. */
  | 'ERR_S3_CHECKSUM'
  /** The endpoint could not be reached. */
  | 'ERR_S3_NETWORK'
  /** Any other S3 failure; `s3Code` says which. */
  | 'ERR_S3';

/** Codes that mean the configuration cannot work (exit 2 when met up front); the rest fail a day. */
const USAGE_CODES = new Set<StoreErrorCode>(['ERR_STORE_URL', 'ERR_STORE_NAME', 'ERR_LOCAL_NOT_WRITABLE', 'ERR_S3_NO_BUCKET', 'ERR_S3_ACCESS', 'ERR_S3_CREDENTIALS', 'ERR_S3_REGION']);

export class StoreError extends ReachUdlError {
  readonly exitClass: ExitClass;
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The S3 error name (`NoSuchBucket`, `BadDigest`) and HTTP status, when S3 answered. */
    readonly s3Code?: string,
    readonly status?: number,
  ) {
    super(message);
    this.exitClass = USAGE_CODES.has(code) ? 'usage' : 'failed';
  }
}

export function notFound(where: string): StoreError {
  return new StoreError('ENOENT', `${where}: no such object`);
}

export function badRange(where: string, start: number, size?: number): StoreError {
  const has = size === undefined ? 'is shorter' : `has ${size} bytes`;
  return new StoreError('ERR_STORE_RANGE', `${where}: range starts at byte ${start} but the object ${has}`);
}
