import { randomUUID } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { fsyncDir } from '../artifacts/fsutil.js';
import { waitForLockFile } from '../artifacts/lock.js';
import { ReachUdlError } from '../errors.js';
import { isWholeRow } from './read.js';
import { LEDGER_COLUMNS, type LedgerRow } from './schema.js';

const HEADER = `${LEDGER_COLUMNS.join(',')}\n`;
/** Enough of the file's end to hold its last row. */
const TAIL_BYTES = 64 * 1024;
/** A shared ledger's append lock is held for one append; waiting longer means its holder is stuck. */
const SHARED_LOCK_WAIT_MS = 30_000;

/** The ledger cannot be opened for appending (read-only, immutable, no permission): nothing was written. */
export class LedgerAccessError extends ReachUdlError {
  readonly code = 'ERR_LEDGER_ACCESS';
  readonly exitClass = 'usage';
  constructor(
    readonly path: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(`cannot write the ledger ${path} (${cause.code}); make it writable or point --telemetry-file at a file you can write`, { cause });
  }
}

export interface LedgerWriterOptions {
  /** Other runs append to this file too: each append takes `<ledger>.lock` first. */
  shared?: boolean;
}

/** Appends ledger rows, each fsync'ed before append() resolves, so a row on disk survives a crash. */
export class LedgerWriter {
  private constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly shared: boolean,
  ) {}

  /**
   * Opens (creating if needed) the ledger for appending. A crash can leave a header or a last row cut
   * short. A cut header is rewritten; a cut row is dropped, since its quotes could swallow the next row
   * and its fsync never completed; a whole last row that merely lacks its newline gets one.
   */
  static async open(path: string, opts: LedgerWriterOptions = {}): Promise<LedgerWriter> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'a+');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') throw new LedgerAccessError(path, e);
      throw err;
    }
    const writer = new LedgerWriter(fh, path, opts.shared ?? false);
    try {
      await writer.locked(() => writer.mendTail());
      return writer;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  private async mendTail(): Promise<void> {
    const fh = this.fh;
    const { size } = await fh.stat();
    if (size === 0) {
      await fh.appendFile(HEADER);
      await fh.sync();
      await fsyncDir(dirname(this.path));
      return;
    }
    const tailLen = Math.min(size, TAIL_BYTES);
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(tailLen), 0, tailLen, size - tailLen);
    const tail = buffer.subarray(0, bytesRead);
    if (tail[tail.length - 1] === 0x0a) return;
    const lastNl = tail.lastIndexOf(0x0a);
    if (lastNl < 0 && size <= HEADER.length && HEADER.startsWith(tail.toString('utf8'))) {
      await fh.truncate(0);
      await fh.appendFile(HEADER);
    } else if (lastNl >= 0 && !isWholeRow(tail.subarray(lastNl + 1).toString('utf8'))) {
      await fh.truncate(size - tailLen + lastNl + 1);
    } else {
      await fh.appendFile('\n');
    }
    await fh.sync();
  }

  async append(row: LedgerRow): Promise<void> {
    const line = stringify([LEDGER_COLUMNS.map((c) => row[c])]);
    await this.locked(async () => {
      await this.fh.appendFile(line);
      await this.fh.sync();
    });
  }

  private async locked(fn: () => Promise<void>): Promise<void> {
    if (!this.shared) return fn();
    const lock = await waitForLockFile(`${this.path}.lock`, randomUUID(), SHARED_LOCK_WAIT_MS);
    try {
      await fn();
    } finally {
      await lock.release();
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
