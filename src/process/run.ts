/**
 * runProcess: each day's artifact -> its L1C CDF, optionally uploaded to S3, in the download's ledger.
 * Holds the input dir's lock (the ledger lives there, and `download` takes the same one) and the output
 * dir's; decides each day from the ledger and the disk (decide.ts); writes the rows of PROCESSING.md 2.4.
 * A failed day is recorded and the run moves on.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { ProcessConfig } from '../config/process.js';
import { scopeRows } from '../download/scope.js';
import { StoppedError, stoppedError } from '../errors.js';
import { acquireLock, type Lock } from '../artifacts/lock.js';
import { LedgerDamagedError, latestByDay, readLedgerFile } from '../ledger/read.js';
import type { LedgerRow } from '../ledger/schema.js';
import { LedgerWriter } from '../ledger/write.js';
import { dayRange } from '../plan/dates.js';
import { loadSensors } from '../reach/sensors.js';
import { LocalStore } from '../store/local.js';
import type { ArtifactStore } from '../store/store.js';
import { convertDay } from './convert.js';
import { planProcess, type ProcessDecision } from './decide.js';
import { findInput, listInputDir } from './input.js';
import { processDay, type DayOutcome, type ProcessEvent, type Uploader } from './day.js';

export type { ProcessEvent } from './day.js';

export interface ProcessSummary {
  runId: string;
  decisions: ProcessDecision[];
  planned: number;
  processed: number;
  uploaded: number;
  noData: number;
  skippedExisting: number;
  skippedNoInput: number;
  /** Days that failed now (conversion or upload) or were skipped as FAILED. */
  failed: number;
  failedDays: string[];
  stopped?: string;
  exitCode: number;
}

/** The ledger somewhere else than the CSV file (the coordinator's table). */
export interface ProcessLedger {
  rows(): Promise<LedgerRow[]>;
  append(row: LedgerRow): Promise<void>;
}

export interface ProcessDeps {
  /** Default: the CSV ledger at --telemetry-file. */
  ledger?: ProcessLedger;
  /** The S3 side of --upload-to-s3 (upload.ts); required when upload is on. */
  uploader?: Uploader;
  onEvent?: (e: ProcessEvent) => void;
  signal?: AbortSignal;
  now?: () => Date;
}

export async function runProcess(config: ProcessConfig, deps: ProcessDeps = {}): Promise<ProcessSummary> {
  const runId = randomUUID();
  const emit = deps.onEvent ?? (() => {});
  // The output dir exists even after a dry run, as the reference's does.
  await mkdir(config.outputDir, { recursive: true });
  const decisions = await plan(config, deps.ledger);
  emit({ type: 'plan', runId, decisions });
  const work = decisions.filter((d) => d.action === 'run_process' || d.action === 'run_upload_only' || d.action === 'skip_no_input');
  if (config.dryRun || work.length === 0) return summarize(runId, decisions, []);
  if (config.upload && !deps.uploader) throw new Error('runProcess: --upload-to-s3 needs an uploader');

  const locks: Lock[] = [];
  let ledger: LedgerWriter | undefined;
  try {
    locks.push(await acquireLock(config.inputDir, runId, { breakLock: config.breakLock }));
    if (config.outputDir !== config.inputDir) locks.push(await acquireLock(config.outputDir, runId, { breakLock: config.breakLock }));
    // Planned again under the locks: a run that finished meanwhile has changed the ledger.
    const fresh = await plan(config, deps.ledger);
    emit({ type: 'plan', runId, decisions: fresh });
    if (!deps.ledger) ledger = await LedgerWriter.open(config.telemetryFile);
    const sink: Pick<ProcessLedger, 'append'> = deps.ledger ?? ledger!;
    const output: ArtifactStore = new LocalStore(config.outputDir);
    await output.sweep();
    const knownSensors = new Set((await loadSensors()).map((s) => s.id));
    const names = await listInputDir(config.inputDir);
    const latest = latestByDay(scopedRows(config, await ledgerRows(config, deps.ledger)));
    const outcomes: DayOutcome[] = [];
    let stopped: string | undefined;
    for (const d of fresh) {
      if (d.action !== 'run_process' && d.action !== 'run_upload_only' && d.action !== 'skip_no_input') continue;
      if (deps.signal?.aborted) {
        stopped = stoppedError(deps.signal).reason;
        break;
      }
      const input = findInput(config.inputDir, names, config.sensorId, d.day, config.inputFormat);
      try {
        outcomes.push(
          await processDay(d, {
            config,
            runId,
            input,
            previous: latest.get(d.day),
            append: (row: LedgerRow) => sink.append(row),
            convert: (inputPath) =>
              convertDay({
                inputPath,
                format: config.inputFormat,
                day: d.day,
                sensorId: config.sensorId,
                knownSensors,
                output,
                tag: String(process.pid),
                generatedAt: deps.now?.() ?? new Date(),
                signal: deps.signal,
              }),
            uploader: deps.uploader,
            emit,
          }),
        );
      } catch (err) {
        if (!(err instanceof StoppedError)) throw err;
        stopped = err.reason;
        break;
      }
    }
    return summarize(runId, fresh, outcomes, stopped);
  } finally {
    await ledger?.close();
    for (const lock of locks.reverse()) await lock.release();
  }
}

async function ledgerRows(config: ProcessConfig, source: ProcessLedger | undefined): Promise<LedgerRow[]> {
  if (source) return source.rows();
  const ledger = await readLedgerFile(config.telemetryFile);
  if (ledger.bad.length > 0) throw new LedgerDamagedError(config.telemetryFile, ledger.bad);
  return ledger.rows;
}

async function plan(config: ProcessConfig, source: ProcessLedger | undefined): Promise<ProcessDecision[]> {
  const latest = latestByDay(scopedRows(config, await ledgerRows(config, source)));
  const names = await listInputDir(config.inputDir);
  const facts = dayRange(config.startDate, config.endDate).map((day) => {
    const row = latest.get(day);
    return {
      day,
      latest: row,
      input: findInput(config.inputDir, names, config.sensorId, day, config.inputFormat) !== undefined,
      cdf: row !== undefined && row.cdf_path !== '' && existsSync(row.cdf_path),
    };
  });
  return planProcess(facts, { upload: config.upload, retryFailed: config.retryFailed, limitDays: config.limitDays });
}

/** The ledger belongs to the input dir: rows of another output dir are refused, as download refuses them. */
function scopedRows(config: ProcessConfig, rows: readonly LedgerRow[]): LedgerRow[] {
  return scopeRows(rows, { outputDir: config.inputDir, telemetryFile: config.telemetryFile, shared: false });
}

function summarize(runId: string, decisions: ProcessDecision[], outcomes: DayOutcome[], stopped?: string): ProcessSummary {
  const count = (f: (o: DayOutcome) => boolean) => outcomes.filter(f).length;
  const skippedFailed = decisions.filter((d) => d.action === 'skip_failed').map((d) => d.day);
  const failedNow = outcomes.filter((o) => o.failed).map((o) => o.day);
  const failedDays = [...new Set([...skippedFailed, ...failedNow])].sort();
  return {
    runId,
    decisions,
    planned: decisions.filter((d) => d.action === 'run_process' || d.action === 'run_upload_only').length,
    processed: count((o) => o.processed),
    uploaded: count((o) => o.uploaded),
    noData: count((o) => o.noData),
    skippedExisting: decisions.filter((d) => d.action === 'skip_existing').length,
    skippedNoInput: decisions.filter((d) => d.action === 'skip_no_input' || d.action === 'skip_terminal').length,
    failed: failedDays.length,
    failedDays,
    ...(stopped ? { stopped } : {}),
    exitCode: stopped ? (stopped === 'SIGTERM' ? 143 : 130) : failedDays.length > 0 ? 1 : 0,
  };
}
