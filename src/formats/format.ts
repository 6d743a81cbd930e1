/**
 * The seam every artifact format plugs into. A format says what its files are called, turns response
 * bytes into its bytes (a page writer per response page, sharing a session per day), how a day's chunks
 * join into one file, and how a file is read back (batches of chosen fields) and peeked at (its ends).
 * Nothing outside src/formats/ branches on a format's name: it asks the format.
 */
import type { PageWriter } from './piece.js';
import type { ReadOptions, RecordBatch } from './reader.js';
import type { SensorScanner } from './sensor-counts.js';

export interface ArtifactFormat {
  /** The `--output-format` value and the ledger's `output_format`. */
  readonly name: string;
  /** File name extension, without the dot. */
  readonly extension: string;
  /** What a day's page writers share (compiled templates, buffers): one per day, pages one after another or interleaved. */
  session(): FormatSession;
  /**
   * How chunks join. A day's file is head(keys) + chunk texts joined by `separator` + tail, where a
   * chunk text is its records' texts joined by `separator` too; `keys` is the column order of the day
   * (formats without columns ignore it). Chunks written under other keys go through `rewrite`.
   */
  head(keys: readonly string[]): Buffer;
  readonly separator: Buffer;
  readonly tail: Buffer;
  /** Rows written under column order `from`, in column order `to` (a superset); formats without columns return them as they are. */
  rewrite(rows: Buffer, from: readonly string[], to: readonly string[]): Buffer;
  /** The id of one record from its bytes as written (`keys`: its column order); "" when it has none. Rare path: duplicates. */
  recordId(record: Buffer, keys: readonly string[]): string;
  /** Reads the file back in batches of the chosen fields, streaming. */
  read(path: string, options: ReadOptions): AsyncIterable<RecordBatch>;
  /** Counts records per idSensor from the file's bytes pushed in any pieces (status, report). */
  sensorScanner(path: string): SensorScanner;
  /** The first and last records' obTimes from the file's first and last 64 KB, or what is wrong with its ends. */
  ends(head: string, tail: string): { first: string; last: string } | string;
}

export interface FormatSession {
  /** A writer for one response page, fed in pieces. */
  pageWriter(): PageWriter;
}
