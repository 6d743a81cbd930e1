/** Typed errors of the coordination layer, each with a stable `code` that callers can switch on. */
import { ReachUdlError } from '../errors.js';

/** The database URL or an option is unusable; nothing was sent to a server. */
export class CoordConfigError extends ReachUdlError {
  readonly exitClass = 'usage';
  readonly code = 'ERR_COORD_CONFIG';
  constructor(message: string) {
    super(message);
  }
}

/**
 * A database call failed. The message is already redacted of the database password, and the original
 * error is not kept as `cause`: its fields (a connection string, a config object) could carry it.
 */
export class CoordDbError extends ReachUdlError {
  readonly exitClass = 'failed';
  readonly code = 'ERR_COORD_DB';
  constructor(
    message: string,
    /** PostgreSQL's SQLSTATE (e.g. 28P01) or Node's errno code (e.g. ECONNREFUSED), when there is one. */
    readonly dbCode: string | undefined,
  ) {
    super(message);
  }
}

/** The database holds a newer schema than this code knows: an older worker must not write into it. */
export class SchemaTooNewError extends ReachUdlError {
  readonly exitClass = 'usage';
  readonly code = 'ERR_COORD_SCHEMA_TOO_NEW';
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`the coordination schema is at version ${found}, this reach-udl knows up to ${known}; upgrade this worker`);
  }
}

/** The worker no longer holds the day: its lease expired and another worker claimed it, or it completed. */
export class LeaseLostError extends ReachUdlError {
  readonly exitClass = 'failed';
  readonly code = 'ERR_COORD_LEASE_LOST';
  constructor(
    readonly day: string,
    readonly workerId: string,
  ) {
    super(`worker ${workerId} no longer holds the lease on ${day}; another worker has the day`);
  }
}

/** A ledger row does not belong to the backfill it was written to (another sensor, descriptor or format). */
export class LedgerScopeError extends ReachUdlError {
  readonly exitClass = 'usage';
  readonly code = 'ERR_COORD_LEDGER_SCOPE';
  constructor(message: string) {
    super(message);
  }
}

/** acquire() was called on a shared limiter after close(). */
export class LimiterClosedError extends ReachUdlError {
  readonly exitClass = 'internal';
  readonly code = 'ERR_COORD_LIMITER_CLOSED';
  constructor() {
    super('the shared rate limiter is closed');
  }
}
