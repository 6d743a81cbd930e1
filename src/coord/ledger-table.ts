/**
 * The telemetry ledger as a table: the reference CSV's columns, append-only, one backfill's rows apart
 * from another's, read back in insertion order (a serial id) so that `latestByDay` works unchanged.
 *
 * Each row carries a digest of its cells and an occurrence number (the how-manieth identical row it is),
 * unique per backfill: appending or importing a row that is already there adds nothing, so an append
 * retried after a lost reply, or a CSV imported twice, leaves the ledger as it was.
 */
import { createHash } from 'node:crypto';
import { LEDGER_COLUMNS, type LedgerRow } from '../ledger/schema.js';
import type { Backfill } from './backfill.js';
import type { Queryable } from './db.js';
import { LedgerScopeError } from './errors.js';
import { SCHEMA } from './schema.js';

/** The shape of the orchestrator's TelemetrySink: where ledger rows go. */
export interface LedgerSink {
  append(row: LedgerRow): Promise<void>;
  close(): Promise<void>;
}

export interface LedgerFilter {
  /** Only these chunk_date_utc days. */
  days?: readonly string[];
}

const COLS = LEDGER_COLUMNS.join(', ');
/** Per statement; 27 parameters a row keeps a batch well under PostgreSQL's 65,535. */
export const INSERT_BATCH = 500;

export function rowDigest(row: LedgerRow): Buffer {
  return createHash('sha256')
    .update(JSON.stringify(LEDGER_COLUMNS.map((c) => row[c])))
    .digest();
}

/** Throws unless the row is this backfill's: same sensor, descriptor and output format. */
export function checkScope(backfill: Backfill, row: LedgerRow): void {
  const { sensorId, descriptor, outputFormat } = backfill.key;
  if (!inScope(backfill, row)) {
    throw new LedgerScopeError(
      `ledger row for ${row.sensor_id}/${row.descriptor}/${row.output_format} does not belong to backfill ${sensorId}/${descriptor}/${outputFormat}`,
    );
  }
}

export function inScope(backfill: Backfill, row: LedgerRow): boolean {
  const { sensorId, descriptor, outputFormat } = backfill.key;
  return row.sensor_id === sensorId && row.descriptor === descriptor && row.output_format === outputFormat;
}

/**
 * Inserts rows (each with its occurrence number) in order, skipping those already present.
 * Returns how many were new.
 */
export async function insertRows(q: Queryable, backfillId: number, rows: ReadonlyArray<{ row: LedgerRow; occurrence: number }>): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    const batch = rows.slice(i, i + INSERT_BATCH);
    const params: unknown[] = [backfillId];
    const tuples = batch.map(({ row, occurrence }) => {
      const at = params.length;
      params.push(rowDigest(row), occurrence, ...LEDGER_COLUMNS.map((c) => row[c]));
      const cells = LEDGER_COLUMNS.map((_, k) => `$${at + 3 + k}`);
      return `($1, $${at + 1}, $${at + 2}, ${cells.join(', ')})`;
    });
    const r = await q.query(
      `INSERT INTO ${SCHEMA}.ledger (backfill_id, digest, occurrence, ${COLS}) VALUES ${tuples.join(', ')}
       ON CONFLICT (backfill_id, digest, occurrence) DO NOTHING`,
      params,
    );
    added += r.rowCount ?? 0;
  }
  return added;
}

export class LedgerTable implements LedgerSink {
  constructor(
    private readonly db: Queryable,
    readonly backfill: Backfill,
  ) {}

  async append(row: LedgerRow): Promise<void> {
    checkScope(this.backfill, row);
    await insertRows(this.db, this.backfill.id, [{ row, occurrence: 0 }]);
  }

  /** The backfill's rows in insertion order. */
  async rows(filter: LedgerFilter = {}): Promise<LedgerRow[]> {
    const byDay = filter.days !== undefined;
    const r = await this.db.query<LedgerRow>(
      `SELECT ${COLS} FROM ${SCHEMA}.ledger WHERE backfill_id = $1 ${byDay ? 'AND chunk_date_utc = ANY($2::text[])' : ''} ORDER BY id`,
      byDay ? [this.backfill.id, filter.days] : [this.backfill.id],
    );
    return r.rows;
  }

  /** The database connection belongs to the caller, who closes it once every sink is done. */
  async close(): Promise<void> {}
}
