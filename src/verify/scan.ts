/**
 * Streams an artifact record by record without holding the file: an ALL day is ~520 MB of CSV or
 * ~860 MB of JSON, past what one JS string may hold.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

export interface ScannedRecord {
  id: string;
  obTime: string;
}

export async function* scanCsv(path: string): AsyncGenerator<ScannedRecord> {
  const parser = createReadStream(path).pipe(parse({ columns: true, relax_column_count: false }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    yield { id: row.id ?? '', obTime: row.obTime ?? '' };
  }
}

/** Splits a top-level JSON array into element texts as bytes arrive; each element is then parsed alone. */
export async function* scanJson(path: string): AsyncGenerator<ScannedRecord> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  let parts: string[] = [];
  let elementStart = -1;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
    let from = elementStart >= 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) inString = false;
        continue;
      }
      if (c === 34) inString = true;
      else if (c === 91 || c === 123) {
        if (!started) {
          if (c !== 91) throw new SyntaxError('the file is not a JSON array');
          started = true;
          continue;
        }
        if (depth === 0) {
          from = i;
          elementStart = i;
          parts = [];
        }
        depth++;
      } else if (c === 93 || c === 125) {
        if (depth === 0) {
          started = false;
          continue;
        }
        depth--;
        if (depth === 0) {
          parts.push(chunk.slice(from, i + 1));
          yield element(parts.join(''));
          elementStart = -1;
          from = -1;
        }
      }
    }
    if (elementStart >= 0 && from >= 0) parts.push(chunk.slice(from));
  }
  if (depth !== 0 || inString) throw new SyntaxError('the JSON array ends early (file cut short?)');
}

function element(text: string): ScannedRecord {
  const o = JSON.parse(text) as { id?: unknown; obTime?: unknown };
  return { id: typeof o.id === 'string' ? o.id : '', obTime: typeof o.obTime === 'string' ? o.obTime : '' };
}
