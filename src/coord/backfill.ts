/**
 * A backfill: what one set of workers fills (sensor, descriptor, output format, output location). Its
 * ledger rows and its day jobs are scoped by it, so several backfills share one database without mixing.
 */
import type { Queryable } from './db.js';
import { CoordConfigError, CoordDbError } from './errors.js';
import { SCHEMA } from './schema.js';

export interface BackfillKey {
  sensorId: string;
  descriptor: string;
  outputFormat: string;
  /**
   * Where the artifacts go, spelled the same by every worker (an absolute path on a shared file system, or
   * a bucket URL): it tells two backfills of the same data into different places apart.
   */
  outputLocation: string;
}

export interface Backfill {
  readonly id: number;
  readonly key: BackfillKey;
}

/** Finds or creates the backfill; concurrent callers get the same id. */
export async function openBackfill(db: Queryable, key: BackfillKey): Promise<Backfill> {
  for (const [name, value] of Object.entries(key)) {
    if (typeof value !== 'string' || value === '') throw new CoordConfigError(`backfill ${name} must be a non-empty string`);
  }
  // DO UPDATE (to the same value) rather than DO NOTHING so that RETURNING yields the existing row too.
  const r = await db.query<{ id: number }>(
    `INSERT INTO ${SCHEMA}.backfill (sensor_id, descriptor, output_format, output_location) VALUES ($1, $2, $3, $4)
     ON CONFLICT (sensor_id, descriptor, output_format, output_location) DO UPDATE SET sensor_id = EXCLUDED.sensor_id
     RETURNING id`,
    [key.sensorId, key.descriptor, key.outputFormat, key.outputLocation],
  );
  const id = r.rows[0]?.id;
  if (id === undefined) throw new CoordDbError('coordination database: the backfill row was not returned', undefined);
  return { id, key: { ...key } };
}
