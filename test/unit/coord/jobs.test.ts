import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackfill, type Backfill, type BackfillKey } from '../../../src/coord/backfill.js';
import { CoordDb } from '../../../src/coord/db.js';
import { LeaseLostError } from '../../../src/coord/errors.js';
import { JobQueue, type Claim, type JobQueueOptions } from '../../../src/coord/jobs.js';
import { keepLease } from '../../../src/coord/lease-keeper.js';
import { LedgerTable } from '../../../src/coord/ledger-table.js';
import { migrate } from '../../../src/coord/schema.js';
import { emptyRow, type LedgerRow } from '../../../src/ledger/schema.js';
import { dayRange } from '../../../src/plan/dates.js';
import { usePostgres } from '../../helpers/postgres.js';

/** Queue options as download gives them, with artifacts known by day: present or absent, never damaged. */
function jobOptions(exists: (day: string) => boolean, retryFailed: boolean): JobQueueOptions {
  return {
    artifact: async (day) => ({ kind: exists(day) ? 'present' : 'absent' }),
    decide: () => ({ retryFailed, now: Date.now(), settleMs: 0, recheckMs: 0 }),
  };
}

const pgEnv = usePostgres();
let db: CoordDb;
const opened: CoordDb[] = [];

/** A worker's own connection pool, as on another machine. */
function workerDb(): CoordDb {
  const d = CoordDb.open(pgEnv.db().url, { maxConnections: 1 });
  opened.push(d);
  return d;
}

beforeAll(async () => {
  db = CoordDb.open(pgEnv.db().url);
  await migrate(db);
});
afterAll(async () => {
  await Promise.all([db, ...opened].map((d) => d.close()));
});

let locations = 0;
async function backfill(descriptor = 'QUICKLOOK'): Promise<Backfill> {
  const key: BackfillKey = { sensorId: 'ALL', descriptor, outputFormat: 'csv', outputLocation: `/data/jobs-${locations++}` };
  return openBackfill(db, key);
}

function row(b: Backfill, day: string, status: string, startedAt = `${day}T01:00:00.000000+00:00`): LedgerRow {
  return {
    ...emptyRow(),
    run_id: 'r',
    chunk_date_utc: day,
    status,
    sensor_id: b.key.sensorId,
    descriptor: b.key.descriptor,
    output_format: b.key.outputFormat,
    started_at_utc: startedAt,
  };
}

/** A worker's day, as runDownload does it: PENDING row, work, outcome row, complete. */
async function runDay(q: JobQueue, claim: Claim, artifacts: Set<string>): Promise<void> {
  const sink = q.sinkFor(claim);
  await sink.append(row(q.backfill, claim.day, 'DOWNLOAD_PENDING'));
  artifacts.add(claim.day);
  await sink.append({ ...row(q.backfill, claim.day, 'DOWNLOADED'), finished_at_utc: 'done' });
  await q.complete(claim, 'DOWNLOADED');
}

describe('day jobs', () => {
  it('registers a range and applies the decision table at claim time', async () => {
    const b = await backfill();
    const ledger = new LedgerTable(db, b);
    const days = dayRange('2024-01-01', '2024-01-08');
    const [d1, d2, d3, d4, d5, , d7, d8] = days as [string, string, string, string, string, string, string, string];
    await ledger.append(row(b, d1, 'DOWNLOADED'));
    await ledger.append(row(b, d2, 'DOWNLOADED'));
    await ledger.append(row(b, d3, 'FAILED'));
    await ledger.append(row(b, d4, 'SKIPPED_NO_DATA'));
    await ledger.append(row(b, d5, 'DOWNLOAD_PENDING'));
    await ledger.append(row(b, d7, 'PROCESSED'));
    const artifacts = new Set([d1, d8]);
    const q = new JobQueue(db, b, jobOptions((d) => artifacts.has(d), false));
    expect(await q.register(days)).toEqual({ added: 8, reopened: 0, skipped: 4 });

    // Between planning and claiming, another run finished d8: the claim decides again and skips it.
    await ledger.append(row(b, d8, 'DOWNLOADED'));
    const claims: Claim[] = [];
    for (let c = await q.claim('w', 30); c; c = await q.claim('w', 30)) claims.push(c);
    expect(claims.map((c) => [c.day, c.decision.reason])).toEqual([
      [d2, 'artifact-missing'],
      [d5, 'interrupted'],
      ['2024-01-06', 'new'],
    ]);
    expect(await q.counts()).toEqual({ pending: 0, leased: 3, done: 5 });

    // --retry-failed on a later run reopens the FAILED day and nothing that is done.
    for (const c of claims) await q.complete(c, 'DOWNLOADED');
    const retry = new JobQueue(db, b, jobOptions((d) => artifacts.has(d) || claims.some((c) => c.day === d), true));
    for (const c of claims) await ledger.append(row(b, c.day, 'DOWNLOADED', `${c.day}T02:00:00.000000+00:00`));
    expect(await retry.register(days)).toEqual({ added: 0, reopened: 1, skipped: 0 });
    expect((await retry.claim('w2', 30))?.decision).toMatchObject({ day: d3, reason: 'retry-failed' });
    expect(await retry.claim('w2', 30)).toBeUndefined();
  });

  it('8 workers claiming 50 days: each day is claimed exactly once, and a re-run runs nothing', async () => {
    const b = await backfill();
    const days = dayRange('2023-01-01', '2023-02-19');
    const artifacts = new Set<string>();
    const opts = jobOptions((d) => artifacts.has(d), false);
    await new JobQueue(db, b, opts).register(days);
    const claimedBy = new Map<string, string[]>();
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const q = new JobQueue(workerDb(), b, opts);
        for (let c = await q.claim(`w${w}`, 30); c; c = await q.claim(`w${w}`, 30)) {
          claimedBy.set(c.day, [...(claimedBy.get(c.day) ?? []), c.workerId]);
          await runDay(q, c, artifacts);
        }
      }),
    );
    expect([...claimedBy.keys()].sort()).toEqual(days);
    expect([...claimedBy.values()].every((owners) => owners.length === 1)).toBe(true);
    // More than one worker took part, or the test proved nothing about contention.
    expect(new Set([...claimedBy.values()].flat()).size).toBeGreaterThan(1);
    const q = new JobQueue(db, b, opts);
    expect(await q.counts()).toEqual({ pending: 0, leased: 0, done: 50 });
    expect(await new LedgerTable(db, b).rows()).toHaveLength(100);

    expect(await q.register(days)).toEqual({ added: 0, reopened: 0, skipped: 0 });
    expect(await q.next('late', 30)).toBeUndefined();
  });

  it('a worker killed mid-day loses it to another within the lease; its late calls are refused', async () => {
    const b = await backfill();
    const artifacts = new Set<string>();
    const opts = jobOptions((d) => artifacts.has(d), false);
    await new JobQueue(db, b, opts).register(['2024-06-01']);
    const deadDb = workerDb();
    const dead = new JobQueue(deadDb, b, opts);
    const claimA = await dead.claim('A', 1);
    expect(claimA).toBeDefined();
    await dead.sinkFor(claimA!).append(row(b, '2024-06-01', 'DOWNLOAD_PENDING'));
    await deadDb.close(); // killed: no heartbeat, no release

    const other = new JobQueue(workerDb(), b, opts);
    const t0 = performance.now();
    const claimB = await other.next('B', 30, { pollMs: 10_000 });
    const waited = performance.now() - t0;
    expect(claimB).toMatchObject({ day: '2024-06-01', workerId: 'B', token: claimA!.token + 1 });
    expect(claimB!.decision.reason).toBe('interrupted');
    // Taken over when the 1 s lease ran out, not after the 10 s poll.
    expect(waited).toBeLessThan(1_000 + 2_000);

    // The old owner comes back (a paused VM, a partition that healed): everything it tries is refused.
    const zombie = new JobQueue(workerDb(), b, opts);
    expect(await zombie.heartbeat(claimA!)).toBe(false);
    expect(await zombie.release(claimA!)).toBe(false);
    await expect(zombie.complete(claimA!, 'DOWNLOADED')).rejects.toBeInstanceOf(LeaseLostError);
    const late = await zombie.sinkFor(claimA!).append(row(b, '2024-06-01', 'DOWNLOADED')).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(LeaseLostError);
    expect((late as LeaseLostError).code).toBe('ERR_COORD_LEASE_LOST');
    expect((await new LedgerTable(db, b).rows()).map((r) => r.status)).toEqual(['DOWNLOAD_PENDING']);

    await runDay(other, claimB!, artifacts);
    expect(await other.counts()).toEqual({ pending: 0, leased: 0, done: 1 });
  });

  it('heartbeats keep a lease past its length; a lost lease aborts the keeper', async () => {
    const b = await backfill();
    const opts = jobOptions(() => false, false);
    await new JobQueue(db, b, opts).register(['2024-07-01']);
    const a = new JobQueue(workerDb(), b, opts);
    const other = new JobQueue(workerDb(), b, opts);
    const claim = (await a.claim('A', 1))!;
    const keeper = keepLease(a, claim, { everyMs: 250 });
    // One and a half leases: without the heartbeats B would have the day after 1 s.
    const stop = AbortSignal.timeout(1_500);
    expect(await other.next('B', 1, { pollMs: 200, signal: stop })).toBeUndefined();
    expect(keeper.signal.aborted).toBe(false);
    await keeper.stop();

    // Now a keeper that beats too rarely: B takes the day over, and A's next beat learns it.
    const slow = keepLease(a, claim, { everyMs: 1_200 });
    const taken = await other.next('B', 30, { pollMs: 200 });
    expect(taken?.workerId).toBe('B');
    const reason = await new Promise<unknown>((resolve) => slow.signal.addEventListener('abort', () => resolve(slow.signal.reason), { once: true }));
    expect(reason).toBeInstanceOf(LeaseLostError);
    await slow.stop();
  });

  it('a released day is claimable at once; backfills do not see each other\'s days', async () => {
    const ql = await backfill('QUICKLOOK');
    const pv = await backfill('PROVISIONAL');
    const opts = jobOptions(() => false, false);
    const qlQ = new JobQueue(db, ql, opts);
    const pvQ = new JobQueue(db, pv, opts);
    await qlQ.register(['2024-08-01']);
    await pvQ.register(['2024-08-01', '2024-08-02']);
    const a = (await qlQ.claim('A', 60))!;
    expect(await qlQ.claim('B', 60)).toBeUndefined();
    expect(await qlQ.release(a)).toBe(true);
    expect(await qlQ.claim('B', 60)).toMatchObject({ day: '2024-08-01', token: a.token + 1 });
    expect((await pvQ.counts()).pending).toBe(2);
    expect((await pvQ.claim('C', 60))?.day).toBe('2024-08-01');
  });
});
