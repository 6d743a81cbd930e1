/**
 * A cheap look at a DOWNLOADED day's artifact on every run, so damage is noticed before it is trusted:
 * its size against the ledger's, and its first and last records' obTimes against the day (a truncated
 * file, or another day's file copied over it). Two small reads per day; `verify` is the full check.
 */
import { open, stat } from 'node:fs/promises';
import type { ArtifactState } from '../plan/decide.js';
import { canonicalObTime, type DayWindow } from '../plan/dates.js';
import type { LedgerRow } from '../ledger/schema.js';
import { formatByName, type OutputFormat } from '../formats/index.js';

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
  const ends = formatByName(format).ends(head, tail);
  if (typeof ends === 'string') return ends;
  const lo = new Date(day.startMs).toISOString();
  const hi = new Date(day.endMs).toISOString();
  for (const [which, t] of [['first', ends.first], ['last', ends.last]] as const) {
    const c = canonicalObTime(t);
    if (!(c >= lo && c < hi)) return `its ${which} record has obTime ${JSON.stringify(t)}, outside ${day.day}`;
  }
  return undefined;
}
