/**
 * runDownload: the day loop. Reads the ledger, decides each day, and for each day to run writes a
 * DOWNLOAD_PENDING row, downloads, then writes the outcome row only after the artifact is renamed into
 * place. A failed day is recorded and the run moves on; exit code 1 tells the operator.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadConfig } from './config.js';
import { dayRange, dayWindow, ledgerTimestamp, ledgerWindowStamp, type DayWindow } from './plan/dates.js';
import { planDays, type DayDecision } from './plan/decide.js';
import { expectedRecords } from './plan/windows.js';
import { acquireLock, type Lock } from './artifacts/lock.js';
import { artifactName, isTempName } from './artifacts/naming.js';
import { latestByDay, readLedger } from './ledger/read.js';
import { emptyRow, type LedgerRow } from './ledger/schema.js';
import { LedgerWriter } from './ledger/write.js';
import { downloadDay, type DayProgress } from './download/day.js';
import { resolveCredential, type Credential } from './udl/auth.js';
import { UdlClient, type ClientEvent } from './udl/client.js';
import { UdlAuthError } from './udl/errors.js';
import { AimdRateLimiter, RequestGate, systemClock, type Clock } from './udl/gate.js';
import { createHttpGet, type HttpGet } from './udl/http.js';

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
}

export interface DayOutcome {
  day: string;
  decision: DayDecision;
  /** The final ledger row, for days that ran. */
  row?: LedgerRow;
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
  /** Set when the run stopped early (the credential was rejected). */
  aborted?: string;
  exitCode: 0 | 1;
}

export async function runDownload(config: DownloadConfig, deps: RunDeps = {}): Promise<RunSummary> {
  const runId = randomUUID();
  const emit = deps.onEvent ?? (() => {});
  const days = dayRange(config.startDate, config.endDate);
  const latest = latestByDay(await readLedger(config.telemetryFile));
  const artifactFor = (day: string) => join(config.outputDir, artifactName(config.sensorId, dayWindow(day), config.outputFormat));
  const decisions = planDays(days, latest, (day) => existsSync(artifactFor(day)), {
    retryFailed: config.retryFailed,
    limitDays: config.limitDays,
  });
  emit({ type: 'plan', runId, decisions });
  const outcomes: DayOutcome[] = decisions.map((decision) => ({ day: decision.day, decision }));
  const toRun = outcomes.filter((o) => o.decision.action === 'run');
  if (config.dryRun || toRun.length === 0) return summarize(runId, outcomes);

  // The credential is settled before anything touches the disk: a missing one writes nothing.
  const owned: { close?: () => void } = {};
  let credential = deps.credential;
  let download = deps.download;
  if (!download) {
    credential ??= await resolveCredential(deps.env ?? process.env, { awsRegion: config.awsRegion });
    download = defaultDownloader(config, deps, credential, emit, owned);
  }
  let telemetry: TelemetrySink | undefined;
  let lock: Lock | undefined;
  let aborted: string | undefined;
  try {
    await mkdir(config.outputDir, { recursive: true });
    lock = await acquireLock(config.outputDir, runId);
    await removeStaleTemps(config.outputDir);
    telemetry = deps.telemetry ?? (await LedgerWriter.open(config.telemetryFile));
    for (const [index, outcome] of toRun.entries()) {
      emit({ type: 'day-start', day: outcome.day, decision: outcome.decision, index, total: toRun.length });
      outcome.row = await runDay(config, runId, dayWindow(outcome.day), download, telemetry, credential);
      emit({ type: 'day-end', day: outcome.day, row: outcome.row });
      if (outcome.row.error_type === 'UdlAuthError') {
        aborted = outcome.row.error_message;
        break;
      }
    }
  } finally {
    owned.close?.();
    await telemetry?.close();
    await lock?.release();
  }
  return { ...summarize(runId, outcomes), ...(aborted ? { aborted } : {}) };
}

async function runDay(
  config: DownloadConfig,
  runId: string,
  day: DayWindow,
  download: DayDownloader,
  telemetry: TelemetrySink,
  credential: Credential | undefined,
): Promise<LedgerRow> {
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
    const e = err instanceof Error ? err : new Error(String(err));
    row = {
      ...base,
      status: 'FAILED',
      download_seconds: ((performance.now() - started) / 1000).toFixed(3),
      error_type: e instanceof UdlAuthError ? 'UdlAuthError' : e.name || 'Error',
      error_message: oneLine(redact(e.message, credential)),
      finished_at_utc: ledgerTimestamp(Date.now()),
    };
  }
  await telemetry.append(row);
  // The spool goes only after the row is on disk: a crash before this line resumes from it for free.
  await cleanup?.();
  return row;
}

function defaultDownloader(
  config: DownloadConfig,
  deps: RunDeps,
  credential: Credential,
  emit: (e: RunEvent) => void,
  owned: { close?: () => void },
): DayDownloader {
  const clock = deps.clock ?? systemClock;
  let http = deps.http;
  if (!http) {
    const created = createHttpGet(config.maxConcurrentRequests);
    owned.close = created.close;
    http = created.get;
  }
  // One controller for the whole run: a rate learned on one day still holds on the next.
  const limiter = new AimdRateLimiter(
    {
      initialRate: config.initialRate,
      additiveIncrease: config.additiveIncrease,
      multiplicativeDecrease: config.multiplicativeDecrease,
      minRate: config.minRate,
      maxRate: config.maxRate,
    },
    clock,
  );
  const gate = new RequestGate(limiter, config.maxConcurrentRequests, clock);
  const client = new UdlClient({
    baseUrl: config.udlUrl,
    credential,
    http,
    gate,
    clock,
    random: deps.random ?? Math.random,
    timeoutMs: config.requestTimeoutMs,
    maxRetries: config.maxRetries,
    onEvent: (event) => emit({ type: 'client', event }),
  });
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

function summarize(runId: string, days: DayOutcome[]): RunSummary {
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
    exitCode: failed > 0 ? 1 : 0,
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
