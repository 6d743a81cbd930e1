/**
 * Migration between the CSV telemetry ledger and the ledger table, both ways. Export writes exactly the
 * bytes `LedgerWriter` (src/ledger/write.ts) would for the same rows: its header, csv-stringify's
 * quoting, `\n` line ends. Import reads with the CSV ledger's own parser and is idempotent.
 */
import { stringify } from 'csv-stringify/sync';
import { parseLedger } from '../ledger/read.js';
import { LEDGER_COLUMNS, type LedgerRow } from '../ledger/schema.js';
import type { CoordDb } from './db.js';
import { inScope, insertRows, rowDigest, type LedgerTable } from './ledger-table.js';

const HEADER = `${LEDGER_COLUMNS.join(',')}\n`;

/** The CSV ledger text for these rows, byte for byte as LedgerWriter writes them. */
export function ledgerCsv(rows: readonly LedgerRow[]): string {
  // One stringify call per row, as LedgerWriter.append does, so quoting decisions cannot differ.
  return HEADER + rows.map((row) => stringify([LEDGER_COLUMNS.map((c) => row[c])])).join('');
}

export async function exportCsv(table: LedgerTable): Promise<string> {
  return ledgerCsv(await table.rows());
}

export interface ImportResult {
  /** Rows the CSV held (after the ledger parser dropped unreadable ones). */
  read: number;
  added: number;
  /** Rows already in the table. */
  present: number;
  /** Rows of another sensor, descriptor or output format: not this backfill's, left out. */
  foreign: number;
}

/**
 * Adds the CSV's rows that the table lacks, in file order, in one transaction. The n-th copy of an
 * identical row is matched with the n-th copy in the table, so importing the same file again adds nothing.
 */
export async function importCsv(db: CoordDb, table: LedgerTable, text: string, source = 'telemetry file'): Promise<ImportResult> {
  const parsed = parseLedger(text, source).rows;
  const mine = parsed.filter((row) => inScope(table.backfill, row));
  const seen = new Map<string, number>();
  const numbered = mine.map((row) => {
    const key = rowDigest(row).toString('hex');
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return { row, occurrence };
  });
  const added = await db.transaction((q) => insertRows(q, table.backfill.id, numbered));
  return { read: parsed.length, added, present: mine.length - added, foreign: parsed.length - mine.length };
}
