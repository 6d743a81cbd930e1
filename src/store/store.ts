/**
 * Where finished artifacts live: a local directory (the default) or an S3 prefix. Everything that
 * publishes, finds, sizes or reads an artifact goes through this interface, so a new store is one new
 * file. Work files that must stay local (the spool, the lock, the CSV ledger) do not go through it.
 *
 * Names are keys relative to the store's root, '/'-separated: `REACH-ALL_20260101T000000_20260102T000000.csv`
 * or `l1c/prelim/2025/09/04/reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf`.
 */
import type { Readable } from 'node:stream';

export interface StoredObject {
  name: string;
  size: number;
  mtimeMs: number;
  /** Hex SHA-256 of the content, when the store keeps one (S3 metadata); local files leave it out. */
  sha256?: string;
}

export interface ReadRange {
  /** First byte, inclusive; at or past the object's end rejects with code ERR_STORE_RANGE. */
  start: number;
  /** Last byte, inclusive (HTTP Range semantics); past the object's end reads to the end. */
  end: number;
}

/**
 * A crash-safe write of one object. Bytes go to a local temp file (beside the target for a directory,
 * in a staging dir for S3) through synchronous appends, so the hot path writes without promises and a
 * cut can undo the tail; `commit` makes it durable and visible at once (fsync + rename, or an upload
 * whose object appears whole), `abort` leaves nothing behind.
 */
export interface ObjectWriter {
  /** Bytes written so far. */
  readonly offset: number;
  append(data: string | Uint8Array): void;
  /** Drops everything from `offset` on. */
  truncate(offset: number): void;
  /** Publishes the object; resolves once it survives a crash. */
  commit(): Promise<StoredObject>;
  abort(): Promise<void>;
}

/** What `sweep` cleared, and what it could not look at (for the run's log; a sweep never fails a run). */
export interface SweepResult {
  /** Temp files, staging files and stale multipart uploads removed. */
  removed: number;
  /** One line each: housekeeping the store could not do, and why. */
  warnings: string[];
}

export interface ArtifactStore {
  /** For messages: an absolute directory path, or `s3://bucket/prefix`. */
  readonly location: string;
  /** A name's location as a user would type it (a local path, an s3:// URL): for ledger rows and messages. */
  locate(name: string): string;
  /** The object's size and time, or undefined when there is none. */
  stat(name: string): Promise<StoredObject | undefined>;
  /**
   * Objects whose names start with `prefix` (all when omitted), sorted by name; temp files never listed.
   * An S3 store reads each object's metadata for `sha256`: one HEAD per object besides the listing.
   */
  list(prefix?: string): Promise<StoredObject[]>;
  /**
   * Starts a crash-safe write of `name`. `tag` (letters and digits) tells this process's temp files
   * apart from another's.
   */
  create(name: string, tag: string): Promise<ObjectWriter>;
  /**
   * Publishes an existing local file as `name` (copy or upload), crash-safe, and harmless to repeat: an
   * object already holding the same bytes is left as it is. `uploaded` says whether bytes moved.
   */
  put(name: string, localPath: string): Promise<StoredObject & { uploaded: boolean }>;
  /** The object's bytes, whole or a range of them. Rejects with ENOENT-coded error when absent. */
  read(name: string, range?: ReadRange): Promise<Readable>;
  /** Deletes the object; an absent one is not an error (S3 DeleteObject semantics). */
  remove(name: string): Promise<void>;
  /**
   * Fails fast, before any work, when the store cannot take objects: a missing bucket, a wrong region,
   * no credentials, no permission to write. Leaves nothing behind.
   */
  checkWritable(): Promise<void>;
  /** Drops temp files that a crashed run left (only call while holding the run lock). */
  sweep(): Promise<SweepResult>;
  close(): Promise<void>;
}
