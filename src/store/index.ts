/** The store seam's public surface. Importing it loads no AWS SDK code; S3 calls load it on first use. */
export type { ArtifactStore, ObjectWriter, ReadRange, StoredObject, SweepResult } from './store.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export { LocalStore } from './local.js';
export { S3Store, type S3StoreOptions } from './s3.js';
export { createS3Client, type S3ClientOptions } from './s3-client.js';
export { openStore, parseS3Url, type OpenStoreOptions } from './open.js';
