/**
 * SharedRateLimiter: the RateLimiter of src/udl/gate.ts, with its AIMD state and token bucket shared by
 * every worker on one UDL account through the database (see budget-state.ts for the arithmetic).
 *
 * The database is off the per-request path: a worker takes tokens in small batches (about `batchMs` of
 * the account's rate, fewer when it is not using them), spends them locally at their slot times, and
 * reports its successes with its next batch request. A congestion report is sent at once, and the cut it
 * makes is broadcast (LISTEN/NOTIFY) so every worker drops the tokens it took at the old rate.
 */
import type { AimdParams } from '../udl/aimd.js';
import { systemClock, type Clock, type RateLimiter } from '../udl/gate.js';
import { applyEvents, giveBack, grant, type BudgetEvent, type Grant } from './budget-state.js';
import { BUDGET_CHANNEL, casBudget, loadBudget, notifyCut, parseCut, type BudgetRow } from './budget-store.js';
import type { CoordDb, Listener } from './db.js';
import { CoordConfigError, type CoordDbError, LimiterClosedError } from './errors.js';
import { stoppedError } from '../errors.js';

export interface SharedRateOptions {
  /**
   * Names the UDL account whose allowance is shared, e.g. accountKeyFor(udlUrl, userName). Never the
   * credential, nor anything derived from it: the key is stored in the database in clear.
   */
  accountKey: string;
  params: AimdParams;
  /** The gate's clock: sentAt values passed in are read against it. */
  clock?: Clock;
  /** A batch holds about this long's worth of tokens at the current rate. Default 250 ms. */
  batchMs?: number;
  /** acquire() keeps retrying an unreachable database this long before it fails. Default 60 s. */
  dbOutageMs?: number;
}

export interface SharedLimiterStats {
  /** acquire() calls that returned: requests admitted. */
  acquired: number;
  /** Database statements issued (each one round trip). */
  roundTrips: number;
  /** Budget updates that lost a race to another worker and were redone. */
  conflicts: number;
  granted: number;
  /** Tokens never used: dropped at a cut, or too late to use. */
  dropped: number;
  /** Cuts this worker made (and broadcast), and cuts it heard of from others. */
  cutsMade: number;
  cutsHeard: number;
  /** Failed database calls that were retried or, on close, given up. */
  dbErrors: number;
}

/** `host/user`: the UDL account, as the budget's key. */
export function accountKeyFor(udlUrl: string, userName: string): string {
  return `${new URL(udlUrl).host}/${userName}`;
}

type LocalEvent = { kind: 'success'; at: number } | { kind: 'congestion'; at: number; sentAt: number; throttled: boolean };

interface Batch {
  /** First slot, database time and this process's time. */
  startDb: number;
  startLocal: number;
  spacing: number;
  n: number;
  used: number;
  /** Slots that passed unused. */
  lapsed: number;
}

/** After a failed LISTEN, try again no sooner than this. */
const LISTEN_RETRY_MS = 5_000;

export class SharedRateLimiter implements RateLimiter {
  readonly stats: SharedLimiterStats = { acquired: 0, roundTrips: 0, conflicts: 0, granted: 0, dropped: 0, cutsMade: 0, cutsHeard: 0, dbErrors: 0 };
  private readonly clock: Clock;
  private readonly batchMs: number;
  private readonly dbOutageMs: number;
  private batch: Batch | undefined;
  private events: LocalEvent[] = [];
  /**
   * Tokens to ask for next (capped at a batch's worth): shrinks when slots lapse, grows back while
   * batches are used up on time. Starts at the cap: tiny first batches would make a start all round trips.
   */
  private nextBatch = Number.POSITIVE_INFINITY;
  /** Counts cuts seen here, so a caller asleep until its slot can tell that the slot is void. */
  private generation = 0;
  private waiters = 0;
  private syncing: Promise<void> | undefined;
  private flushAgain = false;
  private listener: Listener | undefined;
  private listenRetryAt = Number.NEGATIVE_INFINITY;
  /** This process's time before which the bucket has no token to give: all are reserved by others. */
  private notBefore = Number.NEGATIVE_INFINITY;
  private closed = false;

  private constructor(
    private readonly db: CoordDb,
    private readonly opts: SharedRateOptions,
    private row: BudgetRow,
    /** Database time minus this process's clock, from the last round trip's midpoint. */
    private offset: number,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.batchMs = opts.batchMs ?? 250;
    this.dbOutageMs = opts.dbOutageMs ?? 60_000;
  }

  static async open(db: CoordDb, opts: SharedRateOptions): Promise<SharedRateLimiter> {
    if (opts.accountKey === '') throw new CoordConfigError('the rate budget needs a non-empty account key');
    if (opts.batchMs !== undefined && !(opts.batchMs > 0)) throw new CoordConfigError(`batchMs must be positive, not ${opts.batchMs}`);
    const clock = opts.clock ?? systemClock;
    const t0 = clock.now();
    const row = await loadBudget(db, opts.accountKey, opts.params);
    const limiter = new SharedRateLimiter(db, opts, row, row.dbNow - (t0 + clock.now()) / 2);
    limiter.stats.roundTrips++;
    await limiter.ensureListening();
    return limiter;
  }

  /** The account's rate as of this worker's last exchange with the database. */
  get rate(): number {
    return this.row.state.rate;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw stoppedError(signal);
      if (this.closed) throw new LimiterClosedError();
      const now = this.clock.now();
      const slot = this.takeSlot(now);
      if (slot !== undefined) {
        if (slot > now) {
          const generation = this.generation;
          await this.clock.sleep(slot - now, signal);
          // The rate was cut while this caller waited for its slot: the slot was taken at the old rate.
          if (generation !== this.generation) continue;
        }
        this.stats.acquired++;
        return;
      }
      if (now < this.notBefore) {
        await this.clock.sleep(this.notBefore - now, signal);
        continue;
      }
      this.waiters++;
      try {
        // Another caller's batch request may already be on its way; its tokens may serve this one too.
        if (this.syncing) await this.syncing;
        else await this.runSync(this.batchSize(), true);
      } finally {
        this.waiters--;
      }
    }
  }

  onSuccess(): void {
    if (!this.closed) this.events.push({ kind: 'success', at: this.clock.now() });
  }

  onCongestion(sentAt: number, throttled: boolean): void {
    if (this.closed) return;
    // A request sent before the last known cut reports on the old rate, already cut: nothing to do.
    if (sentAt < this.row.state.lastDecreaseAt - this.offset) return;
    this.events.push({ kind: 'congestion', at: this.clock.now(), sentAt, throttled });
    this.dropBatch();
    if (this.syncing) this.flushAgain = true;
    else void this.runSync(0, true).catch(() => {});
  }

  /** Reports what is pending, gives back unused tokens if no one took later ones, and stops listening. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.syncing?.catch(() => {});
    const b = this.batch;
    this.batch = undefined;
    const back = b && b.used < b.n ? { end: b.startDb + b.n * b.spacing, from: b.startDb + b.used * b.spacing } : undefined;
    if (this.events.length > 0 || back) {
      // One try: a run that is over must not hang on a database that is gone.
      await this.sync(0, false, back).catch(() => {
        this.stats.dbErrors++;
      });
    }
    const l = this.listener;
    this.listener = undefined;
    await l?.close();
  }

  private takeSlot(now: number): number | undefined {
    const b = this.batch;
    while (b && b.used < b.n) {
      const t = b.startLocal + b.used * b.spacing;
      b.used++;
      // A slot missed by more than a batch's length is not spent late: that would be a burst.
      if (t >= now - this.batchMs) return t;
      b.lapsed++;
      this.stats.dropped++;
    }
    if (b) {
      this.nextBatch = b.lapsed === 0 ? b.n * 2 : Math.max(1, b.n - b.lapsed);
      this.batch = undefined;
    }
    return undefined;
  }

  private dropBatch(): void {
    this.generation++;
    if (!this.batch) return;
    this.stats.dropped += this.batch.n - this.batch.used;
    this.batch = undefined;
  }

  /**
   * Tokens to ask for: at most a batch's worth at the account's rate, and only as many as this worker
   * has shown it can use, since tokens a slow worker lets lapse are time slots no other worker can use.
   * Like a congestion window: doubled when the last batch was used up with no slot lapsed, otherwise cut
   * to what was used. At least the number of callers waiting now.
   */
  private batchSize(): number {
    const cap = Math.max(1, Math.floor((this.rate * this.batchMs) / 1000));
    return Math.min(cap, Math.max(1, this.nextBatch, this.waiters));
  }

  /** Single flight: one exchange with the database at a time; a congestion report that came meanwhile goes next. */
  private async runSync(n: number, patient: boolean): Promise<void> {
    const run = this.sync(n, patient).finally(() => {
      this.syncing = undefined;
      if (this.flushAgain && !this.closed) {
        this.flushAgain = false;
        void this.runSync(0, true).catch(() => {});
      }
    });
    this.syncing = run;
    await run;
  }

  private async sync(n: number, patient: boolean, back?: { end: number; from: number }): Promise<void> {
    const taken = this.events.splice(0);
    const firstFailure = this.clock.now();
    let backoff = 50;
    for (;;) {
      try {
        await this.ensureListening();
        const t0 = this.clock.now();
        const now = t0 + this.offset;
        const toDb = (e: LocalEvent): BudgetEvent =>
          e.kind === 'success' ? { kind: 'success', at: e.at + this.offset } : { ...e, at: e.at + this.offset, sentAt: e.sentAt + this.offset };
        const applied = applyEvents(this.row.state, this.opts.params, taken.map(toDb), now, this.batchMs);
        let state = applied.state;
        let granted: Grant | undefined;
        if (n > 0) {
          const g = grant(state, now, n, this.batchMs);
          state = g.state;
          if ('grant' in g) granted = g.grant;
          else this.notBefore = g.retryAt - this.offset;
        }
        if (back) state = giveBack(state, back.end, back.from, now);
        // No token to take yet: write only what must not wait (a cut, given-back tokens, successes older
        // than half a batch, which the ceiling measure expects within a batch); the rest goes with the
        // next batch request, so waiting workers do not contend for the row.
        const staleSuccess = taken.some((e) => e.kind === 'success' && t0 - e.at > this.batchMs / 2);
        if (!granted && !applied.cut && !back && !staleSuccess) {
          this.events.unshift(...taken);
          return;
        }
        const res = await casBudget(this.db, this.opts.accountKey, this.row.version, state);
        this.stats.roundTrips++;
        this.offset = res.dbNow - (t0 + this.clock.now()) / 2;
        this.row = res;
        if (!res.applied) {
          this.stats.conflicts++;
          continue;
        }
        if (applied.cut) await this.broadcastCut(res.version);
        if (granted) {
          this.batch = { startDb: granted.start, startLocal: granted.start - this.offset, spacing: granted.spacing, n: granted.n, used: 0, lapsed: 0 };
          this.stats.granted += granted.n;
        }
        return;
      } catch (err) {
        const e = this.db.toError(err);
        this.stats.dbErrors++;
        if (!patient || !transient(e) || this.clock.now() - firstFailure >= this.dbOutageMs) {
          // Not lost: the next exchange reports them.
          this.events.unshift(...taken);
          throw e;
        }
        await this.clock.sleep(backoff);
        backoff = Math.min(2_000, backoff * 2);
      }
    }
  }

  private async broadcastCut(version: string): Promise<void> {
    this.stats.cutsMade++;
    try {
      await notifyCut(this.db, this.opts.accountKey, version);
      this.stats.roundTrips++;
    } catch {
      // The cut is in the database; others learn of it at their next batch instead of at once.
      this.stats.dbErrors++;
    }
  }

  private onCutHeard(payload: string): void {
    const cut = parseCut(payload);
    if (!cut || cut.accountKey !== this.opts.accountKey || cut.version <= BigInt(this.row.version)) return;
    this.stats.cutsHeard++;
    // Tokens taken at the old rate would overrun the server; the next acquire fetches the new rate.
    this.dropBatch();
  }

  /** Best effort: without the listener, cuts are learnt at the next batch instead of at once. */
  private async ensureListening(): Promise<void> {
    if (this.listener || this.closed || this.clock.now() < this.listenRetryAt) return;
    try {
      let l: Listener | undefined;
      l = await this.db.listen(
        BUDGET_CHANNEL,
        (p) => this.onCutHeard(p),
        () => {
          if (l && this.listener === l) this.listener = undefined;
          void l?.close();
        },
      );
      this.listener = l;
      this.stats.roundTrips++;
    } catch {
      this.stats.dbErrors++;
      this.listenRetryAt = this.clock.now() + LISTEN_RETRY_MS;
    }
  }
}

/** Worth waiting out: a lost or refused connection, a server restarting, a serialization failure. */
function transient(e: CoordDbError): boolean {
  const sqlState = e.dbCode?.length === 5 ? e.dbCode : undefined;
  return sqlState === undefined || /^(08|40|53|57)/.test(sqlState);
}
