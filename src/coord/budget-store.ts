/**
 * The rate budget's row in the database, read and written by compare-and-swap on a version number. No
 * row lock is ever held across a round trip to a worker, so a worker that freezes or dies mid-update
 * cannot stall the others: its update simply never lands. One statement both tries the update and, when
 * another worker got there first, returns the row as it now is, so a conflict costs one more round trip.
 */
import type { AimdParams } from '../udl/aimd.js';
import { initialBudget, type BudgetState } from './budget-state.js';
import type { Queryable } from './db.js';
import { CoordDbError } from './errors.js';
import { SCHEMA } from './schema.js';

export const BUDGET_CHANNEL = 'reach_udl_budget';

export interface BudgetRow {
  state: BudgetState;
  /** bigint, kept as the text PostgreSQL sends. */
  version: string;
  /** The database clock when the statement ran, epoch ms. */
  dbNow: number;
}

const NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::float8';
const COLS = 'rate, ceiling, last_decrease_at, next_free_at, accepted_at, accepted_n, version::text AS version';

interface RawRow {
  rate: number;
  ceiling: number;
  last_decrease_at: number;
  next_free_at: number;
  accepted_at: number[];
  accepted_n: number[];
  version: string;
  db_now: number;
  applied?: boolean;
}

function fromRaw(r: RawRow): BudgetRow {
  return {
    state: {
      rate: r.rate,
      ceiling: r.ceiling,
      lastDecreaseAt: r.last_decrease_at,
      nextFreeAt: r.next_free_at,
      acceptedAt: r.accepted_at,
      acceptedN: r.accepted_n,
    },
    version: r.version,
    dbNow: r.db_now,
  };
}

/** The account's row, created at the caller's initial rate if it is the first worker ever on the account. */
export async function loadBudget(q: Queryable, accountKey: string, p: AimdParams): Promise<BudgetRow> {
  const s = initialBudget(p);
  // Two first workers at once: the loser's INSERT waits for the winner and then does nothing, and its
  // SELECT, reading the snapshot from before the winner committed, finds nothing; the next statement will.
  for (let attempt = 1; ; attempt++) {
    const row = await tryLoad(q, accountKey, s);
    if (row) return fromRaw(row);
    if (attempt >= 3) throw new CoordDbError('coordination database: the rate budget row was neither inserted nor found', undefined);
  }
}

async function tryLoad(q: Queryable, accountKey: string, s: BudgetState): Promise<RawRow | undefined> {
  const r = await q.query<RawRow>(
    `WITH ins AS (
       INSERT INTO ${SCHEMA}.rate_budget (account_key, rate, ceiling, last_decrease_at, next_free_at)
       VALUES ($1, $2, $3, $4, 0) ON CONFLICT (account_key) DO NOTHING RETURNING ${COLS})
     SELECT *, ${NOW_MS} AS db_now FROM ins
     UNION ALL
     SELECT ${COLS}, ${NOW_MS} AS db_now FROM ${SCHEMA}.rate_budget WHERE account_key = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,
    [accountKey, s.rate, s.ceiling, s.lastDecreaseAt],
  );
  return r.rows[0];
}

/**
 * Writes `next` if the row is still at `version`. Either way returns the row as it stands after the
 * statement, and whether this write is the one that made it so.
 */
export async function casBudget(q: Queryable, accountKey: string, version: string, next: BudgetState): Promise<BudgetRow & { applied: boolean }> {
  const r = await q.query<RawRow>(
    `WITH upd AS (
       UPDATE ${SCHEMA}.rate_budget
          SET rate = $3, ceiling = $4, last_decrease_at = $5, next_free_at = $6, accepted_at = $7::float8[], accepted_n = $8::int[],
              version = version + 1, updated_at = clock_timestamp()
        WHERE account_key = $1 AND version = $2::bigint
        RETURNING ${COLS})
     SELECT *, ${NOW_MS} AS db_now, true AS applied FROM upd
     UNION ALL
     SELECT ${COLS}, ${NOW_MS} AS db_now, false AS applied FROM ${SCHEMA}.rate_budget
      WHERE account_key = $1 AND NOT EXISTS (SELECT 1 FROM upd)`,
    [accountKey, version, next.rate, next.ceiling, next.lastDecreaseAt, next.nextFreeAt, next.acceptedAt, next.acceptedN],
  );
  const row = r.rows[0];
  if (!row) throw new CoordDbError('coordination database: the rate budget row disappeared', undefined);
  return { ...fromRaw(row), applied: row.applied === true };
}

/** Tells every worker on the account that the rate was cut, so they drop tokens taken at the old rate. */
export async function notifyCut(q: Queryable, accountKey: string, version: string): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [BUDGET_CHANNEL, `${version} ${accountKey}`]);
}

/** Parses a cut notification: the version it produced and the account it is for. */
export function parseCut(payload: string): { version: bigint; accountKey: string } | undefined {
  const sp = payload.indexOf(' ');
  if (sp <= 0 || !/^\d+$/.test(payload.slice(0, sp))) return undefined;
  return { version: BigInt(payload.slice(0, sp)), accountKey: payload.slice(sp + 1) };
}
