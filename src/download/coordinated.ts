/**
 * runDownload with --coordinator: this process is one of several workers on a backfill. Days are jobs
 * in PostgreSQL: a worker claims one under a lease it keeps alive, downloads it as the embedded mode
 * does (attempt.ts), writes its rows into the coordinator's ledger table (only while it holds the
 * lease), and completes it; a worker that dies loses its lease and another takes the day. All workers
 * on one UDL account share one rate budget in the database.
 */
import { randomUUID } from 'node:crypto';
import type { CoordinatorSettings } from '../config/coordinator.js';
import type { DownloadConfig } from '../config/download.js';
import { JobQueue, keepLease, LeaseLostError, SharedRateLimiter, accountKeyFor, type Claim } from '../coord/index.js';
import { openSession, type CoordSession } from '../coord/session.js';
import { StoppedError, stoppedError, UsageError } from '../errors.js';
import { latestByDay } from '../ledger/read.js';
import type { LedgerRow } from '../ledger/schema.js';
import { dayRange, dayWindow, type DayWindow } from '../plan/dates.js';
import type { DayDecision } from '../plan/decide.js';
import { Redactor } from '../redact.js';
import { resolveCredential } from '../udl/auth.js';
import { connectUdl, type UdlConnection } from '../udl/connect.js';
import { UdlAuthError } from '../udl/errors.js';
import { systemClock } from '../udl/gate.js';
import { attemptDay, type AttemptContext } from './attempt.js';
import type { DayProgress } from './day.js';
import { inspectDay } from './facts.js';
import { publishToStore } from '../artifacts/assemble.js';
import { isS3Location, openStore } from '../store/open.js';
import { s3StoreOptions } from '../config/s3.js';
import { defaultDownloader, type RunDeps, type RunEvent } from './downloader.js';
import { summarize, type DayOutcome, type RunSummary, type StopPoint } from './summary.js';

export interface CoordinatedDeps extends RunDeps {
  /** How long next() waits between looks while every remaining day is leased to someone else. */
  pollMs?: number;
}

export async function runCoordinated(config: DownloadConfig, coord: CoordinatorSettings, deps: CoordinatedDeps = {}): Promise<RunSummary> {
  const runId = randomUUID();
  const emit = deps.onEvent ?? (() => {});
  const now = deps.now ?? Date.now;
  const redactor = deps.redactor ?? new Redactor();
  redactor.addSecrets(coord.secrets);
  const { env, clock, random, http, signal } = deps;
  const credential = deps.credential ?? (await resolveCredential(env ?? process.env, { awsRegion: config.awsRegion }));
  const account = credential.userName();
  if (account === undefined) throw new UsageError('a shared rate budget needs the UDL user name; use UDL_AUTH_USERNAME/UDL_AUTH_PASSWORD or a Basic credential');

  // An s3:// output dir: day files are uploaded there, the spool stays in the local work dir. A bucket
  // that cannot take objects fails the run here, before any day is claimed.
  const store = isS3Location(config.outputDir) ? openStore(config.outputDir, s3StoreOptions(config, config.awsRegion, config.workDir)) : undefined;
  const session = await openSession(coord, { sensorId: config.sensorId, descriptor: config.descriptor, outputFormat: config.outputFormat, outputLocation: config.outputDir });
  let limiter: SharedRateLimiter | undefined;
  let connection: UdlConnection | undefined;
  try {
    await store?.checkWritable();
    const gateClock = clock ?? systemClock;
    limiter = await SharedRateLimiter.open(session.db, {
      accountKey: accountKeyFor(config.udlUrl, account),
      params: { initialRate: config.initialRate, additiveIncrease: config.additiveIncrease, multiplicativeDecrease: config.multiplicativeDecrease, minRate: config.minRate, maxRate: config.maxRate },
      clock: gateClock,
    });
    const progress = new Map<string, DayProgress>();
    const emitRun = (e: RunEvent) => {
      if (e.type === 'day-progress') progress.set(e.progress.day, e.progress);
      emit(e);
    };
    connection = await connectUdl(config, { env, clock: gateClock, random, http, credential, signal, redactor, limiter, onEvent: (event) => emitRun({ type: 'client', event }) });
    const client = connection.client;
    const download = deps.download ?? defaultDownloader(config, client, emitRun, store ? publishToStore(store) : undefined);
    const count = (day: DayWindow) => client.count({ descriptor: config.descriptor, sensorId: config.sensorId, startMs: day.startMs, endMs: day.endMs });
    const queue = new JobQueue(session.db, session.backfill, {
      artifact: (day, latest) => inspectDay({ outputDir: config.outputDir, sensorId: config.sensorId, format: config.outputFormat, store }, day, latest),
      decide: () => ({ retryFailed: config.retryFailed, adopt: config.adopt, now: now(), settleMs: config.settleMs, recheckMs: config.recheckMs }),
    });
    await queue.register(dayRange(config.startDate, config.endDate));
    const outcomes = await work(queue, session, { config, runId, download, count, emit, progress, redactor, signal, pollMs: deps.pollMs, workerId: coord.workerId, leaseSeconds: coord.leaseSeconds });
    return outcomes;
  } finally {
    await connection?.close();
    await limiter?.close();
    await session.close();
    await store?.close();
  }
}

interface WorkContext extends Omit<AttemptContext, 'append'> {
  emit: (e: RunEvent) => void;
  progress: ReadonlyMap<string, DayProgress>;
  redactor: Redactor;
  pollMs: number | undefined;
  workerId: string;
  leaseSeconds: number;
}

/** Claims days until none is left, a stop, or a rejected credential. */
async function work(queue: JobQueue, session: CoordSession, w: WorkContext): Promise<RunSummary> {
  const outcomes: DayOutcome[] = [];
  let stopped: StopPoint | undefined;
  let aborted: string | undefined;
  for (;;) {
    if (w.signal?.aborted) {
      stopped = { reason: stoppedError(w.signal).reason };
      break;
    }
    const claim = await queue.next(w.workerId, w.leaseSeconds, { ...(w.pollMs !== undefined ? { pollMs: w.pollMs } : {}), ...(w.signal ? { signal: w.signal } : {}) });
    if (!claim) break;
    const r = await runClaim(queue, claim, w, outcomes.length);
    if (r.outcome) outcomes.push(r.outcome);
    if (r.stopped) {
      stopped = r.stopped;
      break;
    }
    if (r.aborted) {
      aborted = r.aborted;
      break;
    }
  }
  // Days the ledger already says FAILED count as this run's, as in the embedded mode (exit 1).
  const failed = latestFailed(await session.table.rows(), w.config);
  const summary = summarize(w.runId, outcomes, stopped);
  const failedDays = [...new Set([...summary.failedDays, ...failed])].sort();
  return { ...summary, failedDays, exitCode: stopped ? summary.exitCode : failedDays.length > 0 ? 1 : 0, ...(aborted ? { aborted } : {}) };
}

async function runClaim(queue: JobQueue, claim: Claim, w: WorkContext, index: number): Promise<{ outcome?: DayOutcome; stopped?: StopPoint; aborted?: string }> {
  const keeper = keepLease(queue, claim);
  const signal = w.signal ? AbortSignal.any([w.signal, keeper.signal]) : keeper.signal;
  const decision: DayDecision = claim.decision;
  const sink = queue.sinkFor(claim);
  const outcome: DayOutcome = { day: claim.day, decision };
  try {
    // How many days this worker will get is not known: total 0.
    w.emit({ type: 'day-start', day: claim.day, decision, index, total: 0 });
    const append = async (row: LedgerRow) => sink.append(w.redactor.applyAll(row));
    const result = await attemptDay({ config: w.config, runId: w.runId, download: w.download, count: w.count, append, signal }, dayWindow(claim.day), decision);
    if (keeper.signal.aborted) return {};
    if (result.error instanceof StoppedError) {
      await queue.release(claim);
      const p = w.progress.get(claim.day);
      return { stopped: { reason: result.error.reason, day: claim.day, ...(p ? { windowsDone: p.windowsDone, windowsTotal: p.windowsTotal } : {}) } };
    }
    outcome.row = w.redactor.applyAll(result.row);
    w.emit({ type: 'day-end', day: claim.day, row: outcome.row });
    await queue.complete(claim, result.row.status as Parameters<JobQueue['complete']>[1]);
    if (result.error instanceof UdlAuthError) return { outcome, aborted: outcome.row.error_message };
    return { outcome };
  } catch (err) {
    // The lease went to another worker while this one wrote: that worker finishes the day.
    if (err instanceof LeaseLostError) return {};
    throw err;
  } finally {
    await keeper.stop();
  }
}

function latestFailed(rows: readonly LedgerRow[], config: DownloadConfig): string[] {
  const latest = latestByDay(rows);
  const lo = config.startDate;
  const hi = config.endDate;
  return [...latest.values()].filter((r) => r.status === 'FAILED' && r.chunk_date_utc >= lo && r.chunk_date_utc <= hi).map((r) => r.chunk_date_utc);
}

