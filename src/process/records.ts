/**
 * An input artifact's records, one L1cRecord at a time, streamed: an ALL day does not fit in a string.
 * CSV through csv-parse (nested cells as JSON or as the reference's Python literals), JSON by splitting the
 * top-level array into elements as bytes arrive.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { basename } from 'node:path';
import { ReachUdlError } from '../errors.js';
import { fillFromCsvRow, fillFromJsonRecord, newL1cRecord, type L1cRecord } from '../l1c/index.js';

export type RecordSink = (record: L1cRecord) => void;

/** The input file does not parse as its format says (cut short, not CSV, not a JSON array). */
export class InputFormatError extends ReachUdlError {
  readonly code = 'ERR_INPUT_FORMAT';
  readonly exitClass = 'failed';
}

export async function readL1cRecords(path: string, format: string, onRecord: RecordSink): Promise<void> {
  try {
    await read(path, format, onRecord);
  } catch (err) {
    // csv-parse's errors carry a CSV_* code; the JSON splitter and JSON.parse throw SyntaxError.
    const code = (err as { code?: unknown }).code;
    if (err instanceof SyntaxError || (typeof code === 'string' && code.startsWith('CSV_'))) {
      throw new InputFormatError(`${basename(path)} does not parse as ${format}: ${(err as Error).message}`);
    }
    throw err;
  }
}

async function read(path: string, format: string, onRecord: RecordSink): Promise<void> {
  const record = newL1cRecord();
  if (format === 'json') {
    for await (const text of jsonElements(path)) onRecord(fillFromJsonRecord(record, JSON.parse(text) as Record<string, unknown>));
    return;
  }
  const parser = createReadStream(path).pipe(parse({ columns: true, relax_column_count: false, bom: true }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) onRecord(fillFromCsvRow(record, row));
}

/** The texts of a top-level JSON array's elements, in order; a file that is not a whole array throws. */
async function* jsonElements(path: string): AsyncGenerator<string> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let opened = false;
  let closed = false;
  let parts: string[] = [];
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
    let from = depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 91 || c === 123) {
        if (!opened) {
          if (c !== 91) throw new SyntaxError('it is not a JSON array');
          opened = true;
          continue;
        }
        if (depth++ === 0) from = i;
      } else if (c === 93 || c === 125) {
        if (depth === 0) {
          closed = true;
          continue;
        }
        if (--depth === 0) {
          parts.push(chunk.slice(from, i + 1));
          yield parts.join('');
          parts = [];
          from = -1;
        }
      }
    }
    if (from >= 0) parts.push(chunk.slice(from));
  }
  if (!opened || !closed || depth !== 0 || inString) throw new SyntaxError('the JSON array ends early (file cut short?)');
}
