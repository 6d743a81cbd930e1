/**
 * Which ledger rows belong to this backfill. The reference tool keys a ledger by date alone, so a ledger
 * must serve one output dir: rows pointing into another one are refused, unless the ledger is declared
 * shared, and then only the rows pointing into this output dir count.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { ReachUdlError } from '../errors.js';
import type { LedgerRow } from '../ledger/schema.js';

export class ForeignLedgerError extends ReachUdlError {
  readonly code = 'ERR_FOREIGN_LEDGER';
  readonly exitClass = 'usage';
  constructor(ledger: string, outputDir: string, other: string) {
    super(
      `${ledger} holds rows for another output dir (${other}), not only ${outputDir}: its days would mix; use one ledger per output dir, or pass --shared-ledger if sharing is meant`,
    );
  }
}

/** The output dir a row's csv_path points into; undefined when the row names no absolute path. */
function rowDir(row: LedgerRow): string | undefined {
  return row.csv_path && isAbsolute(row.csv_path) ? dirname(resolve(row.csv_path)) : undefined;
}

export function scopeRows(rows: readonly LedgerRow[], o: { outputDir: string; telemetryFile: string; shared: boolean }): LedgerRow[] {
  const mine = resolve(o.outputDir);
  if (o.shared) return rows.filter((r) => rowDir(r) === mine);
  const foreign = rows.map(rowDir).find((d) => d !== undefined && d !== mine);
  if (foreign !== undefined) throw new ForeignLedgerError(o.telemetryFile, mine, foreign);
  return [...rows];
}
