import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { StoreError } from './errors.js';
import type { ObjectWriter, StoredObject } from './store.js';

/**
 * The writer both stores share: synchronous positioned writes to a local temp file, so `offset` always
 * equals the file's size and `truncate` can cut a tail. `publish` is what makes it an object (a rename
 * for a directory, an upload for S3) and, on success, disposes of the temp file; on failure the writer
 * removes it, so the temp file is gone once commit or abort ends.
 */
export class TempFileWriter implements ObjectWriter {
  private fd: number | undefined;
  private written = 0;

  constructor(
    readonly tempPath: string,
    /** The object, for messages. */
    private readonly where: string,
    private readonly publish: (tempPath: string) => Promise<StoredObject>,
  ) {
    this.fd = openSync(tempPath, 'w');
  }

  get offset(): number {
    return this.written;
  }

  append(data: string | Uint8Array): void {
    const fd = this.openFd();
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let done = 0;
    try {
      while (done < buf.byteLength) done += writeSync(fd, buf, done, buf.byteLength - done, this.written + done);
    } catch (err) {
      // A short write (ENOSPC) would leave bytes past `offset`; cut them so the file matches `offset`.
      ftruncateSync(fd, this.written);
      throw err;
    }
    this.written += buf.byteLength;
  }

  truncate(offset: number): void {
    const fd = this.openFd();
    if (!Number.isInteger(offset) || offset < 0 || offset > this.written) {
      throw new StoreError('ERR_STORE_WRITER', `${this.where}: cannot truncate to ${offset}; ${this.written} bytes written`);
    }
    ftruncateSync(fd, offset);
    this.written = offset;
  }

  async commit(): Promise<StoredObject> {
    const fd = this.openFd();
    this.fd = undefined;
    closeSync(fd);
    try {
      return await this.publish(this.tempPath);
    } catch (err) {
      await rm(this.tempPath, { force: true });
      throw err;
    }
  }

  /** Harmless to call after commit or a second time, so callers can abort in a `finally`. */
  async abort(): Promise<void> {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    await rm(this.tempPath, { force: true });
  }

  private openFd(): number {
    if (this.fd === undefined) throw new StoreError('ERR_STORE_WRITER', `${this.where}: the writer was already committed or aborted`);
    return this.fd;
  }
}
