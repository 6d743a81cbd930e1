/**
 * SDK failures as StoreErrors: one line, the bucket or key, the S3 error name and status, and what to
 * do. The SDK error is not kept as `cause`: its response body can echo the access key id.
 */
import { StoreError } from './errors.js';

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * The S3 error name (`NoSuchKey`; `NotFound` for a bodiless 404), or a socket error's code, and the
 * HTTP status. A HEAD's refusal has no body to name it: the SDK says `Unknown`, left out here.
 */
export function s3Failure(err: unknown): { name: string | undefined; status: number | undefined } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : typeof e.name === 'string' ? e.name : undefined;
  return { name: name === 'Unknown' ? undefined : name, status: typeof status === 'number' ? status : undefined };
}

const ACCESS = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'AccountProblem',
  'Forbidden',
]);
const REGION = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException']);
const CHECKSUM = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError']);

export interface FailedCall {
  bucket: string;
  /** The object's key, when the call was about one. */
  key?: string;
  /** The S3 operation, for the message: `PutObject`. */
  operation: string;
  /** The IAM action it needs, for the advice on a refusal: `s3:PutObject`. */
  permission: string;
}

export function toStoreError(err: unknown, call: FailedCall): StoreError {
  if (err instanceof StoreError) return err;
  const where = call.key === undefined ? `s3://${call.bucket}` : `s3://${call.bucket}/${call.key}`;
  const { name, status } = s3Failure(err);
  const said = [name, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ') || 'no answer';
  const make = (code: StoreError['code'], text: string): StoreError => new StoreError(code, `${where}: ${text}`, name, status);

  if (name === 'CredentialsProviderError') {
    return make('ERR_S3_CREDENTIALS', 'no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role');
  }
  if ((err as SdkErrorShape).message === 'Region is missing') {
    return make('ERR_S3_REGION', 'no AWS region configured; pass --region or set AWS_REGION');
  }
  if (name === 'NoSuchBucket' || (status === 404 && call.key === undefined)) {
    return make('ERR_S3_NO_BUCKET', `bucket ${call.bucket} does not exist (${said}); check the bucket name in the s3:// URL`);
  }
  if ((name && REGION.has(name)) || status === 301) {
    return make('ERR_S3_REGION', `the bucket is in another region than the one configured (${said}); pass --region with the bucket's region`);
  }
  if ((name && ACCESS.has(name)) || status === 403) {
    return make('ERR_S3_ACCESS', `S3 refused ${call.operation} (${said}); check the credentials and that their policy allows ${call.permission} here`);
  }
  if (name && CHECKSUM.has(name)) {
    return make('ERR_S3_CHECKSUM', `S3 rejected ${call.operation}: the bytes it received do not match their checksum (${said}); they were damaged in transit or the file changed during the upload: retry`);
  }
  if (name && NETWORK.has(name)) {
    return make('ERR_S3_NETWORK', `cannot reach the S3 endpoint (${name}); check --s3-endpoint, the network and any proxy`);
  }
  return make('ERR_S3', `${call.operation} failed (${said})`);
}
