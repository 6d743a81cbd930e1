/**
 * Days as jobs: one row per (backfill, day), claimed with `FOR UPDATE SKIP LOCKED` under a lease.
 *
 * The ledger stays the single truth about a day; the job row only says who holds it and until when.
 * Each claim decides the day afresh from the ledger with the CSV tool's decision table, so a day that is
 * already done (or FAILED, without --retry-failed) is marked done without work, and re-running a
 * backfill re-runs nothing that is done. Lease times are the database's clock, so workers' clocks
 * may disagree without harm. Every lease carries a token that each claim increments: a worker whose
 * lease was taken over can neither heartbeat, complete, nor append a ledger row for that day.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { latestByDay } from '../ledger/read.js';
import { LEDGER_COLUMNS, type LedgerRow, type LedgerStatus } from '../ledger/schema.js';
import { dayWindow, parseDay } from '../plan/dates.js';
import { decideDay, type ArtifactState, type DayDecision, type DecideOptions } from '../plan/decide.js';
import type { Backfill } from './backfill.js';
import type { CoordDb } from './db.js';
import { CoordConfigError, LeaseLostError } from './errors.js';
import { LedgerTable, checkScope, rowDigest, type LedgerSink } from './ledger-table.js';
import { SCHEMA } from './schema.js';

/** `--lease-seconds` default: a dead worker's day is taken over within about a minute. */
export const DEFAULT_LEASE_SECONDS = 60;
/** How often an idle worker looks for work when no lease is about to expire: at the end of a backfill the last workers to finish wait this long at most before they exit. */
export const DEFAULT_POLL_MS = 250;

export interface JobQueueOptions {
  /** The day's artifact in the output location (absent, whole, damaged): the decision table's second input. */
  artifact(day: string, latest: LedgerRow | undefined): Promise<ArtifactState>;
  /** The decision table's settings, read at each decision (the clock moves). */
  decide(): Omit<DecideOptions, 'limitDays'>;
}

export interface Claim {
  readonly day: string;
  readonly workerId: string;
  /** Increments with every claim of the day; fences out a previous holder. */
  readonly token: number;
  readonly leaseSeconds: number;
  /** Why the day runs (new, interrupted, artifact-missing, retry-failed). */
  readonly decision: DayDecision;
}

export interface RegisterResult {
  /** Days that had no job yet. */
  added: number;
  /** Done days that the ledger says must run again (artifact gone, --retry-failed). */
  reopened: number;
  /** Days the ledger says are done, marked so without a claim. */
  skipped: number;
}

export interface JobCounts {
  pending: number;
  leased: number;
  done: number;
}

/** hostname:pid:random, unique per process run and readable in the job table. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

const J = `${SCHEMA}.job`;
const HELD = `backfill_id = $1 AND day = $2::date AND state = 'pending' AND lease_owner = $3 AND lease_token = $4`;

export class JobQueue {
  private readonly ledger: LedgerTable;

  constructor(
    private readonly db: CoordDb,
    readonly backfill: Backfill,
    private readonly opts: JobQueueOptions,
  ) {
    this.ledger = new LedgerTable(db, backfill);
  }

  /**
   * Makes a job of each day and applies the decision table to all of them at once, so that the claims
   * that follow find only days to run (each claim still decides again: the ledger may have moved on).
   */
  async register(days: readonly string[]): Promise<RegisterResult> {
    for (const day of days) if (parseDay(day) === undefined) throw new CoordConfigError(`not a YYYY-MM-DD day: ${day}`);
    const id = this.backfill.id;
    const ins = await this.db.query(`INSERT INTO ${J} (backfill_id, day) SELECT $1, unnest($2::date[]) ON CONFLICT DO NOTHING`, [id, days]);
    const latest = latestByDay(await this.ledger.rows({ days }));
    const decisions = await Promise.all(days.map((day) => this.decide(day, latest.get(day))));
    const skip = decisions.filter((d) => d.action === 'skip');
    const run = decisions.filter((d) => d.action !== 'skip').map((d) => d.day);
    const skipped = await this.db.query(
      `UPDATE ${J} AS j SET state = 'done', reason = s.reason, updated_at = clock_timestamp()
       FROM unnest($2::date[], $3::text[]) AS s (day, reason)
       WHERE j.backfill_id = $1 AND j.day = s.day AND j.state = 'pending'
         AND (j.lease_expires_at IS NULL OR j.lease_expires_at <= clock_timestamp())`,
      [id, skip.map((d) => d.day), skip.map((d) => d.reason)],
    );
    const reopened = await this.db.query(
      `UPDATE ${J} SET state = 'pending', outcome = NULL, reason = NULL, updated_at = clock_timestamp()
       WHERE backfill_id = $1 AND day = ANY($2::date[]) AND state = 'done'`,
      [id, run],
    );
    return { added: ins.rowCount ?? 0, reopened: reopened.rowCount ?? 0, skipped: skipped.rowCount ?? 0 };
  }

  /**
   * One day to run, leased to `workerId` for `leaseSeconds`, or undefined when no day is free right now
   * (all done, or the rest leased to live workers). Exactly one claimant gets a day: the row is locked
   * while it is decided, and other claimers skip locked rows instead of waiting for them.
   */
  async claim(workerId: string, leaseSeconds: number): Promise<Claim | undefined> {
    checkLease(workerId, leaseSeconds);
    for (;;) {
      const step = await this.db.transaction(async (q): Promise<Claim | 'none' | 'skipped'> => {
        const cand = await q.query<{ day: string }>(
          `SELECT day::text AS day FROM ${J}
           WHERE backfill_id = $1 AND state = 'pending' AND (lease_expires_at IS NULL OR lease_expires_at <= clock_timestamp())
           ORDER BY day LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [this.backfill.id],
        );
        const day = cand.rows[0]?.day;
        if (day === undefined) return 'none';
        const latest = latestByDay(await new LedgerTable(q, this.backfill).rows({ days: [day] })).get(day);
        const decision = await this.decide(day, latest);
        if (decision.action === 'skip') {
          await q.query(`UPDATE ${J} SET state = 'done', reason = $3, updated_at = clock_timestamp() WHERE backfill_id = $1 AND day = $2::date`, [
            this.backfill.id,
            day,
            decision.reason,
          ]);
          return 'skipped';
        }
        const up = await q.query<{ token: number }>(
          `UPDATE ${J} SET lease_owner = $3, lease_token = lease_token + 1, attempts = attempts + 1, reason = $5,
             lease_expires_at = clock_timestamp() + make_interval(secs => $4), updated_at = clock_timestamp()
           WHERE backfill_id = $1 AND day = $2::date RETURNING lease_token AS token`,
          [this.backfill.id, day, workerId, leaseSeconds, decision.reason],
        );
        const token = up.rows[0]?.token ?? 0;
        return { day, workerId, token, leaseSeconds, decision };
      });
      if (step === 'none') return undefined;
      if (step !== 'skipped') return step;
    }
  }

  /**
   * Claims the next day, waiting while every remaining day is leased to someone else: until the earliest
   * lease expires (its holder may be dead) or `pollMs`, whichever is sooner. Undefined once no day is
   * pending, or when `signal` aborts.
   */
  async next(workerId: string, leaseSeconds: number, opts: { pollMs?: number; signal?: AbortSignal } = {}): Promise<Claim | undefined> {
    const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    while (!opts.signal?.aborted) {
      const claim = await this.claim(workerId, leaseSeconds);
      if (claim) return claim;
      const r = await this.db.query<{ pending: number; expires_in_ms: number | null }>(
        `SELECT count(*)::int AS pending, (extract(epoch FROM min(lease_expires_at) - clock_timestamp()) * 1000)::float8 AS expires_in_ms
         FROM ${J} WHERE backfill_id = $1 AND state = 'pending'`,
        [this.backfill.id],
      );
      const row = r.rows[0];
      if (!row || row.pending === 0) return undefined;
      // A few ms past the expiry, so the lease has certainly lapsed by the database's clock.
      const wait = row.expires_in_ms === null ? pollMs : Math.min(pollMs, Math.max(0, row.expires_in_ms) + 10);
      await abortableSleep(wait, opts.signal);
    }
    return undefined;
  }

  /** Extends the lease by its length from now; false if the worker no longer holds the day. */
  async heartbeat(claim: Claim): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE ${J} SET lease_expires_at = clock_timestamp() + make_interval(secs => $5), updated_at = clock_timestamp() WHERE ${HELD}`,
      [...held(this.backfill, claim), claim.leaseSeconds],
    );
    return r.rowCount === 1;
  }

  /** Marks the day done with its final ledger status; throws LeaseLostError if the worker lost it. */
  async complete(claim: Claim, outcome: LedgerStatus): Promise<void> {
    const r = await this.db.query(
      `UPDATE ${J} SET state = 'done', outcome = $5, lease_owner = NULL, lease_expires_at = NULL, updated_at = clock_timestamp() WHERE ${HELD}`,
      [...held(this.backfill, claim), outcome],
    );
    if (r.rowCount !== 1) throw new LeaseLostError(claim.day, claim.workerId);
  }

  /** Gives the day back undone (a graceful stop), so another worker can claim it at once. */
  async release(claim: Claim): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE ${J} SET lease_owner = NULL, lease_expires_at = NULL, updated_at = clock_timestamp() WHERE ${HELD}`,
      held(this.backfill, claim),
    );
    return r.rowCount === 1;
  }

  /**
   * A ledger sink for the claimed day that writes only while the lease is held (checked and locked in
   * the same statement as the insert): a worker that lost its day gets LeaseLostError, not a row.
   */
  sinkFor(claim: Claim): LedgerSink {
    const cols = LEDGER_COLUMNS.join(', ');
    const cells = LEDGER_COLUMNS.map((_, k) => `$${k + 6}::text`).join(', ');
    return {
      append: async (row: LedgerRow) => {
        checkScope(this.backfill, row);
        if (row.chunk_date_utc !== claim.day) throw new LeaseLostError(row.chunk_date_utc, claim.workerId);
        const r = await this.db.query<{ held: number }>(
          `WITH lease AS (SELECT 1 FROM ${J} WHERE ${HELD} FOR SHARE),
                ins AS (INSERT INTO ${SCHEMA}.ledger (backfill_id, digest, occurrence, ${cols})
                        SELECT $1, $5::bytea, 0, ${cells} FROM lease
                        ON CONFLICT (backfill_id, digest, occurrence) DO NOTHING RETURNING 1)
           SELECT (SELECT count(*) FROM lease)::int AS held`,
          [...held(this.backfill, claim), rowDigest(row), ...LEDGER_COLUMNS.map((c) => row[c])],
        );
        if (r.rows[0]?.held !== 1) throw new LeaseLostError(claim.day, claim.workerId);
      },
      close: async () => {},
    };
  }

  async counts(): Promise<JobCounts> {
    const r = await this.db.query<JobCounts>(
      `SELECT count(*) FILTER (WHERE state = 'pending' AND (lease_expires_at IS NULL OR lease_expires_at <= clock_timestamp()))::int AS pending,
              count(*) FILTER (WHERE state = 'pending' AND lease_expires_at > clock_timestamp())::int AS leased,
              count(*) FILTER (WHERE state = 'done')::int AS done
       FROM ${J} WHERE backfill_id = $1`,
      [this.backfill.id],
    );
    return r.rows[0] ?? { pending: 0, leased: 0, done: 0 };
  }

  /** The decision table, as download applies it. */
  private async decide(day: string, latest: LedgerRow | undefined): Promise<DayDecision> {
    const artifact = await this.opts.artifact(day, latest);
    return decideDay({ day, endMs: dayWindow(day).endMs, latest, artifact }, this.opts.decide());
  }
}

function held(backfill: Backfill, claim: Claim): unknown[] {
  return [backfill.id, claim.day, claim.workerId, claim.token];
}

function checkLease(workerId: string, leaseSeconds: number): void {
  if (workerId === '') throw new CoordConfigError('the worker id must not be empty');
  if (!(leaseSeconds > 0) || !Number.isFinite(leaseSeconds)) throw new CoordConfigError(`--lease-seconds must be a positive number, not ${leaseSeconds}`);
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
