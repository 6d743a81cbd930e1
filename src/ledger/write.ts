import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { fsyncDir } from '../artifacts/fsutil.js';
import { isWholeRow } from './read.js';
import { LEDGER_COLUMNS, type LedgerRow } from './schema.js';

const HEADER = `${LEDGER_COLUMNS.join(',')}\n`;
/** Enough of the file's end to hold its last row. */
const TAIL_BYTES = 64 * 1024;



/** Appends ledger rows, each fsync'ed before append() resolves, so a row on disk survives a crash. */
export class LedgerWriter {
  private constructor(private readonly fh: FileHandle) {}

  /**
   * Opens (creating if needed) the ledger for appending. A crash can leave a header or a last row cut
   * short. A cut header is rewritten; a cut row is dropped, since its quotes could swallow the next row
   * and its fsync never completed; a whole last row that merely lacks its newline gets one.
   */
  static async open(path: string): Promise<LedgerWriter> {
    const fh = await open(path, 'a+');
    try {
      const { size } = await fh.stat();
      if (size === 0) {
        await fh.appendFile(HEADER);
        await fh.sync();
        await fsyncDir(dirname(path));
        return new LedgerWriter(fh);
      }
      const tailLen = Math.min(size, TAIL_BYTES);
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(tailLen), 0, tailLen, size - tailLen);
      const tail = buffer.subarray(0, bytesRead);
      if (tail[tail.length - 1] === 0x0a) return new LedgerWriter(fh);
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
      return new LedgerWriter(fh);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async append(row: LedgerRow): Promise<void> {
    const line = stringify([LEDGER_COLUMNS.map((c) => row[c])]);
    await this.fh.appendFile(line);
    await this.fh.sync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
