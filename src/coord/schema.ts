/**
 * The coordination schema, versioned: each migration runs once, in order, inside one transaction that
 * holds an advisory lock, so workers that start at the same moment queue up behind the first one
 * instead of racing on CREATE (IF NOT EXISTS is not safe against a concurrent CREATE of the same name).
 */
import { LEDGER_COLUMNS } from '../ledger/schema.js';
import type { CoordDb } from './db.js';
import { SchemaTooNewError } from './errors.js';

export const SCHEMA = 'reach_udl';
/** Any fixed number; it names the migration lock among this database's advisory locks. */
const MIGRATION_LOCK = 0x7265_6163_68;

const ledgerColumns = LEDGER_COLUMNS.map((c) => `  ${c} text NOT NULL DEFAULT ''`).join(',\n');

/** Index i holds the statements that take the schema from version i to i + 1. */
const MIGRATIONS: readonly string[][] = [
  [
    `CREATE TABLE ${SCHEMA}.backfill (
  id serial PRIMARY KEY,
  sensor_id text NOT NULL,
  descriptor text NOT NULL,
  output_format text NOT NULL,
  output_location text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (sensor_id, descriptor, output_format, output_location)
)`,
    `CREATE TABLE ${SCHEMA}.ledger (
  id bigserial PRIMARY KEY,
  backfill_id int NOT NULL REFERENCES ${SCHEMA}.backfill (id),
  digest bytea NOT NULL,
  occurrence int NOT NULL DEFAULT 0,
${ledgerColumns},
  inserted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (backfill_id, digest, occurrence)
)`,
    `CREATE INDEX ledger_by_day ON ${SCHEMA}.ledger (backfill_id, chunk_date_utc, id)`,
    `CREATE TABLE ${SCHEMA}.job (
  backfill_id int NOT NULL REFERENCES ${SCHEMA}.backfill (id),
  day date NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
  lease_owner text,
  lease_token int NOT NULL DEFAULT 0,
  lease_expires_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  reason text,
  outcome text,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (backfill_id, day)
)`,
    `CREATE INDEX job_pending ON ${SCHEMA}.job (backfill_id, day) WHERE state = 'pending'`,
    `CREATE TABLE ${SCHEMA}.rate_budget (
  account_key text PRIMARY KEY,
  rate float8 NOT NULL,
  ceiling float8 NOT NULL,
  last_decrease_at float8 NOT NULL,
  next_free_at float8 NOT NULL,
  accepted_at float8[] NOT NULL DEFAULT '{}',
  accepted_n int[] NOT NULL DEFAULT '{}',
  version bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
)`,
  ],
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; a no-op when it is there. Returns the versions before and after. */
export async function migrate(db: CoordDb): Promise<{ from: number; to: number }> {
  return db.transaction(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await q.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await q.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_version (
  version int PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
)`);
    const r = await q.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${SCHEMA}.schema_version`);
    const from = r.rows[0]?.v ?? 0;
    if (from > SCHEMA_VERSION) throw new SchemaTooNewError(from, SCHEMA_VERSION);
    for (let v = from; v < SCHEMA_VERSION; v++) {
      for (const sql of MIGRATIONS[v] ?? []) await q.query(sql);
      await q.query(`INSERT INTO ${SCHEMA}.schema_version (version) VALUES ($1)`, [v + 1]);
    }
    return { from, to: SCHEMA_VERSION };
  });
}
