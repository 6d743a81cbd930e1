/**
 * A cheap look at a DOWNLOADED day's artifact on every run, so damage is noticed before it is trusted:
 * its size against the ledger's, and its first and last records' obTimes against the day (a truncated
 * file, or another day's file copied over it). Two small reads per day (ranged GETs for S3); `verify` is
 * the full check.
 */
import { open } from 'node:fs/promises';
import type { ArtifactState } from '../plan/decide.js';
import { canonicalObTime, type DayWindow } from '../plan/dates.js';
import type { LedgerRow } from '../ledger/schema.js';
import { formatByName, type OutputFormat } from '../formats/index.js';
import type { ArtifactStore } from '../store/store.js';

const PEEK_BYTES = 64 * 1024;
const MIB = 1_048_576;

/** The ledger's size in bytes, and how far off a file may be given the digits the size was written with. */
export function ledgerSize(csvSizeMb: string): { bytes: number; tolerance: number } | undefined {
  const m = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(csvSizeMb);
  if (!m) return undefined;
  const digits = m[2]?.length ?? 0;
  return { bytes: Number(csvSizeMb) * MIB, tolerance: Math.ceil(0.5 * 10 ** -digits * MIB) + 1 };
}

/** How the look reads an artifact: its size (undefined when absent), and bytes from an offset. */
interface ArtifactBytes {
  size(): Promise<number | undefined>;
  read(at: number, n: number): Promise<string>;
}

/** The look at a file in a local output dir. */
export async function inspectArtifact(path: string, day: DayWindow, format: OutputFormat, row: LedgerRow | undefined): Promise<ArtifactState> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!fh) return { kind: 'absent' };
  try {
    return await inspect(
      {
        size: async () => (await fh.stat()).size,
        read: async (at, n) => {
          const buf = Buffer.alloc(n);
          const { bytesRead } = await fh.read(buf, 0, n, at);
          return buf.subarray(0, bytesRead).toString('utf8');
        },
      },
      day,
      format,
      row,
    );
  } finally {
    await fh.close();
  }
}

/** The look at object `name` of a store (S3): a HEAD and two ranged GETs. */
export function inspectStoredArtifact(store: ArtifactStore, name: string, day: DayWindow, format: OutputFormat, row: LedgerRow | undefined): Promise<ArtifactState> {
  return inspect(
    {
      size: async () => (await store.stat(name))?.size,
      read: async (at, n) => {
        const chunks: Buffer[] = [];
        for await (const c of await store.read(name, { start: at, end: at + n - 1 })) chunks.push(c as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      },
    },
    day,
    format,
    row,
  );
}

async function inspect(a: ArtifactBytes, day: DayWindow, format: OutputFormat, row: LedgerRow | undefined): Promise<ArtifactState> {
  const size = await a.size();
  if (size === undefined) return { kind: 'absent' };
  const expected = row?.status === 'DOWNLOADED' ? ledgerSize(row.csv_size_mb) : undefined;
  if (expected && Math.abs(size - expected.bytes) > expected.tolerance) {
    return { kind: 'damaged', why: `${size.toLocaleString('en-US')} bytes on disk, the ledger says ${Math.round(expected.bytes).toLocaleString('en-US')}` };
  }
  const why = await peekProblem(a, size, day, format);
  return why ? { kind: 'damaged', why } : { kind: 'present' };
}

async function peekProblem(a: ArtifactBytes, size: number, day: DayWindow, format: OutputFormat): Promise<string | undefined> {
  const head = size === 0 ? '' : await a.read(0, Math.min(size, PEEK_BYTES));
  const tail = size <= PEEK_BYTES ? head : await a.read(size - PEEK_BYTES, PEEK_BYTES);
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
