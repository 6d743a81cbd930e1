/**
 * runDownload: the day loop. Reads the ledger, decides each day, and for each day to run writes a
 * DOWNLOAD_PENDING row, downloads, then writes the outcome row only after the artifact is renamed into
 * place. A failed day is recorded and the run moves on; exit code 1 tells the operator.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadConfig } from './config/download.js';
import { dayRange, dayWindow, ledgerTimestamp, ledgerWindowStamp, type DayWindow } from './plan/dates.js';
import { planDays, type DayDecision } from './plan/decide.js';
import { expectedRecords } from './plan/windows.js';
import { acquireLock, type Lock } from './artifacts/lock.js';
import { artifactName, isTempName } from './artifacts/naming.js';
import { latestByDay, readLedger } from './ledger/read.js';
import { emptyRow, type LedgerRow } from './ledger/schema.js';
import { LedgerWriter } from './ledger/write.js';
import { downloadDay, type DayProgress } from './download/day.js';
import type { Credential } from './udl/auth.js';
import type { ClientEvent, UdlClient } from './udl/client.js';
import { connectUdl } from './udl/connect.js';
import { UdlAuthError } from './udl/errors.js';
import type { Clock } from './udl/gate.js';
import type { HttpGet } from './udl/http.js';
import { StoppedError, stoppedError } from './errors.js';

/** What a day's download produced; `cleanup` runs once the ledger row is safely written. */
export interface DayDownloadResult {
  status: 'DOWNLOADED' | 'SKIPPED_NO_DATA';
  records: number;
  bytes: number;
  path: string;
  cleanup?: () => Promise<void>;
}

export type DayDownloader = (day: DayWindow) => Promise<DayDownloadResult>;

/** Where ledger rows go. The default appends to the telemetry file with an fsync per row. */
export interface TelemetrySink {
  append(row: LedgerRow): Promise<void>;
  close(): Promise<void>;
}

export type RunEvent =
  | { type: 'plan'; runId: string; decisions: DayDecision[] }
  | { type: 'day-start'; day: string; decision: DayDecision; index: number; total: number }
  | { type: 'day-progress'; progress: DayProgress }
  | { type: 'day-end'; day: string; row: LedgerRow }
  | { type: 'client'; event: ClientEvent };

export interface RunDeps {
  /** Replaces the UDL download of one day (tests, other sources). */
  download?: DayDownloader;
  telemetry?: TelemetrySink;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: () => number;
  http?: HttpGet;
  credential?: Credential;
  onEvent?: (e: RunEvent) => void;
  /**
   * Aborting stops the run: no new request starts, requests in flight are cut, the day in progress keeps
   * its DOWNLOAD_PENDING row and its spool (a rerun resumes it), and the lock is released. The abort
   * reason names the cause in the summary (e.g. 'SIGINT').
   */
  signal?: AbortSignal;
}

export interface DayOutcome {
  day: string;
  decision: DayDecision;
  /** The final ledger row, for days that ran. */
  row?: LedgerRow;
}

/** Where a stopped run left off. */
export interface StopPoint {
  reason: string;
  /** The day that was in progress, resumable from its spool. */
  day?: string;
  windowsDone?: number;
  windowsTotal?: number;
}

export interface RunSummary {
  runId: string;
  days: DayOutcome[];
  planned: number;
  downloaded: number;
  skippedExisting: number;
  skippedNoData: number;
  skippedFailed: number;
  deferred: number;
  failed: number;
  /** Set when the run stopped early because the credential was rejected. */
  aborted?: string;
  /** Set when the run was asked to stop (a signal). */
  stopped?: StopPoint;
  /** 0 all good, 1 a day FAILED, 130/143 stopped by SIGINT/SIGTERM. */
  exitCode: number;
}

export async function runDownload(config: DownloadConfig, deps: RunDeps = {}): Promise<RunSummary> {
  const runId = randomUUID();
  const emit = deps.onEvent ?? (() => {});
  const plan = async () => {
    const latest = latestByDay(await readLedger(config.telemetryFile));
    const decisions = planDays(dayRange(config.startDate, config.endDate), latest, (day) => existsSync(artifactFor(config, day)), {
      retryFailed: config.retryFailed,
      limitDays: config.limitDays,
    });
    return decisions.map((decision): DayOutcome => ({ day: decision.day, decision }));
  };
  // A first look decides whether there is anything to do; the plan that counts is made again under the lock.
  let outcomes = await plan();
  if (config.dryRun || !outcomes.some((o) => o.decision.action === 'run')) {
    emit({ type: 'plan', runId, decisions: outcomes.map((o) => o.decision) });
    return summarize(runId, outcomes);
  }

  // Each day's last progress, to say where a stopped run will resume.
  const progress = new Map<string, DayProgress>();
  const emitRun = (e: RunEvent) => {
    if (e.type === 'day-progress') progress.set(e.progress.day, e.progress);
    emit(e);
  };
  // The credential is settled before anything touches the disk: a missing one writes nothing.
  const { env, clock, random, http, credential, signal } = deps;
  const connection = deps.download
    ? undefined
    : await connectUdl(config, { env, clock, random, http, credential, signal, onEvent: (event) => emitRun({ type: 'client', event }) });
  const download = deps.download ?? defaultDownloader(config, connection!.client, emitRun, signal);
  let telemetry: TelemetrySink | undefined;
  let lock: Lock | undefined;
  let aborted: string | undefined;
  let stopped: StopPoint | undefined;
  try {
    await mkdir(config.outputDir, { recursive: true });
    lock = await acquireLock(config.outputDir, runId, { breakLock: config.breakLock });
    outcomes = await plan();
    emit({ type: 'plan', runId, decisions: outcomes.map((o) => o.decision) });
    await removeStaleTemps(config.outputDir);
    telemetry = deps.telemetry ?? (await LedgerWriter.open(config.telemetryFile));
    const toRun = outcomes.filter((o) => o.decision.action === 'run');
    for (const [index, outcome] of toRun.entries()) {
      if (signal?.aborted) {
        stopped = { reason: stoppedError(signal).reason };
        break;
      }
      emit({ type: 'day-start', day: outcome.day, decision: outcome.decision, index, total: toRun.length });
      const result = await runDay(config, runId, dayWindow(outcome.day), download, telemetry, connection?.credential);
      if (result.error instanceof StoppedError) {
        const p = progress.get(outcome.day);
        stopped = { reason: result.error.reason, day: outcome.day, ...(p ? { windowsDone: p.windowsDone, windowsTotal: p.windowsTotal } : {}) };
        break;
      }
      outcome.row = result.row;
      emit({ type: 'day-end', day: outcome.day, row: result.row });
      if (result.error instanceof UdlAuthError) {
        aborted = result.row.error_message;
        break;
      }
    }
  } finally {
    await connection?.close();
    await telemetry?.close();
    await lock?.release();
  }
  return { ...summarize(runId, outcomes, stopped), ...(aborted ? { aborted } : {}) };
}

function artifactFor(config: DownloadConfig, day: string): string {
  return join(config.outputDir, artifactName(config.sensorId, dayWindow(day), config.outputFormat));
}

/**
 * One day: a DOWNLOAD_PENDING row, the download, then the outcome row only after the artifact is in place.
 * A stop (StoppedError) writes no outcome row: the PENDING row and the spool are what the rerun resumes.
 */
async function runDay(
  config: DownloadConfig,
  runId: string,
  day: DayWindow,
  download: DayDownloader,
  telemetry: TelemetrySink,
  credential: Credential | undefined,
): Promise<{ row: LedgerRow; error?: Error }> {
  const startedWall = Date.now();
  const started = performance.now();
  const base: LedgerRow = {
    ...emptyRow(),
    run_id: runId,
    chunk_date_utc: day.day,
    window_start_utc: ledgerWindowStamp(day.startMs),
    window_end_utc: ledgerWindowStamp(day.endMs),
    expected_records: String(expectedRecords(config.sensorId)),
    sensor_id: config.sensorId,
    descriptor: config.descriptor,
    output_format: config.outputFormat,
    started_at_utc: ledgerTimestamp(startedWall),
  };
  await telemetry.append({ ...base, status: 'DOWNLOAD_PENDING' });
  let row: LedgerRow;
  let cleanup: (() => Promise<void>) | undefined;
  let error: Error | undefined;
  try {
    const result = await download(day);
    cleanup = result.cleanup;
    const expected = expectedRecords(config.sensorId);
    row = {
      ...base,
      status: result.status,
      records_downloaded: String(result.records),
      availability_pct: ((result.records / expected) * 100).toFixed(4),
      download_seconds: ((performance.now() - started) / 1000).toFixed(3),
      csv_size_mb: result.status === 'DOWNLOADED' ? (result.bytes / 1048576).toFixed(3) : '',
      csv_path: result.status === 'DOWNLOADED' ? result.path : '',
      finished_at_utc: ledgerTimestamp(Date.now()),
    };
  } catch (err) {
    error = err instanceof Error ? err : new Error(String(err));
    if (error instanceof StoppedError) return { row: base, error };
    row = {
      ...base,
      status: 'FAILED',
      download_seconds: ((performance.now() - started) / 1000).toFixed(3),
      error_type: error.name || 'Error',
      error_message: oneLine(redact(error.message, credential)),
      finished_at_utc: ledgerTimestamp(Date.now()),
    };
  }
  await telemetry.append(row);
  // The spool goes only after the row is on disk: a crash before this line resumes from it for free.
  await cleanup?.();
  return error ? { row, error } : { row };
}

function defaultDownloader(
  config: DownloadConfig,
  client: UdlClient,
  emit: (e: RunEvent) => void,
  signal: AbortSignal | undefined,
): DayDownloader {
  const tempTag = String(process.pid);
  return async (day) => {
    const r = await downloadDay(
      {
        client,
        outputDir: config.outputDir,
        sensorId: config.sensorId,
        descriptor: config.descriptor,
        format: config.outputFormat,
        maxResults: config.maxResults,
        parallelWindows: config.maxConcurrentRequests,
        maxRetries: config.maxRetries,
        tempTag,
        onProgress: (progress) => emit({ type: 'day-progress', progress }),
        ...(signal ? { signal } : {}),
      },
      day,
    );
    return { status: r.status, records: r.records, bytes: r.bytes, path: r.path, cleanup: () => r.spool.discard() };
  };
}

/** Temp artifacts of a run that died mid-write; the lock guarantees no live run owns them. */
async function removeStaleTemps(outputDir: string): Promise<void> {
  for (const name of await readdir(outputDir)) {
    if (isTempName(name)) await rm(join(outputDir, name), { force: true });
  }
}

function summarize(runId: string, days: DayOutcome[], stopped?: StopPoint): RunSummary {
  const count = (f: (o: DayOutcome) => boolean) => days.filter(f).length;
  const failed = count((o) => o.row?.status === 'FAILED');
  return {
    runId,
    days,
    planned: count((o) => o.decision.action === 'run'),
    downloaded: count((o) => o.row?.status === 'DOWNLOADED'),
    skippedExisting: count((o) => o.decision.reason === 'downloaded' || o.decision.reason === 'processing'),
    skippedNoData: count((o) => o.decision.reason === 'no-data' || o.row?.status === 'SKIPPED_NO_DATA'),
    skippedFailed: count((o) => o.decision.reason === 'failed'),
    deferred: count((o) => o.decision.reason === 'limit'),
    failed,
    ...(stopped ? { stopped } : {}),
    exitCode: stopped ? (stopped.reason === 'SIGTERM' ? 143 : 130) : failed > 0 ? 1 : 0,
  };
}

export function redact(text: string, credential: Credential | undefined): string {
  if (!credential) return text;
  let out = text;
  for (const form of credential.leakForms()) out = out.split(form).join('[redacted]');
  return out;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}
