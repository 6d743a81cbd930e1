/**
 * A cheap look at a DOWNLOADED day's artifact on every run, so damage is noticed before it is trusted:
 * its size against the ledger's, and its first and last records' obTimes against the day (a truncated
 * file, or another day's file copied over it). Two small reads per day; `verify` is the full check.
 */
import { open, stat } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { ArtifactState } from '../plan/decide.js';
import { canonicalObTime, type DayWindow } from '../plan/dates.js';
import type { LedgerRow } from '../ledger/schema.js';
import type { OutputFormat } from './naming.js';

const PEEK_BYTES = 64 * 1024;
const MIB = 1_048_576;

/** The ledger's size in bytes, and how far off a file may be given the digits the size was written with. */
export function ledgerSize(csvSizeMb: string): { bytes: number; tolerance: number } | undefined {
  const m = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(csvSizeMb);
  if (!m) return undefined;
  const digits = m[2]?.length ?? 0;
  return { bytes: Number(csvSizeMb) * MIB, tolerance: Math.ceil(0.5 * 10 ** -digits * MIB) + 1 };
}

export async function inspectArtifact(path: string, day: DayWindow, format: OutputFormat, row: LedgerRow | undefined): Promise<ArtifactState> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw err;
  }
  const expected = row?.status === 'DOWNLOADED' ? ledgerSize(row.csv_size_mb) : undefined;
  if (expected && Math.abs(size - expected.bytes) > expected.tolerance) {
    return { kind: 'damaged', why: `${size.toLocaleString('en-US')} bytes on disk, the ledger says ${Math.round(expected.bytes).toLocaleString('en-US')}` };
  }
  const why = await peekProblem(path, size, day, format);
  return why ? { kind: 'damaged', why } : { kind: 'present' };
}

async function peekProblem(path: string, size: number, day: DayWindow, format: OutputFormat): Promise<string | undefined> {
  const fh = await open(path, 'r');
  let head: string;
  let tail: string;
  try {
    const read = async (at: number, n: number) => {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, at);
      return buf.subarray(0, bytesRead).toString('utf8');
    };
    head = await read(0, Math.min(size, PEEK_BYTES));
    tail = size <= PEEK_BYTES ? head : await read(size - PEEK_BYTES, PEEK_BYTES);
  } finally {
    await fh.close();
  }
  const ends = format === 'csv' ? csvEnds(head, tail) : jsonEnds(head, tail);
  if (typeof ends === 'string') return ends;
  const lo = new Date(day.startMs).toISOString();
  const hi = new Date(day.endMs).toISOString();
  for (const [which, t] of [['first', ends.first], ['last', ends.last]] as const) {
    const c = canonicalObTime(t);
    if (!(c >= lo && c < hi)) return `its ${which} record has obTime ${JSON.stringify(t)}, outside ${day.day}`;
  }
  return undefined;
}

/** The first and last records' obTimes of a CSV artifact, or what is wrong with its ends. */
function csvEnds(head: string, tail: string): { first: string; last: string } | string {
  if (!tail.endsWith('\n')) return 'it does not end with a whole row (cut short?)';
  const lines = head.split('\n');
  const header = cells(lines[0] ?? '');
  const col = header?.indexOf('obTime') ?? -1;
  if (col < 0) return 'its header has no obTime column';
  const firstRow = cells(lines[1] ?? '');
  const lastLine = tail.slice(tail.lastIndexOf('\n', tail.length - 2) + 1, -1);
  const lastRow = cells(lastLine);
  if (!firstRow?.[col] || !lastRow?.[col]) return 'its first or last row does not parse';
  return { first: firstRow[col]!, last: lastRow[col]! };
}

function cells(line: string): string[] | undefined {
  try {
    return (parse(line, { relax_column_count: true }) as string[][])[0];
  } catch {
    return undefined;
  }
}

/** The same for a JSON artifact: an array whose first and last obTime fields lie in the day. */
function jsonEnds(head: string, tail: string): { first: string; last: string } | string {
  if (!head.trimStart().startsWith('[') || !tail.trimEnd().endsWith(']')) return 'it is not a whole JSON array (cut short?)';
  const re = /"obTime"\s*:\s*"([^"\\]*)"/g;
  const first = re.exec(head)?.[1] ?? undefined;
  let last: string | undefined;
  // A fresh search: matchAll starts at the pattern's lastIndex, which exec moved.
  re.lastIndex = 0;
  for (const m of tail.matchAll(re)) last = m[1];
  if (first === undefined || last === undefined) return 'no obTime found at its start or end';
  return { first, last };
}
