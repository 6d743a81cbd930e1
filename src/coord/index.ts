/** Multi-machine coordination through PostgreSQL: day jobs under leases, the ledger as a table, a shared rate budget. */
export { CoordDb, type CoordDbOptions, type Queryable, type Listener } from './db.js';
export { CoordConfigError, CoordDbError, SchemaTooNewError, LeaseLostError, LedgerScopeError, LimiterClosedError } from './errors.js';
export { migrate, SCHEMA, SCHEMA_VERSION } from './schema.js';
export { openBackfill, type Backfill, type BackfillKey } from './backfill.js';
export { LedgerTable, type LedgerSink, type LedgerFilter } from './ledger-table.js';
export { exportCsv, importCsv, ledgerCsv, type ImportResult } from './ledger-csv.js';
export {
  JobQueue,
  defaultWorkerId,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_POLL_MS,
  type Claim,
  type JobQueueOptions,
  type JobCounts,
  type RegisterResult,
} from './jobs.js';
export { keepLease, type LeaseKeeper } from './lease-keeper.js';
export { SharedRateLimiter, accountKeyFor, type SharedRateOptions, type SharedLimiterStats } from './shared-limiter.js';
