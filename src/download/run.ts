/**
 * runDownload: the day loop. Takes the output dir's lock, reads the ledger and the artifacts, decides each
 * day, and runs the days to run one after another, each as one attempt in the ledger (attempt.ts). A
 * failed day is recorded and the run moves on; a rejected credential or a stop ends the run.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadConfig } from '../config/download.js';
import { StoppedError, stoppedError } from '../errors.js';
import { acquireLock, LockedError, type Lock } from '../artifacts/lock.js';
import { artifactName, isTempName, spoolDir } from '../artifacts/naming.js';
import { LedgerDamagedError, latestByDay, readLedgerFile } from '../ledger/read.js';
import { repairLedger } from '../ledger/repair.js';
import type { LedgerRow } from '../ledger/schema.js';
import { LedgerWriter } from '../ledger/write.js';
import { dayRange, dayWindow, type DayWindow } from '../plan/dates.js';
import { applyLimit, applyRefresh, decideDay, refreshCandidates, type DayDecision } from '../plan/decide.js';
import { Redactor } from '../redact.js';
import { connectUdl } from '../udl/connect.js';
import { UdlAuthError } from '../udl/errors.js';
import { attemptDay, type AttemptContext, type TelemetrySink } from './attempt.js';
import type { DayProgress } from './day.js';
import { defaultDownloader, type RunDeps, type RunEvent } from './downloader.js';
import { gatherFacts } from './facts.js';
import { scopeRows } from './scope.js';
import { summarize, type DayOutcome, type RunSummary, type StopPoint } from './summary.js';

export type { DayDownloader, DayDownloadResult, TelemetrySink } from './attempt.js';
export type { DayOutcome, RunSummary, StopPoint } from './summary.js';
export type { RunDeps, RunEvent } from './downloader.js';

export async function runDownload(config: DownloadConfig, deps: RunDeps = {}): Promise<RunSummary> {
  if (config.coordinator) {
    // Loaded only here: `pg` and what it pulls in cost ~15 MB of RSS that a single-machine run never needs.
    const { runCoordinated } = await import('./coordinated.js');
    return runCoordinated(config, config.coordinator, deps);
  }
  const runId = randomUUID();
  const emit = deps.onEvent ?? (() => {});
  const now = deps.now ?? Date.now;
  const days = dayRange(config.startDate, config.endDate);

  // A first look decides whether there is anything to do, and refuses a damaged or foreign ledger before
  // anything is written; the plan that counts is made again under the lock.
  let decisions = await decide(config, days, now(), { allowRepair: true });
  const work = decisions.some((d) => d.action !== 'skip') || (config.refresh && decisions.some((d) => d.reason === 'downloaded' || d.reason === 'processing'));
  if (config.dryRun || !work) {
    emit({ type: 'plan', runId, decisions });
    if (!config.dryRun) await sweepFinishedSpoolsIfFree(config, decisions, runId, now);
    return summarize(runId, outcomesOf(decisions));
  }

  const progress = new Map<string, DayProgress>();
  const emitRun = (e: RunEvent) => {
    if (e.type === 'day-progress') progress.set(e.progress.day, e.progress);
    emit(e);
  };
  const redactor = deps.redactor ?? new Redactor();
  // The credential is settled before anything touches the disk: a missing one writes nothing.
  const { env, clock, random, http, credential, signal } = deps;
  const connection =
    deps.download && !config.refresh && !config.adopt
      ? undefined
      : await connectUdl(config, { env, clock, random, http, credential, signal, redactor, onEvent: (event) => emitRun({ type: 'client', event }) });
  const download = deps.download ?? defaultDownloader(config, connection!.client, emitRun);
  const count = (day: DayWindow) => connection!.client.count({ descriptor: config.descriptor, sensorId: config.sensorId, startMs: day.startMs, endMs: day.endMs });
  let telemetry: TelemetrySink | undefined;
  let lock: Lock | undefined;
  try {
    await mkdir(config.outputDir, { recursive: true });
    lock = await acquireLock(config.outputDir, runId, { breakLock: config.breakLock });
    if (config.repairLedger) {
      const repaired = await repairLedger(config.telemetryFile, await readLedgerFile(config.telemetryFile));
      if (repaired.moved > 0) emit({ type: 'ledger-repaired', ...repaired });
    }
    decisions = await decide(config, days, now(), { allowRepair: false });
    if (config.refresh) decisions = await refresh(config, decisions, count);
    decisions = applyLimit(decisions, config.limitDays);
    emit({ type: 'plan', runId, decisions });
    await removeStaleTemps(config.outputDir);
    await removeFinishedSpools(finishedSpools(config, decisions));
    telemetry = deps.telemetry ?? (await LedgerWriter.open(config.telemetryFile, { shared: config.sharedLedger }));
    const sink = telemetry;
    const append = (row: LedgerRow) => sink.append(redactor.applyAll(row));
    const outcomes = outcomesOf(decisions);
    const { stopped, aborted } = await runDays(outcomes, { config, runId, download, count, append, signal }, { emit, progress, redactor, signal });
    return { ...summarize(runId, outcomes, stopped), ...(aborted ? { aborted } : {}) };
  } finally {
    await connection?.close();
    await telemetry?.close();
    await lock?.release();
  }
}

/** The days to work on, one attempt each, in order, until the last, a stop, or a rejected credential. */
async function runDays(
  outcomes: DayOutcome[],
  ctx: AttemptContext,
  o: { emit: (e: RunEvent) => void; progress: ReadonlyMap<string, DayProgress>; redactor: Redactor; signal: AbortSignal | undefined },
): Promise<{ stopped?: StopPoint; aborted?: string }> {
  const toRun = outcomes.filter((x) => x.decision.action !== 'skip');
  for (const [index, outcome] of toRun.entries()) {
    if (o.signal?.aborted) return { stopped: { reason: stoppedError(o.signal).reason } };
    o.emit({ type: 'day-start', day: outcome.day, decision: outcome.decision, index, total: toRun.length });
    const result = await attemptDay(ctx, dayWindow(outcome.day), outcome.decision);
    if (result.error instanceof StoppedError) {
      const p = o.progress.get(outcome.day);
      return { stopped: { reason: result.error.reason, day: outcome.day, ...(p ? { windowsDone: p.windowsDone, windowsTotal: p.windowsTotal } : {}) } };
    }
    outcome.row = o.redactor.applyAll(result.row);
    o.emit({ type: 'day-end', day: outcome.day, row: outcome.row });
    if (result.error instanceof UdlAuthError) return { aborted: outcome.row.error_message };
  }
  return {};
}

/** Reads the ledger (this backfill's rows), looks at every day's artifact, and decides each day. */
async function decide(config: DownloadConfig, days: readonly string[], now: number, o: { allowRepair: boolean }): Promise<DayDecision[]> {
  const ledger = await readLedgerFile(config.telemetryFile);
  if (ledger.bad.length > 0 && !(o.allowRepair && config.repairLedger)) throw new LedgerDamagedError(config.telemetryFile, ledger.bad);
  const rows = scopeRows(ledger.rows, { outputDir: config.outputDir, telemetryFile: config.telemetryFile, shared: config.sharedLedger });
  const facts = await gatherFacts({ days, latest: latestByDay(rows), outputDir: config.outputDir, sensorId: config.sensorId, format: config.outputFormat });
  return facts.map((f) =>
    decideDay(f, { retryFailed: config.retryFailed, adopt: config.adopt, now, settleMs: config.settleMs, recheckMs: config.recheckMs }),
  );
}

/** --refresh: one /count per downloaded day; days whose count changed are fetched again. */
async function refresh(config: DownloadConfig, decisions: DayDecision[], count: (day: DayWindow) => Promise<number>): Promise<DayDecision[]> {
  const counts = new Map<string, number>();
  const latest = latestByDay((await readLedgerFile(config.telemetryFile)).rows);
  // In parallel: the gate keeps to --max-concurrent-requests and the rate.
  await Promise.all(refreshCandidates(decisions, latest).map(async (day) => counts.set(day, await count(dayWindow(day)))));
  return applyRefresh(decisions, latest, counts);
}

function outcomesOf(decisions: readonly DayDecision[]): DayOutcome[] {
  return decisions.map((decision) => ({ day: decision.day, decision }));
}

/** Reasons for which a day is skipped because the ledger has it done: its spool has no further use. */
const FINISHED: ReadonlySet<DayDecision['reason']> = new Set(['downloaded', 'no-data', 'processing']);

/**
 * Spools of days the ledger already has as done. A day's spool goes once its ledger row is written; a run
 * killed between the two leaves it, and no later run would otherwise look at that day again.
 */
function finishedSpools(config: DownloadConfig, decisions: readonly DayDecision[]): string[] {
  return decisions
    .filter((d) => d.action === 'skip' && FINISHED.has(d.reason))
    .map((d) => spoolDir(config.outputDir, artifactName(config.sensorId, dayWindow(d.day), config.outputFormat)))
    .filter((dir) => existsSync(dir));
}

async function removeFinishedSpools(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}

/** With nothing to download, leftover spools are still removed, under the lock; if a run holds it, next time. */
async function sweepFinishedSpoolsIfFree(config: DownloadConfig, decisions: readonly DayDecision[], runId: string, now: () => number): Promise<void> {
  if (finishedSpools(config, decisions).length === 0) return;
  let lock: Lock;
  try {
    lock = await acquireLock(config.outputDir, runId);
  } catch (err) {
    if (err instanceof LockedError) return;
    throw err;
  }
  try {
    // Decided again under the lock: a run that held it may have changed the ledger meanwhile.
    const again = await decide(config, dayRange(config.startDate, config.endDate), now(), { allowRepair: true });
    await removeFinishedSpools(finishedSpools(config, again));
  } finally {
    await lock.release();
  }
}

/** Temp artifacts of a run that died mid-write; the lock guarantees no live run owns them. */
async function removeStaleTemps(outputDir: string): Promise<void> {
  for (const name of await readdir(outputDir)) {
    if (isTempName(name)) await rm(join(outputDir, name), { force: true });
  }
}
