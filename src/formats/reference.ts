/**
 * The reference field order and cell rules: what a plain `JSON.parse` + csv-stringify writer produces.
 * Columns are the record keys in order of first appearance (each record's keys in JSON.parse order, so
 * integer-like keys first); the fast writers must equal `referenceCsv` byte for byte.
 */
import { stringify } from 'csv-stringify/sync';
import { PageFormatError, expectEnd, scanValue, skipWs, type Row } from './json-scan.js';

// Reference writer

/** The reference: JSON.parse the body, then write with csv-stringify. Slow, obviously right. */
export function referenceCsv(body: string): { keys: string[]; rows: string } {
  const records = parseRecords(body);
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  // Rows go to csv-stringify as arrays: given objects it would read `columns` as lodash paths ("a.b",
  // "x[0]") and through the prototype ("toString"), so a missing key could yield another key's value.
  const table = records.map((r) => keys.map((k) => (Object.hasOwn(r, k) ? r[k] : undefined)));
  return { keys, rows: stringify(table, STRINGIFY_OPTIONS) };
}

/** CSV header line for keys (with "\n"), quoted by the same rules. */
export function csvHeader(keys: string[]): string {
  return stringify([keys], STRINGIFY_OPTIONS);
}

// csv-stringify's default writes booleans as "1" and ""; the CSV says what JSON said.
const STRINGIFY_OPTIONS = { cast: { boolean: (v: boolean) => (v ? 'true' : 'false') } };

export function parseRecords(body: string): Row[] {
  const start = skipWs(body, 0);
  if (start === body.length) return [];
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // The validator names the offset and quotes at most a few dozen characters; JSON.parse does neither reliably.
    expectEnd(body, scanValue(body, start));
    throw new PageFormatError('invalid JSON', start);
  }
  if (value === null) return [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (!isRecord(v)) throw new PageFormatError(`element ${i} of the page is ${describeType(v)}, not an object`, start);
    });
    return value as Row[];
  }
  if (isRecord(value)) return [value];
  throw new PageFormatError(`the page is ${describeType(value)}, not an array of records`, start);
}

function isRecord(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

// Generic cells (slow path), by csv-stringify's rules

const NEEDS_QUOTES = /[,"\r\n]/;

export function quoteCell(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function cellOf(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return quoteCell(v);
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      return v === null ? '' : quoteCell(JSON.stringify(v));
    default:
      return '';
  }
}
